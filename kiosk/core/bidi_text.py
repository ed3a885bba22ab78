"""Right-to-left text for a renderer that draws glyphs left to right (Kivy's SDL2 text).

Kivy joins Arabic letters only with HarfBuzz settings that then reverse mixed runs (« 12345 CAF »
comes out « FAC 54321 »), measure widths wrongly and, when the whole text is reordered before
wrapping, put the wrapped lines in reverse order (kivy#8189). So the kiosk does it itself:

1. wrap in logical (reading) order, measuring each candidate line with the real font;
2. for each line: join the letters (arabic-reshaper gives each letter its joined form, vowel
   marks kept) and reorder it for display (python-bidi, the Unicode bidirectional algorithm),
   so digits, Latin names (CAF, ANTS) and addresses read right inside an Arabic sentence;
3. the renderer draws each line as it is, right-aligned.

Pure Python (no Kivy): the measuring function is the caller's.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Callable

RTL_LANGUAGES = frozenset({"ar"})

Measure = Callable[[str], float]

# A run of Latin words and digits ("12 rue de la Paix, 75002 Paris", "APL, ALS, ALF", "caf.fr"):
# kept as one left-to-right block inside a right-to-left line, so that the house number stays
# with its street (the plain algorithm would send a number after an Arabic word to the far side).
_LATIN = r"[0-9A-Za-z\u00c0-\u024f]"
_LATIN_RUN = re.compile(rf"{_LATIN}(?:[0-9A-Za-z\u00c0-\u024f ,.'’/:\-]*{_LATIN})?")
_LRE, _PDF = "\u202a", "\u202c"
# python-bidi knows embeddings, not isolates (it fails on them): isolates become embeddings
_ISOLATES = str.maketrans({"\u2066": "\u202a", "\u2067": "\u202b", "\u2068": "\u202a",
                           "\u2069": "\u202c"})
# « العربية » is on the language picker of every screen: its joined form is known here, so that a
# screen in another language never imports the shaper and the bidi algorithm (~70 ms of a start,
# fontTools included). tests/core/test_bidi_text.py checks it against arabic-reshaper.
ARABIC_NAME = "\u0627\u0644\u0639\u0631\u0628\u064a\u0629"
ARABIC_NAME_SHAPED = "\ufe8d\ufedf\ufecc\ufeae\ufe91\ufef4\ufe94"


def is_rtl_language(language: str) -> bool:
    """A language written from right to left (its screens are mirrored)."""
    return language in RTL_LANGUAGES


@lru_cache(maxsize=4096)
def has_rtl(text: str) -> bool:
    """Whether the text holds a letter of a right-to-left script (Arabic, Hebrew…)."""
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


@lru_cache(maxsize=1)
def _reshaper():
    ArabicReshaper = _import_reshaper()

    # vowel marks (harakat) stay: the content is vowelled for readers and for speech alike
    return ArabicReshaper(configuration={"delete_harakat": False})


def _import_reshaper():
    """arabic-reshaper (it also imports fontTools, ~0.1 s, for font ligature tables the kiosk never
    reads). A plain import: hiding fontTools meant holding the global import lock while importing,
    which can deadlock with a worker thread importing at the same time; and fpdf needs fontTools."""
    from arabic_reshaper import ArabicReshaper
    return ArabicReshaper


@lru_cache(maxsize=8192)
def shape(text: str) -> str:
    """The text with Arabic letters in their joined forms (logical order kept)."""
    if text == ARABIC_NAME:
        return ARABIC_NAME_SHAPED
    return _reshaper().reshape(text) if has_rtl(text) else text


@lru_cache(maxsize=8192)
def display_line(line: str, rtl: bool | None = None) -> str:
    """One line, shaped and reordered for a left-to-right renderer.

    `rtl`: the paragraph's direction — True for right to left, False for left to right, None to
    take it from the first letter with a direction (a language name among others)."""
    if not has_rtl(line) and rtl is not True:
        return line
    if line == ARABIC_NAME:   # one right-to-left word: the same in either paragraph direction
        return ARABIC_NAME_SHAPED[::-1]
    from bidi.algorithm import get_display   # the pure-Python algorithm: it mirrors « » ( )

    base = "R" if rtl else "L" if rtl is False else None
    text = _LATIN_RUN.sub(lambda m: _LRE + m.group(0) + _PDF, line.translate(_ISOLATES))
    return get_display(shape(text), base_dir=base)


def _break_word(word: str, width: float, measure: Measure) -> list[str]:
    """A single word wider than the line, cut into pieces that fit (last resort)."""
    pieces, piece = [], ""
    for char in word:
        if piece and measure(piece + char) > width:
            pieces.append(piece)
            piece = char
        else:
            piece += char
    if piece:
        pieces.append(piece)
    return pieces


def wrap(text: str, width: float | None, measure: Measure) -> list[str]:
    """Lines of `text` in logical order, each at most `width` wide by `measure` (a line's width
    on screen). Breaks only between words, except a word wider than a whole line; explicit line
    breaks are kept. `width` None: no wrapping."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if width is None:
            lines.append(paragraph)
            continue
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if measure(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            if measure(word) > width:   # one word alone is too wide for a line
                *full, line = _break_word(word, width, measure)
                lines += full
        lines.append(line)
    return lines


def too_wide_words(text: str, width: float | None, measure: Measure) -> bool:
    """Whether a word of the text is wider than a whole line (it would be cut)."""
    return width is not None and any(measure(word) > width for word in text.split())


def abbreviate(word: str, width: float, measure: Measure) -> str:
    """A word too wide for a line, shortened with a period to what fits ("недоступн."): the
    full word is still what is said. A word of a right-to-left script is cut instead (no such
    convention there)."""
    if has_rtl(word):
        return word
    for end in range(len(word) - 1, 0, -1):
        if measure(word[:end] + ".") <= width:
            return word[:end] + "."
    return word[:1]


def abbreviate_too_wide(text: str, width: float, measure: Measure) -> str:
    """The text with each word wider than a line abbreviated (spaces and line breaks kept)."""
    return "\n".join(" ".join(abbreviate(w, width, measure) if measure(w) > width else w
                              for w in line.split(" "))
                     for line in text.split("\n"))


def display_lines(text: str, width: float | None, measure: Measure,
                  rtl: bool | None = None) -> list[str]:
    """The lines to draw, top to bottom, each shaped and reordered (see `display_line`)."""
    return [display_line(line, rtl) for line in wrap(text, width, lambda s: measure(shape(s)))]
