"""Kivy set-up that must happen before Kivy creates its window, and a virtual display if none."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from pathlib import Path

from kiosk import paths

log = logging.getLogger(__name__)
_xvfb: subprocess.Popen | None = None


def ensure_display(width: int = 1920, height: int = 1920) -> None:
    """Start Xvfb on a free display when there is no DISPLAY (CI, audit, screenshots)."""
    global _xvfb
    if os.environ.get("DISPLAY") or _xvfb is not None:
        return
    xvfb = shutil.which("Xvfb")
    if not xvfb:
        raise RuntimeError("No display and no Xvfb: install the xvfb package or run on a screen.")
    for number in range(90, 140):
        if Path(f"/tmp/.X{number}-lock").exists() or Path(f"/tmp/.X11-unix/X{number}").exists():
            continue
        proc = subprocess.Popen(
            [xvfb, f":{number}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                break
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        if proc.poll() is None:
            os.environ["DISPLAY"] = f":{number}"
            _xvfb = proc
            import atexit
            atexit.register(stop_display)
            log.info("started Xvfb on :%d", number)
            return
    raise RuntimeError("Could not start Xvfb on any display from :90 to :139.")


def desktop_size() -> tuple[int, int] | None:
    """The X screen's size in pixels, or None (no X display, no libX11)."""
    import ctypes
    import ctypes.util

    if not os.environ.get("DISPLAY"):
        return None
    try:   # the usual name first: find_library runs ldconfig (tens of ms at every start)
        x11 = ctypes.CDLL("libX11.so.6")
    except OSError:
        try:
            x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so")
        except OSError:
            return None
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultScreen.argtypes = [ctypes.c_void_p]
    x11.XDisplayWidth.argtypes = x11.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(None)
    if not display:
        return None
    try:
        screen = x11.XDefaultScreen(display)
        return x11.XDisplayWidth(display, screen), x11.XDisplayHeight(display, screen)
    finally:
        x11.XCloseDisplay(display)


def stop_display() -> None:
    global _xvfb
    if _xvfb is not None:
        _xvfb.terminate()
        try:
            _xvfb.wait(5)
        except subprocess.TimeoutExpired:
            _xvfb.kill()
        _xvfb = None


def prepare_kivy(width: int, height: int, fullscreen: bool = False, maxfps: int = 60) -> None:
    """Configure Kivy (window, input, logging) before any window exists."""
    import sys

    if "kivy" in sys.modules:
        raise RuntimeError("Kivy was imported before prepare_kivy(): import kiosk.ui modules "
                           "only after kiosk.app.create_app()")
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    # Kivy logs through Python's logging and leaves stderr alone (its default mode swallows it).
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_HOME", str(paths.data_dir() / "kivy"))
    os.environ.setdefault("KIVY_METRICS_DENSITY", "1")
    os.environ.setdefault("KIVY_WINDOW", "sdl2")
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "resizable", "1")
    Config.set("graphics", "multisamples", "0")
    Config.set("graphics", "vsync", "0")
    Config.set("graphics", "maxfps", str(maxfps))
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "keyboard_mode", "system")
    # One finger, one event: a touchscreen reaches us as the X pointer only. The sysfs probe would
    # deliver every tap a second time, and multitouch emulation would draw red dots.
    for option in list(Config.options("input")) if Config.has_section("input") else []:
        Config.remove_option("input", option)
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("postproc", "double_tap_time", "250")
