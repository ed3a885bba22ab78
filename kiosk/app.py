"""Wiring: config, content, stats and devices into the Kivy app."""

from __future__ import annotations

import logging

from kiosk import paths
from kiosk.core.catalogue import load_catalogue
from kiosk.core.config import Config
from kiosk.core.stats import Stats

log = logging.getLogger(__name__)


def window_size(config: Config, orientation: str | None = None) -> tuple[int, int]:
    """The window size for the configured (or given) orientation."""
    w, h = config.screen["width"], config.screen["height"]
    orientation = orientation or config.screen["orientation"]
    if (orientation == "portrait") != (h >= w):
        w, h = h, w
    return w, h


def create_app(config: Config, *, fullscreen: bool | None = None, orientation: str | None = None,
               clock=None, with_devices: bool = True, maxfps: int = 60):
    """Build the KioskApp (not started). Kivy is configured here, before its window exists.

    maxfps=0 lets tools and tests run frames back to back.
    """
    from kiosk.ui.bootstrap import prepare_kivy

    width, height = window_size(config, orientation)
    prepare_kivy(width, height, config.screen["fullscreen"] if fullscreen is None else fullscreen, maxfps)
    from kiosk.ui.app import KioskApp

    catalogue = load_catalogue()
    stats = Stats(paths.data_dir() / "stats.sqlite3", set(catalogue.demarches),
                  set(config.languages["available"]))
    kwargs = {"stats": stats}
    if clock is not None:
        kwargs["clock"] = clock
    return KioskApp(config, catalogue, **kwargs)
