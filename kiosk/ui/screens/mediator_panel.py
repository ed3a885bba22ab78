"""The mediator panel (device health at a glance, restart, explore by touch, test page) and
`MediatorDesk`, the app-side glue of the mediator mode.

The screen model comes from kiosk.core.mediator. Each health line is drawn with a pictogram and
a marker word ("OK", "Problème"), so colour is never the only cue. `MediatorDesk` gathers the
health as plain data from the app's devices, asks the printer for its state in a worker thread
(PrintService.status() blocks) and shows the answer when it arrives, counts the five taps on a
screen title that open the PIN screen, carries out the panel's actions, and closes the mediator
screens left alone for two minutes.
"""

from __future__ import annotations

import logging
import threading

from kivy.clock import Clock
from kivy.properties import ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.core import mediator as core
from kiosk.ui.screens.base import BaseScreen
from kiosk.ui.widgets.controls import icon_glyph

log = logging.getLogger(__name__)
ICONS = {core.OK: "circle-check", core.PROBLEM: "triangle-alert", core.CHECKING: "hourglass"}


class HealthLineView(BoxLayout):
    """One device line: pictogram, marker word, sentence. `bg_color` is read by the audit."""

    status = StringProperty(core.OK)
    marker = StringProperty("")
    sentence = StringProperty("")
    glyph = StringProperty("")
    bg_color = ListProperty([1, 1, 1, 1])


class MediatorPanelScreen(BaseScreen):
    """Health lines first (in the scrolling part, above the faults and counts), actions fixed
    below so Close and Restart never scroll away."""

    _lines: list = []

    def render(self, model, scroll_labels: tuple[str, str]) -> None:
        super().render(model, scroll_labels)
        body = self.ids.body
        self._lines = []
        for line in reversed(model.lines):
            view = HealthLineView(status=line.status, marker=model.markers[line.status],
                                  sentence=line.sentence, glyph=icon_glyph(ICONS[line.status]))
            body.add_widget(view, index=len(body.children))
            self._lines.insert(0, view)


