"""The six coming languages each get their own espeak-ng voice (never a silent fallback to
French), and vowelled Arabic is synthesised to real audio."""

from __future__ import annotations

import wave

from kiosk.core.catalogue import LANGUAGES

SAMPLES = {
    "ar": "مَرْحَبًا بِكُمْ فِي فْرَانْس سِيرْفِيس.",
    "es": "Bienvenido a France Services.",
    "pt": "Bem-vindo à France Services.",
    "tr": "France Services'e hoş geldiniz.",
    "ro": "Bine ați venit la France Services.",
    "uk": "Ласкаво просимо до France Services.",
}


def test_every_content_language_has_its_own_voice(speaker):
    chosen = speaker.voices(LANGUAGES)["chosen"]
    assert set(chosen) == set(LANGUAGES)
    for lang in LANGUAGES:
        assert chosen[lang] and chosen[lang].split("/")[-1].split("-")[0] == lang, (lang, chosen[lang])
    assert len(set(chosen.values())) == len(LANGUAGES)


def test_each_new_language_is_synthesised(speaker, tmp_path):
    for lang, text in SAMPLES.items():
        duration = speaker.render(text, lang, tmp_path / f"{lang}.wav")
        assert duration and duration > 1.0, lang
        with wave.open(str(tmp_path / f"{lang}.wav"), "rb") as w:
            assert w.getnframes() > 0
