"""`python -m bench visio [--calls 6]`: whole video calls through Janus on loopback, inside a private
network namespace made for the run (as the visio tests: tests/visio/private_network.py, root needed).

Each call: the kiosk's VisioSession opens its Chromium on the call page; "Commencer" is touched; the
advisor's console (a second Chromium) takes the call as soon as it is listed; the call runs a few
seconds; both sides type; one side hangs up (advisor and citizen in turn).

Prints one JSON object: setup_ms (touch on "Commencer" to the advisor's first decoded video frame,
taking included: median, p95), remote_fps and remote_resolution at each side (what the kiosk receives
from the advisor, and the advisor from the kiosk), rtt_char_ms (real-time text, typed to shown on the
other side, p95 and median), return_ms (hang-up to the kiosk's session ended with its browser gone:
median, p95), packets captured and foreign_packets (must be 0).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(argv: list[str]) -> dict:
    from tests.visio.private_network import command, foreign_packets, read_capture
    parser = argparse.ArgumentParser(prog="python -m bench visio")
    parser.add_argument("--calls", type=int, default=6)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-visio-") as folder:
        pcap, out = Path(folder) / "capture.pcap", Path(folder) / "result.json"
        inner = [sys.executable, "-m", "bench._visio_inside", "--calls", str(args.calls), "--out", str(out)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(command(pcap, inner), cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"bench visio failed:\n{(done.stdout + done.stderr)[-4000:]}")
        result = json.loads(out.read_text())
        packets = read_capture(pcap)
        result.update(packets=len(packets), foreign_packets=len(foreign_packets(packets)))
    return result
