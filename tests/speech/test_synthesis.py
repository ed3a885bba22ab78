"""Real pyttsx3 + espeak-ng synthesis to WAV, through the worker process."""

from __future__ import annotations

import array
import logging
import math
import wave

import pytest

from kiosk.devices.speech_worker import split_first_sentence

FR_SHORT = "Bonjour."
FR_LONG = ("Bonjour. Bienvenue à France Services. Ici, on vous aide pour vos démarches. "
           "Touchez le bouton de la démarche que vous cherchez.")
EN_SHORT = "Hello."
EN_LONG = ("Hello. Welcome to France Services. Here we help you with your paperwork. "
           "Touch the button of the procedure you are looking for.")


def wav_stats(path) -> tuple[float, float, int]:
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        frames = w.readframes(w.getnframes())
        rate = w.getframerate()
    samples = array.array("h", frames)
    rms = math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))
    return len(samples) / rate, rms, rate


@pytest.mark.parametrize("lang, short, long", [("fr", FR_SHORT, FR_LONG), ("en", EN_SHORT, EN_LONG)])
def test_real_wav_duration_grows_with_text(speaker, tmp_path, lang, short, long):
    d_short = speaker.render(short, lang, tmp_path / "short.wav")
    d_long = speaker.render(long, lang, tmp_path / "long.wav")
    assert d_short is not None and d_long is not None
    assert 0.3 < d_short < 3.0
    assert d_long > 4.0
    assert d_long > 4 * d_short
    duration, rms, rate = wav_stats(tmp_path / "long.wav")
    assert rate == 22050
    assert duration == pytest.approx(d_long)
    assert rms > 300, "the WAV is (nearly) silent"


def test_each_language_gets_its_own_voice(speaker, tmp_path):
    chosen = speaker.voices(["fr", "en"])["chosen"]
    assert chosen["fr"].endswith("/fr") or "fr" in chosen["fr"]
    assert "en" in chosen["en"]
    # the same letters read by two voices do not sound the same
    speaker.render("Madame Dupont", "fr", tmp_path / "fr.wav")
    speaker.render("Madame Dupont", "en", tmp_path / "en.wav")
    assert (tmp_path / "fr.wav").read_bytes() != (tmp_path / "en.wav").read_bytes()


def test_missing_language_falls_back_with_one_warning(speaker, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="kiosk.devices.speaker")
    for i in range(3):
        assert speaker.render("Bonjour", "zz", tmp_path / f"zz{i}.wav") > 0.2
    warnings = [r for r in caplog.records if "no speech voice for language 'zz'" in r.getMessage()]
    assert len(warnings) == 1
    chosen = speaker.voices(["zz"])["chosen"]
    assert chosen["zz"] == speaker.voices(["fr"])["chosen"]["fr"]


def test_regional_language_codes_use_the_base_voice(speaker):
    chosen = speaker.voices(["fr-FR", "en_GB"])["chosen"]
    assert chosen["fr-FR"] == chosen.get("fr-FR") and "fr" in chosen["fr-FR"]
    assert "en" in chosen["en_GB"]


def test_slow_rate_is_slower(speaker, tmp_path):
    normal = speaker.render(FR_LONG, "fr", tmp_path / "n.wav")
    speaker.set_rate("slow")
    slow = speaker.render(FR_LONG, "fr", tmp_path / "s.wav")
    assert slow > normal * 1.15
    speaker.reset_for_new_session()
    assert speaker.rate == "normal"
    again = speaker.render(FR_LONG, "fr", tmp_path / "n2.wav")
    assert again == pytest.approx(normal, rel=0.05)


def test_volume_changes_the_amplitude_and_resets(speaker, tmp_path):
    speaker.set_volume(0.2)
    speaker.render(FR_SHORT, "fr", tmp_path / "quiet.wav")
    speaker.reset_for_new_session()
    speaker.render(FR_SHORT, "fr", tmp_path / "moderate.wav")
    speaker.set_volume(1.0)
    speaker.render(FR_SHORT, "fr", tmp_path / "loud.wav")
    quiet, moderate, loud = (wav_stats(tmp_path / f"{n}.wav")[1] for n in ("quiet", "moderate", "loud"))
    assert quiet < moderate < loud


def test_first_sentence_is_split_off():
    assert split_first_sentence("Bonjour. Vous êtes ici. Touchez.") == ["Bonjour.", "Vous êtes ici. Touchez."]
    assert split_first_sentence("Sans point") == ["Sans point"]
    assert split_first_sentence("  ") == []
    assert split_first_sentence("M. Dupont est là. Oui !") == ["M. Dupont est là.", "Oui !"]
