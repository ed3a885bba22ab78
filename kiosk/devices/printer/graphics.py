"""Fonts, pictograms and QR images shared by the preview and PDF renderers."""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from pathlib import Path

from kiosk import paths


DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
DEJAVU_LANGUAGES = frozenset({"ar", "uk", "tr"})
"""Languages printed in DejaVu Sans, as on screen: Atkinson has no Arabic, no Cyrillic, no Turkish İ."""


class FontMissing(RuntimeError):
    """A font the receipt needs is not installed (the message says which package to install)."""


def atkinson(bold: bool = False) -> Path:
    """Path of the Atkinson Hyperlegible TTF (the kiosk's reading font)."""
    from fontpkg_atkinson_hyperlegible import ROOT

    return Path(ROOT) / "files" / ("AtkinsonHyperlegible-Bold.ttf" if bold else "AtkinsonHyperlegible-Regular.ttf")


def dejavu(bold: bool = False) -> Path:
    """Path of DejaVu Sans (Debian's fonts-dejavu-core): Latin, Cyrillic, Turkish and Arabic."""
    path = DEJAVU_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if not path.is_file():
        raise FontMissing(f"DejaVu Sans is not installed ({path} is missing): install the Debian "
                          "package fonts-dejavu-core to print Arabic, Cyrillic and Turkish receipts")
    return path


@lru_cache(maxsize=8)
def _characters(path: Path) -> frozenset[str]:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(chr(code) for code in font.getBestCmap())


def has_glyphs(path: Path, text: str) -> bool:
    """True when the font at `path` draws every visible character of `text`."""
    chars = _characters(path)
    return all(c in chars for c in text if not c.isspace() and unicodedata.category(c)[0] not in "CM")


def font_for(text: str, language: str, bold: bool = False) -> Path:
    """The font to draw `text` (in `language`) with: Atkinson where it has every letter, else
    DejaVu Sans, so a missing glyph never prints as an empty box."""
    if language not in DEJAVU_LANGUAGES:
        path = atkinson(bold)
        if has_glyphs(path, text):
            return path
    return dejavu(bold)


@lru_cache(maxsize=1)
def _lucide_codepoints() -> dict[str, int]:
    try:
        return json.loads((paths.FONTS_DIR / "lucide-codepoints.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@lru_cache(maxsize=64)
def pictogram_image(name: str, size: int = 96):
    """A black-on-white 'L' image of a Lucide pictogram, or None if unknown."""
    from PIL import Image, ImageDraw, ImageFont

    code = _lucide_codepoints().get(name)
    font_path = paths.FONTS_DIR / "lucide.ttf"
    if code is None or not font_path.exists():
        return None
    font = ImageFont.truetype(str(font_path), size)
    img = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(img)
    draw.text((size // 2, size // 2), chr(code), font=font, fill=0, anchor="mm")
    if img.getbbox() is None and min(img.getdata()) == 255:
        return None
    return img


@lru_cache(maxsize=16)
def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...] | None:
    """The QR modules for `url` (error correction M, no quiet zone), or None if too long."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M
    from qrcode.exceptions import DataOverflowError

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    try:
        code.add_data(url)
        code.make(fit=True)
    except (DataOverflowError, ValueError):
        return None
    return tuple(tuple(bool(v) for v in row) for row in code.get_matrix())


def qr_pil(url: str, module_px: int, quiet: int = 4):
    """A 1-bit-looking 'L' image of the QR code with a `quiet`-module white border, or None."""
    from PIL import Image

    matrix = qr_matrix(url)
    if matrix is None:
        return None
    n = len(matrix)
    small = Image.new("L", (n + 2 * quiet, n + 2 * quiet), 255)
    px = small.load()
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                px[x + quiet, y + quiet] = 0
    return small.resize((small.width * module_px, small.height * module_px), Image.NEAREST)
