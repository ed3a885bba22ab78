"""The print card: in a language other than French the citizen chooses to print French too
(for the partner's counter agent) or only their language; the card is said like every choice.

The last test drives the real app (Kivy under Xvfb, the demo preview printer) in a process of
its own, since Kivy allows one window per process and the UI tests keep theirs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from kiosk.core import overlays
from kiosk.core.effects import PrintReceipt
from kiosk.core.i18n import Translator
from kiosk.core.journey import Journey

LANGUAGES = ("fr", "en", "ar", "es", "pt", "tr", "ro", "uk")


@pytest.fixture
def journey(catalogue):
    j = Journey(catalogue, Translator("fr"), languages=LANGUAGES)
    for event in ("start", "theme:sante", "demarche:carte-vitale"):
        j.handle(event)
    j.take_effects()
    return j


def test_print_asks_only_outside_french_and_carries_the_answer(journey):
    journey.handle("print")
    assert journey.take_effects() == [PrintReceipt("carte-vitale", "fr", None)]
    journey.handle("language:uk")
    journey.take_effects()
    for event, bilingual in (("print", None), ("print:bilingual", True), ("print:single", False)):
        journey.handle(event)
        assert journey.take_effects() == [PrintReceipt("carte-vitale", "uk", bilingual)]
    with pytest.raises(ValueError):
        journey.handle("print:everything")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_card_is_in_the_language_on_screen_and_spoken(language):
    _ = Translator(language).gettext
    card = overlays.print_choice(_)
    assert [a.id for a in card.actions] == ["print:bilingual", "print:single", "dismiss"]
    english = overlays.print_choice(Translator("en").gettext)
    if language != "en":
        assert all(mine.label != theirs.label for mine, theirs in zip(card.actions, english.actions))
        assert card.title != english.title
    speech = card.speech()
    for action in card.actions:
        assert action.label in speech
    assert card.blocks[0].items[0] in speech


UI_SCRIPT = textwrap.dedent("""
    import json, os, sys, time
    from kiosk.ui.bootstrap import ensure_display
    ensure_display()
    from kiosk.app import create_app, window_size
    from kiosk.core.clock import ManualClock
    from kiosk.core.config import load_config

    config = load_config(None)
    clock = ManualClock()
    app = create_app(config, fullscreen=False, clock=clock, maxfps=0)
    from kiosk.quality.driver import AppDriver
    kiosk = AppDriver(app, clock).start()
    kiosk.resize(*window_size(config, "portrait"))
    out = {}
    deadline = time.monotonic() + 60
    while app.receipts.service is None and time.monotonic() < deadline:
        kiosk.pump(1)
    for event in ("start", "language:en", "theme:sante", "demarche:carte-vitale"):
        kiosk.act(event)
    shown = []
    original = app.display.present_overlay
    app.display.present_overlay = lambda model, *a, **k: (shown.append(model.name), original(model, *a, **k))[-1]
    kiosk.tap("print")
    out["after_print"] = list(shown)
    out["choice_visible"] = "Also print in French" in kiosk.visible_texts()
    out["spoken"] = app.speech.last
    kiosk.tap("print:bilingual")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "Your summary is printed" not in kiosk.visible_texts():
        kiosk.pump(1)
    out["after_choice"] = list(shown)
    receipt = app.receipts._last_receipt
    out["bilingual"] = receipt is not None and receipt.french is not None
    out["printed"] = "Your summary is printed" in kiosk.visible_texts()
    print("RESULT " + json.dumps(out))
    kiosk.stop()
""")


@pytest.mark.ui
@pytest.mark.slow
def test_the_real_app_offers_french_too_and_prints_both(tmp_path):
    env = {**os.environ, "KIOSK_DATA_DIR": str(tmp_path / "data"), "RUNTIME_DIRECTORY": str(tmp_path / "run"),
           "KIOSK_SPEECH_PLAYER": "null"}
    proc = subprocess.run([sys.executable, "-c", UI_SCRIPT], capture_output=True, text=True, env=env,
                          timeout=300, cwd=str(tmp_path))
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, proc.stdout[-2000:] + proc.stderr[-4000:]
    out = json.loads(lines[-1][len("RESULT "):])
    assert out["after_print"] == ["print-choice"], out        # asked first, nothing printed yet
    assert out["choice_visible"], out
    assert "Also print in French" in out["spoken"] and "Only in my language" in out["spoken"], out
    assert out["after_choice"][1:3] == ["printing", "printed"], out
    assert out["bilingual"] and out["printed"], out
