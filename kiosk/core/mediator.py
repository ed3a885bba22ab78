"""Mediator mode: a PIN screen, then a panel with the kiosk's health and a few actions.

Pure Python, no Kivy. `PinGate` checks the code (config mediator.pin) and locks the keypad for
a minute after three wrong codes, on an injected clock. `MediatorMode` is the journey's part: it
handles the "staff:…" events, remembers only the *name* of the screen the citizen was on (to
return to it), and builds the two screen models. The health shown on the panel comes in as plain
data (`Health`), gathered by the UI from the devices; nothing of the citizen's session is read
or kept here.

Privacy: a PIN is never spoken. The digits typed are not in any screen model (the screen draws
one dot per digit from a count) and no speech text of the PIN screen contains a digit: the
speaker says "digit entered", the lock says "one minute".
"""

from __future__ import annotations

import datetime as dt
import hmac
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Callable

from kiosk.core.journey import Action, Block, ScreenModel
from kiosk.core.search import KeyAction

PIN_SCREEN, PANEL_SCREEN = "pin", "mediator_panel"
SCREENS = (PIN_SCREEN, PANEL_SCREEN)
MAX_TRIES = 3
LOCK_SECONDS = 60.0
MAX_DIGITS = 8              # config allows 4 to 8; more presses are ignored
TITLE_TAPS = 5              # taps on a screen title that open the PIN screen…
TITLE_TAPS_SECONDS = 3.0    # …within this time
IDLE_CLOSE_SECONDS = 120.0  # the PIN screen or panel left alone closes by itself
LAST_FAULTS = 10

OK, PROBLEM, CHECKING = "ok", "problem", "checking"
Translate = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


HELP_LEVEL_LABELS = (("urgent", N_("Do it for me now")), ("guide", N_("Guide me")),
                     ("teach", N_("Teach me")), ("none", N_("No help level chosen")))
LOCKED = N_("The keypad is locked for one minute after three wrong codes.")
LOCKED_NOW = N_("Wrong code. The keypad is locked for one minute.")


# ---- the PIN ------------------------------------------------------------------------------------

class PinGate:
    """The typed digits and the check against the configured code, with a lockout.

    `submit()` answers "ok", "wrong", "locked" (this wrong code locked the keypad) or "still-locked"
    (the keypad was locked already: the code is not even compared)."""

    def __init__(self, pin: str | None, clock: Callable[[], float] = time.monotonic,
                 max_tries: int = MAX_TRIES, lock_seconds: float = LOCK_SECONDS):
        self._pin = pin if pin and pin.isdigit() else None   # no code configured: nothing opens
        self.clock = clock
        self.max_tries = max_tries
        self.lock_seconds = lock_seconds
        self._entered = ""
        self.wrong = 0
        self.locked_until: float | None = None

    @property
    def count(self) -> int:
        """How many digits are typed (the screen draws that many dots)."""
        return len(self._entered)

    def locked(self) -> bool:
        if self.locked_until is None:
            return False
        if self.clock() >= self.locked_until:
            self.locked_until, self.wrong = None, 0   # the minute is over: three new tries
            return False
        return True

    def seconds_locked(self) -> float:
        return max(0.0, self.locked_until - self.clock()) if self.locked() else 0.0

    def press(self, digit: str) -> bool:
        """Add one digit; False (ignored) while locked, when full, or for anything but 0-9."""
        if self.locked() or len(digit) != 1 or digit not in "0123456789" or \
                len(self._entered) >= MAX_DIGITS:
            return False
        self._entered += digit
        return True

    def erase(self) -> None:
        self._entered = self._entered[:-1]

    def clear(self) -> None:
        self._entered = ""

    def submit(self) -> str:
        if self.locked():
            self._entered = ""
            return "still-locked"
        entered, self._entered = self._entered, ""
        if self._pin is not None and entered and \
                hmac.compare_digest(entered.encode(), self._pin.encode()):
            self.wrong = 0
            return "ok"
        self.wrong += 1
        if self.wrong >= self.max_tries:
            self.locked_until = self.clock() + self.lock_seconds
            return "locked"
        return "wrong"


