"""Mediator mode in the real app: F12 or five taps on the title, the PIN keypad, the panel.

Runs once the mediator mode is wired into the journey and the app (see the wiring lines given
with kiosk/core/mediator.py); skipped before.
"""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.ui]

F12 = 293
ESCAPE = 27


def pin(kiosk) -> str:
    return kiosk.app.kiosk_config.mediator["pin"]


def type_code(kiosk, code: str) -> None:
    for digit in code:
        kiosk.tap(f"staff:digit:{digit}")
        assert not re.search(r"[0-9]", kiosk.app.speech.last), kiosk.app.speech.last
    kiosk.tap("staff:ok")


def open_panel(kiosk) -> None:
    kiosk.key(F12)
    assert kiosk.screen_name == "pin"
    type_code(kiosk, pin(kiosk))
    assert kiosk.screen_name == "mediator_panel"


def to_demarche(kiosk) -> None:
    for event in ("start", "theme:sante", "demarche:carte-vitale"):
        kiosk.tap(event)
    assert kiosk.screen_name == "demarche"


def test_f12_wrong_pin_then_right_pin(kiosk):
    kiosk.tap("start")
    kiosk.key(F12)
    assert kiosk.screen_name == "pin"
    kiosk.tap("staff:digit:1")
    assert kiosk.app.speech.last == "Chiffre saisi."
    dots = kiosk.app.display.current_screen().ids.dots
    assert dots.count == 1
    assert not any("1" == t for t in kiosk.visible_texts() if t != "1") and \
        pin(kiosk) not in " ".join(kiosk.visible_texts())
    type_code(kiosk, "000")
    assert kiosk.screen_name == "pin"
    assert any("Code faux" in t for t in kiosk.visible_texts())
    assert kiosk.app.speech.last.startswith("Code faux")
    type_code(kiosk, pin(kiosk))
    assert kiosk.screen_name == "mediator_panel"
    assert "Mode médiateur" in kiosk.visible_texts()


def test_three_wrong_codes_lock_the_keypad(kiosk):
    try:
        kiosk.key(F12)
        for _ in range(3):
            type_code(kiosk, "0000")
        assert any("bloqué" in t for t in kiosk.visible_texts())
        type_code(kiosk, pin(kiosk))
        assert kiosk.screen_name == "pin", "locked: even the right code waits"
    finally:
        kiosk.clock.advance(61)
    type_code(kiosk, pin(kiosk))
    assert kiosk.screen_name == "mediator_panel"


def test_five_taps_on_the_title_open_the_pin_screen(kiosk):
    kiosk.tap("start")
    title = kiosk.app.display.current_screen().ids.title_label
    for _ in range(4):
        kiosk.clock.advance(0.5)
        kiosk.tap_at(*title.to_window(*title.center))
    assert kiosk.screen_name == "themes"
    kiosk.clock.advance(0.5)
    kiosk.tap_at(*title.to_window(*title.center))
    kiosk.pump(2)
    assert kiosk.screen_name == "pin"
    kiosk.tap("staff:cancel")
    assert kiosk.screen_name == "themes"


def test_panel_shows_the_faults_and_the_doctors_checks(kiosk):
    """The panel's device lines are `kiosk doctor`'s checks (one source), asked off the UI thread."""
    import time

    from kiosk.devices import health

    app = kiosk.app
    app.device_faults.append("printer: paper roll empty (test)")
    try:
        open_panel(kiosk)
        texts = kiosk.visible_texts()
        assert "printer: paper roll empty (test)" in texts
        assert any(t.startswith("Voix :") or t.startswith("Commande vocale") for t in texts)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "Appareils : vérification…" in kiosk.visible_texts():
            kiosk.pump(2)
        texts = kiosk.visible_texts()
        doctor = health.run_checks(config=app.kiosk_config, hub_timeout=1.0)
        for check in doctor:
            if check.name not in ("disk", "clock"):   # figures that may move between the two runs
                assert check.french in texts, check.french
        assert any(t.startswith("Imprimante :") for t in texts)
        markers = {"Fonctionne", "Problème", "Vérification"}
        assert markers & set(kiosk.visible_texts()), "each line has a marker word"
    finally:
        app.device_faults.remove("printer: paper roll empty (test)")


def test_restart_wipes_the_session(kiosk):
    to_demarche(kiosk)
    open_panel(kiosk)
    kiosk.tap("staff:restart")
    assert kiosk.screen_name == "attract"
    session = kiosk.app.journey.session
    assert session.demarche is None and not session.history and not session.started


def test_close_returns_to_the_citizen_untouched(kiosk):
    to_demarche(kiosk)
    session = kiosk.app.journey.session
    history = list(session.history)
    open_panel(kiosk)
    kiosk.tap("staff:explore")
    assert session.explore_by_touch
    kiosk.tap("staff:explore")
    kiosk.tap("staff:explore")   # explore by touch: the first touch reads, the second acts
    assert not session.explore_by_touch
    kiosk.tap("staff:close")
    assert kiosk.screen_name == "demarche"
    assert session.demarche == "carte-vitale" and session.history == history
    kiosk.key(F12)
    kiosk.key(ESCAPE)
    assert kiosk.screen_name == "demarche", "Escape on the PIN screen cancels"


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
@pytest.mark.parametrize("mode", ["normal", "high-contrast", "largest-text"])
def test_mediator_screens_pass_the_audit(kiosk, orientation, mode, tmp_path):
    from kiosk.quality.audit import audit_screen
    from kiosk.quality.tour import go_to

    if orientation == "landscape":
        kiosk.resize(1920, 1080)
    code = [f"staff:digit:{d}" for d in pin(kiosk)]
    stops = {"pin": ["start", "staff:open", "staff:digit:1"],
             "pin-wrong": ["staff:open", "staff:digit:1", "staff:ok"],
             "panel": ["start", "staff:open"] + code + ["staff:ok"]}
    for name, events in stops.items():
        go_to(kiosk, events, mode)
        assert audit_screen(kiosk, mode) == [], (orientation, mode, name)
        kiosk.screenshot(tmp_path / f"{name}-{orientation}-{mode}.png")
