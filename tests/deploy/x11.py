"""A private X server with a real window manager for the session tests (not the UI tests' one)."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
from pathlib import Path

from tests.waiting import wait_until  # noqa: F401 (also used by the tests importing it from here)


def start_xvfb(width: int = 1080, height: int = 1920) -> tuple[subprocess.Popen, str]:
    """Xvfb on a display number it picks itself (-displayfd), so parallel servers never clash."""
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24",
                             "-nolisten", "tcp"], pass_fds=(write,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    if not number:
        proc.kill()
        raise RuntimeError("Xvfb did not start")
    return proc, f":{number}"



def run(display: str, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(argv, env=dict(os.environ, DISPLAY=display), capture_output=True, text=True,
                          timeout=30, check=check)


def screenshot(display: str, path: Path | None = None) -> str:
    """A digest of the screen's pixels (and the PNG saved at `path`, to look at)."""
    from PIL import Image

    png = subprocess.run(["import", "-silent", "-window", "root", "png:-"],
                         env=dict(os.environ, DISPLAY=display), capture_output=True, timeout=30,
                         check=True).stdout
    if path is not None:
        path.write_bytes(png)
    return hashlib.sha256(Image.open(io.BytesIO(png)).convert("RGB").tobytes()).hexdigest()


def have(*programs: str) -> list[str]:
    return [p for p in programs if shutil.which(p) is None]
