"""Fixtures for the speaker tests: real pyttsx3 + espeak-ng in the real worker process.

Playback goes to the real-time null sink (`player="null"`): these machines have no sound card,
and no stock player takes the audio's duration without one (see kiosk/devices/audio_player.py).
"""

from __future__ import annotations

import os
import shlex
import sys
import time

import pytest

from kiosk.devices.speaker import Speaker


def wait_for(predicate, timeout: float = 5.0, step: float = 0.005):
    """Poll `predicate` until it returns something truthy; return it (or None on timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def events(speaker: Speaker, kind: str, utt: int | None = None) -> list[dict]:
    return [e for e in list(speaker.events) if e.get("ev") == kind and (utt is None or e.get("utt") == utt)]


def last_utt(speaker: Speaker) -> int:
    return speaker._sent_utt


@pytest.fixture
def make_speaker(tmp_path):
    made: list[Speaker] = []

    def make(**kwargs) -> Speaker:
        kwargs.setdefault("player", "null")
        kwargs.setdefault("cache_dir", tmp_path / "cache")
        speaker = Speaker(**kwargs)
        made.append(speaker)
        assert speaker.wait_ready(15), "speech worker did not start"
        return speaker

    yield make
    for speaker in made:
        speaker.close(timeout=2)


@pytest.fixture
def speaker(make_speaker) -> Speaker:
    s = make_speaker()
    assert s.available, s.unavailable_reason
    return s


def recording_argv(folder) -> list[str]:
    """A real player command that keeps a copy of each WAV it is given (and plays nothing).

    The speaker appends the WAV path, which `sh -c SCRIPT` receives as $0.
    """
    return ["sh", "-c", f'n=$(ls {shlex.quote(str(folder))} | wc -l); '
                        f'cp "$0" {shlex.quote(str(folder))}/$(printf %04d "$n").wav']


def played_files(folder, min_seconds: float = 0.1) -> list:
    import wave

    out = []
    for path in sorted(folder.glob("*.wav")):
        with wave.open(str(path), "rb") as w:
            if w.getnframes() / w.getframerate() >= min_seconds:  # skip the silent probe
                out.append(path)
    return out


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purpose
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


PYTHON_WITHOUT_PYTTSX3 = [sys.executable, "-I", "-S"]
