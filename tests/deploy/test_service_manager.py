"""sd_notify as systemd receives it: datagrams on a unix socket named by $NOTIFY_SOCKET.

There is no systemd as PID 1 on the test machines, so the test plays systemd's part: it binds
the socket, starts a real Kivy app on Xvfb that pings through kiosk.devices.service_manager from
its clock, and checks that the pings stop when the UI loop freezes while the process lives on.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.devices import service_manager

HERE = Path(__file__).parent
REPO = HERE.parent.parent


def _listen(address) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(address)
    return sock


def _messages(sock: socket.socket, until, timeout: float) -> list[str]:
    """Datagrams received until `until(messages)` is true; fails at the deadline."""
    got: list[str] = []
    deadline = time.monotonic() + timeout
    while not until(got):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out after {timeout} s; received {got!r}")
        sock.settimeout(left)
        try:
            got.append(sock.recv(4096).decode())
        except socket.timeout:
            continue
    return got


def test_ready_status_and_watchdog_reach_a_path_socket(tmp_path, monkeypatch):
    path = tmp_path / "notify"
    with _listen(str(path)) as sock:
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        assert service_manager.notify_ready("Ready.") is True
        assert service_manager.notify_watchdog() is True
        assert service_manager.notify_status("Printer: no paper.") is True
        assert service_manager.notify_stopping() is True
        got = _messages(sock, lambda m: len(m) == 4, 5)
    assert got[0].split("\n") == ["READY=1", "STATUS=Ready."]
    assert got[1] == "WATCHDOG=1"
    assert got[2] == "STATUS=Printer: no paper."
    assert got[3].split("\n")[0] == "STOPPING=1"


def test_abstract_socket_names_start_with_at(monkeypatch):
    name = f"kiosk-test-notify-{os.getpid()}-{time.monotonic_ns()}"
    with _listen(b"\0" + name.encode()) as sock:
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert service_manager.notify_watchdog() is True
        assert _messages(sock, lambda m: len(m) == 1, 5) == ["WATCHDOG=1"]


def test_outside_systemd_nothing_is_sent_and_nothing_fails(tmp_path, monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert service_manager.notify_ready() is False
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone"))  # supervisor went away
    assert service_manager.notify_watchdog() is False


def test_watchdog_interval_is_half_of_watchdog_usec(monkeypatch):
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    assert service_manager.watchdog_interval() is None
    monkeypatch.setenv("WATCHDOG_USEC", "20000000")
    assert service_manager.watchdog_interval() == 10.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert service_manager.watchdog_interval() == 10.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getppid()))  # our parent is the main process (cage)
    assert service_manager.watchdog_interval() == 10.0
    monkeypatch.setenv("WATCHDOG_PID", "999999999")  # meant for another process
    assert service_manager.watchdog_interval() is None
    monkeypatch.delenv("WATCHDOG_PID")
    monkeypatch.setenv("WATCHDOG_USEC", "garbage")
    assert service_manager.watchdog_interval() is None


@pytest.fixture(scope="module")
def display():
    from kiosk.ui.bootstrap import ensure_display

    ensure_display()
    return os.environ["DISPLAY"]


@pytest.mark.ui
def test_a_frozen_kivy_loop_stops_the_watchdog_pings(tmp_path, display):
    watchdog_usec = 1_000_000  # WatchdogSec=1: pings every 0.5 s
    path = tmp_path / "notify"
    freeze = tmp_path / "freeze"
    env = dict(os.environ, NOTIFY_SOCKET=str(path), WATCHDOG_USEC=str(watchdog_usec),
               KIVY_HOME=str(tmp_path / "kivy"), PYTHONPATH=str(REPO))
    env.pop("WATCHDOG_PID", None)
    with _listen(str(path)) as sock:
        app = subprocess.Popen([sys.executable, str(HERE / "watchdog_app.py"), str(freeze)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            got = _messages(sock, lambda m: any(x.startswith("READY=1") for x in m)
                            and m.count("WATCHDOG=1") >= 4, 60)
            assert app.poll() is None
            freeze.touch()
            _messages(sock, lambda m: any("freezing" in x for x in m), 10)
            # systemd restarts a service whose pings stop for WatchdogSec; wait three times that.
            sock.settimeout(3 * watchdog_usec / 1e6)
            with pytest.raises(socket.timeout):
                late = sock.recv(4096)
                pytest.fail(f"a frozen loop still sent {late!r}")
            assert app.poll() is None, "the process must still be alive: only the watchdog sees it"
        finally:
            app.kill()
            _, err = app.communicate(timeout=30)
    assert got.count("WATCHDOG=1") >= 4
    assert b"Traceback" not in err, err.decode(errors="replace")


def _pings_after_ready(messages: list[str]) -> int:
    ready = next((i for i, x in enumerate(messages) if x.startswith("READY=1")), None)
    return -1 if ready is None else messages[ready:].count("WATCHDOG=1")


@pytest.mark.ui
def test_the_real_kiosk_says_ready_then_pings_from_its_loop(tmp_path, display):
    """`python -m kiosk run` under a watchdog: READY=1 once its first screen is up, then
    WATCHDOG=1 at half the interval; a stopped process (SIGSTOP) falls silent, and speaks again
    when continued."""
    import signal

    watchdog_usec = 2_000_000
    path = tmp_path / "notify"
    env = dict(os.environ, NOTIFY_SOCKET=str(path), WATCHDOG_USEC=str(watchdog_usec),
               KIOSK_DATA_DIR=str(tmp_path / "data"), KIOSK_SPEECH_PLAYER="null")
    env.pop("WATCHDOG_PID", None)
    # stderr to a file: the kiosk's children (speech worker, player) share it, and a pipe would
    # keep the test waiting for the last of them after the kiosk is killed
    err_file = tmp_path / "kiosk.err"
    with _listen(str(path)) as sock:
        kiosk = subprocess.Popen([sys.executable, "-m", "kiosk", "run"], cwd=REPO, env=env,
                                 stdout=subprocess.DEVNULL, stderr=err_file.open("wb"))
        try:
            got = _messages(sock, lambda m: _pings_after_ready(m) >= 3, 90)
            kiosk.send_signal(signal.SIGSTOP)
            sock.settimeout(0.2)
            try:  # drain what was already sent before the stop
                while True:
                    sock.recv(4096)
            except socket.timeout:
                pass
            sock.settimeout(3 * watchdog_usec / 1e6)
            with pytest.raises(socket.timeout):
                late = sock.recv(4096)
                pytest.fail(f"a stopped kiosk still sent {late!r}")
            kiosk.send_signal(signal.SIGCONT)
            _messages(sock, lambda m: "WATCHDOG=1" in m, 30)
        finally:
            kiosk.kill()
            kiosk.wait(30)
            err = err_file.read_bytes()
    assert any(x.startswith("READY=1") for x in got)
    assert b"Traceback" not in err, err.decode(errors="replace")[-3000:]
