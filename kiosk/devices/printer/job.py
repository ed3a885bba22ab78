"""Print outcomes: a reason code, a sentence for the citizen (gettext), a technical one for the mediator."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from kiosk.core.i18n import N_, translations

REASONS = ("absent", "offline", "paper_out", "cover_open", "timeout", "refused", "interrupted", "error")

_CITIZEN = {
    "printing": N_("Printing. Take your ticket in a moment."),
    "done": N_("Your ticket is printed. Please take it."),
    "absent": N_("The printer is not available."),
    "offline": N_("The printer is switched off or paused."),
    "paper_out": N_("The printer has no paper left."),
    "cover_open": N_("The printer cover is open."),
    "timeout": N_("The printer does not answer."),
    "refused": N_("The printer refuses to print for now."),
    "interrupted": N_("Printing stopped before the end."),
    "error": N_("Printing did not work."),
    # only what is true: the fault reaches the mediator's panel, nobody is called
    "alternative": N_("You can take a photo of the QR code on the screen, or show this screen "
                      "to the mediator."),
}
"""Sentences for the citizen, as English msgids translated through the gettext catalogues."""


def citizen_text(language: str, key: str) -> str:
    """A citizen sentence (`_CITIZEN` key) in `language`."""
    return translations(language).gettext(_CITIZEN[key])


_MEDIATOR = {
    "absent": "printer not found — check the cable, the power and the address in devices.printer",
    "offline": "printer offline — switch it on, close any error, check the CUPS queue is enabled",
    "paper_out": "paper roll empty — put in a new roll",
    "cover_open": "cover open — close the printer cover",
    "timeout": "printer did not answer in time — check it is on and not jammed",
    "refused": "connection or job refused — the printer may be busy with another host, or the queue rejects jobs",
    "interrupted": "connection lost during the job — the ticket may be partly printed; reprint from the mediator screen",
    "error": "unexpected printing error",
}


def announcement(language: str) -> str:
    """What the kiosk says and shows the moment "print" is touched."""
    return citizen_text(language, "printing")


@dataclass(frozen=True)
class PrintResult:
    """The outcome of one print attempt.

    `maybe_printed` is True when bytes may have reached the printer (success, or a fault after
    sending started): such a job is never sent again by a retry.
    """

    job_id: str
    ok: bool
    reason: str | None = None        # one of REASONS when not ok
    detail: str = ""                 # technical detail for logs and the mediator
    printer: str = ""                # the printer address
    output: str = ""                 # preview file, CUPS request id, or bytes count for ESC/POS
    sent_bytes: int = 0
    maybe_printed: bool = False
    duration: float = 0.0
    duplicate: bool = False          # True when a retry was answered without printing again
    finished_at: float = field(default_factory=time.time)

    def citizen_message(self, language: str = "fr") -> str:
        """A short sentence to show and say: done, or what went wrong and the QR alternative."""
        if self.ok:
            return citizen_text(language, "done")
        reason = self.reason if self.reason in _CITIZEN else "error"
        return f"{citizen_text(language, reason)} {citizen_text(language, 'alternative')}"

    def mediator_message(self) -> str:
        """One technical line for the mediator's screen and the log: never the ticket number
        (the job id) nor a file name (a preview's path)."""
        if self.ok:
            return f"receipt printed on {self.printer}"
        what = _MEDIATOR.get(self.reason or "error", _MEDIATOR["error"])
        state = "may be partly printed" if self.maybe_printed else "not printed"
        detail = f" [{self.detail}]" if self.detail else ""
        return f"receipt {state} on {self.printer}: {self.reason}: {what}{detail}"


@dataclass(frozen=True)
class PrinterStatus:
    """What a printer says about itself. `checked` is False when the device cannot be asked."""

    ok: bool
    reason: str | None = None
    detail: str = ""
    checked: bool = True

    def describe(self) -> str:
        if self.ok:
            return "ready" + (f" ({self.detail})" if self.detail else "") if self.checked else \
                "status unknown (this connection cannot be asked)" + (f": {self.detail}" if self.detail else "")
        return f"{self.reason}: {_MEDIATOR.get(self.reason or 'error', '')}" + (f" [{self.detail}]" if self.detail else "")


class PrintFault(Exception):
    """Raised inside a backend to end a job with a reason code."""

    def __init__(self, reason: str, detail: str = "", maybe_printed: bool = False):
        assert reason in REASONS, reason
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.maybe_printed = maybe_printed
