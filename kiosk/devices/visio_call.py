"""Runs one video call for the kiosk: asks the hub for the call, opens the call page in the visio
browser, watches the call's state on the hub and the browser's process from a worker thread, and
reports what to say and the end. Callbacks run on the worker thread: the UI hands them to its own
thread (Clock.schedule_once).

    session = VisioSession(device, on_say=..., on_end=...)
    session.offer("CAF", "fr")                        # (True, "") or (False, why) — blocking, use a worker
    session.start("CAF", "caf-prime-activite", "urgent", "fr")
    session.stop()                                    # the citizen leaves, the session is wiped
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from kiosk.core.visio import VisioCall
from kiosk.devices.hub_client import HubClient, HubRefused, HubUnavailable
from kiosk.devices.visio_browser import VisioBrowser

log = logging.getLogger(__name__)
POLL_S = 0.25     # pause between two reads of the call's state on the hub
LONG_POLL_S = 2.0  # the hub holds a read this long unless the state changes (the end is seen at once)


class VisioSession:
    def __init__(self, device: dict, on_say: Callable[[list], None], on_end: Callable[[VisioCall], None],
                 browser_factory: Callable[..., VisioBrowser] = VisioBrowser, poll_s: float = POLL_S,
                 on_phase: Callable[[VisioCall], None] | None = None, camera_present: Callable[[], bool] | None = None):
        self.device = device
        self.on_say, self.on_end, self.on_phase = on_say, on_end, on_phase
        self.browser_factory = browser_factory
        self.poll_s = poll_s
        self.camera_present = camera_present
        self.call: VisioCall | None = None
        self._known = ""
        self.timings: dict[str, float] = {}  # monotonic times of the end's steps (for the benchmark)
        self.browser: VisioBrowser | None = None
        self._stop = threading.Event()
        self.done = threading.Event()  # set once the call is over and its browser profile deleted
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- before the call --------------------------------------------------------------------------

    def offer(self, partner: str, language: str) -> tuple[bool, str]:
        """(True, "") when a call can be offered now, else (False, why) with why a key of
        kiosk.core.visio.NOT_OFFERED."""
        if not VisioBrowser.available():
            return False, "no_browser"
        if self.camera_present is not None and not self.camera_present():
            return False, "no_camera"
        client = HubClient(self.device, timeout=5)
        try:
            answer = client.post("/api/v1/visio/offer", {"partner": partner, "language": language})
        except (HubUnavailable, HubRefused):
            return False, "no_hub"
        finally:
            client.close()
        if not answer.get("media_server"):
            return False, "no_hub"
        if not answer.get("on_duty"):
            return False, "no_advisor"
        return True, ""

    # ---- the call ---------------------------------------------------------------------------------

    def start(self, partner: str, demarche: str, help_level: str, language: str) -> VisioCall:
        self.call = VisioCall(started_at=time.monotonic())
        self._thread = threading.Thread(target=self._run, args=(partner, demarche, help_level, language),
                                        name="visio-call", daemon=True)
        self._thread.start()
        return self.call

    def stop(self, timeout: float = 10.0) -> None:
        """End the call from the kiosk's side (the citizen left, the session is wiped)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, partner: str, demarche: str, help_level: str, language: str) -> None:
        call = self.call
        client = HubClient(self.device, timeout=5)
        try:
            try:
                created = client.post("/api/v1/visio/calls", {"partner": partner, "demarche": demarche,
                                                              "help_level": help_level, "language": language})
            except (HubUnavailable, HubRefused):
                call._end("hub")
                return
            call.created(created["call"])
            self._phase()
            self.browser = self.browser_factory(on_exit=lambda code: self._wake.set())
            try:
                self.browser.open(self.device["hub_url"].rstrip("/") + created["page"])
            except OSError:
                call._end("browser")
                self._tell_hub_end(client)
                return
            self._watch(client)
        finally:
            self.timings["over"] = time.monotonic()
            if self.browser is not None:
                self.browser.kill()  # its window is gone: the kiosk can show again
            self.timings["killed"] = time.monotonic()
            self._phase()
            try:
                self.on_end(call)
            except Exception:  # noqa: BLE001
                log.exception("visio: the end handler failed")
            if self.browser is not None:
                self.browser.close()  # the profile folder is deleted before this worker ends
            self.timings["wiped"] = time.monotonic()
            client.close()
            self.done.set()

    def _watch(self, client: HubClient) -> None:
        call = self.call
        while not call.over:
            if self._stop.is_set():
                call._end("citizen")
                self._tell_hub_end(client)
                return
            if not self.browser.running:
                call.browser_exited()
                self._tell_hub_end(client)
                return
            before = call.phase
            try:
                status = client.post("/api/v1/visio/calls/status",
                                     {"call": call.call_id, "known": self._known, "wait": LONG_POLL_S},
                                     read_timeout=LONG_POLL_S + 5)
                self._known = status.get("state", "")
                sentences = call.status(status, time.monotonic())
            except HubRefused:
                call._end("hub")
                return
            except HubUnavailable:
                sentences = call.hub_unreachable(time.monotonic())
                if call.over:
                    return
            if call.phase != before:
                self._phase()
            if sentences:
                self.on_say(sentences)
            if self._wake.wait(self.poll_s):
                self._wake.clear()

    def _tell_hub_end(self, client: HubClient) -> None:
        try:
            client.post("/api/v1/visio/calls/end", {"call": self.call.call_id})
        except (HubUnavailable, HubRefused):
            log.warning("visio: the hub could not be told that the call ended")

    def _phase(self) -> None:
        if self.on_phase is not None:
            self.on_phase(self.call)


