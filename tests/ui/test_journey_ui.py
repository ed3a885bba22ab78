"""The whole journey in the real app, by touch and by keyboard, for every démarche."""

from __future__ import annotations

import logging

import pytest

from kiosk.ui.keys import ENTER as KEY_ENTER, ESCAPE as KEY_ESCAPE, TAB as KEY_TAB

pytestmark = pytest.mark.ui


def _demarches(driver):
    return list(driver.app.catalogue.demarches.values())


def press_with_keys(driver, action_id: str, limit: int = 80) -> None:
    """Tab to the control with `action_id` (checking the focus is on a visible control), then Enter."""
    from kiosk.quality.driver import is_visible

    for _ in range(limit):
        focused = driver.app.display.focus.widget()
        assert focused is not None and focused.focused, "focus must always be visible"
        assert is_visible(focused), f"focus on a hidden control {focused.action_id}"
        if focused.action_id == action_id:
            driver.key(KEY_ENTER)
            return
        driver.key(KEY_TAB)
    raise AssertionError(f"{action_id} not reachable with Tab on {driver.screen_name}")


def test_every_demarche_by_touch(fast_kiosk):
    kiosk = fast_kiosk
    for demarche in _demarches(kiosk):
        text = demarche.text("fr")
        kiosk.tap("start")
        assert kiosk.screen_name == "themes"
        assert "De quoi avez-vous besoin ?" in kiosk.visible_texts()
        kiosk.tap(f"theme:{demarche.theme}")
        assert kiosk.screen_name == "demarches"
        kiosk.tap(f"demarche:{demarche.id}")
        assert kiosk.screen_name == "demarche"
        shown = kiosk.visible_texts()
        assert text.title in shown and text.summary in shown
        kiosk.tap("help:guide")
        for number, step in enumerate(text.steps, 1):
            assert kiosk.screen_name == "guide"
            assert f"Étape {number} sur {len(text.steps)}" in kiosk.visible_texts()
            assert step in kiosk.visible_texts()
            kiosk.tap("step:done")
        assert kiosk.screen_name == "end"
        assert f"Votre démarche : {text.title}" in kiosk.visible_texts()
        kiosk.tap("face:5")
        assert kiosk.screen_name == "feedback"
        kiosk.tap("reason:clear")
        assert kiosk.screen_name == "attract"
        assert "Au revoir. Tout ce que vous avez fait ici est effacé." in kiosk.visible_texts()
        assert kiosk.app.journey.session.demarche is None


def test_every_demarche_by_keyboard(fast_kiosk):
    kiosk = fast_kiosk
    for demarche in _demarches(kiosk):
        press_with_keys(kiosk, "start")
        press_with_keys(kiosk, f"theme:{demarche.theme}")
        press_with_keys(kiosk, f"demarche:{demarche.id}")
        assert kiosk.screen_name == "demarche"
        press_with_keys(kiosk, "help:teach")
        assert kiosk.screen_name == "teach"
        press_with_keys(kiosk, "understood")
        assert kiosk.screen_name == "end"
        press_with_keys(kiosk, "face:3")
        press_with_keys(kiosk, "finish")
        assert kiosk.screen_name == "attract"


def test_escape_goes_back(kiosk):
    kiosk.tap("start")
    kiosk.tap("theme:sante")
    kiosk.key(KEY_ESCAPE)
    assert kiosk.screen_name == "themes"


def test_every_visible_control_is_in_the_tab_order(kiosk):
    kiosk.tap("start")
    kiosk.tap("theme:famille")
    visible = {b.action_id for b in kiosk.visible_buttons()}
    reached = set()
    for _ in range(len(kiosk.app.display.focus.order)):
        reached.add(kiosk.app.display.focus.widget().action_id)
        kiosk.key(KEY_TAB)
    assert visible <= reached


def test_repeated_tap_within_half_a_second_counts_once(kiosk):
    kiosk.tap("start")
    kiosk.tap("theme:sante")
    back = kiosk.button("back")
    kiosk.tap(back, wait=1.0)
    assert kiosk.screen_name == "themes"
    # The same finger bouncing: a second tap 0.2 s later must not go back again.
    kiosk.tap("theme:sante", wait=0.2)
    assert kiosk.screen_name == "themes"
    kiosk.tap("theme:sante", wait=0.6)
    assert kiosk.screen_name == "demarches"


