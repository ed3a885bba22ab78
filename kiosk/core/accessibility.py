"""Accessibility numbers (documented in docs/accessibility.md), and the colours and sizes that meet them.

Sizes are set in millimetres and converted to pixels with the configured screen DPI, so the kiosk
keeps the same physical sizes on any screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MM_PER_INCH = 25.4

# Capital-H height of Atkinson Hyperlegible as a fraction of the font size (measured: 668/1000).
CAP_HEIGHT_RATIO = 0.668

MIN_BODY_CAP_MM = 4.0          # default body text, cap height
MIN_LARGE_CAP_MM = 6.1         # 0.7 degree at 500 mm: the largest text step must reach this
MIN_TARGET_MM = 15.0           # touch target side
MIN_TARGET_GAP_MM = 3.0        # space between touch targets
MIN_TEXT_CONTRAST = 4.5
MIN_TEXT_CONTRAST_HIGH = 7.0
MIN_CONTROL_CONTRAST = 3.0
REPEAT_TAP_SECONDS = 0.5

# Three text-size steps: body and title cap heights in mm.
TEXT_STEPS = (
    {"body": 4.3, "title": 6.5, "small": 4.0},
    {"body": 5.2, "title": 7.5, "small": 4.6},
    {"body": 6.3, "title": 8.8, "small": 6.2},
)


def mm_to_px(mm: float, dpi: float) -> float:
    return mm * dpi / MM_PER_INCH


def px_to_mm(px: float, dpi: float) -> float:
    return px * MM_PER_INCH / dpi


def font_px_for_cap_mm(cap_mm: float, dpi: float) -> int:
    """Font size in px whose capital H is at least `cap_mm` tall."""
    return math.ceil(mm_to_px(cap_mm, dpi) / CAP_HEIGHT_RATIO)


def cap_mm_for_font_px(font_px: float, dpi: float) -> float:
    return px_to_mm(font_px * CAP_HEIGHT_RATIO, dpi)


def _channel(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb) -> float:
    r, g, b = (_channel(x) for x in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg, bg) -> float:
    """WCAG contrast ratio of two colours given as (r, g, b[, a]) floats in 0..1."""
    a, b = luminance(fg), luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def hex_to_rgba(value: str) -> tuple[float, float, float, float]:
    value = value.lstrip("#")
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)) + (1.0,)


@dataclass(frozen=True)
class Palette:
    name: str
    background: str
    surface: str        # cards and blocks
    text: str
    muted_text: str
    primary: str        # main buttons
    on_primary: str
    secondary: str      # ordinary buttons
    on_secondary: str
    urgent: str
    on_urgent: str
    border: str         # control outline
    focus: str          # focus ring
    bar: str            # accessibility bar background
    on_bar: str
    alert: str
    on_alert: str

    def rgba(self, role: str):
        return hex_to_rgba(getattr(self, role))


# Colours after the French State design system (bleu France #000091, rouge Marianne).
NORMAL = Palette(
    name="normal",
    background="#FFFFFF", surface="#F3F3F8", text="#161616", muted_text="#3A3A3A",
    primary="#000091", on_primary="#FFFFFF",
    secondary="#E3E3FD", on_secondary="#000091",
    urgent="#B60000", on_urgent="#FFFFFF",
    border="#000091", focus="#D35400",
    bar="#E6E6F0", on_bar="#161616",
    alert="#FFF1C2", on_alert="#161616",
)

HIGH_CONTRAST = Palette(
    name="high-contrast",
    background="#000000", surface="#000000", text="#FFFFFF", muted_text="#FFFFFF",
    primary="#FFFF00", on_primary="#000000",
    secondary="#000000", on_secondary="#FFFF00",
    urgent="#FFFFFF", on_urgent="#000000",
    border="#FFFF00", focus="#00FFFF",
    bar="#000000", on_bar="#FFFFFF",
    alert="#000000", on_alert="#FFFFFF",
)


def palette(high_contrast: bool) -> Palette:
    return HIGH_CONTRAST if high_contrast else NORMAL
