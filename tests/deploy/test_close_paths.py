"""The kiosk cannot be closed by a citizen (issue 9, section 1).

The real kiosk (`python -m kiosk run`, demo settings) runs on a private Xvfb under matchbox, the
window manager older provisioning used, with its default shortcuts (Alt+F4 and Alt+C close the
focused window). Every close path is sent; after each, the kiosk must still be running and still
answer: a key changes the screen (Return opens the next screen, Escape comes back). Kivy handles
X events in order, so a screen that changes after the close request proves the request was
handled and refused, not merely not yet seen.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.x11 import have, run, screenshot, start_xvfb, wait_until

REPO = Path(__file__).resolve().parent.parent.parent
TITLE = "France Services"

pytestmark = pytest.mark.ui


class Session:
    """Xvfb + matchbox for the module; the kiosk started again only if a close path ended it."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.xvfb, self.display = start_xvfb()
        self.env = dict(os.environ, DISPLAY=self.display)
        self.wm = subprocess.Popen(["matchbox-window-manager", "-use_titlebar", "no"], env=self.env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.kiosk = None
        self.starts = 0

    def ensure_kiosk(self) -> None:
        if self.kiosk is not None and self.kiosk.poll() is None:
            return
        self.starts += 1
        self.log = self.tmp / f"kiosk-{self.starts}.log"
        with open(self.log, "wb") as log:
            self.kiosk = subprocess.Popen(
                [sys.executable, "-m", "kiosk", "run"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                env=dict(self.env, KIOSK_DATA_DIR=str(self.tmp / "data"), KIOSK_SPEECH_PLAYER="null"))
        wait_until(lambda: self.window() or self.kiosk.poll() is not None, 120, "the kiosk window")
        assert self.kiosk.poll() is None, self.log.read_text(errors="replace")[-3000:]

    def window(self) -> str | None:
        for line in run(self.display, "wmctrl", "-l", check=False).stdout.splitlines():
            if TITLE in line:
                return line.split()[0]
        return None

    def close(self) -> None:
        for proc in (self.kiosk, self.wm, self.xvfb):
            if proc is not None:
                proc.terminate()
        for proc in (self.kiosk, self.wm, self.xvfb):
            if proc is None:
                continue
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def desktop(tmp_path_factory):
    missing = have("Xvfb", "matchbox-window-manager", "wmctrl", "xdotool", "import")
    assert not missing, f"install the Debian packages providing {missing} (deploy/bootstrap.sh does)"
    s = Session(tmp_path_factory.mktemp("close-paths"))
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def session(desktop):
    desktop.ensure_kiosk()
    return desktop


def settled(s) -> str:
    """The screen once it stops changing (three equal screenshots in a row)."""
    shots: list[str] = []

    def steady():
        shots.append(screenshot(s.display))
        return s.kiosk.poll() is not None or (len(shots) >= 3 and len(set(shots[-3:])) == 1)

    wait_until(steady, 90, "the screen to settle", interval=0.2)
    return shots[-1]


def still_answers(s, name: str) -> None:
    """The kiosk is alive and its screen changes after a key, then changes back."""
    display, kiosk = s.display, s.kiosk
    for key in ("Return", "Escape"):
        before = settled(s)
        run(display, "xdotool", "key", key)
        wait_until(lambda: kiosk.poll() is not None or screenshot(display) != before, 60,
                   f"the screen to change after {key} (after {name})")
        assert kiosk.poll() is None, (f"the kiosk quit after {name}:\n"
                                      + s.log.read_text(errors="replace")[-2000:])
    settled(s)
    screenshot(display, s.tmp / f"after-{name}.png")


def test_the_kiosk_answers_before_any_close_request(session):
    still_answers(session, "start")


@pytest.mark.parametrize("keys", ["alt+F4", "alt+c", "ctrl+w", "ctrl+q", "Escape"])
def test_window_manager_and_application_shortcuts(session, keys):
    run(session.display, "xdotool", "key", "--clearmodifiers", keys)
    still_answers(session, keys)


def test_wmctrl_close_request(session):
    run(session.display, "wmctrl", "-c", TITLE)
    still_answers(session, "wmctrl-c")


def test_ewmh_close_request_by_window_id(session):
    run(session.display, "wmctrl", "-i", "-c", session.window())
    still_answers(session, "wmctrl-i-c")


def test_the_kiosk_was_never_closed(desktop):
    assert desktop.kiosk.poll() is None
    assert desktop.starts == 1, f"a close path ended the kiosk ({desktop.starts - 1} restarts needed)"
    assert "Leaving application" not in desktop.log.read_text(errors="replace")