class MediatorDesk:
    """Everything the app does for the mediator mode besides showing screen models."""

    def __init__(self, app, root):
        """`root`: the app's root widget (touches on screen titles are counted there)."""
        self.app = app
        self.mode = app.journey.mediator
        self.mode.configure(app.kiosk_config.mediator["pin"], app.clock)
        self.mode.health_source = self.health
        self.printer: tuple[bool, str, str] | None = None
        self.test_print: tuple[str, str] | None = None
        self._fetch_id = 0
        root.bind(on_touch_down=self._on_touch_down)
        Clock.schedule_interval(self._tick, 1.0)

    # ---- health as plain data ----

    def health(self) -> core.Health:
        from kiosk.devices import voice_models

        app, _ = self.app, self.app.translator.gettext
        config = app.kiosk_config
        speaker = app.speaker
        h = core.Health()
        h.speech_available = speaker is not None and speaker.available
        if speaker is not None and not h.speech_available:
            h.speech_reason = speaker.unavailable_message(app.journey.session.language)
        lang = config.languages["default"]
        h.model_installed = voice_models.check_model_dir(voice_models.model_path(lang)) is None
        listener = getattr(getattr(app, "voice", None), "listener", None)
        if not config.devices["voice_input"]:
            h.listen_state = "off-config"
        elif listener is None and app.listener_factory is not None:
            h.listen_state = "loading"
        elif listener is None:
            h.listen_state, h.listen_reason = "off", _("Voice input was not started on this kiosk.")
        elif listener.available:
            h.listen_state = "on"
        else:
            h.listen_state = "off"
            h.listen_reason = listener.unavailable_reason or "" if h.model_installed else ""
        h.printer_configured = app.kiosk_config.devices["printer"] != "none"
        h.printer = self.printer
        h.test_print = self.test_print
        h.demarches = len(app.catalogue.demarches)
        h.content_problems = len(app.catalogue.problems)
        h.faults = list(app.device_faults)
        if app.stats is not None:
            h.sessions_today, h.by_help_level = core.today_counts(app.stats.path)
        h.explore_by_touch = app.journey.session.explore_by_touch
        return h

    # ---- effects of the staff events ----

    def apply(self, what: str) -> None:
        if what == "panel":
            self.app.overlay.hide()
            self.fetch_printer()
        elif what == "restart":
            log.info("journey restarted by the mediator")
            self.printer = self.test_print = None
            self.app.end_session("abandoned")
        elif what == "print-test":
            self.print_test_page()

    def fetch_printer(self) -> None:
        """Ask the printer in a worker thread; "checking…" until the answer is shown."""
        self.printer = None
        self._fetch_id += 1
        fetch_id = self._fetch_id
        self._ask_printer(fetch_id, tries=10)

    def _ask_printer(self, fetch_id: int, tries: int) -> None:
        app = self.app
        service = app.print_service
        if service is None:
            if app.kiosk_config.devices["printer"] == "none":
                return
            if getattr(app, "print_service_factory", None) is not None and tries > 0:
                # the app is still opening the printer (off the UI thread): ask again soon
                Clock.schedule_once(lambda _dt: self._ask_printer(fetch_id, tries - 1), 1.0)
            else:
                self._printer_answered(fetch_id, (False, "absent", ""))
            return

        def work():
            try:
                status = service.status()
                answer = (status.ok, status.reason or ("" if status.checked else "unknown"),
                          status.detail)
            except Exception as exc:  # a backend bug: say it, never crash the panel
                log.warning("printer status failed: %s", exc.__class__.__name__)
                answer = (False, "error", exc.__class__.__name__)
            Clock.schedule_once(lambda _dt: self._printer_answered(fetch_id, answer), 0)

        threading.Thread(target=work, name="mediator-printer-status", daemon=True).start()

    def _printer_answered(self, fetch_id: int, answer) -> None:
        if fetch_id != self._fetch_id:
            return
        self.printer = answer
        self._refresh(say="printer")

    def print_test_page(self) -> None:
        from kiosk.core.receipt import build_receipt

        _ = self.app.translator.gettext
        service = self.app.print_service
        if service is None:
            self.test_print = (core.PROBLEM, _("Test page: no printer is ready."))
            self._refresh(say="test")
            return
        demarche = next(iter(self.app.catalogue.demarches.values()))
        receipt = build_receipt(demarche, self.app.kiosk_config, self.app.journey.session.language)
        self.test_print = (core.CHECKING, _("Test page: printing…"))
        service.reprint(receipt, on_done=lambda result: Clock.schedule_once(
            lambda _dt: self._test_printed(result), 0))
        self._refresh(say="test")

    def _test_printed(self, result) -> None:
        _ = self.app.translator.gettext
        if result.ok:
            self.test_print = (core.OK, _("Test page: printed. Take it from the printer."))
            self.printer = (True, "", "")
        else:
            self.app.device_faults.append(f"printer: {result.mediator_message()}")
            self.test_print = (core.PROBLEM, _("Test page: not printed, {problem}").format(
                problem=core.printer_problem(_, result.reason)))
        self._refresh(say="test")

    def _refresh(self, say: str = "") -> None:
        """Redraw the panel if it is on screen, and say the line that changed."""
        app = self.app
        if app.journey.screen_name != core.PANEL_SCREEN or app.overlay.shown:
            return
        model = app.journey.screen()
        app.show(model, speak=False)
        for line in model.lines:
            if line.what == say:
                app.speak(f"{model.markers[line.status]} : {line.sentence}")
                break

    # ---- entry by five taps on the title, and closing when left alone ----

    def _on_touch_down(self, _root, touch) -> bool:
        """Count taps on the current screen's title; never takes the touch."""
        app = self.app
        if app.overlay.shown or app.journey.screen_name in core.SCREENS:
            return False
        title = app.current_screen().ids.get("title_label")
        if title is None or not title.collide_point(*title.to_widget(*touch.pos)):
            return False
        if self.mode.title_taps.tap():
            Clock.schedule_once(lambda _dt: app.on_action("staff:open", force=True), 0)
        return False

    def _tick(self, _dt) -> None:
        app = self.app
        if app.journey.screen_name in core.SCREENS and \
                app.clock() - self.mode.last_action > core.IDLE_CLOSE_SECONDS:
            log.info("mediator screen closed after %d s without action", core.IDLE_CLOSE_SECONDS)
            app.on_action("staff:close", force=True)
