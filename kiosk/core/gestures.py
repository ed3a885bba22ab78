"""Touch gestures, on an injected clock: what counts as one tap, a double tap, five title taps.

One finger, single taps only (no drag, no multi-finger gesture): these small state machines
decide which taps are meant.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from kiosk.core.accessibility import REPEAT_TAP_SECONDS

EXPLORE_DOUBLE_TAP_SECONDS = 1.0  # explore by touch: the second touch on the same control acts…
TITLE_TAPS = 5                    # taps on a screen title that open the mediator's PIN screen…
TITLE_TAPS_SECONDS = 3.0          # …within this time


@dataclass
class TapFilter:
    """A repeated tap within `window` seconds counts once (tremor, bounces)."""

    window: float = REPEAT_TAP_SECONDS
    last: float = -1e9

    def accept(self, now: float) -> bool:
        if now - self.last < self.window:
            return False
        self.last = now
        return True

    def mark(self, now: float) -> None:
        """A meant action (not a finger, or a double tap's second touch): the window restarts."""
        self.last = now


@dataclass
class ExploreTouch:
    """Explore by touch: a first touch on a control arms it (the kiosk says it); a second touch
    on the same control within `window` seconds acts."""

    window: float = EXPLORE_DOUBLE_TAP_SECONDS
    armed: object = None
    armed_at: float = 0.0

    def touch(self, control: object, now: float) -> bool:
        """True when this touch acts; False when it only arms (and says) the control."""
        if control is self.armed and now - self.armed_at <= self.window:
            self.armed = None
            return True
        self.armed, self.armed_at = control, now
        return False

    def reset(self) -> None:
        self.armed = None


@dataclass
class TitleTaps:
    """Five taps on a screen title within three seconds open the PIN screen (each touch counts
    once, whatever its length; nothing else is needed)."""

    clock: Callable[[], float] = time.monotonic
    taps: int = TITLE_TAPS
    seconds: float = TITLE_TAPS_SECONDS
    _times: list[float] = field(default_factory=list)

    def tap(self) -> bool:
        """Count one tap; True when it completes the gesture (the count starts again)."""
        now = self.clock()
        self._times = [t for t in self._times if now - t <= self.seconds] + [now]
        if len(self._times) >= self.taps:
            self._times = []
            return True
        return False

    def reset(self) -> None:
        self._times = []
