"""`cups://QUEUE`: the receipt as an A4 PDF sent to a CUPS queue with `lp`.

`server=` (a host or a socket path) overrides the CUPS server for this printer. The job names
the PostScript renderer (harmless for queues that take PDF directly): pdftocairo for a Latin
receipt, so PostScript queues keep its text searchable; pdftops for other scripts, whose every
letter it keeps (see postscript_renderer).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time

from .job import PrintFault, PrintResult, PrinterStatus
from .uri import PrinterUri

# printer-state-reasons keywords (RFC 8011 / PWG 5100.x) to our reason codes
STATE_REASONS = [
    ("media-empty", "paper_out"), ("media-needed", "paper_out"), ("media-jam", "offline"),
    ("cover-open", "cover_open"), ("door-open", "cover_open"), ("interlock-open", "cover_open"),
    ("offline", "offline"), ("shutdown", "offline"),
    ("connecting-to-device", "offline"), ("timed-out", "timeout"), ("other-error", "offline"),
]


def postscript_renderer(receipt) -> str:
    """The renderer CUPS uses to turn the PDF into PostScript for a PostScript queue.

    pdftocairo keeps the text of a Latin receipt searchable, but loses some letters of other
    scripts (Cyrillic « о », Turkish « ş », Arabic…) when it converts the fonts; Poppler's pdftops
    draws every letter (the text is then no longer searchable, the paper is right)."""
    try:
        "".join(receipt.lines()).encode("cp1252")
    except UnicodeEncodeError:
        return "pdftops"
    return "pdftocairo"


class CupsPrinter:
    kind = "cups"

    def __init__(self, uri: PrinterUri):
        self.uri = uri
        self.queue = uri.target
        self.server = uri.params.get("server")
        self.media = uri.params.get("media", "A4")
        self.timeout = uri.number("timeout", 15.0)

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["LC_ALL"] = "C"
        env["LANG"] = "C"
        if self.server:
            env["CUPS_SERVER"] = self.server
        return env

    def _run(self, *argv: str) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=self.timeout, env=self._env())
        except FileNotFoundError:
            raise PrintFault("absent", f"{argv[0]} not found: install cups-client") from None
        except subprocess.TimeoutExpired:
            raise PrintFault("timeout", f"{argv[0]} did not answer within {self.timeout:g} s") from None

    def _state(self) -> PrinterStatus:
        p = self._run("lpstat", "-l", "-p", self.queue)
        out = (p.stdout + p.stderr).strip()
        if p.returncode != 0 or not p.stdout.strip():
            low = out.lower()
            if "scheduler is not running" in low or "unable to connect" in low or "connection refused" in low:
                return PrinterStatus(False, "offline", f"CUPS server not reachable: {out}")
            return PrinterStatus(False, "absent", f"no CUPS queue {self.queue!r}: {out}")
        first = p.stdout.strip().splitlines()[0]
        alerts = " ".join(line.split(":", 1)[1] for line in p.stdout.splitlines()
                          if line.strip().lower().startswith("alerts:"))
        for keyword, reason in STATE_REASONS:
            if re.search(rf"\b{keyword}(-error)?\b", alerts):
                return PrinterStatus(False, reason, f"{first} alerts: {alerts.strip()}")
        if " disabled" in first:
            return PrinterStatus(False, "offline", first)
        a = self._run("lpstat", "-a", self.queue)
        if "not accepting" in a.stdout:
            return PrinterStatus(False, "refused", a.stdout.strip())
        return PrinterStatus(True, detail=first + (f" alerts: {alerts.strip()}" if alerts.strip() else ""))

    def status(self) -> PrinterStatus:
        try:
            return self._state()
        except PrintFault as fault:
            return PrinterStatus(False, fault.reason, fault.detail)

    def print_receipt(self, receipt, job_id: str) -> PrintResult:
        from .pdf import render_pdf

        started = time.perf_counter()
        path = None
        try:
            state = self._state()
            if not state.ok:
                raise PrintFault(state.reason or "error", state.detail)
            data = render_pdf(receipt)
            fd, path = tempfile.mkstemp(prefix="kiosk-receipt-", suffix=".pdf")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            title = "kiosk-receipt"  # never the ticket number: CUPS keeps job titles in its logs
            p = self._run("lp", "-d", self.queue, "-t", title, "-o", f"media={self.media}",
                          "-o", f"pdftops-renderer={postscript_renderer(receipt)}", "--", path)
            if p.returncode != 0:
                err = (p.stderr or p.stdout).strip()
                low = err.lower()
                if "not accepting" in low:
                    raise PrintFault("refused", err)
                if "does not exist" in low or "not found" in low:
                    raise PrintFault("absent", err)
                if "unable to connect" in low or "scheduler is not running" in low:
                    raise PrintFault("offline", err)
                raise PrintFault("error", err or f"lp exited with {p.returncode}")
            m = re.search(r"request id is (\S+)", p.stdout)
            request = m.group(1) if m else p.stdout.strip()
            return PrintResult(job_id, True, printer=self.uri.text, output=request, sent_bytes=len(data),
                               maybe_printed=True, duration=time.perf_counter() - started)
        except PrintFault as fault:
            return PrintResult(job_id, False, fault.reason, fault.detail, self.uri.text,
                               maybe_printed=fault.maybe_printed, duration=time.perf_counter() - started)
        finally:
            if path:
                try:
                    os.unlink(path)
                except OSError:
                    pass
