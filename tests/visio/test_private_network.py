"""The call tests run inside a private network namespace with a packet capture (see
private_network.py): each inside_*.py module is one pytest run in its own namespace; this outer
test checks that it passed, that media really flowed, and that every captured packet went from
127.0.0.1 to 127.0.0.1."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.visio.private_network import ROOT, command, foreign_packets, read_capture

HERE = Path(__file__).resolve().parent
MODULES = {"inside_spike.py": 1, "inside_calls.py": 10}


def run_inside(module: str, pcap: Path, timeout: float = 600) -> tuple[str, list[str]]:
    argv = [sys.executable, "-m", "pytest", str(HERE / module), "-q", "-p", "no:cacheprovider", "-rA"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(command(pcap, argv), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    return output, read_capture(pcap)


@pytest.mark.slow
@pytest.mark.parametrize("module", sorted(MODULES))
def test_calls_inside_a_private_network_send_only_loopback_packets(module, tmp_path):
    output, packets = run_inside(module, tmp_path / "capture.pcap")
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) == MODULES[module], output[-4000:]
    assert not re.search(r"\d+ (failed|skipped|error)", output), output[-4000:]
    media = [p for p in packets if "UDP" in p]
    assert len(media) > 100, f"only {len(media)} UDP packets: no media flowed"
    assert foreign_packets(packets) == [], "packets to or from another address than 127.0.0.1"
