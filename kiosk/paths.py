"""Where the kiosk finds its bundled files and keeps its own data."""

import contextlib
import os
import stat
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
CONTENT_DIR = ASSETS / "content"
FONTS_DIR = ASSETS / "fonts"
SOUNDS_DIR = ASSETS / "sounds"
LOCALES_DIR = ROOT / "locales"
INTENTS_TSV = ASSETS / "intents.tsv"


def data_dir() -> Path:
    """The kiosk's writable data folder (stats, outbox, receipts, voice models).

    KIOSK_DATA_DIR wins; otherwise XDG_DATA_HOME/kiosk, then ~/.local/share/kiosk.
    """
    explicit = os.environ.get("KIOSK_DATA_DIR")
    if explicit:
        path = Path(explicit)
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "kiosk"
    path.mkdir(parents=True, exist_ok=True)
    return path


def runtime_dir() -> Path:
    """A private (0700) folder for short-lived files: live speech audio, receipt previews.

    RUNTIME_DIRECTORY (set by systemd's RuntimeDirectory=kiosk, emptied when the service stops
    or crashes) wins; otherwise XDG_RUNTIME_DIR/kiosk; otherwise kiosk-<uid> under /dev/shm
    (memory) or the temporary folder. A folder not owned by us, or a symbolic link, is refused
    in favour of a fresh private one.
    """
    explicit = os.environ.get("RUNTIME_DIRECTORY")
    if explicit:
        path = Path(explicit.split(":")[0])
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return path
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and os.path.isdir(xdg):
        candidate = _private_dir(Path(xdg) / "kiosk")
        if candidate is not None:
            return candidate
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())
    candidate = _private_dir(base / f"kiosk-{os.getuid()}")
    if candidate is not None:
        return candidate
    return Path(tempfile.mkdtemp(prefix=f"kiosk-{os.getuid()}-", dir=base))


def _private_dir(path: Path) -> Path | None:
    """`path` created 0700 or already ours, a real folder, private; None when it cannot be."""
    with contextlib.suppress(OSError):
        os.mkdir(path, 0o700)
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        return None
    if info.st_mode & 0o077:
        os.chmod(path, 0o700)
    return path
