"""Accessibility numbers of DESIGN.md: text sizes in mm, contrast of both palettes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core import accessibility as a11y
from kiosk.core.accessibility import (HIGH_CONTRAST, NORMAL, TEXT_STEPS, cap_mm_for_font_px, contrast_ratio,
                                      font_px_for_cap_mm, hex_to_rgba, mm_to_px, palette, px_to_mm)

DPIS = [60, 96, 120, 160, 220, 300, 400]


def test_design_numbers():
    assert a11y.MIN_LARGE_CAP_MM >= 6.1
    assert a11y.MIN_BODY_CAP_MM >= 4.0
    assert a11y.MIN_TEXT_CONTRAST >= 4.5 and a11y.MIN_TEXT_CONTRAST_HIGH >= 7.0
    assert a11y.MIN_CONTROL_CONTRAST >= 3.0
    assert a11y.MIN_TARGET_MM >= 15.0 and a11y.MIN_TARGET_GAP_MM >= 3.0
    assert a11y.REPEAT_TAP_SECONDS == 0.5


def test_three_growing_text_steps():
    assert len(TEXT_STEPS) == 3
    for role in ("body", "title", "small"):
        sizes = [step[role] for step in TEXT_STEPS]
        assert sizes == sorted(sizes) and len(set(sizes)) == 3, role


@pytest.mark.parametrize("dpi", DPIS)
def test_largest_step_reaches_0_7_degree_at_every_dpi(dpi):
    largest = TEXT_STEPS[-1]
    for role in ("body", "title", "small"):
        px = font_px_for_cap_mm(largest[role], dpi)
        assert cap_mm_for_font_px(px, dpi) >= 6.1, (role, dpi, px)


@pytest.mark.parametrize("dpi", DPIS)
def test_default_step_is_at_least_4_mm_at_every_dpi(dpi):
    for step in TEXT_STEPS:
        for role, mm in step.items():
            px = font_px_for_cap_mm(mm, dpi)
            assert cap_mm_for_font_px(px, dpi) >= 4.0, (step, role, dpi)


def test_known_conversion():
    # 96 dpi: 4.3 mm cap = 16.25 px of H, /0.668 -> 24.33 -> 25 px font
    assert font_px_for_cap_mm(4.3, 96) == 25
    assert mm_to_px(25.4, 96) == pytest.approx(96)
    assert px_to_mm(96, 96) == pytest.approx(25.4)
    assert cap_mm_for_font_px(100, 254) == pytest.approx(6.68)


@given(cap=st.floats(min_value=0.5, max_value=40), dpi=st.floats(min_value=60, max_value=400))
def test_font_size_round_trip_never_undershoots(cap, dpi):
    px = font_px_for_cap_mm(cap, dpi)
    assert isinstance(px, int)
    got = cap_mm_for_font_px(px, dpi)
    assert got >= cap - 1e-9
    # the smallest such whole font size: one pixel less would be too small
    assert cap_mm_for_font_px(px - 1, dpi) < cap + 1e-9


def test_contrast_ratio_extremes():
    black, white = hex_to_rgba("#000000"), hex_to_rgba("#FFFFFF")
    assert contrast_ratio(black, white) == pytest.approx(21.0)
    assert contrast_ratio(white, black) == pytest.approx(21.0)
    assert contrast_ratio(white, white) == pytest.approx(1.0)
    # a known WCAG value: #767676 on white is 4.54:1
    assert contrast_ratio(hex_to_rgba("#767676"), white) == pytest.approx(4.54, abs=0.01)


def test_hex_to_rgba():
    assert hex_to_rgba("#FF8000") == pytest.approx((1.0, 128 / 255, 0.0, 1.0))


TEXT_PAIRS = [("text", "background"), ("text", "surface"), ("muted_text", "background"),
              ("muted_text", "surface"), ("on_primary", "primary"), ("on_secondary", "secondary"),
              ("on_urgent", "urgent"), ("on_bar", "bar"), ("on_alert", "alert")]


@pytest.mark.parametrize("pal,minimum", [(NORMAL, 4.5), (HIGH_CONTRAST, 7.0)], ids=["normal", "high"])
@pytest.mark.parametrize("fg,bg", TEXT_PAIRS, ids=[f"{f}-on-{b}" for f, b in TEXT_PAIRS])
def test_text_contrast(pal, minimum, fg, bg):
    assert contrast_ratio(pal.rgba(fg), pal.rgba(bg)) >= minimum


CONTROL_BACKGROUNDS = ["background", "surface", "alert"]


@pytest.mark.parametrize("pal", [NORMAL, HIGH_CONTRAST], ids=["normal", "high"])
@pytest.mark.parametrize("bg", CONTROL_BACKGROUNDS)
def test_focus_ring_and_borders_against_backgrounds(pal, bg):
    behind = pal.rgba(bg)
    assert contrast_ratio(pal.rgba("focus"), behind) >= 3.0
    assert contrast_ratio(pal.rgba("border"), behind) >= 3.0
    # each kind of button stands out by its fill or its border
    for fill, border in (("primary", "primary"), ("urgent", "urgent"), ("secondary", "border")):
        assert max(contrast_ratio(pal.rgba(fill), behind), contrast_ratio(pal.rgba(border), behind)) >= 3.0


@pytest.mark.parametrize("pal", [NORMAL, HIGH_CONTRAST], ids=["normal", "high"])
def test_focus_ring_on_the_accessibility_bar(pal):
    assert contrast_ratio(pal.rgba("focus"), pal.rgba("bar")) >= 3.0


@pytest.mark.parametrize("pal", [NORMAL, HIGH_CONTRAST], ids=["normal", "high"])
def test_bar_buttons_stand_out_from_the_bar(pal):
    behind = pal.rgba("bar")
    assert max(contrast_ratio(pal.rgba("secondary"), behind), contrast_ratio(pal.rgba("border"), behind)) >= 3.0
    assert max(contrast_ratio(pal.rgba("urgent"), behind), contrast_ratio(pal.rgba("on_bar"), behind)) >= 3.0


def test_palette_choice():
    assert palette(False) is NORMAL and palette(True) is HIGH_CONTRAST
    assert NORMAL.rgba("background") != HIGH_CONTRAST.rgba("background")
