"""The mediator's two screens as screen models: the PIN keypad and the device-health panel.

Privacy: a PIN is never spoken or drawn. The digits typed are not in any model (the screen draws
one dot per digit from a count) and no speech of the PIN screen contains a digit: the keys say
"digit key", the speaker says "digit entered".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.core.device_health import CHECKING, OK, PROBLEM, Health, HealthLine, health_lines
from kiosk.core.screen import Action, Block, KeyAction, ScreenModel, Translate
from kiosk.core.session import HELP_LEVEL_LABELS, HELP_LEVELS
from kiosk.core.i18n import N_

PIN_SCREEN, PANEL_SCREEN = "pin", "mediator_panel"
LAST_FAULTS = 10
NO_LEVEL_LABEL = N_("No help level chosen")


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
        lines = [self.line_speech(line) for line in self.lines]
        return [self.title, *lines, *super().spoken_content()[1:]]

    def line_speech(self, line: HealthLine) -> str:
        return f"{self.markers[line.status]} : {line.sentence}"


def markers(_: Translate) -> dict[str, str]:
    return {OK: _("Working"), PROBLEM: _("Problem"), CHECKING: _("Checking")}


def pin_screen(_: Translate, *, entered: int, locked: bool, message: str, echo: str) -> PinModel:
    """`message`: the wrong/locked notice (an English msgid, '' for none); `echo`: what to say
    instead of the whole screen right after a key (a msgid, '' for the whole screen)."""
    blocks = [Block("text", items=(_("This screen is for the France Services mediator. "
                                     "Type the mediator's code, then touch OK."),))]
    if message:
        blocks.append(Block("notice", items=(_(message),)))
    return PinModel(
        PIN_SCREEN, _("Mediator access"), blocks, [],
        [Action("staff:cancel", _("Cancel"), "x", "nav", _("Back to the kiosk"))],
        field_label=_("The code"), entered=entered, keys=keypad_rows(_),
        locked=locked, echo=_(echo) if echo else "",
    )


def panel_screen(_: Translate, health: Health) -> PanelModel:
    blocks = []
    faults = list(reversed(health.faults))[:LAST_FAULTS]
    if faults:
        blocks.append(Block("list", _("Last device faults, newest first"), tuple(faults)))
    else:
        blocks.append(Block("text", _("Device faults"),
                            (_("No device fault since the kiosk started."),)))
    counts = [_("Sessions today: {n}").format(n=health.sessions_today)]
    levels = [(level, HELP_LEVEL_LABELS[level]) for level in HELP_LEVELS] + [("none", NO_LEVEL_LABEL)]
    counts += [_("{level}: {n}").format(level=_(label), n=health.by_help_level.get(level, 0))
               for level, label in levels]
    blocks.append(Block("list", _("Today, anonymous counts"), tuple(counts)))
    on_off = _("on") if health.explore_by_touch else _("off")
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
                      lines=health_lines(_, health), markers=markers(_))


def keypad_rows(_: Translate) -> list[list[KeyAction]]:
    """1 2 3 / 4 5 6 / 7 8 9 / Erase 0 OK, as on a phone. A digit key says "digit key", never
    its digit (a PIN is never spoken)."""
    spoken = _("Digit key")

    def digit(d: str) -> KeyAction:
        return KeyAction(f"staff:digit:{d}", d, "", "normal", spoken=spoken, units=1.0)

    rows = [[digit(d) for d in row] for row in ("123", "456", "789")]
    rows.append([
        KeyAction("staff:erase", _("Erase"), "delete", "normal", spoken=_("Erase the last digit"), units=1.0),
        digit("0"),
        KeyAction("staff:ok", _("OK"), "check", "primary", spoken=_("OK: check the code"), units=1.0),
    ])
    return rows
