"""A short soak (bench/soak.py, untimed): after a warm-up that meets every help level at every
text size in a language of each font, more journeys through every help level, printing and inactivity wipes leave no
widget, texture or descriptor more, and no file behind. A real check, not a timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Journey n: démarche n % 35, help level n % 3, text size (n // 3) % 3, language (n // 9) % 2:
# with two languages (one per font) 36 journeys meet every démarche (hence every list of
# choices, every pool size) and every level at every size; the journeys after them must add
# nothing.
LANGUAGES = "fr,uk"
WARM_UP = 36


def test_journeys_after_the_warm_up_leave_nothing_growing_and_nothing_on_disk(tmp_path):
    env = dict(os.environ, KIOSK_SPEECH_PLAYER="null", TMPDIR=str(tmp_path))
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "soak", "--journeys", str(WARM_UP + 12),
         "--window", str(WARM_UP), "--untimed", "--languages", LANGUAGES],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert out["unexpected"] == [] and out["unexpected_count"] == 0
    growth = out["growth_after_warmup"]
    assert growth["widgets"] <= 0, {k: out[k] for k in ("after_warmup", "end")}
    # a few either way: a pooled button keeps the texture of the last words it showed
    assert growth["textures"] <= 0.02 * out["after_warmup"]["textures"], \
        {k: out[k] for k in ("after_warmup", "end")}
    assert growth["fds"] <= 0, out["fds_added_after_warmup"]   # font files counted apart:
    from bench.soak import FONT_CACHE_BOUND   # Kivy's font cache, one per face and size

    assert out["end"]["font_files_open"] <= FONT_CACHE_BOUND, out["fds_added_after_warmup"]
    assert out["files_left"] == {"data": [], "runtime": []}
    assert out["end"]["rss_speech_worker_kib"], "the speech worker ran through the whole soak"
