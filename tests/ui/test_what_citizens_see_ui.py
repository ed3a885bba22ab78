"""What a new user saw on screen, checked on the real app (each failed before its fix)."""

from __future__ import annotations

import pytest

from kiosk.core.screen import calls_or_erases
from kiosk.ui.keys import BACKSPACE, ESCAPE, SPACE

pytestmark = [pytest.mark.ui]


def _to_demarche(kiosk, demarche="carte-vitale", theme="sante"):
    kiosk.tap("start")
    kiosk.tap(f"theme:{theme}")
    kiosk.tap(f"demarche:{demarche}")


def test_a_physical_keyboard_types_into_the_search(kiosk):
    kiosk.tap("start")
    kiosk.tap("search")
    focused = kiosk.app.display.focus.widget()
    kiosk.type("carte vi")
    screen = kiosk.app.display.current_screen()
    assert screen.typed == "CARTE VI", "every key typed, the space bar types a space"
    assert kiosk.app.display.focus.widget() is focused, "the space bar pressed no on-screen key"
    kiosk.key(BACKSPACE, text=None)
    assert screen.typed == "CARTE V"
    assert kiosk.screen_name == "search", "Backspace erases a letter, it does not go back"
    assert "demarche:carte-vitale" in [b.action_id for b in kiosk.visible_buttons()]


def test_the_empty_search_field_has_the_height_of_a_line(kiosk):
    kiosk.tap("start")
    kiosk.tap("search")
    screen = kiosk.app.display.current_screen()
    field = screen.ids.field
    box = field.ids.box
    assert box.height >= field.text_font_size * 1.3, "the caret fits inside the empty field"


def test_a_page_opens_at_its_top_focused_on_a_safe_choice(kiosk):
    _to_demarche(kiosk)
    screen = kiosk.app.display.current_screen()
    kiosk.pump(6)
    assert screen.ids.scroller.scroll_y == pytest.approx(1.0)
    focused = kiosk.app.display.focus.widget()
    assert focused.action_id == "help:guide"
    assert not calls_or_erases(focused.action_id)


def test_scroll_buttons_show_only_when_they_can_move(kiosk):
    _to_demarche(kiosk)
    kiosk.pump(6)
    ids = [b.action_id for b in kiosk.visible_buttons()]
    assert "scroll:down" in ids and "scroll:up" not in ids, "nothing above the top"
    for _ in range(12):
        if "scroll:down" not in [b.action_id for b in kiosk.visible_buttons()]:
            break
        kiosk.tap("scroll:down")
        kiosk.pump(3)
    ids = [b.action_id for b in kiosk.visible_buttons()]
    assert "scroll:up" in ids and "scroll:down" not in ids, "nothing below the bottom"


def test_largest_text_leaves_the_content_half_of_the_screen(kiosk):
    kiosk.tap("a11y:text")
    kiosk.tap("a11y:text")
    _to_demarche(kiosk)
    kiosk.pump(8)
    display = kiosk.app.display
    screen = display.current_screen()
    window = kiosk.app.display.root.width * kiosk.app.display.root.height
    controls = [display.bar, screen.ids.nav]
    if screen.ids.actions.parent is screen.ids.fixed_actions:
        controls.append(screen.ids.fixed_actions)
    taken = sum(w.width * w.height for w in controls)
    assert taken <= 0.5 * window, f"the bar and the choices take {taken / window:.0%}"
    # the choices are still there, after the content, and still spoken
    assert "help:urgent" in [b.action_id for b in screen.focusables()]
    assert "Faites-le pour moi maintenant" in kiosk.app.speech.screen


def test_escape_to_the_welcome_screen_wipes_the_settings(kiosk):
    kiosk.tap("a11y:text")
    kiosk.tap("a11y:contrast")
    kiosk.tap("start")
    assert kiosk.app.journey.session.high_contrast
    kiosk.key(ESCAPE)
    assert kiosk.screen_name == "attract"
    session = kiosk.app.journey.session
    assert session.text_step == 0 and not session.high_contrast
    assert kiosk.app.text_step == 0, "the screen is drawn for the next citizen"


def test_the_site_name_follows_the_language(kiosk):
    kiosk.tap("language:en")
    assert "France Services — demonstration" in kiosk.visible_texts()


def test_every_language_is_named_on_the_first_screen_and_chosen_in_one_touch(kiosk):
    names = {"English", "Español", "Português", "Türkçe", "Română", "Українська", "Français"}
    assert names <= set(kiosk.visible_texts()), "each language by its own name, no flag"
    kiosk.tap("language:uk")
    app = kiosk.app
    assert app.journey.session.language == "uk"
    assert app.font_text == "DejaVu", "Cyrillic needs a font that has it"
    assert "Вітаємо у France Services" in kiosk.visible_texts()
    kiosk.tap("start")
    assert kiosk.screen_name == "themes"
    # the bar's language button opens the picker; each name says itself in its language
    kiosk.tap("languages")
    assert app.display.overlay_name == "languages"
    buttons = {b.action_id: b for b in kiosk.visible_buttons()}
    assert buttons["language:es"].speech_lang == "es" and buttons["language:es"].label == "Español"
    kiosk.tap("language:es")
    assert app.journey.session.language == "es" and app.font_text == "Atkinson"
    assert "¿Qué necesita?" in kiosk.visible_texts()


def test_no_glyph_citizens_can_meet_is_wider_than_labels_assume(kiosk):
    """A label skips measuring its words when even the longest, in the widest glyph, fits a
    line (widgets/text.py): that bound must hold for every character of the content and the
    catalogues, in every text font, regular and bold, or a word could be cut."""
    from pathlib import Path

    from kivy.core.text import Label as CoreLabel

    from kiosk import paths
    from kiosk.core.keyboard_layouts import TYPABLE
    from kiosk.ui.widgets.text import WIDEST_GLYPH_EM

    texts = [p.read_text(encoding="utf-8") for p in Path(paths.ASSETS, "content").rglob("*.toml")]
    texts += [p.read_text(encoding="utf-8") for p in Path(paths.LOCALES_DIR).rglob("*.po")]
    texts.append("".join(TYPABLE) + "".join(TYPABLE).upper())   # what the keyboards type
    characters = sorted({c for text in texts for c in text if c.isprintable() and not c.isspace()})
    assert len(characters) > 200   # Latin with accents, Cyrillic, Arabic, punctuation
    size, widest = 100, (0.0, "")
    for font in ("Atkinson", "DejaVu"):
        for bold in (False, True):
            label = CoreLabel(font_name=font, font_size=size, bold=bold)
            label.resolve_font_name()
            for c in characters:
                widest = max(widest, (label.get_extents(c)[0] / size, f"{c!r} in {font} bold={bold}"))
    assert widest[0] <= WIDEST_GLYPH_EM, widest