class KioskVisio:
    """The app's glue: one VisioSession per call; what it says and its end are handed to the UI
    thread through `post` (Clock.schedule_once on the kiosk). Listening stops for the whole call
    (the call page needs the microphone); the kiosk's own speech says the consent and the queue,
    then is paused while the citizen talks with the advisor; both are resumed after.

        visio = KioskVisio(device, post=..., say=speech.say, translate=lambda: translator.gettext,
                           on_ended=lambda reason: ..., pause_listening=..., resume_listening=...,
                           pause_speech=..., resume_speech=...)
        visio.offered_partners(["CAF", "DGFiP"], "fr")  # worker thread: who takes calls now
        visio.start("CAF", "aide-logement", "urgent", "fr")
        visio.stop()                                     # the session is wiped: end the call
    """

    def __init__(self, device: dict, *, post: Callable[[Callable[[], None]], None], say: Callable[[str], None],
                 translate: Callable[[], Callable[[str], str]], on_ended: Callable[[str], None],
                 pause_listening: Callable[[], None] = lambda: None,
                 resume_listening: Callable[[], None] = lambda: None,
                 pause_speech: Callable[[], None] = lambda: None, resume_speech: Callable[[], None] = lambda: None,
                 browser_factory: Callable[..., VisioBrowser] = VisioBrowser,
                 camera_present: Callable[[], bool] | None = None):
        self.device, self.post, self.say, self.translate = device, post, say, translate
        self.on_ended = on_ended
        self.pause_listening, self.resume_listening = pause_listening, resume_listening
        self.pause_speech, self.resume_speech = pause_speech, resume_speech
        self.browser_factory, self.camera_present = browser_factory, camera_present
        self.session: VisioSession | None = None

    def offered_partners(self, partners: list[str], language: str) -> frozenset[str]:
        """The partners whose advisors can take a call now (blocking: call from a worker)."""
        probe = VisioSession(self.device, on_say=lambda s: None, on_end=lambda c: None,
                             camera_present=self.camera_present)
        return frozenset(p for p in partners if probe.offer(p, language)[0])

    @property
    def active(self) -> bool:
        return self.session is not None and not self.session.done.is_set()

    def start(self, partner: str, demarche: str, help_level: str, language: str) -> None:
        if self.active:
            return
        from kiosk.core.visio import CONSENT_SPOKEN
        from kiosk.core.visio import say as sentences_text
        self.pause_listening()
        speech_paused = []

        def said(sentences) -> None:
            self.post(lambda: self.say(sentences_text(self.translate(), sentences)))

        def phase(call) -> None:
            if call.phase == "consent":
                said([(CONSENT_SPOKEN, {})])
            elif call.phase == "in_call" and not speech_paused:
                speech_paused.append(True)
                self.post(self.pause_speech)

        def ended(call) -> None:
            def back() -> None:
                if speech_paused:
                    self.resume_speech()
                self.resume_listening()
                self.on_ended(call.end_reason or "citizen")
            self.post(back)

        self.session = VisioSession(self.device, on_say=said, on_end=ended, browser_factory=self.browser_factory,
                                    camera_present=self.camera_present, on_phase=phase)
        self.session.start(partner, demarche, help_level, language)

    def stop(self) -> None:
        if self.session is not None:
            self.session.stop()
