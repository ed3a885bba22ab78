"""The search screen in the real app: type on the on-screen keyboard, touch a result.

Runs once the search screen is wired into the journey and the app (see the wiring lines given
with kiosk/core/search.py); skipped before.
"""

from __future__ import annotations

import pytest

from kiosk.core import accessibility as a11y
from kiosk.ui.keys import ENTER as KEY_ENTER, TAB as KEY_TAB

pytestmark = [pytest.mark.ui]


def open_search(kiosk):
    kiosk.tap("start")
    kiosk.tap("search")
    assert kiosk.screen_name == "search"


def type_keys(kiosk, text: str) -> None:
    for char in text:
        kiosk.tap("key:space" if char == " " else f"key:{char}")


def field_text(kiosk) -> str:
    return kiosk.app.display.current_screen().ids.field.shown


def test_type_carte_vitale_and_touch_the_result(kiosk):
    open_search(kiosk)
    assert field_text(kiosk) == ""
    type_keys(kiosk, "carte vit")
    assert field_text(kiosk) == "CARTE VIT"
    title = kiosk.app.catalogue.demarches["carte-vitale"].text("fr").title
    assert title in kiosk.visible_texts()
    kiosk.tap("demarche:carte-vitale")
    assert kiosk.screen_name == "demarche"
    kiosk.tap("back")
    assert kiosk.screen_name == "search" and field_text(kiosk) == "CARTE VIT"


def test_erase_clear_and_accents_by_single_taps(kiosk):
    open_search(kiosk)
    type_keys(kiosk, "chz")
    kiosk.tap("key:backspace")
    assert field_text(kiosk) == "CH"
    kiosk.tap("key:page")
    kiosk.tap("key:è")
    kiosk.tap("key:page")
    type_keys(kiosk, "que")
    assert field_text(kiosk) == "CHÈQUE"
    kiosk.tap("key:clear")
    assert field_text(kiosk) == ""


def test_nothing_found_offers_the_mediator(kiosk):
    open_search(kiosk)
    type_keys(kiosk, "xyzzy")
    assert any("Aucune démarche ne correspond" in t for t in kiosk.visible_texts())
    kiosk.tap("dont-know")
    assert kiosk.screen_name == "mediator"
    assert kiosk.app.effects.mediator_calls


def test_keys_are_read_in_order_and_typed_with_enter(kiosk):
    open_search(kiosk)
    app = kiosk.app
    keys = app.display.current_screen().ids.keyboard.keys()
    order = [w for w in app.display.focus.order if w in keys]
    assert order == keys, "every key in the keyboard order, row by row"
    assert [k.label for k in order[:3]] == ["A", "Z", "E"]
    assert app.display.focus.widget().action_id == "key:a"  # nothing typed yet: the first key
    kiosk.key(KEY_TAB)
    assert app.display.focus.widget().action_id == "key:z"
    assert app.speech.last == "lettre Z"
    kiosk.key(KEY_ENTER)
    kiosk.key(KEY_ENTER)
    assert field_text(kiosk) == "ZZ"
    assert app.display.focus.widget().action_id == "key:z", "typing keeps the focus on the key"


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
@pytest.mark.parametrize("mode", ["normal", "high-contrast", "largest-text"])
def test_search_screen_passes_the_audit(kiosk, orientation, mode, tmp_path):
    from kiosk.quality.audit import audit_screen
    from kiosk.quality.tour import go_to

    if orientation == "landscape":
        kiosk.resize(1920, 1080)
    for text in ("", "carte", "xyzzy"):
        go_to(kiosk, ["start", "search"] + [f"key:{c}" for c in text], mode)
        assert audit_screen(kiosk, mode) == [], (orientation, mode, text)
        dpi = kiosk.app.dpi
        keyboard = kiosk.app.display.current_screen().ids.keyboard
        for key in keyboard.keys():
            assert a11y.px_to_mm(key.width, dpi) >= a11y.MIN_TARGET_MM
            assert a11y.px_to_mm(key.height, dpi) >= a11y.MIN_TARGET_MM
        # the whole keyboard on the screen, below the typed text
        x, y = keyboard.to_window(keyboard.x, keyboard.y)
        assert x >= 0 and y >= 0 and x + keyboard.width <= kiosk.app.display.root.width
        field = kiosk.app.display.current_screen().ids.field
        fx, fy = field.to_window(field.x, field.y)
        if orientation == "portrait":
            assert y + keyboard.height <= fy, "the keyboard under the typed text"
        else:
            assert x >= fx + field.width, "the keyboard beside the typed text"
    kiosk.screenshot(tmp_path / f"search-{orientation}-{mode}.png")