class TitleTaps:
    """Five taps on a screen title within three seconds open the PIN screen (single taps: each
    touch counts once, whatever its length; nothing else is needed)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, taps: int = TITLE_TAPS,
                 seconds: float = TITLE_TAPS_SECONDS):
        self.clock, self.taps, self.seconds = clock, taps, seconds
        self._times: list[float] = []

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


# ---- device health, as plain data -----------------------------------------------------------------

@dataclass(frozen=True)
class HealthLine:
    """One line of the panel: a status (ok, problem, checking) and a sentence saying it."""

    status: str
    sentence: str
    what: str = ""      # speech, voice, printer, test, content


@dataclass
class Health:
    """What the UI gathered from the devices (plain values, no device objects).

    `speech_reason` / `listen_reason`: '' when available, else why not (a sentence).
    `listen_state`: "on", "off-config" (turned off in the settings), "loading", "off".
    `printer`: None while the status is being fetched, else (ok, reason code, detail): reason
    "unknown" with ok for a printer that cannot be asked; `printer_configured` False when
    devices.printer is "none"."""

    speech_available: bool = False
    speech_reason: str = ""
    listen_state: str = "off"
    listen_reason: str = ""
    model_installed: bool = False
    printer_configured: bool = True
    printer: tuple[bool, str, str] | None = None
    test_print: tuple[str, str] | None = None     # the last test page: (status, sentence)
    demarches: int = 0
    content_problems: int = 0
    faults: list[str] = field(default_factory=list)
    sessions_today: int = 0
    by_help_level: dict[str, int] = field(default_factory=dict)
    explore_by_touch: bool = False


_PRINTER_REASONS = {
    "absent": N_("the printer is not found. Check its cable, its power and its address in the settings."),
    "offline": N_("the printer is off or paused. Switch it on and clear any error."),
    "paper_out": N_("the paper roll is empty. Put in a new roll."),
    "cover_open": N_("the printer cover is open. Close it."),
    "timeout": N_("the printer does not answer. Check that it is on and not jammed."),
    "refused": N_("the printer refuses jobs. It may be busy, or its queue rejects jobs."),
    "interrupted": N_("the connection was lost during a job. Print a test page."),
    "error": N_("an unexpected printing error happened."),
}


def printer_problem(_: Translate, reason: str | None) -> str:
    """A printer reason code (kiosk.devices.printer.job.REASONS) as a translated sentence."""
    return _(_PRINTER_REASONS.get(reason or "error", _PRINTER_REASONS["error"]))


def health_lines(_: Translate, h: Health) -> list[HealthLine]:
    """The device lines of the panel, each a full sentence, problems said with what to do."""
    lines = []
    if h.speech_available:
        lines.append(HealthLine(OK, _("Speech: available."), "speech"))
    else:
        lines.append(HealthLine(PROBLEM, _("Speech: not available. {reason}").format(
            reason=h.speech_reason or _("This kiosk has no speech device.")), "speech"))
    model = _("The voice model is installed.") if h.model_installed else \
        _("No voice model is installed (the administrator installs it with \"kiosk models install\").")
    if h.listen_state == "on":
        lines.append(HealthLine(OK, _("Voice input: available. {model}").format(model=model), "voice"))
    elif h.listen_state == "off-config":
        lines.append(HealthLine(PROBLEM, _("Voice input: turned off in the settings. {model}")
                                .format(model=model), "voice"))
    elif h.listen_state == "loading":
        lines.append(HealthLine(CHECKING, _("Voice input: the voice model is loading. {model}")
                                .format(model=model), "voice"))
    else:
        lines.append(HealthLine(PROBLEM, _("Voice input: not available. {model} {reason}").format(
            model=model, reason=h.listen_reason).strip(), "voice"))
    if not h.printer_configured:
        lines.append(HealthLine(PROBLEM, _("Printer: none is set up. Citizens get a QR code "
                                           "instead of paper."), "printer"))
    elif h.printer is None:
        lines.append(HealthLine(CHECKING, _("Printer: checking…"), "printer"))
    else:
        ok, reason, detail = h.printer
        if ok and reason == "unknown":
            lines.append(HealthLine(OK, _("Printer: set up, but this connection cannot report its "
                                          "state. Print a test page to check it."), "printer"))
        elif ok:
            lines.append(HealthLine(OK, _("Printer: ready.") + (f" ({detail})" if detail else ""), "printer"))
        else:
            lines.append(HealthLine(PROBLEM, _("Printer: {problem}").format(
                problem=printer_problem(_, reason)) + (f" ({detail})" if detail else ""), "printer"))
    if h.test_print is not None:
        lines.append(HealthLine(*h.test_print, "test"))
    if h.content_problems:
        lines.append(HealthLine(PROBLEM, _("Content: {n} procedures loaded, {p} content problems. "
                                           "Run the content check.").format(n=h.demarches,
                                                                            p=h.content_problems),
                                "content"))
    elif h.demarches:
        lines.append(HealthLine(OK, _("Content: {n} procedures loaded, no content problem.")
                                .format(n=h.demarches), "content"))
    else:
        lines.append(HealthLine(PROBLEM, _("Content: no procedure is loaded. Check the content "
                                           "folder."), "content"))
    return lines


def today_counts(stats_path: str, day: dt.date | None = None) -> tuple[int, dict[str, int]]:
    """Today's anonymous counters from the stats database: (sessions, sessions by help level).
    A missing or unreadable database counts as zero."""
    day = day or dt.date.today()
    try:
        with sqlite3.connect(f"file:{stats_path}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT help_level, SUM(count) FROM session_counts WHERE day = ? "
                              "GROUP BY help_level", (day.isoformat(),)).fetchall()
    except sqlite3.Error:
        return 0, {}
    by_level = {level: int(n) for level, n in rows}
    return sum(by_level.values()), by_level


# ---- the screen models --------------------------------------------------------------------------

@dataclass
class PinModel(ScreenModel):
    """The PIN screen: blocks (instruction, then wrong/locked notice), the keypad rows, the
    number of digits typed (drawn as dots, never written or said), `echo` said after a key."""

    field_label: str = ""
    entered: int = 0
    keys: list[list[KeyAction]] = field(default_factory=list)
    locked: bool = False
    echo: str = ""

    def visible_texts(self) -> list[str]:
        texts = super().visible_texts() + [self.field_label]
        return texts + [k.label for row in self.keys for k in row if len(k.label) > 1]

    def speech(self) -> str:
        if self.echo:
            return self.echo
        return super().speech()


@dataclass
class PanelModel(ScreenModel):
    """The panel: `lines` of device health (drawn with a marker word and pictogram) come first,
    then the blocks (faults, today's counts), then the actions."""

    lines: list[HealthLine] = field(default_factory=list)
    markers: dict[str, str] = field(default_factory=dict)   # status → word ("OK", "Problem")

    def visible_texts(self) -> list[str]:
        texts = super().visible_texts()
        return texts + [t for line in self.lines for t in (self.markers[line.status], line.sentence)]

    def spoken_content(self) -> list[str]:
        lines = [f"{self.markers[line.status]} : {line.sentence}" for line in self.lines]
        return [self.title, *lines, *super().spoken_content()[1:]]


def markers(_: Translate) -> dict[str, str]:
    return {OK: _("Working"), PROBLEM: _("Problem"), CHECKING: _("Checking")}


# ---- the journey's part ---------------------------------------------------------------------------

class MediatorMode:
    """The "staff:…" events of the journey and the two screens.

    Events: staff:open, staff:digit:N, staff:erase, staff:ok, staff:cancel (PIN screen);
    staff:restart, staff:explore, staff:print-test, staff:close (panel). Effects for the app:
    ("staff", "panel") when the panel opens (fetch the printer state), ("staff", "restart"),
    ("staff", "print-test")."""

    def __init__(self, pin: str | None = None, clock: Callable[[], float] = time.monotonic):
        self.configure(pin, clock)
        self.health = Health()
        self.health_source: Callable[[], Health] | None = None   # set by the UI

    def configure(self, pin: str | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.gate = PinGate(pin, clock)
        self.clock = clock
        self.title_taps = TitleTaps(clock)
        self.return_to = "attract"
        self.unlocked = False
        self.message = ""       # wrong / locked sentence on the PIN screen (English msgid)
        self.echo = ""          # what the next PIN screen says instead of itself
        self.last_action = clock()

    def is_open(self, screen_name: str) -> bool:
        return screen_name in SCREENS

    def reset(self) -> None:
        """Forget the typed digits and close (with every session wipe). The lockout stays."""
        self.gate.clear()
        self.unlocked = False
        self.message = self.echo = ""
        self.return_to = "attract"

    def handle(self, journey, what: str) -> None:
        """Apply one staff event to `journey` (its screen name, its effects)."""
        self.last_action = self.clock()
        current = journey.screen_name
        if what == "open":
            if current not in SCREENS:
                self.return_to = current
            self.gate.clear()
            self.unlocked = False
            self.message = LOCKED if self.gate.locked() else ""
            self.echo = ""
            journey.screen_name = PIN_SCREEN
            return
        if what in ("cancel", "close"):
            self.gate.clear()
            self.unlocked = False
            self.message = self.echo = ""
            back = self.return_to if self.return_to not in SCREENS else "attract"
            self.return_to = "attract"
            journey.screen_name = back
            return
        if current == PIN_SCREEN:
            self._pin_event(journey, what)
        elif current == PANEL_SCREEN and self.unlocked:
            self._panel_event(journey, what)
        else:
            raise ValueError(f"staff event {what!r} outside the mediator screens")

    def _pin_event(self, journey, what: str) -> None:
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
                journey.screen_name = PANEL_SCREEN
                journey.effects.append(("staff", "panel"))
                return
            self.message = {
                "wrong": N_("Wrong code. Try again."),
                "locked": LOCKED_NOW,
                "still-locked": LOCKED,
            }[answer]
            if answer == "wrong" and self.gate.wrong == self.gate.max_tries - 1:
                self.message = N_("Wrong code. One more wrong code locks the keypad for one minute.")
            self.echo = self.message
        else:
            raise ValueError(f"unknown PIN screen event {what!r}")

    def _panel_event(self, journey, what: str) -> None:
        if what == "restart":
            journey.effects.append(("staff", "restart"))
        elif what == "explore":
            journey._on_a11y("explore")
        elif what == "print-test":
            journey.effects.append(("staff", "print-test"))
        elif what == "refresh":
            journey.effects.append(("staff", "panel"))
        else:
            raise ValueError(f"unknown panel event {what!r}")

    # ---- screens ----

    def pin_screen(self, _: Translate) -> PinModel:
        locked = self.gate.locked()
        if not locked and self.message in (LOCKED, LOCKED_NOW):
            self.message = ""          # the minute is over
        blocks = [Block("text", items=(_("This screen is for the France Services mediator. "
                                         "Type the mediator's code, then touch OK."),))]
        if self.message:
            blocks.append(Block("notice", items=(_(self.message),)))
        echo, self.echo = self.echo, ""
        return PinModel(
            PIN_SCREEN, _("Mediator access"), blocks, [],
            [Action("staff:cancel", _("Cancel"), "x", "nav", _("Back to the kiosk"))],
            field_label=_("The code"), entered=self.gate.count, keys=keypad_rows(_),
            locked=locked, echo=_(echo) if echo else "",
        )

    def panel_screen(self, _: Translate, explore_by_touch: bool = False) -> PanelModel:
        h = self.health_source() if self.health_source is not None else self.health
        self.health = h
        blocks = []
        faults = list(reversed(h.faults))[:LAST_FAULTS]
        if faults:
            blocks.append(Block("list", _("Last device faults, newest first"), tuple(faults)))
        else:
            blocks.append(Block("text", _("Device faults"),
                                (_("No device fault since the kiosk started."),)))
        counts = [_("Sessions today: {n}").format(n=h.sessions_today)]
        counts += [_("{level}: {n}").format(level=_(label), n=h.by_help_level.get(level, 0))
                   for level, label in HELP_LEVEL_LABELS]
        blocks.append(Block("list", _("Today, anonymous counts"), tuple(counts)))
        on_off = _("on") if explore_by_touch else _("off")
        actions = [
            Action("staff:close", _("Close"), "x", "primary", _("Back to where the citizen was")),
            Action("staff:restart", _("Restart the journey"), "rotate-ccw", "urgent",
                   _("Erases the session and shows the welcome screen")),
            Action("staff:explore", _("Explore by touch: {state}").format(state=on_off), "hand",
                   "normal", _("For the citizen: one touch reads, two touches act")),
            Action("staff:print-test", _("Print a test page"), "printer", "normal",
                   _("A summary of one procedure")),
        ]
        return PanelModel(PANEL_SCREEN, _("Mediator mode"), blocks, actions, [],
                          lines=health_lines(_, h), markers=markers(_))


def keypad_rows(_: Translate) -> list[list[KeyAction]]:
    """1 2 3 / 4 5 6 / 7 8 9 / Erase 0 OK, as on a phone. A digit key says "digit key", never
    its digit (a PIN is never spoken)."""
    spoken = _("Digit key")

    def digit(d: str) -> KeyAction:
        return KeyAction(f"staff:digit:{d}", d, "", "normal", "", spoken, 1.0)

    rows = [[digit(d) for d in row] for row in ("123", "456", "789")]
    rows.append([
        KeyAction("staff:erase", _("Erase"), "delete", "normal", "", _("Erase the last digit"), 1.0),
        digit("0"),
        KeyAction("staff:ok", _("OK"), "check", "primary", "", _("OK: check the code"), 1.0),
    ])
    return rows
