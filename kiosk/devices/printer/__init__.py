"""Receipt printers: thermal ESC/POS, office CUPS, and PNG/PDF preview files.

    from kiosk.core.receipt import build_receipt, qr_image
    from kiosk.devices.printer import open_printer, PrintService

    printer = open_printer(config.devices["printer"])      # PrinterUriError: one-line message
    service = PrintService(printer, on_fault=tell_mediator)
    job = service.submit(build_receipt(demarche, config, "fr"), on_done)
    speak(job.announcement("fr"))                           # at once, before any byte is sent
    # on_done(result) runs on the printer thread; in Kivy: Clock.schedule_once(lambda dt: ...)
    # result.ok, result.citizen_message(lang), result.mediator_message()

Every printer has `print_receipt(receipt, job_id) -> PrintResult` (blocking) and
`status() -> PrinterStatus` (blocking). Imports no Kivy.
"""

from __future__ import annotations

from .job import REASONS, PrintFault, PrintResult, PrinterStatus, announcement
from .service import PrintJob, PrintService
from .uri import PrinterUri, PrinterUriError, parse_printer_uri

__all__ = [
    "REASONS", "PrintFault", "PrintJob", "PrintResult", "PrintService", "PrinterStatus", "PrinterUri",
    "PrinterUriError", "announcement", "open_printer", "parse_printer_uri", "NullPrinter",
]


class NullPrinter:
    """`none`: no printer on this kiosk; every job is a fault so the UI offers the QR code."""

    kind = "none"

    def __init__(self, uri: PrinterUri):
        self.uri = uri

    def status(self) -> PrinterStatus:
        return PrinterStatus(False, "absent", "no printer configured (devices.printer = none)")

    def print_receipt(self, receipt, job_id: str) -> PrintResult:
        return PrintResult(job_id, False, "absent", "no printer configured (devices.printer = none)",
                           self.uri.text)


def open_printer(uri: str, *, preview_keep_seconds: float | None = 120.0):
    """The printer for an address such as `escpos+tcp://192.168.1.50:9100?profile=TM-T20II`.

    Nothing is contacted here; raises PrinterUriError (one line) for a malformed address.
    `preview_keep_seconds` (config devices.preview_keep_seconds): how long a preview file is
    kept; None keeps it (print-test).
    """
    parsed = parse_printer_uri(uri)
    if parsed.kind == "escpos":
        from .escpos import EscposPrinter
        return EscposPrinter(parsed)
    if parsed.kind == "cups":
        from .cups import CupsPrinter
        return CupsPrinter(parsed)
    if parsed.kind == "preview":
        from .preview import PreviewPrinter
        return PreviewPrinter(parsed, keep_seconds=preview_keep_seconds)
    return NullPrinter(parsed)
