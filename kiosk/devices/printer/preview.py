"""`preview:DIR`: the receipt written as PNG (thermal look) and PDF (A4) files — the demo default.

A preview is a citizen's receipt on disk, so it is short-lived: a relative DIR lives under the
private runtime folder (`kiosk.paths.runtime_dir()`, emptied by systemd when the kiosk stops),
each preview is deleted `keep_seconds` after it was written (devices.preview_keep_seconds) and
every preview still there is deleted when the printer is closed or the program exits. File
names carry a random token, never the ticket number; results and logs carry no file name.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import secrets
import threading
import time
from pathlib import Path

from escpos.capabilities import get_profile

from kiosk import paths

from .job import PrintResult, PrinterStatus
from .uri import DEFAULT_PROFILE, PrinterUri

log = logging.getLogger(__name__)

DEFAULT_KEEP_SECONDS = 120.0


class PreviewPrinter:
    kind = "preview"

    def __init__(self, uri: PrinterUri, keep_seconds: float | None = DEFAULT_KEEP_SECONDS):
        """keep_seconds=None keeps the files (`kiosk print-test`, where the admin looks at them)."""
        self.uri = uri
        self.keep_seconds = keep_seconds
        profile = get_profile(uri.params.get("profile", DEFAULT_PROFILE))
        pixels = profile.profile_data.get("media", {}).get("width", {}).get("pixels")
        self.width_px = pixels if isinstance(pixels, int) else 576
        self._folder = Path(os.path.expanduser(uri.target))
        self._lock = threading.Lock()
        self._kept: dict[Path, threading.Timer | None] = {}
        self.last_files: tuple[Path, ...] = ()
        """The files of the last preview (for the UI to show it, and for tests)."""
        if keep_seconds is not None:
            atexit.register(self.close)

    @property
    def folder(self) -> Path:
        return self._folder if self._folder.is_absolute() else paths.runtime_dir() / self._folder

    def status(self) -> PrinterStatus:
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            return PrinterStatus(False, "absent", f"cannot create {self.folder}: {exc.strerror or exc}")
        if not os.access(self.folder, os.W_OK):
            return PrinterStatus(False, "refused", f"{self.folder} is not writable")
        return PrinterStatus(True, detail=f"files in {self.folder}")

    def print_receipt(self, receipt, job_id: str) -> PrintResult:
        from .image import render_png
        from .pdf import render_pdf

        started = time.perf_counter()
        try:
            folder = self.folder
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            base = folder / f"receipt-{secrets.token_hex(6)}"
            png = render_png(receipt, self.width_px)
            png.save(base.with_suffix(".png.part"), format="PNG")
            os.replace(base.with_suffix(".png.part"), base.with_suffix(".png"))
            base.with_suffix(".pdf.part").write_bytes(render_pdf(receipt))
            os.replace(base.with_suffix(".pdf.part"), base.with_suffix(".pdf"))
        except OSError as exc:
            for suffix in (".png.part", ".png", ".pdf.part"):
                with contextlib.suppress(OSError, UnboundLocalError):
                    base.with_suffix(suffix).unlink()
            return PrintResult(job_id, False, "refused",
                               f"cannot write a preview in the preview folder: {exc.strerror or 'error'}",
                               self.uri.text, duration=time.perf_counter() - started)
        files = (base.with_suffix(".png"), base.with_suffix(".pdf"))
        self._keep(files)
        return PrintResult(job_id, True, printer=self.uri.text, output=str(files[0]),
                           maybe_printed=True, duration=time.perf_counter() - started)

    def _keep(self, files: tuple[Path, ...]) -> None:
        with self._lock:
            self.last_files = files
            if self.keep_seconds is None:
                return
            timer = threading.Timer(self.keep_seconds, self.discard, args=(files,))
            timer.daemon = True
            for f in files:
                self._kept[f] = timer
            timer.start()

    def discard(self, files=None) -> None:
        """Delete one preview now (the UI has shown it), or the last one when `files` is None."""
        with self._lock:
            files = tuple(files if files is not None else self.last_files)
            for f in files:
                timer = self._kept.pop(f, None)
                if timer is not None:
                    timer.cancel()
            if set(files) & set(self.last_files):
                self.last_files = ()
        for f in files:
            with contextlib.suppress(OSError):
                f.unlink()

    def close(self) -> None:
        """Delete every preview still kept (the kiosk exits or the printer is replaced)."""
        with self._lock:
            files = tuple(self._kept)
        self.discard(files)
        with contextlib.suppress(Exception):
            atexit.unregister(self.close)
