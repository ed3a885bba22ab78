"""The on-screen keyboard's letters per language, and typing them into the search."""

from __future__ import annotations

import pytest

from kiosk.core.catalogue import LANGUAGES
from kiosk.core.catalogue import load_catalogue
from kiosk.core.i18n import Translator
from kiosk.core.keyboard_layouts import LAYOUTS, TYPABLE, capitals, layout_for
from kiosk.core.search import ACCENTS, LETTERS, SearchState, _key_rows, find_demarches, matcher_for

EXPECTED_LETTERS = {
    "fr": "azertyuiopqsdfghjklmwxcvbn",
    "en": "qwertyuiopasdfghjklzxcvbnm",
    "es": "ñ",
    "pt": "çãõ",
    "tr": "çğıiöşü",
    "ro": "ăâîșț",
    "uk": "йцукенгшщзхїфівапролджєячсмитьбюґ",
    "ar": "ضصثقفغعهخحجدشسيبلاتنمكطذرىةوزظأإآؤئء",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_its_letters(language):
    layout = layout_for(language)
    assert layout is LAYOUTS[language]
    for letter in EXPECTED_LETTERS[language]:
        assert letter in layout.characters, f"{language}: {letter}"
    assert all(len(row) <= 12 for row in layout.letters + layout.marks), "keys stay 15 mm wide"


def test_ukrainian_keyboard_has_every_letter_of_the_alphabet():
    alphabet = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
    assert set(alphabet) <= LAYOUTS["uk"].characters


def test_turkish_capitals_keep_the_dot():
    assert capitals("i ı", "tr") == "İ I"
    assert capitals("istanbul", "fr") == "ISTANBUL"
    assert capitals("بطاقة", "ar") == "بطاقة"


def test_every_key_can_be_typed():
    state = SearchState()
    for char in sorted(TYPABLE - {"'", "-"}):
        state.clear()
        state.press(char)
        assert state.text == char


@pytest.mark.parametrize("language", ["ar", "uk", "tr"])
def test_the_keys_on_screen_are_the_language_s(language):
    _ = Translator(language).gettext
    for page, rows in ((LETTERS, layout_for(language).letters), (ACCENTS, layout_for(language).marks)):
        keys = _key_rows(_, page, language)
        chars = [k.id.partition(":")[2] for row in keys[:-1] for k in row if k.id != "key:backspace"]
        assert chars == list("".join(rows))
        assert keys[-1][0].label == (layout_for(language).marks_key if page == LETTERS
                                     else layout_for(language).letters_key)


@pytest.mark.parametrize("language, typed, expected", [
    ("ar", "سكن", "aide-logement"),
    ("uk", "житло", "aide-logement"),
    ("tr", "kira yardımı", "aide-logement"),
])
def test_words_typed_on_the_keyboard_find_the_demarche(language, typed, expected):
    state = SearchState()
    for char in typed:
        state.press("space" if char == " " else char)
    results = find_demarches(state.text, load_catalogue().demarches, matcher_for(language))
    assert results and results[0].id == expected


def test_the_tours_search_word_is_typed_on_each_languages_first_page():
    from kiosk.core.keyboard_layouts import LAYOUTS
    from kiosk.quality.tour import SEARCH_WORDS

    assert set(SEARCH_WORDS) == set(LAYOUTS)
    for language, word in SEARCH_WORDS.items():
        assert set(word) <= set("".join(LAYOUTS[language].letters)), language
