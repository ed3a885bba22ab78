"""The kiosk's side of a video call with a partner's advisor, as a state machine (pure Python).

The call itself happens in a browser on top of the kiosk (the hub's call page); the kiosk watches
the call's state on the hub and the browser's process, says the queue position and the wait with its
own voice, and returns to the démarche's recap when the call ends, however it ends.

    VisioCall.status(hub_status, now) -> what to say (or nothing)
    VisioCall.hub_unreachable(now)    -> what to say once the link has been down a while
    VisioCall.browser_exited(now)     -> the call is over
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from kiosk.core.i18n import N_
from kiosk.core.screen import Translate

PHASES = ("starting", "consent", "waiting", "in_call", "ended")
SAY_AGAIN_S = 60.0        # the position and wait are said again at least this often while waiting
HUB_SILENCE_S = 5.0       # the link is said to be cut once the hub has not answered for this long
HUB_GIVE_UP_S = 120.0     # then the call is given up (the citizen is not left waiting for nothing)

NOT_OFFERED = {
    "no_camera": N_("A video call is not possible: this kiosk has no working camera or microphone."),
    "no_hub": N_("A video call is not possible right now: the kiosk cannot reach the service."),
    "no_advisor": N_("No advisor of this partner is available right now."),
    "no_browser": N_("A video call is not possible: the browser for calls is not installed."),
}
OFFER_INSTEAD = N_("You can call the mediator, or contact the partner during its opening hours.")
CALL_ENDED = {
    "advisor": N_("The advisor has hung up."),
    "citizen": N_("The call is over."),
    "abandoned": N_("You cancelled the call."),
    "declined": N_("You did not call."),
    "no_media": N_("The camera or the microphone does not work: the call was not possible."),
    "dropped": N_("The connection was lost. The call is over."),
    "timeout": N_("The call has reached its time limit."),
    "hub": N_("The link with the call service was lost. The call is over."),
    "browser": N_("The call window closed. The call is over."),
}
HOW_WAS_IT = N_("How did the call go?")
# names the call page's buttons with their translated words (kiosk/hub/visio_text.py: "Start", "No thanks")
CONSENT_SPOKEN = N_("Video call with an advisor. The advisor will see you and hear you. Nothing is "
                    "recorded. The camera shows you on the screen. Touch “Start” to call, or “No thanks”.")


@dataclass
class VisioCall:
    """One call from its request to its end. Times are monotonic seconds given by the caller."""

    started_at: float
    phase: str = "starting"
    call_id: str | None = None
    end_reason: str | None = None
    position: int | None = None
    wait_s: float | None = None
    _said_at: float = -math.inf
    _said: tuple = ()
    _hub_lost_at: float | None = None
    _hub_lost_said: bool = False
    log: list[str] = field(default_factory=list)  # phase changes, for tests and the bench

    # ---- events ----------------------------------------------------------------------------------

    def created(self, call_id: str) -> None:
        self.call_id = call_id
        self._enter("consent")

    def status(self, status: dict, now: float) -> list[tuple]:
        """A state read from the hub. Returns what to say: [(msgid, values), ...]."""
        self._hub_lost_at, self._hub_lost_said = None, False
        state = status.get("state")
        if state == "ended":
            self._end(status.get("end_reason") or "citizen")
            return []
        if state == "taken":
            self._enter("in_call")
            return []
        if state != "waiting":
            return []
        self._enter("waiting")
        self.position = int(status.get("position") or 1)
        wait = status.get("wait_s")
        self.wait_s = None if wait is None else float(wait)
        said = (self.position, self.wait_minutes)
        if said != self._said or now - self._said_at >= SAY_AGAIN_S:
            self._said, self._said_at = said, now
            return self.queue_sentences()
        return []

    def hub_unreachable(self, now: float) -> list[tuple]:
        if self.phase == "ended":
            return []
        if self._hub_lost_at is None:
            self._hub_lost_at = now
        lost_for = now - self._hub_lost_at
        if lost_for >= HUB_GIVE_UP_S and self.phase in ("consent", "waiting"):
            self._end("hub")
            return []
        if lost_for >= HUB_SILENCE_S and not self._hub_lost_said and self.phase == "waiting":
            self._hub_lost_said = True
            return [(N_("The link with the call service is cut. We keep trying."), {})]
        return []

    def browser_exited(self) -> None:
        """The browser is gone (closed by us after the end, or crashed): the call is over."""
        self._end("browser")

    # ---- what the kiosk says and shows ------------------------------------------------------------

    @property
    def wait_minutes(self) -> int | None:
        return None if self.wait_s is None else max(1, round(self.wait_s / 60))

    def queue_sentences(self) -> list[tuple]:
        sentences = [(N_("You are next in the queue."), {}) if self.position == 1 else
                     (N_("You are number {position} in the queue."), {"position": self.position})]
        if self.wait_minutes is None:
            sentences.append((N_("No advisor is available at the moment."), {}))
        elif self.wait_minutes == 1:
            sentences.append((N_("Estimated wait: about 1 minute."), {}))
        else:
            sentences.append((N_("Estimated wait: about {minutes} minutes."), {"minutes": self.wait_minutes}))
        return sentences

    def end_sentence(self) -> tuple:
        return (CALL_ENDED.get(self.end_reason or "citizen", CALL_ENDED["citizen"]), {})

    @property
    def over(self) -> bool:
        return self.phase == "ended"

    # ---- internals --------------------------------------------------------------------------------

    def _enter(self, phase: str) -> None:
        if self.phase != phase and self.phase != "ended":
            self.phase = phase
            self.log.append(phase)

    def _end(self, reason: str) -> None:
        if self.phase != "ended":
            self.end_reason = reason
            self._enter("ended")


def say(_: Translate, sentences: list[tuple]) -> str:
    """The sentences in the language on screen, as one text to show and speak."""
    return " ".join(_(msgid).format(**values) for msgid, values in sentences)


def not_offered_text(_: Translate, why: str) -> str:
    return f"{_(NOT_OFFERED[why])} {_(OFFER_INSTEAD)}"
