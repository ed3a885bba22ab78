"""`kiosk speak` / `kiosk speech …`, and the real-time null sink used as the test player."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import wave

from kiosk.cli import main
from kiosk.devices.speaker import NULL_PLAYER_SCRIPT, player_argv
from kiosk.devices.speech_worker import write_silence


def test_speak_to_wav(tmp_path, capsys):
    out = tmp_path / "dit.wav"
    assert main(["speak", "Bonjour, votre dossier est prêt.", "--lang", "fr", "--wav", str(out)]) == 0
    with wave.open(str(out), "rb") as w:
        assert w.getnframes() / w.getframerate() > 1.0
    assert str(out) in capsys.readouterr().out


def test_speak_aloud_without_a_sound_card_says_why(capsys):
    rc = main(["speak", "Bonjour", "--player", "aplay -q -D kiosk_no_such_card"])
    assert rc == 1
    assert "loudspeaker" in capsys.readouterr().err


def test_speak_through_the_null_sink():
    started = time.monotonic()
    assert main(["speak", "Bonjour.", "--player", "null"]) == 0
    assert time.monotonic() - started > 0.5  # it waited for the audio to be played


def test_voices_lists_french_and_english(capsys):
    assert main(["speech", "voices"]) == 0
    out = capsys.readouterr().out
    assert "fr: roa/fr" in out and "en: gmw/en" in out


def test_prerender_fills_the_data_dir(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    assert main(["speech", "prerender"]) == 0
    from kiosk.core.config import load_config
    from kiosk.devices.speaker import PROMPTS

    languages = load_config(None).languages["available"]
    # every fixed prompt in every language offered, at both rates
    assert len(list((tmp_path / "speech-cache").glob("*.wav"))) == len(PROMPTS) * len(languages) * 2


def test_check_reports_a_missing_card(capsys):
    assert main(["speech", "check", "--player", "aplay -q -D kiosk_no_such_card"]) == 1
    assert "no_sound_card" in capsys.readouterr().out
    assert main(["speech", "check", "--player", "null"]) == 0


def test_null_sink_paces_in_real_time_and_stops_at_once(tmp_path):
    wav = tmp_path / "silence.wav"
    write_silence(str(wav), 0.6)
    started = time.monotonic()
    subprocess.run(player_argv("null") + [str(wav)], check=True, capture_output=True)
    assert 0.55 < time.monotonic() - started < 1.0

    write_silence(str(wav), 5.0)
    proc = subprocess.Popen([sys.executable, "-I", "-S", str(NULL_PLAYER_SCRIPT), str(wav)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().startswith("first-sample ")
    time.sleep(0.2)
    asked = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait(2)
    assert time.monotonic() - asked < 0.1
