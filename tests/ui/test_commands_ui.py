"""`kiosk audit` and `kiosk screenshots` as an admin runs them: real processes, real windows."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.ui


def _kiosk(*args, env=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True,
                          timeout=timeout, env=env or os.environ.copy())


def test_audit_finds_no_violation_on_every_screen_in_both_orientations(driver, tmp_path):
    env = dict(os.environ, KIOSK_DATA_DIR=str(tmp_path))
    result = _kiosk("audit", "--quick", env=env, timeout=1800)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    from kiosk.core.config import load_config
    from kiosk.quality.tour import representative_stops

    languages = len(load_config(None).languages["available"])
    # every stop × 2 orientations × 3 modes × every language offered
    assert f"{len(representative_stops()) * 6 * languages} screens checked, 0 violations" in result.stderr


def test_audit_reports_a_violation_and_exits_1(driver, tmp_path):
    # A 1080x1920 panel declared at 300 DPI is a 9 x 16 cm phone: the kiosk's sizes in mm no
    # longer fit, and the audit must say so, line by line.
    config = tmp_path / "tiny.toml"
    from kiosk.core.pin import hash_pin

    config.write_text(f'[screen]\ndpi = 300\n[mediator]\npin_hash = "{hash_pin("1357")}"\n',
                      encoding="utf-8")
    env = dict(os.environ, KIOSK_DATA_DIR=str(tmp_path))
    result = _kiosk("--config", str(config), "audit", "--quick", "--orientation", "portrait", env=env)
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert lines and all(line.startswith("portrait ") for line in lines)
    assert any("clipped" in line or "outside the screen" in line for line in lines)
    assert f"{len(lines)} violations" in result.stderr


def test_screenshots_of_every_screen_in_three_modes(driver, tmp_path):
    from PIL import Image

    env = dict(os.environ, KIOSK_DATA_DIR=str(tmp_path / "data"))
    out = tmp_path / "shots"
    result = _kiosk("screenshots", str(out), "--orientation", "portrait", env=env)  # both: audit
    assert result.returncode == 0, result.stderr[-3000:]
    files = sorted(out.glob("*.png"))
    from kiosk.quality.tour import representative_stops
    assert len(files) == 3 * len(representative_stops())
    for name in ("portrait-normal-themes.png", "portrait-high-contrast-demarche.png",
                 "portrait-largest-text-guide.png", "portrait-normal-overlay-timeout.png",
                 "portrait-normal-search.png", "portrait-high-contrast-mediator-panel.png"):
        image = Image.open(out / name).convert("RGB")
        assert image.size == ((1080, 1920) if name.startswith("portrait") else (1920, 1080))
        assert len(image.getcolors(maxcolors=1 << 20) or []) > 50, f"{name} looks blank"
    dark = Image.open(out / "portrait-high-contrast-themes.png").convert("L").resize((1, 1)).getpixel((0, 0))
    light = Image.open(out / "portrait-normal-themes.png").convert("L").resize((1, 1)).getpixel((0, 0))
    assert dark < 100 < light


def test_the_desktop_size_is_read_from_the_x_server(driver):
    from kiosk.ui import bootstrap

    size = bootstrap.desktop_size()
    assert size is not None and min(size) > 0
    if bootstrap._xvfb is not None:
        assert size == (1920, 1920)  # the Xvfb screen the tests started
