"""Wiring: config, content, stats and devices into the Kivy app."""

from __future__ import annotations

import logging

from kiosk import paths
from kiosk.core.catalogue_cache import cached_catalogue
from kiosk.core.content_update import active_content_dir
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


def fit_to_desktop(config: Config, desktop: tuple[int, int], orientation: str | None = None) -> Config:
    """A windowed demo on an ordinary monitor: pick the monitor's orientation (unless one was
    asked for) and shrink the window to fit, lowering the DPI by the same factor so that the
    layout stays exactly the one of the real kiosk screen, only smaller."""
    import copy

    dw, dh = desktop
    if orientation is None:
        orientation = config.screen["orientation"]
        if config.source == "demo defaults":
            orientation = "landscape" if dw > dh else "portrait"
    w, h = window_size(config, orientation)
    fits = w <= 0.98 * dw and h <= 0.92 * dh  # a panel and a title bar take some height
    scale = 1.0 if fits else min(0.92 * dw / w, 0.88 * dh / h)  # room for a panel and a title bar
    values = copy.deepcopy(config.values)
    values["screen"]["orientation"] = orientation
    if scale < 1.0:
        values["screen"]["width"] = max(480, round(config.screen["width"] * scale))
        values["screen"]["height"] = max(480, round(config.screen["height"] * scale))
        values["screen"]["dpi"] = max(30, round(config.screen["dpi"] * scale))
    return Config(values=values, source=config.source)


def create_app(config: Config, *, fullscreen: bool | None = None, orientation: str | None = None,
               clock=None, with_devices: bool = True, maxfps: int = 60):
    """Build the KioskApp (not started). Kivy is configured here, before its window exists.

    maxfps=0 lets tools and tests run frames back to back.
    """
    from kiosk.core.idle_gc import tune_allocator
    from kiosk.ui.bootstrap import prepare_kivy, use_kiosk_style

    tune_allocator()   # before Kivy and the workers allocate: a day's memory stays flat
    width, height = window_size(config, orientation)
    use_kiosk_style()
    prepare_kivy(width, height, config.screen["fullscreen"] if fullscreen is None else fullscreen, maxfps)
    from kiosk.ui.app import KioskApp

    # the hub's last accepted content if any, else the bundled one; checked again when it changes
    catalogue = cached_catalogue(paths.data_dir() / "cache", active_content_dir(paths.data_dir()))
    stats = Stats(paths.data_dir() / "stats.sqlite3", set(catalogue.demarches),
                  set(config.languages["available"]))
    kwargs = {"stats": stats}
    if clock is not None:
        kwargs["clock"] = clock
    if with_devices:
        kwargs["print_service_factory"] = lambda: open_print_service(config)
        kwargs["speaker"] = open_speaker(config, start_worker=False)   # started by the app
        if config.devices["voice_input"]:
            kwargs["listener_factory"] = lambda language: open_listener(config, language)
        kwargs["hub_factory"] = lambda: open_hub_link(config)
    return KioskApp(config, catalogue, **kwargs)


def open_print_service(config: Config):
    """The printer behind a non-blocking service; None for 'none'.

    Slow (python-escpos reads its printer database, ~0.5 s): the app calls it off the UI thread.
    """
    from kiosk.devices.printer import open_printer
    from kiosk.devices.printer.service import PrintService

    uri = config.devices["printer"]
    if uri == "none":
        return None
    return PrintService(open_printer(uri, preview_keep_seconds=config.devices["preview_keep_seconds"]))


def open_speaker(config: Config, start_worker: bool = True):
    """The speech device; it reports itself unavailable (never raises) without espeak-ng or sound.
    `start_worker=False`: its worker process starts at `speaker.start()`."""
    from kiosk.devices.speaker import Speaker

    try:
        return Speaker.from_config(config, player=config.devices["speech_player"] or None,
                                   start_worker=start_worker)
    except Exception as exc:  # the kiosk works without a voice
        log.warning("speech disabled: %s", exc.__class__.__name__)
        return None


def open_hub_link(config: Config):
    """The link to the hub of an enrolled kiosk, or None (the kiosk then works alone)."""
    from kiosk.devices.hub_client import HubLink

    return HubLink.open(config)


def open_listener(config: Config, language: str | None = None):
    """The offline recogniser for a language, the default one if None (slow: off the UI thread)."""
    from kiosk.devices.listener import Listener

    return Listener.open(language or config.languages["default"])
