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


KIOSK_STYLE = paths.ROOT / "kiosk" / "ui" / "style.kv"


def use_kiosk_style() -> None:
    """Have Kivy read the kiosk's style.kv instead of its own; call before Kivy is imported.

    Kivy parses its data/style.kv, rules for every widget it ships, when kivy.lang is imported:
    some 50 ms of each start, for six widgets the kiosk uses. KIVY_DATA_DIR is pointed at a
    folder of links to Kivy's data (shaders, fonts, images) with kiosk/ui/style.kv as style.kv.
    Where links cannot be made, Kivy keeps its own data and style (the kiosk looks the same).
    """
    import importlib.util
    import sys

    if "kivy" in sys.modules or os.environ.get("KIVY_DATA_DIR"):
        return
    spec = importlib.util.find_spec("kivy")
    if spec is None or not spec.submodule_search_locations:
        return
    kivy_data = Path(spec.submodule_search_locations[0]) / "data"
    wanted = {entry.name: entry for entry in kivy_data.iterdir() if entry.name != "style.kv"}
    wanted["style.kv"] = KIOSK_STYLE
    folder = Path(os.environ.get("KIVY_HOME") or paths.data_dir() / "kivy") / "data"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for link in folder.iterdir():
            if link.name not in wanted:
                link.unlink()
        for name, target in wanted.items():
            link = folder / name
            if link.is_symlink() and os.readlink(link) == str(target):
                continue
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(target)
    except OSError as exc:
        log.info("Kivy keeps its own style: %s", exc.__class__.__name__)
        return
    os.environ["KIVY_DATA_DIR"] = str(folder)


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
