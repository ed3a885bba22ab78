"""The browser that shows a video call on top of the kiosk: Debian's Chromium in app mode with a
fresh profile folder per call (deleted after, whatever happened), camera and microphone granted by
the managed policy for the call page's origin only, watched and ended by its process id.

On a device it runs under `cage` (one Wayland window, full screen, above the kiosk's session);
elsewhere (tests, a desktop) it runs directly. Test-only flags (fake devices, a debugging port)
come from the caller as `extra_args`; production never passes them.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from kiosk import paths

log = logging.getLogger(__name__)
CHROMIUM = "/usr/bin/chromium"
POLICY_DIR = Path("/etc/chromium/policies/managed")
POLICY_FILE = "kiosk-visio.json"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def managed_policy(origin: str) -> dict:
    """Chromium's managed policy for the kiosk: camera and microphone for `origin` only, nothing kept,
    nothing asked (the same rules as deploy/fleet's chromium-policy.json.j2)."""
    return {
        "VideoCaptureAllowedUrls": [origin],
        "AudioCaptureAllowedUrls": [origin],
        "DefaultGeolocationSetting": 2,
        "DefaultNotificationsSetting": 2,
        "PasswordManagerEnabled": False,
        "AutofillAddressEnabled": False,
        "AutofillCreditCardEnabled": False,
        "BrowserSignin": 0,
        "SyncDisabled": True,
        "MetricsReportingEnabled": False,
        "TranslateEnabled": False,
        "DeveloperToolsAvailability": 2,
        "DownloadRestrictions": 3,
        "PrintingEnabled": False,
    }


def scale_factor(dpi: float) -> float:
    """CSS millimetres become real millimetres on the kiosk's screen (CSS assumes 96 dpi)."""
    return round(max(0.5, min(4.0, dpi / 96.0)), 3)


def browser_args(url: str, profile: Path, scale: float, full_screen: bool = True) -> list[str]:
    args = [f"--user-data-dir={profile}", f"--app={url}", f"--force-device-scale-factor={scale}",
            "--no-first-run", "--no-default-browser-check", "--disable-sync", "--disable-background-networking",
            "--disable-component-update", "--disable-default-apps", "--disable-extensions", "--noerrdialogs",
            "--disable-session-crashed-bubble", "--disable-infobars", "--password-store=basic",
            "--overscroll-history-navigation=0", "--disable-pinch", "--autoplay-policy=no-user-gesture-required",
            # no mDNS responder (it would send multicast), no translation bar, no cast discovery
            "--disable-features=WebRtcHideLocalIpsWithMdns,Translate,MediaRouter,OptimizationHints"]
    if full_screen:
        args.insert(2, "--kiosk")
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox (tests only)
    return args


class VisioBrowser:
    """One browser process for one call. `open(url)`, then `close()` (idempotent); `on_exit(code)`
    is called from a watcher thread when the process ends, whatever the cause."""

    def __init__(self, chromium: str = CHROMIUM, dpi: float = 96.0, under_cage: bool = False,
                 extra_args: tuple[str, ...] = (), runtime_dir: Path | None = None, env: dict | None = None,
                 on_exit=None):
        self.chromium, self.dpi, self.under_cage = chromium, dpi, under_cage
        self.extra_args = tuple(extra_args)
        self.runtime_dir = runtime_dir
        self.env = env
        self.on_exit = on_exit
        self.proc: subprocess.Popen | None = None
        self.profile: Path | None = None
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None

    @staticmethod
    def available(chromium: str = CHROMIUM) -> bool:
        return Path(chromium).exists() or shutil.which(chromium) is not None

    def open(self, url: str) -> None:
        if self.proc is not None:
            raise RuntimeError("this browser already showed a call")
        base = self.runtime_dir or paths.runtime_dir()
        self.profile = Path(tempfile.mkdtemp(prefix="visio-profile-", dir=base))
        argv = [self.chromium, *browser_args(url, self.profile, scale_factor(self.dpi)), *self.extra_args]
        if self.under_cage:
            argv = ["cage", "--", *argv, "--ozone-platform=wayland"]
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, env=self.env, start_new_session=True)
        except OSError:
            self._wipe()
            raise
        self._watcher = threading.Thread(target=self._watch, name="visio-browser", daemon=True)
        self._watcher.start()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self, timeout: float = 5.0) -> None:
        """End the browser (kill), wait for its watcher, then wipe the profile."""
        self.kill(timeout)
        if self._watcher is not None and self._watcher is not threading.current_thread():
            self._watcher.join(timeout)
        self._wipe()

    def kill(self, timeout: float = 5.0) -> None:
        """End the browser by its process group (Chromium's helpers too) and wait for it to be gone.
        SIGKILL at once: nothing in the profile is worth a clean shutdown, and the kiosk shows sooner."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log.error("visio: the browser did not end after SIGKILL")

    def _watch(self) -> None:
        code = self.proc.wait()
        # helpers left in the group (a crashed browser's renderer) go with it
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._wipe()
        if self.on_exit is not None:
            try:
                self.on_exit(code)
            except Exception:  # noqa: BLE001 — a watcher must not die silently with the call
                log.exception("visio: the browser exit handler failed")

    def _wipe(self, within_s: float = 3.0) -> None:
        """Delete the profile folder; a dying helper may still write into it, so try until it is gone."""
        with self._lock:
            if self.profile is None:
                return
            deadline = time.monotonic() + within_s
            while True:
                shutil.rmtree(self.profile, ignore_errors=True)
                if not self.profile.exists() or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            if self.profile.exists():
                log.error("visio: the browser profile folder could not be deleted")
