"""No audio of a session outlives its utterance: the disk is looked at after real espeak-ng
synthesis, interrupted speech (one interruption per key typed in the search), a killed worker
and a session wipe.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path

import pytest

from kiosk import paths
from tests.speech.conftest import events, last_utt, wait_for

TWO_SENTENCES = ("Vous cherchez : {word}. Touchez une démarche dans la liste pour la voir en entier, "
                 "ou continuez à écrire.")



def audio_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_runtime_dir_prefers_the_service_manager_folder(runtime):
    assert paths.runtime_dir() == runtime


def test_runtime_dir_without_systemd_is_private(tmp_path, monkeypatch):
    monkeypatch.delenv("RUNTIME_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    folder = paths.runtime_dir()
    assert folder == tmp_path / "kiosk"
    assert folder.stat().st_mode & 0o777 == 0o700
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    fallback = paths.runtime_dir()
    assert fallback.is_dir() and not fallback.is_symlink()
    assert fallback.stat().st_mode & 0o777 == 0o700
    assert fallback.stat().st_uid == os.getuid()


def test_speech_audio_lives_in_the_runtime_dir(runtime, make_speaker):
    s = make_speaker()
    assert Path(s.runtime_dir).parent == runtime


def test_typing_in_the_search_leaves_no_audio(runtime, make_speaker):
    s = make_speaker()
    word = ""
    for letter in "passeport biometrique":
        word += letter
        s.say(TWO_SENTENCES.format(word=word), "fr")  # each key interrupts the previous sentence
        utt = last_utt(s)
        wait_for(lambda: events(s, "player_started", utt), 3)
        time.sleep(0.05)
    s.say("Passeport.", "fr")
    assert s.wait_idle(15)
    assert wait_for(lambda: not audio_files(runtime), 3), [p.name for p in audio_files(runtime)]


def test_stop_mid_sentence_leaves_no_audio(runtime, make_speaker):
    s = make_speaker()
    for _ in range(5):
        s.say(TWO_SENTENCES.format(word="carte grise"), "fr")
        utt = last_utt(s)
        assert wait_for(lambda: events(s, "first_sample", utt), 5)
        s.stop()
        assert s.wait_idle(5)
    assert wait_for(lambda: not audio_files(runtime), 3), [p.name for p in audio_files(runtime)]


def test_killed_worker_leaves_no_audio(runtime, make_speaker):
    s = make_speaker()
    s.say(TWO_SENTENCES.format(word="impôts"), "fr")
    utt = last_utt(s)
    assert wait_for(lambda: events(s, "first_sample", utt), 5)
    assert audio_files(runtime), "a live WAV file exists while speaking"
    old = s.worker_pid
    os.kill(old, signal.SIGKILL)
    assert wait_for(lambda: s.worker_pid not in (None, old), 5)
    assert wait_for(lambda: not audio_files(runtime), 3), [p.name for p in audio_files(runtime)]


def test_session_wipe_purges_and_warns_without_content(runtime, make_speaker, caplog):
    caplog.set_level(logging.INFO, logger="kiosk.devices.speaker")
    s = make_speaker()
    s.say("Bonjour.", "fr")
    assert s.wait_idle(10)
    stray = Path(s.runtime_dir) / "utt-999.wav"
    stray.write_bytes(b"RIFF left behind by a crash")
    s.reset_for_new_session()
    assert wait_for(lambda: not stray.exists(), 5), "the session wipe did not purge the audio"
    warning = wait_for(lambda: [r for r in caplog.records if "audio" in r.getMessage()
                                and r.levelno == logging.WARNING], 5)
    assert warning
    assert "utt-999" not in warning[0].getMessage() and "Bonjour" not in warning[0].getMessage()


def test_close_removes_the_speech_folder(runtime, make_speaker):
    s = make_speaker()
    folder = Path(s.runtime_dir)
    s.say("Au revoir.", "fr")
    s.close(timeout=2)
    assert not folder.exists()
