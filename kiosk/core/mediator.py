"""Mediator mode: the PIN screen, then a panel with the kiosk's health and a few actions.

Pure Python, no Kivy. `MediatorMode` holds the mode's state (the PIN gate, where the citizen
was, the notice and echo of the PIN screen) and answers each "staff:…" event with a
`StaffOutcome`: which screen to show, which effects to run, which journey event to apply. It
never reaches into the journey; the journey applies the outcome. Nothing of the citizen's
session is read or kept here.

Privacy: a PIN is never spoken (see kiosk/core/mediator_screens.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kiosk.core.device_health import Health
from kiosk.core.effects import Effect, PanelOpened, PrintTestPage, RestartJourney
from kiosk.core.gestures import TitleTaps
from kiosk.core.i18n import N_
from kiosk.core.mediator_screens import PANEL_SCREEN, PIN_SCREEN, PanelModel, PinModel, \
    panel_screen, pin_screen
from kiosk.core.pin import PinGate
from kiosk.core.screen import Translate

SCREENS = (PIN_SCREEN, PANEL_SCREEN)
IDLE_CLOSE_SECONDS = 120.0  # the PIN screen or panel left alone closes by itself

# No digit in what the PIN screen says (a PIN is never spoken): the lock's length is not said in
# figures. Each new lock lasts longer (kiosk/core/pin.py), and survives a restart.
LOCKED = N_("The keypad is locked after three wrong codes. Wait a while, then try again.")
LOCKED_NOW = N_("Wrong code. The keypad is locked for a while. Each new lock lasts longer.")


@dataclass
class StaffOutcome:
    """What one staff event does: `screen` to show (None: stay), `effects` for the devices,
    `event`: a journey event to apply as if the citizen had touched it."""

    screen: str | None = None
    effects: list[Effect] = field(default_factory=list)
    event: str | None = None


class MediatorMode:
    """The "staff:…" events and the state of the mediator's two screens.

    Events: staff:open, staff:digit:N, staff:erase, staff:ok, staff:cancel (PIN screen);
    staff:restart, staff:explore, staff:print-test, staff:refresh, staff:close (panel)."""

    def __init__(self, pin_hash: str | None = None, clock: Callable[[], float] = time.monotonic,
                 state_path: Path | None = None):
        self.configure(pin_hash, clock, state_path)
        self.health_source: Callable[[], Health] = Health   # set by the UI: gathers the devices

    def configure(self, pin_hash: str | None, clock: Callable[[], float] = time.monotonic,
                  state_path: Path | None = None) -> None:
        """`pin_hash`: config mediator.pin_hash; `state_path`: where the lockout is kept across
        restarts (None: in memory only)."""
        self.gate = PinGate(pin_hash, state_path, clock)
        self.clock = clock
        self.title_taps = TitleTaps(clock)
        self.return_to = "attract"
        self.unlocked = False
        self.message = ""       # wrong / locked sentence on the PIN screen (English msgid)
        self.echo = ""          # what the next PIN screen says instead of itself
        self.last_action = clock()

    def reset(self) -> None:
        """Forget the typed digits and close (with every session wipe). The lockout stays."""
        self.gate.clear()
        self.unlocked = False
        self.message = self.echo = ""
        self.return_to = "attract"

    def idle_too_long(self) -> bool:
        return self.clock() - self.last_action > IDLE_CLOSE_SECONDS

    def handle(self, what: str, current: str) -> StaffOutcome:
        """One staff event, `current` being the screen on show."""
        self.last_action = self.clock()
        if what == "open":
            if current not in SCREENS:
                self.return_to = current
            self.gate.clear()
            self.unlocked = False
            self.message = LOCKED if self.gate.locked() else ""
            self.echo = ""
            return StaffOutcome(PIN_SCREEN)
        if what in ("cancel", "close"):
            self.gate.clear()
            self.unlocked = False
            self.message = self.echo = ""
            back = self.return_to if self.return_to not in SCREENS else "attract"
            self.return_to = "attract"
            return StaffOutcome(back)
        if current == PIN_SCREEN:
            return self._pin_event(what)
        if current == PANEL_SCREEN and self.unlocked:
            return self._panel_event(what)
        raise ValueError(f"staff event {what!r} outside the mediator screens")

    def _pin_event(self, what: str) -> StaffOutcome:
        verb, _, digit = what.partition(":")
        if verb == "digit":
            if digit not in tuple("0123456789"):
                raise ValueError(f"not a digit: {digit!r}")
            if self.gate.press(digit):
                self.echo, self.message = N_("Digit entered."), ""
            elif self.gate.locked():
                self.echo = self.message = LOCKED
            else:
                self.echo = N_("The code is complete. Touch OK.")
        elif verb == "erase":
            self.gate.erase()
            self.echo, self.message = N_("Digit erased."), ""
        elif verb == "ok":
            answer = self.gate.submit()
            if answer == "ok":
                self.unlocked = True
                self.message = self.echo = ""
                return StaffOutcome(PANEL_SCREEN, [PanelOpened()])
            self.message = {
                "wrong": N_("Wrong code. Try again."),
                "locked": LOCKED_NOW,
                "still-locked": LOCKED,
            }[answer]
            if answer == "wrong" and self.gate.wrong == self.gate.max_tries - 1:
                self.message = N_("Wrong code. One more wrong code locks the keypad for a while.")
            self.echo = self.message
        else:
            raise ValueError(f"unknown PIN screen event {what!r}")
        return StaffOutcome()

    @staticmethod
    def _panel_event(what: str) -> StaffOutcome:
        if what == "restart":
            return StaffOutcome(effects=[RestartJourney()])
        if what == "explore":
            return StaffOutcome(event="a11y:explore")
        if what == "print-test":
            return StaffOutcome(effects=[PrintTestPage()])
        if what == "refresh":
            return StaffOutcome(effects=[PanelOpened()])
        raise ValueError(f"unknown panel event {what!r}")

    # ---- screens ----

    def pin_screen(self, _: Translate) -> PinModel:
        locked = self.gate.locked()
        if not locked and self.message in (LOCKED, LOCKED_NOW):
            self.message = ""          # the minute is over
        echo, self.echo = self.echo, ""
        return pin_screen(_, entered=self.gate.count, locked=locked, message=self.message, echo=echo)

    def panel_screen(self, _: Translate) -> PanelModel:
        return panel_screen(_, self.health_source())