def test_urgent_help_calls_the_mediator(kiosk):
    kiosk.tap("start")
    kiosk.tap("theme:famille")
    kiosk.tap("demarche:rsa")
    kiosk.tap("help:urgent")
    assert kiosk.screen_name == "mediator"
    assert kiosk.app.effects.mediator_calls[-1] == "urgent"
    # no hub in the demo: the kiosk says honestly that no one was told, and what to do
    assert "Cette borne ne peut pas appeler le médiateur toute seule." in kiosk.visible_texts()
    kiosk.tap("back")
    assert kiosk.screen_name == "demarche"


def test_help_button_shows_and_says_the_alert_on_every_screen(kiosk):
    kiosk.tap("start")
    calls = len(kiosk.app.effects.mediator_calls)
    kiosk.tap("call")
    assert len(kiosk.app.effects.mediator_calls) == calls + 1
    assert kiosk.app.display.overlay.shown
    assert "Demandez un médiateur" in kiosk.visible_texts()
    assert "ne peut pas appeler le médiateur toute seule" in kiosk.app.speech.last
    # Modal: the screen under it does not react; the overlay's button does.
    kiosk.tap_at(*kiosk.app.display.bar_buttons[0].to_window(*kiosk.app.display.bar_buttons[0].center))
    assert kiosk.app.journey.session.text_step == 0
    kiosk.tap("dismiss")
    assert not kiosk.app.display.overlay.shown
    assert kiosk.screen_name == "themes"


def test_dont_know_leads_to_the_mediator(kiosk):
    kiosk.tap("start")
    kiosk.tap("dont-know")
    assert kiosk.screen_name == "mediator"


def test_stuck_on_a_step_calls_the_mediator(kiosk):
    kiosk.tap("start")
    kiosk.tap("theme:travail")
    kiosk.tap("demarche:actualisation")
    kiosk.tap("help:guide")
    kiosk.tap("step:done")
    kiosk.tap("step:stuck")
    assert kiosk.screen_name == "mediator"
    kiosk.tap("back")
    assert kiosk.screen_name == "guide"
    assert "Étape 2 sur" in " ".join(kiosk.visible_texts())


def test_text_size_contrast_and_language_from_the_bar(kiosk):
    app = kiosk.app
    body = app.font_body
    kiosk.tap("a11y:text")
    kiosk.tap("a11y:text")
    assert app.font_body > body
    from kiosk.core.accessibility import cap_mm_for_font_px
    assert cap_mm_for_font_px(app.font_body, app.dpi) >= 6.1
    kiosk.tap("a11y:contrast")
    assert app.colors["background"][:3] == (0.0, 0.0, 0.0)
    kiosk.tap("languages")
    kiosk.tap("language:en")
    assert app.journey.session.language == "en"
    assert "Welcome to France Services" in kiosk.visible_texts()
    kiosk.tap("start")
    assert "What do you need?" in kiosk.visible_texts()
    # A new citizen gets the defaults back.
    app.end_session("abandoned")
    kiosk.pump(3)
    assert app.font_body == body and app.journey.session.language == "fr"
    assert app.colors["background"][:3] == (1.0, 1.0, 1.0)


def test_inactivity_warns_then_wipes(kiosk):
    app = kiosk.app
    kiosk.tap("start")
    kiosk.tap("theme:sante")
    kiosk.clock.advance(app.inactivity.inactivity_seconds + 1)
    app.check_inactivity()
    kiosk.pump(3)
    assert app.display.overlay.shown and app.display.overlay.name == "timeout"
    assert "Êtes-vous toujours là ?" in kiosk.visible_texts()
    assert "Êtes-vous toujours là ?" in app.speech.last
    # Ten extensions at least, each with one touch.
    for _ in range(10):
        kiosk.tap("more-time")
        assert not app.display.overlay.shown
        kiosk.clock.advance(app.inactivity.inactivity_seconds + 1)
        app.check_inactivity()
        kiosk.pump(2)
        assert app.display.overlay.name == "timeout"
    assert kiosk.screen_name == "demarches"
    kiosk.clock.advance(app.inactivity.warning_seconds + 1)
    app.check_inactivity()
    kiosk.pump(3)
    assert kiosk.screen_name == "attract"
    assert not app.display.overlay.shown
    assert app.journey.session.theme is None


