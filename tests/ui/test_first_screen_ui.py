"""The first screen is drawn before anything it does not show is built (a faster start,
`python -m bench startup`): the alert card comes a moment later. A fresh kiosk process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

FIRST_SCREEN = r"""
import json
from kiosk.ui.bootstrap import ensure_display
ensure_display()
from kiosk.app import create_app
from kiosk.core.config import load_config
app = create_app(load_config(None), fullscreen=False, maxfps=0)   # Kivy is set up here
from kivy.clock import Clock
from kiosk.ui.app import OVERLAY_AFTER_S

seen = {}
ready = app._ready

def when_ready(dt=None):
    seen["card_built_at_first_screen"] = app.display._overlay is not None
    ready(dt)
    Clock.schedule_once(later, OVERLAY_AFTER_S + 0.5)

def later(_dt):
    seen["card_built_later"] = app.display._overlay is not None
    seen["card_shown"] = app.display.overlay_name
    app.stop()

app._ready = when_ready
app.run()
print(json.dumps(seen))
"""


def test_the_alert_card_is_built_after_the_first_screen(tmp_path):
    env = dict(os.environ, KIOSK_DATA_DIR=str(tmp_path / "data"), RUNTIME_DIRECTORY=str(tmp_path / "run"),
               KIOSK_SPEECH_PLAYER="null")
    (tmp_path / "run").mkdir(mode=0o700)
    out = subprocess.run([sys.executable, "-c", FIRST_SCREEN], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen == {"card_built_at_first_screen": False, "card_built_later": True, "card_shown": ""}
