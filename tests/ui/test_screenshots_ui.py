"""Screenshots show the screen's background: the screens draw none of their own (the window's
clear colour is it, a full-screen fill less in every frame), so the screenshot clears with it."""

from __future__ import annotations

import pytest
from PIL import Image


@pytest.mark.parametrize("high_contrast, expected", [(False, (255, 255, 255)), (True, (0, 0, 0))])
def test_a_screenshot_has_the_screen_background(kiosk, tmp_path, high_contrast, expected):
    from kiosk.quality.tour import go_to

    go_to(kiosk, ["start"], "high-contrast" if high_contrast else "normal")
    path = tmp_path / "themes.png"
    kiosk.screenshot(path)
    image = Image.open(path).convert("RGBA")
    assert image.size == tuple(int(v) for v in kiosk.app.root.size)
    # bottom left corner: below the last tile, outside every control (the screen's own ground)
    assert image.getpixel((2, image.height - 3)) == (*expected, 255)
    # the accessibility bar at the top keeps its own colour
    bar = tuple(round(255 * c) for c in kiosk.app.colors["bar"][:3])
    assert image.getpixel((2, 2))[:3] == bar


def test_the_window_is_still_drawn_after_a_screenshot(kiosk, tmp_path):
    """The screenshot lends the app's canvas to an off-screen buffer; it was not given back to
    the window, so no frame was drawn again for the rest of the run (tests then drove an app
    that no longer drew anything)."""
    from kivy.core.window import Window

    kiosk.tap("start")
    children = list(Window.canvas.children)
    kiosk.screenshot(tmp_path / "themes.png")
    kiosk.screenshot(tmp_path / "again.png")
    assert list(Window.canvas.children) == children   # given back once: drawn once a frame
    flips = []

    def flipped(*_args):
        flips.append(1)

    Window.fbind("on_flip", flipped)
    try:
        kiosk.tap("theme:sante")
        assert kiosk.screen_name == "demarches"
        assert flips
    finally:
        Window.funbind("on_flip", flipped)