def test_an_unexpected_error_wipes_and_returns_to_the_attract_screen(kiosk, caplog):
    kiosk.tap("start")
    kiosk.tap("theme:sante")
    kiosk.tap("demarche:carte-vitale")
    with caplog.at_level(logging.ERROR):
        kiosk.clock.advance(1)
        kiosk.app.input.action("demarche:does-not-exist")
        kiosk.pump(3)
    assert kiosk.screen_name == "attract"
    assert kiosk.app.journey.session.demarche is None
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "ValueError" in logged
    assert "Carte Vitale" not in logged and "does-not-exist" not in logged


def test_landscape_layout_keeps_every_control_on_screen(kiosk):
    from kiosk.quality.audit import audit_screen

    kiosk.resize(1920, 1080)
    for events in (["start"], ["theme:papiers"], ["demarche:passeport"], ["help:guide"]):
        for event in events:
            kiosk.tap(event)
        kiosk.pump(3)
        assert audit_screen(kiosk, "normal") == []


def test_screen_words_reach_the_real_speaker(kiosk):
    speaker = kiosk.app.speaker
    assert speaker is not None and speaker.wait_ready(15)
    assert speaker.available, speaker.unavailable_reason
    kiosk.tap("start")
    assert kiosk.app.speech.screen.startswith("De quoi avez-vous besoin ?")
    assert speaker.wait_idle(30) is True  # the worker synthesised and played it to the end


def test_voice_button_cycles_normal_slow_off(kiosk):
    app = kiosk.app
    kiosk.tap("a11y:voice")
    assert app.journey.session.speech_rate == "slow" and app.journey.session.voice_on
    assert kiosk.button("a11y:voice").detail == "lente"
    kiosk.tap("a11y:voice")
    assert not app.journey.session.voice_on
    kiosk.tap("a11y:voice")
    assert app.journey.session.voice_on and app.journey.session.speech_rate == "normal"


def test_repeat_says_the_screen_again(kiosk):
    kiosk.tap("start")
    kiosk.tap("theme:sante")
    kiosk.key(9)  # moving the focus says the focused control
    assert kiosk.app.speech.last != kiosk.app.speech.screen
    kiosk.tap("repeat")
    assert kiosk.app.speech.last == kiosk.app.speech.screen
    assert kiosk.app.speech.last.startswith("Santé.")


def test_explore_by_touch_speaks_first_then_acts_on_double_tap(kiosk):
    app = kiosk.app
    kiosk.tap("a11y:explore")  # a plain tap: the mode is off until now
    assert app.journey.session.explore_by_touch
    start = kiosk.button("start")
    kiosk.tap(start, wait=2.0)
    assert kiosk.screen_name == "attract"
    assert app.speech.last.startswith("Touchez ici pour commencer")
    assert app.display.focus.widget() is start
    kiosk.tap(start, wait=0.3)  # the second tap of a double tap
    assert kiosk.screen_name == "themes"


def test_print_announces_at_once_then_reports(kiosk):
    import os
    import time
    from pathlib import Path

    app = kiosk.app
    deadline = time.monotonic() + 20
    while app.receipts.service is None and time.monotonic() < deadline:  # opened off the UI thread
        kiosk.pump(1)
    receipts = Path(os.environ["RUNTIME_DIRECTORY"]) / "receipts"
    before = set(receipts.glob("*.png")) if receipts.exists() else set()
    kiosk.tap("start")
    kiosk.tap("theme:sante")
    kiosk.tap("demarche:carte-vitale")
    shown = []   # every card put on screen, with what it said (a fast printer answers within a frame)
    original = app.display.present_overlay
    app.display.present_overlay = lambda model, *a, **k: (
        shown.append((model.name, model.title, model.speech())), original(model, *a, **k))[-1]
    try:
        kiosk.tap("print")
        assert shown and shown[0][0] == "printing", "announced at once, before any result"
        assert shown[0][1] == "Impression" and "Impression" in shown[0][2]
    finally:
        del app.display.present_overlay
    assert app.display.overlay.shown
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "Votre résumé est imprimé" not in kiosk.visible_texts():
        kiosk.pump(1)
    assert "Votre résumé est imprimé" in kiosk.visible_texts()
    new = set(receipts.glob("*.png")) - before
    assert len(new) == 1  # the demo printer wrote one preview, once
    kiosk.tap("read-receipt")
    assert "Voici ce que dit votre récapitulatif" in app.speech.last
    assert "Carte Vitale" in app.speech.last


