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
