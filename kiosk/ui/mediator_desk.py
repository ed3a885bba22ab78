"""The UI side of the mediator mode: the devices' health, the panel's actions, the title taps.

`MediatorDesk` gathers the health as plain data (kiosk.core.device_health.Health) from the
devices, asks the printer for its state in a worker thread (a status query blocks) and shows the
answer when it arrives, prints a test page, counts the five taps on a screen title that open the
PIN screen, and closes the mediator's screens left alone for two minutes.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from kivy.clock import Clock

from kiosk.core import device_health as core
from kiosk.core.i18n import N_
from kiosk.core.mediator import SCREENS as STAFF_SCREENS
from kiosk.core.mediator_screens import PANEL_SCREEN
from kiosk.core.stats import today_counts

log = logging.getLogger(__name__)
STATUS = {"ok": core.OK, "warn": core.PROBLEM, "fail": core.PROBLEM}   # doctor → panel marker


class MediatorDesk:
    def __init__(self, *, journey, display, speech, receipts, voice, config, catalogue, stats,
                 faults: list[str], clock: Callable[[], float], send: Callable[[str], None]):
        """`send(event)`: send an event as a meant action (not a finger); `faults`: the device
        faults seen since start (never personal data)."""
        self.journey = journey
        self.display = display
        self.speech = speech
        self.receipts = receipts
        self.voice = voice
        self.config = config
        self.catalogue = catalogue
        self.stats = stats
        self.faults = faults
        self.send = send
        self.mode = journey.mediator
        from kiosk.core.pin import default_state_path

        self.mode.configure(config.mediator["pin_hash"] or None, clock, default_state_path())
        self.mode.health_source = self.health
        self.checks = None          # the last device checks (kiosk/devices/health.py), None: running
        self.test_print: tuple[str, str] | None = None
        self._fetch_id = 0
        display.root.bind(on_touch_down=self._on_touch_down)
        Clock.schedule_interval(self._close_when_idle, 1.0)

    @property
    def _(self):
        return self.journey.translator.gettext

    # ---- health as plain data ----

    def health(self) -> core.Health:
        from kiosk.devices import voice_models

        _ = self._
        h = core.Health()
        h.speech_available = self.speech.available
        if self.speech.speaker is not None and not h.speech_available:
            h.speech_reason = self.speech.unavailable_reason(self.journey.session.language)
        lang = self.config.languages["default"]
        h.model_installed = voice_models.check_model_dir(voice_models.model_path(lang)) is None
        listener = self.voice.listener
        if not self.config.devices["voice_input"]:
            h.listen_state = "off-config"
        elif listener is None and self.voice.loading:
            h.listen_state = "loading"
        elif listener is None:
            h.listen_state, h.listen_reason = "off", _("Voice input was not started on this kiosk.")
        elif listener.available:
            h.listen_state = "on"
        else:
            h.listen_state = "off"
            h.listen_reason = listener.unavailable_reason or "" if h.model_installed else ""
        if self.checks is not None:
            language = self.journey.session.language
            h.device_checks = [core.HealthLine(STATUS[c.status], c.text(language), c.name)
                               for c in self.checks]
        h.test_print = self.test_print
        h.faults = list(self.faults)
        if self.stats is not None:
            h.sessions_today, h.by_help_level = today_counts(self.stats.path)
        h.explore_by_touch = self.journey.session.explore_by_touch
        return h

    def printer_state(self) -> str:
        """For the hub's fleet view: ok, fault, off or unknown (from the last check)."""
        if self.config.devices["printer"] == "none":
            return "off"
        check = next((c for c in self.checks or () if c.name == "printer"), None)
        return "unknown" if check is None else "fault" if check.status == "fail" else "ok"

    # ---- the panel's effects ----

    def panel_opened(self) -> None:
        self.display.hide_overlay()
        self.run_checks()

    def restarted(self) -> None:
        log.info("journey restarted by the mediator")
        self.test_print = None

    def run_checks(self) -> None:
        """The device checks of `kiosk doctor`, in a worker thread (the printer and the hub are
        asked and may be slow): "checking…" until the answers are shown."""
        self.checks = None
        self._fetch_id += 1
        fetch_id = self._fetch_id
        config, printer = self.config, self.receipts.service

        def work():
            from kiosk.devices import health

            try:
                checks = health.run_checks(config=config, printer=printer, hub_timeout=3.0)
            except Exception as exc:  # a check's bug: say it, never crash the panel
                log.warning("device checks failed: %s", exc.__class__.__name__)
                checks = [health.Check("devices", health.FAIL, N_("Devices: could not be checked "
                                       "({error})."), {"error": exc.__class__.__name__})]
            Clock.schedule_once(lambda _dt: self._checked(fetch_id, checks), 0)

        threading.Thread(target=work, name="mediator-checks", daemon=True).start()

    def _checked(self, fetch_id: int, checks) -> None:
        if fetch_id != self._fetch_id:
            return
        self.checks = checks
        self._refresh(say="printer")

    def print_test_page(self) -> None:
        from kiosk.core.receipt import build_receipt

        _ = self._
        service = self.receipts.service
        if service is None:
            self.test_print = (core.PROBLEM, _("Test page: no printer is ready."))
            self._refresh(say="test")
            return
        demarche = next(iter(self.catalogue.demarches.values()))
        receipt = build_receipt(demarche, self.config, self.journey.session.language)
        self.test_print = (core.CHECKING, _("Test page: printing…"))
        service.reprint(receipt, on_done=lambda result: Clock.schedule_once(
            lambda _dt: self._test_printed(result), 0))
        self._refresh(say="test")

    def _test_printed(self, result) -> None:
        from kiosk.devices.health import printer_problem

        _ = self._
        if result.ok:
            self.test_print = (core.OK, _("Test page: printed. Take it from the printer."))
        else:
            self.faults.append(f"printer: {result.mediator_message()}")
            self.test_print = (core.PROBLEM, _("Test page: not printed. {problem}").format(
                problem=_(printer_problem(result.reason))))
        self._refresh(say="test")

    def _refresh(self, say: str = "") -> None:
        """Redraw the panel if it is on screen, and say the line that changed."""
        if self.journey.screen_name != PANEL_SCREEN or self.display.overlay_shown:
            return
        model = self.journey.screen()
        self.display.present(model, speak=False)
        for line in model.lines:
            if line.what == say:
                self.speech.say(model.line_speech(line))
                break

    # ---- entry by five taps on the title, and closing when left alone ----

    def _on_touch_down(self, _root, touch) -> bool:
        """Count taps on the current screen's title; never takes the touch."""
        if self.display.overlay_shown or self.journey.screen_name in STAFF_SCREENS:
            return False
        if not self.display.current_screen().title_hit(touch.pos):
            return False
        if self.mode.title_taps.tap():
            Clock.schedule_once(lambda _dt: self.send("staff:open"), 0)
        return False

    def _close_when_idle(self, _dt) -> None:
        if self.journey.screen_name in STAFF_SCREENS and self.mode.idle_too_long():
            log.info("mediator screen closed after a while without action")
            self.send("staff:close")
