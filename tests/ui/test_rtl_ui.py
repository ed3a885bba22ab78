"""Arabic on screen in the real app: drawn right to left, lines in order, the layout mirrored,
the focus running from right to left, and searching with the Arabic and Ukrainian keyboards."""

from __future__ import annotations

import unicodedata

import pytest

from kiosk.core.bidi_text import display_line, has_rtl, shape
from kiosk.ui.keys import LEFT as KEY_LEFT, TAB as KEY_TAB

pytestmark = [pytest.mark.ui]


def choose_language(kiosk, code: str) -> None:
    kiosk.tap(f"language:{code}")
    kiosk.pump(3)
    assert kiosk.app.journey.session.language == code


def ink_columns(label) -> tuple[int, int, int]:
    """(first, last column holding a drawn pixel, texture width) of a label's texture."""
    texture = label.texture
    width, height = texture.size
    pixels = texture.pixels
    columns = [x for x in range(width)
               if any(pixels[(y * width + x) * 4 + 3] > 40 for y in range(0, height, 2))]
    return columns[0], columns[-1], width


def kivy_lines(label) -> list[str]:
    """The lines Kivy laid out in the label's texture."""
    return ["".join(word.text for word in line.words) for line in label._label._cached_lines]


def letters(text: str) -> str:
    """Plain letters of a text (joined forms undone, vowel marks left out)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def labels_of(widget, cls_name: str):
    return [w for w in widget.walk(restrict=True) if type(w).__name__ == cls_name and w.text]


@pytest.fixture
def arabic(kiosk):
    choose_language(kiosk, "ar")
    assert kiosk.app.rtl
    yield kiosk
    kiosk.app.end_session("abandoned")
    kiosk.pump(3)


def test_arabic_title_is_joined_and_aligned_to_the_right(arabic):
    app = arabic.app
    title = app.display.current_screen().ids.title_label
    assert title.text == app.journey.screen().title, "the label keeps the logical text"
    drawn = "".join(title.drawn_lines)
    assert any("\ufe70" <= c <= "\ufeff" for c in drawn), "letters in their joined forms"
    first, last, width = ink_columns(title)
    assert width - last < 0.03 * width, "the text touches the right edge"
    assert first > 0.2 * width, "a short title leaves the left side empty"


def test_a_long_paragraph_wraps_in_reading_order(arabic):
    arabic.tap("start")
    arabic.act("theme:sante")
    arabic.act("demarche:carte-vitale")
    app = arabic.app
    body = [w for w in labels_of(app.display.current_screen(), "BodyText") if len(w.drawn_lines) > 1]
    assert body, "a paragraph of several lines"
    label = body[0]
    words = [w.strip(".،") for w in label.text.split() if has_rtl(w)]
    first_line, last_line = label.drawn_lines[0], label.drawn_lines[-1]
    first_word, last_word = (letters(shape(w))[::-1] for w in (words[0], words[-1]))
    # each line is reversed for display, and the lines keep their order (never kivy#8189)
    assert first_word in letters(first_line) and first_word not in letters(last_line)
    assert last_word in letters(last_line) and last_word not in letters(first_line)
    assert letters(first_line).index(first_word) > len(letters(first_line)) // 2, \
        "the first word is drawn on the right"
    assert kivy_lines(label) == label.drawn_lines, "Kivy did not wrap the lines again"
    assert label.texture_size[0] <= label.width + 1
    assert "carte Vitale" in first_line + "".join(label.drawn_lines), "Latin names unreversed"


def test_the_layout_is_mirrored(arabic):
    arabic.tap("start")
    arabic.act("theme:sante")
    arabic.act("demarche:carte-vitale")
    back, finish = arabic.button("back"), arabic.button("end")
    title = arabic.app.display.current_screen().ids.title_label
    assert back.x > finish.x, "Back is on the right of the navigation row"
    assert back.center_x > title.center_x
    icon, words = back.children[-1], back.children[-2]   # in the order of the kv rule
    assert icon.x > words.x, "the pictogram is on the right of the words"
    assert icon.flip, "the Back arrow points to the right"
    bar = arabic.app.display.bar_buttons
    assert bar[0].x > bar[1].x, "the bar starts on the right"


def test_focus_moves_from_right_to_left(arabic):
    app = arabic.app
    order = app.display.focus.order
    row = [b for b in order if b in app.display.bar_buttons]
    same_row = [(a, b) for a, b in zip(row, row[1:]) if abs(a.y - b.y) < 1]
    assert same_row and all(a.x > b.x for a, b in same_row), "Tab goes leftwards in a row"
    app.display.focus.focus(row[0])
    arabic.key(KEY_TAB)
    assert app.display.focus.widget() is row[1]
    app.display.focus.focus(row[0])
    arabic.key(KEY_LEFT)
    assert app.display.focus.widget() is row[1], "the left arrow goes forward"


def test_typing_on_the_arabic_keyboard_finds_housing_aid(arabic):
    arabic.tap("start")
    arabic.tap("search")
    keyboard = arabic.app.display.current_screen().ids.keyboard
    keys = keyboard.keys()
    assert keys[0].action_id == "key:ض", "the Arabic keyboard, first key ض"
    assert keys[0].x > keys[1].x, "its rows start on the right"
    for letter in "سكن":
        arabic.tap(f"key:{letter}")
    field = arabic.app.display.current_screen().ids.field
    assert field.shown == "سكن"
    typed = field.ids.typed_label
    assert letters("".join(typed.drawn_lines)) == letters(shape("سكن"))[::-1]
    title = arabic.app.catalogue.demarches["aide-logement"].text("ar").title
    assert title in arabic.visible_texts()
    arabic.tap("demarche:aide-logement")
    assert arabic.screen_name == "demarche"


def test_typing_on_the_ukrainian_keyboard_finds_housing_aid(kiosk):
    choose_language(kiosk, "uk")
    assert not kiosk.app.rtl
    kiosk.tap("start")
    kiosk.tap("search")
    keys = kiosk.app.display.current_screen().ids.keyboard.keys()
    assert [k.label for k in keys[:3]] == ["Й", "Ц", "У"]
    assert keys[0].x < keys[1].x
    for letter in "житло":
        kiosk.tap(f"key:{letter}")
    assert kiosk.app.display.current_screen().ids.field.shown == "ЖИТЛО"
    title = kiosk.app.catalogue.demarches["aide-logement"].text("uk").title
    assert title in kiosk.visible_texts()


def test_back_to_french_the_layout_reads_left_to_right(kiosk):
    choose_language(kiosk, "ar")
    choose_language(kiosk, "fr")
    assert not kiosk.app.rtl
    kiosk.tap("start")
    kiosk.act("theme:sante")
    kiosk.act("demarche:carte-vitale")
    assert kiosk.button("back").x < kiosk.button("end").x
    bar = kiosk.app.display.bar_buttons
    assert bar[0].x < bar[1].x


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_ukrainian_bar_words_are_never_cut_at_the_largest_text(kiosk, size):
    from kiosk.ui.widgets.text import KioskLabel   # Kivy only once the app is made

    choose_language(kiosk, "uk")
    kiosk.tap("a11y:text")
    kiosk.tap("a11y:text")
    assert kiosk.app.text_step == 2
    kiosk.resize(*size)
    kiosk.pump(4)
    bar = kiosk.app.display.bar
    labels = [w for w in bar.walk(restrict=True) if isinstance(w, KioskLabel) and w.text
              and w.font_name != "Lucide" and w.opacity]
    languages = [w for b in kiosk.visible_buttons() if b.action_id.startswith("language:")
                 for w in b.walk(restrict=True) if isinstance(w, KioskLabel) and w.text
                 and w.font_name != "Lucide"]
    assert len(labels) >= 10 and len(languages) == 8
    for label in labels + languages:
        words = label.text.split()
        words += [display_line(w) for w in words]   # a word in Arabic letters, as drawn
        for line in kivy_lines(label):
            for token in line.split():
                assert token in words or (token.endswith(".") and
                                          any(w.startswith(token[:-1]) for w in words)), \
                    f"{label.text!r} drawn as {kivy_lines(label)!r}"


def test_arabic_is_offered_by_its_own_name_drawn_joined(kiosk):
    assert "العربية" in kiosk.visible_texts(), "on the first screen, in French"
    button = kiosk.button("language:ar")
    assert button.speech_lang == "ar" and button.label == "العربية"
    kiosk.tap("start")
    kiosk.tap("languages")
    assert kiosk.app.display.overlay_name == "languages"
    name = kiosk.button("language:ar")
    drawn = [w for w in name.walk(restrict=True) if getattr(w, "text", "") == "العربية"][0]
    assert letters(drawn.drawn_lines[0]) == letters(shape("العربية"))[::-1]
    assert not kiosk.app.rtl, "a French screen stays left to right"
    kiosk.tap("language:ar")
    assert kiosk.app.rtl and kiosk.app.journey.session.language == "ar"
