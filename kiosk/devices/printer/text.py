"""Text made safe for a single-byte printer code page, and wrapped to the paper width.

Any Unicode goes in; what comes out contains only printable characters the code page has, so
the printer never receives a stray control byte and a line never wraps on its own.
"""

from __future__ import annotations

import textwrap
import unicodedata
from functools import lru_cache

# Typographic punctuation and ligatures a thermal code page usually lacks; used only when
# the code page cannot print the character itself.
REPLACEMENTS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2039": "'", "\u203a": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...", "\u2022": "-", "\u00b7": "-", "\u2023": "-", "\u2043": "-",
    "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ", "\u2002": " ", "\u2003": " ",
    "\u0153": "oe", "\u0152": "OE", "\u00e6": "ae", "\u00c6": "AE", "\ufb01": "fi", "\ufb02": "fl",
    "\u20ac": "EUR", "\u2116": "No", "\u2192": "->", "\u2190": "<-", "\u00df": "ss",
    "\u2713": "v", "\u2714": "v", "\u2610": "[ ]", "\u2611": "[v]", "\u2612": "[x]",
}

# Characters that separate words: become a plain space.
_SPACES = {"\t", "\n", "\r", "\x0b", "\x0c", "\u2028", "\u2029", "\u0085", "\u1680", "\u3000"}


@lru_cache(maxsize=8)
def _codepage_chars(python_encoding: str) -> frozenset[str]:
    """Printable characters 0x20-0x7E plus those of 0x80-0xFF the code page defines."""
    chars = {chr(c) for c in range(0x20, 0x7F)}
    for byte in range(0x80, 0x100):
        try:
            ch = bytes([byte]).decode(python_encoding)
        except UnicodeDecodeError:
            continue
        if unicodedata.category(ch)[0] not in ("C",) and ch not in _SPACES:
            chars.add(ch)
    return frozenset(chars)


def to_codepage(text: str, python_encoding: str = "cp858", default: str = "?") -> str:
    """`text` using only characters of the code page: typography normalised, accents kept when
    the page has them, stripped when it does not, anything else replaced by `default`."""
    allowed = _codepage_chars(python_encoding)
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", str(text)):
        if ch in allowed:
            out.append(ch)
            continue
        if ch in _SPACES or unicodedata.category(ch) == "Zs":
            out.append(" ")
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Mn", "Me", "Cs", "Co", "Cn"):
            continue  # control, format (bidi marks, zero width), stray combining marks: drop
        repl = REPLACEMENTS.get(ch)
        if repl is not None and all(c in allowed for c in repl):
            out.append(repl)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if base and all(c in allowed for c in base):
            out.append(base)
        else:
            out.append(default)
    return "".join(out)


def wrap(text: str, width: int, indent: str = "", first: str = "") -> list[str]:
    """Lines of at most `width` characters; long words are cut. `first` prefixes the first line,
    `indent` the following ones (e.g. "[ ] " and "    " for a checklist item)."""
    width = max(width, len(first) + 1, len(indent) + 1, 2)
    text = " ".join(text.split())
    if not text:
        return [first.rstrip()] if first.strip() else []
    return textwrap.wrap(text, width=width, initial_indent=first, subsequent_indent=indent,
                         break_long_words=True, break_on_hyphens=True) or [first.rstrip()]


def prints_as_text(text: str, python_encoding: str = "cp858") -> bool:
    """True when the code page prints every letter of `text`: only typography may be simplified
    (« ’ » to « ' », « œ » to « oe »), never a letter dropped, stripped of its accent or
    replaced. Otherwise the line is printed as an image of the text."""
    allowed = _codepage_chars(python_encoding)
    for ch in unicodedata.normalize("NFC", str(text)):
        if ch in allowed or ch in _SPACES or unicodedata.category(ch) in ("Zs", "Cc", "Cf"):
            continue
        repl = REPLACEMENTS.get(ch)
        if repl is None or not all(c in allowed for c in repl):
            return False
    return True
