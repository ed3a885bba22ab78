"""One real kiosk app for the UI tests, in a real window on Xvfb, driven by injected input.

Kivy allows one window per process, so the app is shared and each test starts from a wiped
session on the attract screen.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def driver(tmp_path_factory):
    os.environ["KIOSK_DATA_DIR"] = str(tmp_path_factory.mktemp("kiosk-data"))
    os.environ["RUNTIME_DIRECTORY"] = str(tmp_path_factory.mktemp("kiosk-run"))
    # The real speech worker, playing in real time to a null sink (no sound card here).
    os.environ["KIOSK_SPEECH_PLAYER"] = "null"
    from kiosk.ui.bootstrap import ensure_display

    ensure_display()
    from kiosk.app import create_app, window_size
    from kiosk.core.clock import ManualClock
    from kiosk.core.config import load_config

    config = load_config(None)
    clock = ManualClock()
    app = create_app(config, fullscreen=False, clock=clock, maxfps=0)
    from kiosk.quality.driver import AppDriver

    drv = AppDriver(app, clock).start()
    drv.resize(*window_size(config, "portrait"))
    yield drv
    drv.stop()


@pytest.fixture
def kiosk(driver):
    """The shared app, back on the attract screen with a fresh session, in portrait."""
    driver.draw = True
    app = driver.app
    app.end_session("abandoned")
    if driver.app.display.root.width > driver.app.display.root.height:
        driver.resize(1080, 1920)
    driver.clock.advance(5)
    driver.pump(3)
    assert driver.screen_name == "attract"
    return driver


@pytest.fixture
def fast_kiosk(kiosk):
    """The same app with frames laid out but not painted, for the exhaustive journeys."""
    kiosk.draw = False
    yield kiosk
    kiosk.draw = True
