"""Print outcomes: a reason code, a sentence for the citizen (fr/en), a technical one for the mediator."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

REASONS = ("absent", "offline", "paper_out", "cover_open", "timeout", "refused", "interrupted", "error")

_CITIZEN = {
    "fr": {
        "printing": "Impression en cours. Prenez votre ticket dans un instant.",
        "done": "Votre ticket est imprimé. Prenez-le.",
        "absent": "L'imprimante n'est pas disponible.",
        "offline": "L'imprimante est éteinte ou en pause.",
        "paper_out": "L'imprimante n'a plus de papier.",
        "cover_open": "Le capot de l'imprimante est ouvert.",
        "timeout": "L'imprimante ne répond pas.",
        "refused": "L'imprimante refuse l'impression pour le moment.",
        "interrupted": "L'impression s'est arrêtée avant la fin.",
        "error": "L'impression n'a pas marché.",
        "alternative": "Vous pouvez photographier le code QR à l'écran. Le médiateur est prévenu.",
    },
    "en": {
        "printing": "Printing. Take your ticket in a moment.",
        "done": "Your ticket is printed. Please take it.",
        "absent": "The printer is not available.",
        "offline": "The printer is switched off or paused.",
        "paper_out": "The printer has no paper left.",
        "cover_open": "The printer cover is open.",
        "timeout": "The printer does not answer.",
        "refused": "The printer refuses to print for now.",
        "interrupted": "Printing stopped before the end.",
        "error": "Printing did not work.",
        "alternative": "You can take a photo of the QR code on the screen. The mediator has been told.",
    },
}

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
    return (_CITIZEN.get(language) or _CITIZEN["fr"])["printing"]


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
        table = _CITIZEN.get(language) or _CITIZEN["fr"]
        if self.ok:
            return table["done"]
        return f"{table[self.reason or 'error']} {table['alternative']}"

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
