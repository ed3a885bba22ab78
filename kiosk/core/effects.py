"""What the journey asks the devices to do, as small typed values.

Only core produces effects (the journey and the mediator mode); the UI's effect runner
(kiosk/ui/effects.py) executes each kind in one place. An effect carries plain data, never a
device or a widget.
"""

from __future__ import annotations

from dataclasses import dataclass


class Effect:
    """Base class of every effect (for type checks and `isinstance`)."""

    __slots__ = ()


@dataclass(frozen=True)
class CallMediator(Effect):
    """A person is needed: the on-site mediator is called (urgent: a right or payment at stake)."""

    urgent: bool = False


@dataclass(frozen=True)
class StartVisio(Effect):
    """A video call with an advisor of `partner` about `demarche` (the call page opens on top)."""

    demarche: str
    partner: str
    help_level: str
    language: str


@dataclass(frozen=True)
class LookChanged(Effect):
    """An accessibility setting changed: text, contrast, explore or language (restyle, redraw)."""

    what: str


@dataclass(frozen=True)
class VoiceChanged(Effect):
    """The voice button: `on` and the `rate` ("normal" or "slow") now in force."""

    on: bool
    rate: str


@dataclass(frozen=True)
class VoiceUnavailable(Effect):
    """The voice button was touched on a kiosk that cannot speak: explain why."""


@dataclass(frozen=True)
class Repeat(Effect):
    """Say the current screen again."""


@dataclass(frozen=True)
class Listen(Effect):
    """Push-to-talk: open the microphone (or close it when it is already open)."""


@dataclass(frozen=True)
class PrintReceipt(Effect):
    """Print the recap. `bilingual`: French after each section (True), not (False), or None:
    ask the citizen first when the language is not French (the print card's choice)."""

    demarche: str
    language: str
    bilingual: bool | None = None


@dataclass(frozen=True)
class ShowQr(Effect):
    """The official page's QR code on screen, to photograph."""

    demarche: str
    language: str


@dataclass(frozen=True)
class PanelOpened(Effect):
    """The mediator panel opened or asked for a refresh: fetch the devices' state."""


@dataclass(frozen=True)
class RestartJourney(Effect):
    """The mediator restarts the journey: the session is wiped."""


@dataclass(frozen=True)
class PrintTestPage(Effect):
    """The mediator asks for a test page."""


@dataclass(frozen=True)
class SessionWiped(Effect):
    """The session was forgotten (finish, back to the welcome screen, timeout, error, restart):
    the devices and the look go back to a new citizen's defaults."""


@dataclass(frozen=True)
class ChooseLanguage(Effect):
    """The language button: show every language offered, each by its own name."""
