"""The windowed demo fits an ordinary monitor and keeps the kiosk's layout (sizes in mm)."""

from kiosk.app import fit_to_desktop, window_size
from kiosk.core.accessibility import font_px_for_cap_mm
from kiosk.core.config import load_config, validate


def test_demo_on_a_full_hd_monitor_turns_landscape_and_shrinks_to_fit():
    fitted = fit_to_desktop(load_config(None), (1920, 1080))
    w, h = window_size(fitted)
    assert fitted.screen["orientation"] == "landscape"
    assert w <= 1920 and h <= 1080 * 0.9
    # Same layout, smaller: the DPI shrinks with the window, so mm-based sizes scale alike.
    ratio = h / 1080
    assert abs(fitted.screen["dpi"] / 96 - ratio) < 0.02
    assert abs(font_px_for_cap_mm(4.3, fitted.screen["dpi"]) / font_px_for_cap_mm(4.3, 96) - ratio) < 0.05


def test_a_window_that_fits_is_left_alone():
    config = validate({"screen": {"orientation": "portrait"}}, source="site.toml")
    assert fit_to_desktop(config, (1440, 2560)).values == config.values


def test_a_configured_orientation_is_kept():
    config = validate({"screen": {"orientation": "portrait"}}, source="site.toml")
    fitted = fit_to_desktop(config, (1920, 1080))
    assert fitted.screen["orientation"] == "portrait"
    w, h = window_size(fitted)
    assert h <= 1080 and w < h
