"""A button lays out its pictogram and words itself (kiosk/ui/widgets/controls.py): the same
places as a box with the words in a column of their own, one layout instead of two nested ones.
And the buttons of a row of the bar are equally tall at every text size."""

from __future__ import annotations

import pytest

TOLERANCE = 1.0   # px


def _parts(button):
    icon, *words = button.children[::-1]    # in the order of the kv rule
    return icon, words


def _column(button, words) -> float:
    return sum(w.height for w in words) + button.text_spacing * (len(words) - 1)


def _check_words(button, words, x, width):
    """The words stacked from the top, full column width, the second line under the label."""
    for upper, lower in zip(words, words[1:]):
        assert upper.y == pytest.approx(lower.top + button.text_spacing, abs=TOLERANCE)
    for word in words:
        assert word.x == pytest.approx(x, abs=TOLERANCE)
        assert word.width == pytest.approx(width, abs=TOLERANCE)


def test_a_horizontal_button_has_its_pictogram_then_its_words_centred_in_height(kiosk):
    kiosk.tap("start")
    kiosk.tap("theme:sante")
    kiosk.tap("demarche:carte-vitale")
    buttons = [b for b in kiosk.visible_buttons() if b.orientation == "horizontal" and b.icon]
    assert buttons, "a démarche page has buttons with a pictogram beside their words"
    with_detail = [b for b in buttons if b.detail]
    assert with_detail, "and some with a second line"
    for button in buttons:
        icon, words = _parts(button)
        left, top, right, bottom = button.padding
        assert icon.x == pytest.approx(button.x + left, abs=TOLERANCE)
        assert icon.center_y == pytest.approx(button.y + bottom + (button.height - top - bottom) / 2,
                                              abs=TOLERANCE)
        column = _column(button, words)
        x = icon.right + button.spacing
        _check_words(button, words, x, button.right - right - x)
        middle = button.y + bottom + (button.height - top - bottom) / 2
        assert (words[0].top + words[-1].y) / 2 == pytest.approx(middle, abs=TOLERANCE)
        assert button.minimum_height == pytest.approx(top + bottom + max(icon.height, column),
                                                      abs=TOLERANCE)
        assert button.height >= button.minimum_height - TOLERANCE


@pytest.mark.parametrize("presses", [0, 1, 2])
def test_a_bar_button_has_its_pictogram_on_top_and_the_row_is_equally_tall(kiosk, presses):
    """At the largest text a longer label wraps in some buttons of a row: every button of the
    row still takes the tallest one's height (one height rule; two used to fight, and a button
    whose second line changed last kept its own, smaller height)."""
    for _ in range(presses):
        kiosk.tap("a11y:text")
    kiosk.pump(3)
    bar = kiosk.app.display.bar_buttons
    rows: dict[int, list] = {}
    for button in bar:
        icon, words = _parts(button)
        left, top, right, bottom = button.padding
        assert button.orientation == "vertical"
        assert icon.top == pytest.approx(button.top - top, abs=TOLERANCE)
        assert icon.center_x == pytest.approx(button.x + left + (button.width - left - right) / 2,
                                              abs=TOLERANCE)
        assert words[0].top == pytest.approx(icon.y - button.spacing, abs=TOLERANCE)
        _check_words(button, words, button.x + left, button.width - left - right)
        assert button.minimum_height == pytest.approx(
            top + bottom + icon.height + button.spacing + _column(button, words), abs=TOLERANCE)
        rows.setdefault(round(button.top), []).append(button)
    assert len(rows) == 2, "two rows in portrait"
    tallest = max(b.minimum_height for b in bar)
    for row in rows.values():
        assert {round(b.height) for b in row} == {round(max(tallest, kiosk.app.target_px))}


def test_a_right_to_left_button_mirrors_its_parts(kiosk):
    kiosk.tap("language:ar")
    try:
        kiosk.tap("start")
        kiosk.tap("theme:sante")
        buttons = [b for b in kiosk.visible_buttons() if b.orientation == "horizontal" and b.icon]
        assert buttons
        for button in buttons:
            icon, words = _parts(button)
            left = button.padding[0]
            assert button.mirrored
            assert icon.right == pytest.approx(button.right - left, abs=TOLERANCE)
            for word in words:
                assert word.right == pytest.approx(icon.x - button.spacing, abs=TOLERANCE)
    finally:
        kiosk.app.end_session("abandoned")
        kiosk.pump(3)


def test_a_bar_button_whose_words_shrink_keeps_the_height_of_its_row(kiosk):
    """Its own height rule and the bar's used to fight: a button whose words changed last (a
    second line hidden or changed) took its own, smaller height and stood out of its row."""
    from kiosk.quality.tour import go_to

    go_to(kiosk, [], "largest-text")
    bar = kiosk.app.display.bar_buttons
    row_height = bar[0].parent.row_height
    shortest = min(bar, key=lambda b: b.minimum_height)
    try:
        shortest.compact = True        # its second line hidden: its own minimum shrinks
        kiosk.pump(3)
        assert shortest.minimum_height < row_height
        assert shortest.height == pytest.approx(row_height, abs=TOLERANCE)
        assert {round(b.height) for b in bar} == {round(row_height)}
    finally:
        shortest.compact = False
        kiosk.pump(3)
