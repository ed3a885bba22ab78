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


CHILD_EXITS_AT_ONCE = r"""
import os, sys, time
from kiosk.devices.speaker import Speaker
s = Speaker(player="null")
s.say("Bonjour, ceci est une longue phrase pour remplir la file.", "fr")
s.say("Et une autre.", "fr")
deadline = time.monotonic() + 30
while s._proc is None and time.monotonic() < deadline:   # spawned, maybe not started yet
    time.sleep(0.001)
print(s._proc.pid, flush=True)
time.sleep(float(sys.argv[1]))
os._exit(0)   # as a crash or a benchmark's child: no clean-up at all
"""


def test_a_kiosk_gone_without_clean_up_takes_its_worker_along_whatever_it_was_doing(tmp_path):
    """Whether the worker is starting, warming up or speaking when the kiosk vanishes, it ends
    (its SIGTERM handler takes no lock and writes nothing to the kiosk: see _end_now)."""
    env = dict(os.environ, RUNTIME_DIRECTORY=str(tmp_path / "run"))
    workers = []
    for delay in (0.0, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.5):   # the kiosk dies at each moment of its start
        kiosk = subprocess.run([sys.executable, "-c", CHILD_EXITS_AT_ONCE, str(delay)],
                               capture_output=True, text=True, env=env, timeout=60)
        workers.append(int(kiosk.stdout.split()[0]))
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = [w for w in workers if _alive(w)]
    for w in alive:
        os.kill(w, signal.SIGKILL)
    assert not alive, "speech workers outlived their kiosk"
    assert not list((tmp_path / "run").rglob("*.wav")), "and left no audio behind"
