"""Device health as plain data, and the sentences the mediator panel says about it.

The UI gathers the state of the devices into a `Health` (plain values, no device objects);
`health_lines` turns it into one full sentence per device, problems said with what to do.
No Kivy, nothing of a citizen's session.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.core.screen import Translate

OK, PROBLEM, CHECKING = "ok", "problem", "checking"


@dataclass(frozen=True)
class HealthLine:
    """One line of the panel: a status (ok, problem, checking) and a sentence saying it."""

    status: str
    sentence: str
    what: str = ""      # speech, voice, test, or the doctor check's name (printer, hub…)


@dataclass
class Health:
    """What the UI gathered (plain values, no device objects).

    `speech_reason` / `listen_reason`: '' when available, else why not (a sentence).
    `listen_state`: "on", "off-config" (turned off in the settings), "loading", "off".
    `device_checks`: the device checks of `kiosk doctor` (kiosk/devices/health.py), already
    said in the panel's language; None while they run."""

    speech_available: bool = False
    speech_reason: str = ""
    listen_state: str = "off"
    listen_reason: str = ""
    model_installed: bool = False
    device_checks: list[HealthLine] | None = None
    test_print: tuple[str, str] | None = None     # the last test page: (status, sentence)
    faults: list[str] = field(default_factory=list)
    sessions_today: int = 0
    by_help_level: dict[str, int] = field(default_factory=dict)
    explore_by_touch: bool = False


def health_lines(_: Translate, h: Health) -> list[HealthLine]:
    """The panel's lines: the kiosk's own voice and listening (live), then the devices as
    `kiosk doctor` checks them (one source), then the last test page."""
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
    if h.device_checks is None:
        lines.append(HealthLine(CHECKING, _("Devices: checking…"), "devices"))
    else:
        lines.extend(h.device_checks)
    if h.test_print is not None:
        lines.append(HealthLine(*h.test_print, "test"))
    return lines


class FaultLog(list):
    """The device faults seen since the kiosk started ("printer: paper out"), never personal
    data. Listeners (the hub link) hear of each new fault by its kind (the part before ':')."""

    def __init__(self):
        super().__init__()
        self.listeners: list = []

    def append(self, fault: str) -> None:
        super().append(fault)
        kind = fault.partition(":")[0].strip().replace(" ", "-") or "other"
        for listener in self.listeners:
            listener(kind)
