"""Right-to-left text: wrapping in reading order, then joining and reordering each line.

The measure here is a fixed width per character (the real font is used by the UI tests): what
is checked is the order of words and lines, digits and Latin names inside Arabic sentences.
"""

from __future__ import annotations

import unicodedata

from kiosk.core.i18n import LANGUAGE_NAMES

from kiosk.core import bidi_text
from kiosk.core.bidi_text import (abbreviate, abbreviate_too_wide, display_line, display_lines, has_rtl,
                                  is_rtl_language, shape, too_wide_words, wrap)


def width(text: str) -> float:
    return 10.0 * len(text)


def base_letters(text: str) -> str:
    """The text with joined forms brought back to plain letters, marks left out (NFKD)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def test_only_arabic_is_right_to_left():
    assert is_rtl_language("ar") and not is_rtl_language("fr") and not is_rtl_language("uk")
    assert has_rtl("مرحبا CAF") and not has_rtl("Українська 12345 CAF") and not has_rtl("")


def test_letters_are_joined_and_vowel_marks_kept():
    word = "مُسَاعَدَةُ"
    shaped = shape(word)
    assert shaped != word
    assert all("\ufe70" <= c <= "\ufeff" or unicodedata.combining(c) for c in shaped)
    assert sum(map(unicodedata.combining, shaped)) > 0, "harakat stay on screen"
    assert base_letters(shaped) == base_letters(word)


def test_digits_and_latin_names_read_left_to_right_inside_arabic():
    line = display_line("اتصلوا بـ CAF على الرقم 3230 اليوم", rtl=True)
    assert "CAF" in line and "3230" in line, "never FAC nor 0323"
    # right to left: the first word of the sentence is drawn at the right end of the line
    assert base_letters(line).endswith(base_letters(shape("اتصلوا"))[::-1])
    assert line.index("3230") < line.index("CAF"), "the number comes after CAF in reading order"


def test_an_address_inside_an_arabic_sentence_stays_whole():
    line = display_line("العنوان: 12 rue de la Paix، 75002 Paris.", rtl=True)
    assert "12 rue de la Paix" in line and "75002 Paris" in line
    assert line.startswith("."), "the final period is at the left end of a right-to-left line"


def test_a_french_address_reads_as_one_block_in_an_arabic_sentence():
    line = display_line("تعالوا إلى 12 rue de la Paix, 75002 Paris يوم 3 مارس.", rtl=True)
    assert "12 rue de la Paix, 75002 Paris" in line
    assert line.index("3") < line.index("12 rue"), "the date comes after the address (to its left)"


def test_isolate_marks_in_a_text_do_not_break_the_drawing():
    line = display_line("اسم: \u2066Jean Dupont\u2069.", rtl=True)
    assert "Jean Dupont" in line and "\u2066" not in line and "\u2069" not in line


def test_guillemets_around_a_french_name_are_mirrored_in_place():
    line = display_line("على موقع « CAF » هنا", rtl=True)
    assert "« CAF »" in line


def test_a_language_name_alone_takes_its_own_direction():
    assert display_line("English") == "English"
    name = display_line("العربية")
    assert base_letters(name) == base_letters(shape("العربية"))[::-1]


def test_wrapping_breaks_between_words_only():
    words = "one two three four five six seven"
    lines = wrap(words, 120, width)
    assert " ".join(lines) == words
    assert all(width(line) <= 120 for line in lines)
    assert lines == ["one two", "three four", "five six", "seven"]


def test_a_word_wider_than_the_line_is_cut_as_a_last_resort():
    lines = wrap("a abcdefghijklmnop b", 60, width)
    assert "".join(lines).replace(" ", "") == "aabcdefghijklmnopb"
    assert all(width(line) <= 60 for line in lines)


def test_explicit_line_breaks_are_kept_and_none_means_no_wrapping():
    assert wrap("short\nlines here", None, width) == ["short", "lines here"]
    assert wrap("a b\nc", 1000, width) == ["a b", "c"]


def test_a_long_arabic_paragraph_keeps_its_lines_in_reading_order():
    paragraph = ("مساعدة السكن تخفض الإيجار الذي تدفعونه. تطلبونها من « CAF » عندما "
                 "تستأجرون مسكنا. قدموا الطلب عندما تدخلون المسكن رقم 75011.")
    lines = display_lines(paragraph, 200, width, rtl=True)
    assert len(lines) > 3
    assert all(width(line) <= 200 for line in lines)
    logical = wrap(paragraph, 200, lambda s: width(shape(s)))
    # each drawn line is its logical line, reversed for display: the first words on the first line
    assert [base_letters(display_line(line, rtl=True)) for line in logical] == \
        [base_letters(line) for line in lines]
    assert base_letters(lines[0]).endswith(base_letters(shape("مساعدة"))[::-1])
    assert "75011" in lines[-1] and "CAF" in "".join(lines)
    assert not any("11057" in line or "FAC" in line for line in lines)


def test_a_word_too_wide_for_a_button_is_abbreviated_never_cut():
    assert too_wide_words("Дослідження дотиком", 100, width)
    assert not too_wide_words("Голос вимкнено", 100, width)
    assert abbreviate("недоступний", 100, width) == "недоступн."
    fitted = abbreviate_too_wide("Голос недоступний\nщо", 100, width)
    assert fitted == "Голос недоступн.\nщо"
    assert all(width(w) <= 100 for w in fitted.split())
    assert abbreviate("مساعدةمساعدة", 50, width) == "مساعدةمساعدة", "Arabic is not abbreviated"


def test_the_known_form_of_the_arabic_name_is_the_shapers_own():
    """« العربية » on every screen's picker is drawn without the shaper: it must be its output."""
    from arabic_reshaper import ArabicReshaper
    from bidi.algorithm import get_display

    shaped = ArabicReshaper(configuration={"delete_harakat": False}).reshape(bidi_text.ARABIC_NAME)
    assert bidi_text.ARABIC_NAME_SHAPED == shaped
    assert bidi_text.shape(bidi_text.ARABIC_NAME) == shaped
    for direction in (None, True, False):
        assert bidi_text.display_line(bidi_text.ARABIC_NAME, direction) == get_display(shaped)
    assert LANGUAGE_NAMES["ar"] == bidi_text.ARABIC_NAME
