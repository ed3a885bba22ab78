"""The video call on the kiosk: once the hub link is up, `KioskVisio` (kiosk/devices/visio_call.py)
runs each call, and a worker asks the hub now and then which partners' advisors take calls, so
that the journey offers the call only where someone can answer (kiosk/core/journey.py,
`visio_partner`). Everything blocking runs in workers; results come back through Clock.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from kivy.clock import Clock

log = logging.getLogger(__name__)

REFRESH_SECONDS = 30.0


class VisioDesk:
    def __init__(self, *, journey, catalogue, speech, voice, effects,
                 camera_present: Callable[[], bool] | None = None):
        self.journey, self.catalogue = journey, catalogue
        self.speech, self.voice, self.effects = speech, voice, effects
        self.camera_present = camera_present
        self.visio = None
        self._refreshing = False

    @property
    def partners(self) -> list[str]:
        """The partners of the démarches whose content names a video partner."""
        return sorted({d.video_partner for d in self.catalogue.demarches.values() if d.video_partner})

    @property
    def in_call(self) -> bool:
        return self.visio is not None and self.visio.active

    def attach(self, device: dict) -> None:
        """The hub link is enrolled and open: calls can be offered (when some partner takes them)."""
        from kiosk.devices.visio_call import KioskVisio

        if not self.partners:
            return
        self.visio = KioskVisio(
            device, post=lambda fn: Clock.schedule_once(lambda _dt: fn(), 0),
            say=self.speech.say, translate=lambda: self.journey.translator.gettext,
            on_ended=self._ended, pause_listening=self.voice.stop, resume_listening=lambda: None,
            pause_speech=lambda: self.speech.mute(True), resume_speech=lambda: self.speech.mute(False),
            camera_present=self.camera_present)
        self.effects.visio = self.visio
        self.effects.on_session_wiped.append(self.visio.stop)
        self.refresh()
        Clock.schedule_interval(lambda _dt: self.refresh(), REFRESH_SECONDS)

    def _ended(self, reason: str) -> None:
        self.effects.run(self.journey.handle(f"visio-ended:{reason}"), self.journey.take_effects())

    def refresh(self) -> None:
        """Ask the hub (in a worker) whose advisors are on duty in the language on screen."""
        if self.visio is None or self._refreshing or self.in_call:
            return
        self._refreshing = True
        visio, partners, language = self.visio, self.partners, self.journey.session.language

        def work():
            try:
                offered = visio.offered_partners(partners, language)
            except Exception as exc:  # noqa: BLE001 — no hub now: no call offered, the kiosk goes on
                log.info("visio: partners on duty unknown (%s)", exc.__class__.__name__)
                offered = frozenset()
            Clock.schedule_once(lambda _dt: self._offered(offered), 0)
        threading.Thread(target=work, name="visio-offer", daemon=True).start()

    def _offered(self, offered: frozenset) -> None:
        self._refreshing = False
        self.journey.visio_partners = offered
