"""Paragraphs of any script drawn as pixels: the preview PNG, and thermal lines a code page lacks.

Right-to-left text (Arabic) is wrapped in logical order first, then each line is shaped
(arabic-reshaper: the joined letter forms) and put in display order (python-bidi) on its own,
right-aligned. Shaping and reordering the whole paragraph before wrapping would print the
wrapped lines in reverse order. Pillow draws with its basic layout: the text it gets is already
in display order, and a second bidi pass (raqm) would turn it back.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from kiosk.core import bidi_text

from .graphics import font_for

RTL_LANGUAGES = frozenset({"ar"})

# French spacing: a guillemet, colon, question or exclamation mark stays with its word.
_KEEP_TOGETHER = re.compile(r"(?<=«) | (?=[»:;?!])")

ARABIC_SCALE = 1.15

BOX = "box"
"""`lead` value: a box to tick at the start of the first line."""


def is_rtl(language: str) -> bool:
    return language in RTL_LANGUAGES


def _has_arabic(text: str) -> bool:
    return any(unicodedata.bidirectional(c) == "AL" for c in text)


def shaped(text: str) -> str:
    """`text` (logical order) with Arabic letters in their joined forms, vowel marks kept."""
    return bidi_text.shape(text)


def display_line(line: str, rtl: bool) -> str:
    """One wrapped line (logical order) as drawn from left to right: the screen's own reordering
    (kiosk.core.bidi_text: quotes and brackets mirrored, a Latin name or address kept whole)."""
    if not rtl and not bidi_text.has_rtl(line):
        return line
    try:
        return bidi_text.display_line(line, rtl)
    except Exception:  # the mirroring algorithm fails on a few rare characters: order them plainly
        from bidi import get_display

        return get_display(shaped(line), base_dir="R" if rtl else "L")


def wrap(text: str, width: float, measure) -> list[str]:
    """Lines (logical order) whose shaped width `measure(str)` is at most `width`; a word longer
    than a line is cut. Each word is measured once (a line's width is its words' and spaces'):
    measuring every trial line again cost seconds per receipt in a thread sharing the interpreter."""
    widths: dict[str, float] = {}

    def width_of(piece: str) -> float:
        if piece not in widths:
            widths[piece] = measure(shaped(piece))
        return widths[piece]

    space = width_of(" ")
    lines: list[str] = []
    words: list[str] = []
    used = 0.0
    text = _KEEP_TOGETHER.sub("\u00a0", " ".join(str(text).split()))
    for word in text.split(" "):
        if not word:
            continue
        size = width_of(word)
        if words and used + space + size <= width:
            words.append(word)
            used += space + size
            continue
        if words:
            lines.append(" ".join(words))
        while len(word) > 1 and width_of(word) > width:
            lo, hi = 1, len(word) - 1          # the longest start of the word that fits
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if measure(shaped(word[:mid])) <= width:
                    lo = mid
                else:
                    hi = mid - 1
            lines.append(word[:lo])
            word = word[lo:]
        words, used = [word], width_of(word)
    if words:
        lines.append(" ".join(words))
    return lines


@lru_cache(maxsize=64)
def font(path: Path, px: int):
    """A Pillow font with the basic layout (the text given is already in display order)."""
    from PIL import ImageFont

    return ImageFont.truetype(str(path), px, layout_engine=ImageFont.Layout.BASIC)


def paragraph_image(text: str, language: str, px: int, width: int, *, bold: bool = False,
                    align: str = "start", lead: str = "", pad: int = 0, line_gap: float = 0.25):
    """`text` wrapped to `width` pixels as a white 'L' image, black letters `px` pixels high.

    align: "start" (left, or right in a right-to-left language) or "center".
    lead: BOX, or a short text such as "2." drawn at the start of the first line, the
    following lines indented under the text. pad: white margin on both sides.
    """
    from PIL import Image, ImageDraw

    rtl = is_rtl(language)
    if _has_arabic(text):  # Arabic letters are small for their size: as legible as the Latin ones
        px = int(px * ARABIC_SCALE)
    face = font(font_for(text + lead, language, bold), px)
    ascent, descent = face.getmetrics()
    step = ascent + descent + int(px * line_gap) if rtl else int(px * (1 + line_gap))
    inner = width - 2 * pad
    if lead == BOX:
        lead_text, lead_w = "", int(px * 0.9) + px // 3
    elif lead:
        lead_text = display_line(lead, rtl)
        lead_w = int(face.getlength(lead_text + " "))
    else:
        lead_text, lead_w = "", 0
    lines = wrap(text, max(inner - lead_w, px), face.getlength) or [""]
    top = max(0, ascent - px) if rtl else 0  # room for Arabic marks above the letters
    img = Image.new("L", (width, top + step * len(lines) + (descent if not rtl else 0)), 255)
    draw = ImageDraw.Draw(img)
    for n, line in enumerate(lines):
        visual = display_line(line, rtl)
        w = face.getlength(visual)
        y = top + n * step
        if align == "center":
            x = (width - w) / 2
        elif rtl:
            x = width - pad - lead_w - w
        else:
            x = pad + lead_w
        draw.text((x, y), visual, font=face, fill=0)
    if lead == BOX:
        side = int(px * 0.9)
        x0 = width - pad - side if rtl else pad
        y0 = top + max(0, ascent - side) // 2 + px // 10
        draw.rectangle((x0, y0, x0 + side, y0 + side), outline=0, width=max(2, px // 10))
    elif lead_text:
        x = width - pad - face.getlength(lead_text) if rtl else pad
        draw.text((x, top), lead_text, font=face, fill=0)
    return img