def test_a_print_asked_while_the_printer_opens_is_printed_once_it_is_open(kiosk):
    """In the first seconds after a start the printer is still being opened off the UI thread:
    "print" said "printing is not available" and showed the QR code instead (the 1000-journey
    soak met it once). It is announced at once and printed when the printer is open."""
    import threading
    import time

    app = kiosk.app
    deadline = time.monotonic() + 20
    while app.receipts.service is None and time.monotonic() < deadline:
        kiosk.pump(1)
    service = app.receipts.service
    assert service is not None
    released = threading.Event()

    def slow_open():
        released.wait(20)
        return service

    app.receipts.service = None
    app.receipts.open_in_background(slow_open)
    try:
        kiosk.tap("start")
        kiosk.tap("theme:sante")
        kiosk.tap("demarche:carte-vitale")
        kiosk.tap("print")
        assert app.display.overlay_name == "printing"
        kiosk.pump(5)
        assert app.display.overlay_name == "printing", "still waiting for the printer"
    finally:
        released.set()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and app.display.overlay_name != "printed":
        kiosk.pump(1)
    assert app.display.overlay_name == "printed"
    assert app.receipts.service is service


def test_qr_code_on_screen_as_the_paper_alternative(kiosk):
    app = kiosk.app
    kiosk.tap("start")
    kiosk.tap("theme:impots")
    kiosk.tap("demarche:declaration-revenus")
    kiosk.tap("show-qr")
    assert app.display.overlay.shown and app.display.overlay.has_picture
    texture = app.display.overlay.ids.picture.texture
    assert texture is not None and texture.width > 100
    url = app.catalogue.demarches["declaration-revenus"].official_url
    assert url in kiosk.visible_texts()
    from kiosk.quality.audit import audit_screen
    assert audit_screen(kiosk, "normal") == []


def test_full_garbage_collections_wait_for_a_pause_or_the_end_of_the_session(kiosk):
    """A full collection (~0.1 s) never runs by itself under a finger: the app runs it when
    nobody waits (kiosk.core.idle_gc)."""
    import gc
    import time

    app = kiosk.app
    assert gc.get_threshold()[2] > 10**6, "automatic full collections are off while the kiosk runs"
    app.idle_gc.tick()   # the fixture's own end of session, if not collected yet
    started = time.monotonic()
    kiosk.tap("start")
    kiosk.tap("theme:sante")
    assert app.idle_gc.last_input >= started, "touches reach the collector"
    assert app.idle_gc.pending and not app.idle_gc.due()
    before = app.idle_gc.collections
    app.end_session("abandoned")
    assert app.idle_gc.due()   # checked at once: the app's half-second tick may run it in any frame
    kiosk.pump(2)
    assert kiosk.screen_name == "attract"
    # the app's own clock runs it, at its next half-second tick (and again at the next end)
    for _ in range(2):
        deadline = time.monotonic() + 5
        while app.idle_gc.collections == before and time.monotonic() < deadline:
            kiosk.pump(1)
            time.sleep(0.05)
        assert app.idle_gc.collections == before + 1, "a full collection after the session ended"
        before = app.idle_gc.collections
        kiosk.tap("start")
        app.end_session("abandoned")


def test_f1_opens_no_settings_panel(kiosk):
    """Kivy opens its settings panel on F1 (a citizen's USB keyboard has one): not on a kiosk."""
    from kivy.core.window import Window

    kiosk.tap("start")
    before = list(Window.children)
    kiosk.key(282)   # F1
    assert Window.children == before
    assert kiosk.screen_name == "themes"
    assert not kiosk.app.close_settings()   # nothing was opened, nothing to close
    assert kiosk.app.open_settings() is False
