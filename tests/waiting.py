"""Waiting on a condition with a deadline, never a fixed sleep (one helper for every test)."""

from __future__ import annotations

import time


def wait_until(predicate, timeout: float = 10.0, what: str = "condition", interval: float = 0.05):
    """Poll until `predicate()` is truthy and return its value; AssertionError naming `what`
    once `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def eventually(predicate, timeout: float = 5.0, interval: float = 0.02) -> bool:
    """True as soon as `predicate()` holds within `timeout` seconds, else False (to assert)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
