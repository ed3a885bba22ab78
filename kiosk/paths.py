"""Where the kiosk finds its bundled files and keeps its own data."""

import os
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
