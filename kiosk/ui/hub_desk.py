"""The kiosk's link to its hub, on the UI side: help requests that reach the site's mediators,
their answer back on the screen, the anonymous counts, faults and the device state.

The link (kiosk/devices/hub_client.py) works in its own threads and never blocks: everything goes
through its on-disk outbox. Its callbacks come back to the UI thread through Clock.schedule_once.
Without a hub (not enrolled) the kiosk works alone and says honestly that no one was told.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from kivy.clock import Clock

from kiosk.core import overlays

log = logging.getLogger(__name__)
HEARTBEAT_STATE_SECONDS = 30.0


class HubDesk:
    def __init__(self, *, journey, display, config, play_sound: Callable[[str], None],
                 device_state: Callable[[], dict], restart: Callable[[], None] = lambda: None):
        """`device_state()`: {"printer", "voice", "microphone"} each ok / fault / off / unknown;
        `restart()`: end the kiosk so that its service manager starts it again."""
        self.journey = journey
        self.display = display
        self.config = config
        self.play_sound = play_sound
        self.device_state = device_state
        self.restart = restart
        self.link = None
        self.config_changed = False      # the hub sent a newer configuration, now on disk
        self._alerts: list[str] = []     # the alerts of the current session
        self._refresh_bar: Callable[[], None] | None = None

    @property
    def _(self):
        return self.journey.translator.gettext

    def open_in_background(self, factory, on_ready: Callable[[], None]) -> None:
        """Open the link off the UI thread (it reads its device file and its outbox)."""
        def work():
            try:
                link = factory()
            except Exception as exc:  # a broken device file: the kiosk works alone
                log.warning("hub link not opened: %s", exc.__class__.__name__)
                return
            if link is not None:
                Clock.schedule_once(lambda _dt: (self.attach(link), on_ready()), 0)
        threading.Thread(target=work, name="hub-open", daemon=True).start()

    def attach(self, link) -> None:
        """Use this started-or-not link (the mediator panel's enrolment uses it too)."""
        self.link = link
        link.on_help_answered = lambda alert_id: Clock.schedule_once(
            lambda _dt: self._answered(alert_id), 0)
        link.on_help_unanswered = lambda alert_id, repeats: Clock.schedule_once(
            lambda _dt: self._unanswered(alert_id), 0)
        link.on_config_applied = lambda _path, _config: Clock.schedule_once(
            lambda _dt: setattr(self, "config_changed", True), 0)
        link.on_content_applied = lambda _dir: Clock.schedule_once(  # the démarches: same restart path
            lambda _dt: setattr(self, "config_changed", True), 0)
        link.start()
        self.journey.mediator_reachable = True
        Clock.schedule_interval(self._send_device_state, HEARTBEAT_STATE_SECONDS)
        self._send_device_state()

    # ---- help ----

    def call(self, urgent: bool) -> bool:
        """Tell the site's mediators; True when they were told (or will be, the link is up)."""
        if self.link is None:
            return False
        s = self.journey.session
        alert = self.link.request_help(s.demarche, s.help_level, "urgent" if urgent else "help")
        if alert is None:
            return False
        self._alerts.append(alert)
        return True

    def _answered(self, alert_id: str) -> None:
        if alert_id not in self._alerts:
            return                      # a previous citizen's call: nothing to show now
        self._alerts.remove(alert_id)
        self.play_sound("chime")
        self.display.present_overlay(overlays.mediator_coming(self._))

    def _unanswered(self, alert_id: str) -> None:
        if alert_id not in self._alerts:
            return
        hours = self.journey.site_text("opening_hours")
        self.display.present_overlay(overlays.help_unanswered(self._, hours), warning=True)

    def session_wiped(self) -> None:
        """The citizen left: their calls are no longer watched (the mediator's page keeps them).
        A newer configuration from the hub takes effect now, between two citizens: the kiosk
        ends and its service manager starts it again on the new file (the old one is kept)."""
        if self.link is not None:
            for alert in self._alerts:
                self.link.forget_help(alert)
        self._alerts.clear()
        if self.config_changed:
            log.info("a newer configuration or content from the hub is applied: the kiosk restarts")
            self.config_changed = False
            self.restart()

    # ---- figures ----

    def record_session(self, session) -> None:
        if self.link is not None:
            self.link.record_session(session.demarche, session.help_level,
                                     session.outcome or "abandoned", session.satisfaction,
                                     session.language)

    def report_fault(self, kind: str) -> None:
        if self.link is not None:
            self.link.report_fault(kind)

    def survey_url(self, demarche: str, language: str) -> str | None:
        """The cold survey's signed address for a receipt (None without a hub)."""
        return self.link.survey_url(demarche, language) if self.link is not None else None

    def _send_device_state(self, _dt=None) -> None:
        if self.link is not None:
            try:
                self.link.set_device_state(**self.device_state())
            except Exception as exc:  # never let the figures break the kiosk
                log.warning("device state not gathered: %s", exc.__class__.__name__)

    def close(self) -> None:
        if self.link is not None:
            self.link.close()
