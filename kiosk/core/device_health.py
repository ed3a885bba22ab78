"""Device health as plain data, and the sentences the mediator panel says about it.

The UI gathers the state of the devices into a `Health` (plain values, no device objects);
`health_lines` turns it into one full sentence per device, problems said with what to do.
No Kivy, nothing of a citizen's session.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.core.i18n import N_
from kiosk.core.screen import Translate

OK, PROBLEM, CHECKING = "ok", "problem", "checking"


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
