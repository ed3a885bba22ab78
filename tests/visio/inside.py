"""Counterparts for the call tests that run INSIDE the private network namespace
(tests/visio/private_network.py): Janus with the repository's deploy/janus configuration, the hub,
and Debian's Chromium with fake camera and microphone. Imported by the inside_*.py test modules."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import requests

from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
JANUS_HTTP = "http://127.0.0.1:8088/janus"
JANUS_WS = "ws://127.0.0.1:8188/"
ADMIN_KEY = "test-admin-key"

# tests only: fake devices and the permission prompt answered; production grants camera and
# microphone through the managed policy instead (kiosk/devices/visio_browser.py)
BROWSER_ARGS = ["--no-sandbox", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream=fps=30",
                "--disable-features=WebRtcHideLocalIpsWithMdns,MediaRouter,OptimizationHints",
                "--allow-loopback-in-peer-connection", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--disable-default-apps", "--no-first-run",
                "--autoplay-policy=no-user-gesture-required"]


def in_private_network() -> bool:
    """True inside the namespace made by private_network.py (a veth named vk0 exists only there)."""
    return {name for _, name in socket.if_nameindex()} == {"lo", "vk0", "vk1"}


class Janus:
    """Janus 1.1.2 in the foreground with deploy/janus's files (admin key changed for the test)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Janus":
        assert in_private_network(), "Janus may only run inside the private network namespace"
        self.folder.mkdir(parents=True, exist_ok=True)
        for source in (ROOT / "deploy" / "janus").glob("*.jcfg"):
            text = source.read_text().replace('"/etc/janus"', f'"{self.folder}"')
            text = text.replace('"kiosk-visio-admin-key"', f'"{ADMIN_KEY}"')
            (self.folder / source.name).write_text(text)
        self.log = open(self.folder / "janus.log", "ab")
        self.proc = subprocess.Popen(["janus", "-C", str(self.folder / "janus.jcfg"), "-F", str(self.folder)],
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(self.ready, 30, what="Janus to answer on 127.0.0.1:8088")
        return self

    def ready(self) -> bool:
        assert self.proc.poll() is None, (self.folder / "janus.log").read_text()[-3000:]
        try:
            return requests.get(JANUS_HTTP + "/info", timeout=1).ok
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()


def hub_env() -> dict:
    return {"KIOSK_HUB_JANUS_URL": JANUS_HTTP, "KIOSK_HUB_JANUS_WS": JANUS_WS,
            "KIOSK_HUB_JANUS_ADMIN_KEY": ADMIN_KEY}


def set_hub_env() -> None:
    os.environ.update(hub_env())


def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)


def media_stats(page, handle: str = "window.call") -> dict:
    return page.evaluate(f"() => {handle}.stats()")


def wait_frames(page, handle: str = "window.call", frames: int = 30, timeout: float = 20) -> dict:
    """Wait until the page decoded `frames` remote video frames and some remote audio; the stats."""
    def enough():
        s = media_stats(page, handle)
        return s if s["framesDecoded"] >= frames and s["audioBytes"] > 0 else None
    return wait_until(enough, timeout, what=f"{frames} remote frames and audio", interval=0.1)


def rmtree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
