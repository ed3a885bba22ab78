"""Inactivity: warn by sound and sight, offer more time, wipe only when the warning is ignored."""

from __future__ import annotations

from dataclasses import dataclass

ACTIVE, WARNING, EXPIRED = "active", "warning", "expired"


@dataclass
class InactivityTimer:
    """A clock-driven state machine; the caller feeds it the current time (monotonic seconds)."""

    inactivity_seconds: float = 90
    warning_seconds: float = 30
    max_extensions: int = 10
    last_activity: float = 0.0
    warned_at: float | None = None
    extensions: int = 0

    def start(self, now: float) -> None:
        self.last_activity = now
        self.warned_at = None
        self.extensions = 0

    def activity(self, now: float) -> None:
        """A touch or key press while no warning is shown."""
        if self.warned_at is None:
            self.last_activity = now

    @property
    def can_extend(self) -> bool:
        return self.extensions < self.max_extensions

    def extend(self, now: float) -> bool:
        """The person asked for more time; False once the extensions are used up."""
        if not self.can_extend:
            return False
        self.extensions += 1
        self.last_activity = now
        self.warned_at = None
        return True

    def state(self, now: float) -> str:
        if self.warned_at is None:
            if now - self.last_activity < self.inactivity_seconds:
                return ACTIVE
            self.warned_at = self.last_activity + self.inactivity_seconds
        if now - self.warned_at < self.warning_seconds:
            return WARNING
        return EXPIRED

    def seconds_left(self, now: float) -> int:
        if self.warned_at is None:
            return int(self.warning_seconds)
        return max(0, int(round(self.warning_seconds - (now - self.warned_at))))
