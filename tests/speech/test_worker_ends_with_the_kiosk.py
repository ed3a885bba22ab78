"""A speech worker never outlives its kiosk: killed with kill -9, the kiosk takes it along."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

CHILD = r"""
import sys, time
from kiosk.devices.speaker import Speaker
s = Speaker(player="null")
deadline = time.monotonic() + 30
while s.worker_pid is None and time.monotonic() < deadline:
    s.say("Bonjour.", "fr")
    time.sleep(0.05)
print(s.worker_pid, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_kill_9_of_the_kiosk_ends_its_speech_worker(tmp_path):
    env = dict(os.environ, RUNTIME_DIRECTORY=str(tmp_path / "run"))
    kiosk = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True, env=env)
    try:
        worker = int(kiosk.stdout.readline())
        assert _alive(worker)
        kiosk.send_signal(signal.SIGKILL)
        kiosk.wait(10)
        deadline = time.monotonic() + 10
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(worker), "the speech worker outlived the kiosk"
        assert not list((tmp_path / "run").rglob("*.wav")), "and left no audio behind"
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
