"""A real start of the kiosk (bench/_startup_child.py, untimed) on a real X server: the first
screen is drawn once and the loop then has nothing left to draw. Kivy used to draw it a second
time for the window's first exposure, and a loudspeaker found missing, or a microphone model
found absent, redrew it again a moment later."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.ui.bootstrap import ensure_display

ROOT = Path(__file__).resolve().parents[2]


def start(target: str, tmp_path: Path, **env) -> dict:
    ensure_display()
    env = dict(os.environ, KIOSK_DATA_DIR=str(tmp_path / "data"), **env)
    proc = subprocess.run([sys.executable, "-m", "bench._startup_child", target, "1080", "1920"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    return json.loads(lines[-1])


@pytest.mark.parametrize("player", ["", "null"])   # "": aplay, with or without a sound card
def test_the_first_screen_is_drawn_once(tmp_path, player):
    env = {"KIOSK_SPEECH_PLAYER": player} if player else {}
    for _ in range(2):   # the first start also writes Kivy's settings and the content cache
        out = start("kiosk", tmp_path, **env)
        assert out["settled"], out
        assert out["first_frame"] == out["interactive"], out
        assert out["main"] < out["prepare_kivy"] < out["run_prepare"] < out["on_start"] < out["first_frame"]


def test_the_bare_kivy_reference_starts_too(tmp_path):
    out = start("hello", tmp_path)
    assert out["settled"] and out["on_start"] < out["first_frame"] <= out["interactive"], out


def test_the_sdl_library_is_found_among_those_loaded(tmp_path):
    from kiosk.ui.first_frame import loaded_sdl_library

    maps = tmp_path / "maps"
    maps.write_text(
        "7f00 r-xp 0 08:01 1 /usr/lib/x86_64-linux-gnu/libSDL2_ttf-2.0.so.0.2000.1\n"
        "7f01 r-xp 0 08:01 2 /venv/site-packages/Kivy.libs/libSDL2-2-d9872e50.0.so.0.3000.7\n")
    assert loaded_sdl_library(str(maps)).endswith("libSDL2-2-d9872e50.0.so.0.3000.7")
    maps.write_text("7f00 r-xp 0 08:01 1 /usr/lib/x86_64-linux-gnu/libSDL2-2.0.so.0.2600.5\n")
    assert loaded_sdl_library(str(maps)).endswith("libSDL2-2.0.so.0.2600.5")
    maps.write_text("7f00 r-xp 0 08:01 1 /usr/lib/x86_64-linux-gnu/libSDL2_image-2.0.so.0\n")
    assert loaded_sdl_library(str(maps)) is None
    assert loaded_sdl_library(str(tmp_path / "none")) is None
