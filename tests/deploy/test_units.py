"""The device's systemd unit and session settings, checked by systemd's own verifier."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent
UNIT = REPO / "deploy" / "systemd" / "kiosk.service"


def _settings(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Za-z]+)=(.*)$", line)
        if m:
            out.setdefault(m.group(1), []).append(m.group(2))
    return out


def test_systemd_analyze_verify_is_clean(tmp_path):
    assert shutil.which("systemd-analyze") and shutil.which("cage"), "install systemd and cage"
    unit = tmp_path / "kiosk.service"
    unit.write_text(UNIT.read_text())
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr.strip() == "" and result.stdout.strip() == "", \
        result.stdout + result.stderr


def test_a_frozen_ui_is_restarted_and_nothing_outlives_the_process():
    s = _settings(UNIT)
    assert s["Type"] == ["notify"] and s["NotifyAccess"] == ["all"]  # the kiosk is cage's child
    assert 10 <= int(s["WatchdogSec"][0]) <= 60
    assert s["Restart"] == ["always"] and s["StartLimitIntervalSec"] == ["0"]
    assert s["RuntimeDirectory"] == ["kiosk"] and s["RuntimeDirectoryMode"] == ["0700"]
    assert s["LimitCORE"] == ["0"] and s["LogLevelMax"] == ["info"]


def test_session_is_cage_as_an_unprivileged_user_without_vt_switching():
    s = _settings(UNIT)
    assert s["User"] == ["kiosk"]
    exec_start = s["ExecStart"][0].split()
    assert exec_start[0] == "/usr/bin/cage"
    cage_options = exec_start[1:exec_start.index("--")]
    assert "-s" not in cage_options  # -s would allow Ctrl+Alt+Fn
    assert exec_start[exec_start.index("--") + 1:][-2:] == ["run", "--fullscreen"]
    assert s["Environment"].count("SDL_VIDEODRIVER=x11") == 1


@pytest.mark.parametrize("key, value", [
    ("NoNewPrivileges", "yes"), ("CapabilityBoundingSet", ""), ("ProtectSystem", "strict"),
    ("ProtectHome", "tmpfs"), ("PrivateTmp", "yes"), ("ProtectKernelModules", "yes"),
    ("RestrictSUIDSGID", "yes"), ("UMask", "0077"),
])
def test_hardening(key, value):
    assert _settings(UNIT)[key] == [value]


def test_kivy_takes_touch_from_one_provider_only(tmp_path):
    """One tap is one tap: after the kiosk's Kivy setup, [input] holds the X pointer alone."""
    code = ("from kiosk.ui.bootstrap import prepare_kivy\n"
            "prepare_kivy(1080, 1920, True)\n"
            "from kivy.config import Config\n"
            "print(sorted(Config.options('input')), Config.get('input', 'mouse'))\n")
    env = dict(os.environ, KIOSK_DATA_DIR=str(tmp_path), KIVY_HOME=str(tmp_path / "kivy"))
    env.pop("DISPLAY", None)
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "['mouse'] mouse,disable_multitouch"
