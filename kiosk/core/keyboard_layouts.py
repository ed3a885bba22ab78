"""The letters of the on-screen keyboard, per language (pure Python).

Each language has two pages of letters, as rows in reading order (an Arabic row starts on the
right: the screen mirrors it): the first page is the language's usual keyboard, the second one
its letters with accents or marks, reached with one key (never a long press). Official French
names are met everywhere, so the Latin-script layouts keep the French accents on their second
page.
"""

from __future__ import annotations

from dataclasses import dataclass

_FRENCH_ACCENTS = ("éèêëàâ", "çùûôîï", "-'")


@dataclass(frozen=True)
class KeyboardLayout:
    """`letters` and `marks`: the rows of the two pages; `marks_key` is the label of the key that
    shows the second page, `letters_key` of the one that brings back the first."""

    letters: tuple[str, ...]
    marks: tuple[str, ...]
    marks_key: str
    letters_key: str = "A B C"

    @property
    def characters(self) -> frozenset[str]:
        return frozenset("".join(self.letters + self.marks))


LAYOUTS: dict[str, KeyboardLayout] = {
    # AZERTY, as on French keyboards
    "fr": KeyboardLayout(("azertyuiop", "qsdfghjklm", "wxcvbn'"), _FRENCH_ACCENTS, "É È À Ç"),
    "en": KeyboardLayout(("qwertyuiop", "asdfghjkl", "zxcvbnm'"), _FRENCH_ACCENTS, "É È À Ç"),
    "es": KeyboardLayout(("qwertyuiop", "asdfghjklñ", "zxcvbnm'"),
                         ("áéíóúü", "èàçêôî", "-'"), "Á É Í Ó"),
    "pt": KeyboardLayout(("qwertyuiop", "asdfghjklç", "zxcvbnm'"),
                         ("áàâãéê", "íóôõúü", "-'"), "Ã Á Ê Õ"),
    # Turkish Q: ı and i are two letters (capitals I and İ), ğ ş ö ç ü are letters of their own
    "tr": KeyboardLayout(("qwertyuıopğü", "asdfghjklşi", "zxcvbnmöç"),
                         ("âîûéèà", "êëôùï", "-'"), "Â Î Û"),
    "ro": KeyboardLayout(("qwertyuiop", "asdfghjkl", "zxcvbnm'"),
                         ("ăâîșț", "éèàçêô", "-'"), "Ă Â Î Ș Ț"),
    # ЙЦУКЕН, the Ukrainian keyboard; ґ and the apostrophe on the second page
    "uk": KeyboardLayout(("йцукенгшщзхї", "фівапролджє", "ячсмитьбю"), ("ґ", "'-"), "Ґ ʼ",
                         letters_key="А Б В"),
    # the Arabic keyboard (rows from the right); the hamza and madda letters on the second page
    "ar": KeyboardLayout(("ضصثقفغعهخحجد", "شسيبلاتنمكط", "ذرىةوزظ"), ("أإآ", "ؤئء", "-'"),
                         "أ إ آ", letters_key="ا ب ت"),
}

TYPABLE = frozenset().union(*(layout.characters for layout in LAYOUTS.values())) | {"œ"}
"""Every character a key (or a physical keyboard) may type into the search, in any language."""


def layout_for(language: str) -> KeyboardLayout:
    """The keyboard of a language; French for a language without its own."""
    return LAYOUTS.get(language) or LAYOUTS["fr"]


def capitals(text: str, language: str) -> str:
    """Text in capitals as the language writes them (Turkish i → İ, ı → I); scripts without
    capitals (Arabic) stay as they are."""
    if language == "tr":
        text = text.replace("i", "İ").replace("ı", "I")
    return text.upper()
