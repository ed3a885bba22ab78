"""Run a command inside a private network namespace made here, and capture every packet it sends.

Janus 1.1.2 never gathers ICE candidates on loopback and then falls back to every other interface,
so the call tests cannot simply bind to 127.0.0.1 on the machine. Instead:

    unshare --net --mount -- python -m tests.visio.private_network PCAP -- COMMAND...

(with a private mount namespace too, so that /etc/chromium can be a tmpfs holding the test's
managed policy) brings up `lo`, turns IPv6 off, adds a veth pair whose one end carries 127.0.0.1/32 (Janus needs a
non-loopback interface to bind on), starts tcpdump on every interface of the namespace, runs
COMMAND, stops the capture and exits with COMMAND's status. `foreign_packets(pcap)` then lists
every captured packet that is not 127.0.0.1 -> 127.0.0.1 (it must be empty).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETUP = [
    # a private /etc/chromium (tmpfs) for the managed policy the tests write: the machine's is untouched
    ["mount", "--make-rprivate", "/"],
    ["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/etc/chromium"],
    ["mkdir", "-p", "/etc/chromium/policies/managed"],
    ["sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1"],
    ["sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1"],
    ["ip", "link", "set", "lo", "up"],
    ["ip", "link", "add", "vk0", "type", "veth", "peer", "name", "vk1"],
    ["ip", "addr", "add", "127.0.0.1/32", "dev", "vk0"],
    ["ip", "link", "set", "vk0", "up"],
    ["ip", "link", "set", "vk1", "up"],
]
LOOPBACK_PACKET = re.compile(r"^\S+ \S+ \S+\s+(?:In|Out|M|P|B)?\s*IP 127\.0\.0\.1(?:\.\d+)? > 127\.0\.0\.1(?:\.\d+)?[:,]")


def command(pcap: Path, argv: list[str]) -> list[str]:
    """The argv that runs `argv` in a fresh private network namespace with a capture to `pcap`."""
    return ["unshare", "--net", "--mount", "--", sys.executable, "-m", "tests.visio.private_network", str(pcap), "--", *argv]


def read_capture(pcap: Path) -> list[str]:
    out = subprocess.run(["tcpdump", "-nn", "-tttt", "-r", str(pcap)], capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if line.strip()]


def foreign_packets(lines: list[str]) -> list[str]:
    """Captured packets whose source or destination is not 127.0.0.1 (IPv6, ARP, any other address)."""
    return [line for line in lines if not LOOPBACK_PACKET.match(line)]


def _inside(pcap: str, argv: list[str]) -> int:
    # a fresh namespace made by `unshare --net` has only `lo`: anything else means we are on the
    # machine's own network, which must never be reconfigured
    if {name for _, name in socket.if_nameindex()} != {"lo"}:
        print("private_network: not in a fresh network namespace; run through command()", file=sys.stderr)
        return 96
    for step in SETUP:
        subprocess.run(step, check=True)
    capture = subprocess.Popen(["tcpdump", "-i", "any", "-nn", "-U", "-Z", "root", "-w", pcap],
                               stderr=subprocess.PIPE, text=True)
    # tcpdump says "listening on any" once the capture runs; the command must not start before
    said = ""
    while "listening on" not in said:
        line = capture.stderr.readline()
        if not line:
            print(f"private_network: tcpdump did not start: {said}", file=sys.stderr)
            return 97
        said += line
    try:
        return subprocess.run(argv, cwd=ROOT).returncode
    finally:
        capture.send_signal(signal.SIGINT)
        try:
            capture.wait(10)
        except subprocess.TimeoutExpired:
            capture.kill()


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("private_network: run as root (unshare --net)")
    separator = sys.argv.index("--")
    sys.exit(_inside(sys.argv[1], sys.argv[separator + 1:]))
