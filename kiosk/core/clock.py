"""A clock that only moves when told to: tests and tours drive timeouts and tap filtering with it."""

from __future__ import annotations


class ManualClock:
    def __init__(self, start: float = 1000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
