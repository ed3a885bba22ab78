"""`preview:DIR`: the receipt written as PNG (thermal look) and PDF (A4) files — the demo default."""

from __future__ import annotations

import os
import time
from pathlib import Path

from escpos.capabilities import get_profile

from kiosk import paths

from .job import PrintResult, PrinterStatus
from .uri import DEFAULT_PROFILE, PrinterUri


class PreviewPrinter:
    kind = "preview"

    def __init__(self, uri: PrinterUri):
        self.uri = uri
        profile = get_profile(uri.params.get("profile", DEFAULT_PROFILE))
        pixels = profile.profile_data.get("media", {}).get("width", {}).get("pixels")
        self.width_px = pixels if isinstance(pixels, int) else 576
        folder = Path(os.path.expanduser(uri.target))
        self._folder = folder

    @property
    def folder(self) -> Path:
        return self._folder if self._folder.is_absolute() else paths.data_dir() / self._folder

    def status(self) -> PrinterStatus:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return PrinterStatus(False, "absent", f"cannot create {self.folder}: {exc.strerror or exc}")
        if not os.access(self.folder, os.W_OK):
            return PrinterStatus(False, "refused", f"{self.folder} is not writable")
        return PrinterStatus(True, detail=f"files in {self.folder}")

    def print_receipt(self, receipt, job_id: str) -> PrintResult:
        from .image import render_png
        from .pdf import render_pdf

        started = time.perf_counter()
        safe_id = "".join(c for c in job_id if c.isalnum() or c in "-_")[:40] or "job"
        stamp = receipt.created.strftime("%Y%m%d-%H%M%S")
        try:
            folder = self.folder
            folder.mkdir(parents=True, exist_ok=True)
            base = folder / f"receipt-{stamp}-{safe_id}"
            png = render_png(receipt, self.width_px)
            png.save(base.with_suffix(".png.part"), format="PNG")
            os.replace(base.with_suffix(".png.part"), base.with_suffix(".png"))
            base.with_suffix(".pdf.part").write_bytes(render_pdf(receipt))
            os.replace(base.with_suffix(".pdf.part"), base.with_suffix(".pdf"))
        except OSError as exc:
            return PrintResult(job_id, False, "refused", f"cannot write in {self.folder}: {exc}",
                               self.uri.text, duration=time.perf_counter() - started)
        return PrintResult(job_id, True, printer=self.uri.text, output=str(base.with_suffix(".png")),
                           maybe_printed=True, duration=time.perf_counter() - started)
