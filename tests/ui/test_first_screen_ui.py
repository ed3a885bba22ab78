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


STYLE_SCRIPT = r"""
import json, os
from pathlib import Path
from kiosk.ui.bootstrap import ensure_display
ensure_display()
from kiosk.app import create_app
from kiosk.core.config import load_config
app = create_app(load_config(None), fullscreen=False, maxfps=0)
import kivy
from kivy.clock import Clock
from kivy.graphics import Rectangle
from kivy.lang import Builder
from kiosk.ui.widgets.text import KioskLabel

seen = {"data_dir": kivy.kivy_data_dir,
        "style": str(Path(kivy.kivy_data_dir, "style.kv").resolve()),
        "shaders": os.path.isfile(os.path.join(kivy.kivy_shader_dir, "default.vs")),
        "rules": sorted({selector.key for selector, _rule in Builder.rules})}

def drawn(_dt):
    labels = [w for w in app.root.walk() if isinstance(w, KioskLabel) and w.text]
    seen["labels"] = len(labels)
    seen["labels_drawn"] = sum(any(isinstance(i, Rectangle) and i.texture is w.texture
                                   for i in w.canvas.children) for w in labels)
    app.stop()

Clock.schedule_once(drawn, 1.0)
app.run()
print(json.dumps(seen))
"""


def test_kivy_reads_the_kiosks_own_style(tmp_path):
    """Kivy's style.kv (rules for all its widgets, ~50 ms to parse) is replaced by the kiosk's
    six rules, through a folder of links that a start repairs (here: a stale style link and a
    leftover entry)."""
    from kiosk.ui.bootstrap import KIOSK_STYLE

    data = tmp_path / "data"
    links = data / "kivy" / "data"
    links.mkdir(parents=True)
    (links / "style.kv").symlink_to(tmp_path / "elsewhere.kv")
    (links / "leftover").symlink_to(tmp_path)
    env = dict(os.environ, KIOSK_DATA_DIR=str(data), RUNTIME_DIRECTORY=str(tmp_path / "run"),
               KIOSK_SPEECH_PLAYER="null")
    env.pop("KIVY_DATA_DIR", None)
    env.pop("KIVY_HOME", None)
    (tmp_path / "run").mkdir(mode=0o700)
    out = subprocess.run([sys.executable, "-c", STYLE_SCRIPT], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["data_dir"] == str(links)
    assert seen["style"] == str(KIOSK_STYLE)
    assert not (links / "leftover").exists()
    assert seen["shaders"]
    assert {"label", "relativelayout", "scrollview", "stencilview", "screenmanager", "image"} <= set(seen["rules"])
    assert "switch" not in seen["rules"] and "button" not in seen["rules"]
    assert seen["labels"] >= 5 and seen["labels_drawn"] == seen["labels"]
