"""Fonts, pictograms and QR images shared by the preview and PDF renderers."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from kiosk import paths


def atkinson(bold: bool = False) -> Path:
    """Path of the Atkinson Hyperlegible TTF (the kiosk's reading font)."""
    from fontpkg_atkinson_hyperlegible import ROOT

    return Path(ROOT) / "files" / ("AtkinsonHyperlegible-Bold.ttf" if bold else "AtkinsonHyperlegible-Regular.ttf")


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
