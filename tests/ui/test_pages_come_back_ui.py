"""A new page costs only what is new on it: widgets come back with the words they showed, and a
page is laid out once, before its first frame (each test failed before its fix)."""

from __future__ import annotations

import time

import pytest

pytestmark = [pytest.mark.ui]


def _help_buttons(kiosk):
    return [b for b in kiosk.app.display.current_screen().focusables() if b.action_id.startswith("help:")]


def test_the_choices_of_a_demarche_page_come_back_unchanged_on_the_next_one(kiosk):
    kiosk.tap("start")
    kiosk.tap("theme:sante")
    kiosk.tap("demarche:carte-vitale")
    first = _help_buttons(kiosk)
    assert len(first) == 3
    changed = []
    for button in first:
        for name in ("label", "detail", "icon", "kind"):
            button.fbind(name, lambda *_a, name=name: changed.append(name))
    kiosk.tap("back")
    kiosk.tap(next(b for b in kiosk.visible_buttons() if b.action_id.startswith("demarche:")
                   and b.action_id != "demarche:carte-vitale"))
    assert kiosk.screen_name == "demarche"
    again = _help_buttons(kiosk)
    # the very same buttons, their words never set to anything else: nothing measured or drawn
    assert {id(b) for b in again} == {id(b) for b in first}
    assert changed == []


def test_the_fixed_choices_find_their_place_before_the_first_frame(kiosk):
    """With the largest text the choices do not fit under the content and go into the page;
    they were moved 0.1 s after the page was drawn, under a finger already on them."""
    from kivy.base import EventLoop
    from kivy.tests.common import UnitTestTouch

    kiosk.tap("a11y:text")
    kiosk.tap("a11y:text")
    kiosk.tap("start")
    kiosk.tap("theme:sante")
    button = kiosk.button("demarche:carte-vitale")
    kiosk.clock.advance(1)
    x, y = button.to_window(*button.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    touch.touch_up()
    EventLoop.idle()   # the first frame of the new page
    assert kiosk.screen_name == "demarche"
    screen = kiosk.app.display.current_screen()
    placed = screen.actions_grid.parent
    compact = [b.compact for b in screen._action_buttons]
    until = time.monotonic() + 0.4
    while time.monotonic() < until:
        kiosk.pump(1)
    assert screen.actions_grid.parent is placed
    assert [b.compact for b in screen._action_buttons] == compact
    assert placed is screen.ids.body_box.__self__, "with the largest text the choices are in the page"


def test_choices_that_had_to_go_into_the_page_go_there_at_once_on_the_next_page(kiosk):
    """Placed in the fixed area, then moved into the page, they were laid out twice per page."""
    kiosk.tap("a11y:text")
    kiosk.tap("a11y:text")
    kiosk.tap("start")
    kiosk.tap("theme:sante")
    kiosk.tap("demarche:carte-vitale")
    screen = kiosk.app.display.current_screen()
    assert screen.actions_grid.parent is screen.ids.body_box.__self__
    kiosk.tap("back")
    other = next(b for b in kiosk.visible_buttons() if b.action_id.startswith("demarche:")
                 and b.action_id != "demarche:carte-vitale")
    places = []
    render = screen.render

    def watched(model):
        render(model)
        places.append(screen.actions_grid.parent)   # right after render, before any layout

    screen.render = watched
    try:
        kiosk.tap(other)
    finally:
        del screen.render
    assert places == [screen.ids.body_box.__self__]


def test_only_the_focused_button_draws_a_focus_ring(kiosk):
    """A ring drawn transparent around every other button still cost the software renderer
    about 1 ms per button in every frame."""
    from kivy.graphics import Line

    kiosk.tap("start")
    kiosk.pump(3)
    focused = kiosk.app.display.focus.widget()
    for button in kiosk.visible_buttons():
        rings = [i for i in button.canvas.after.children if isinstance(i, Line)]
        assert len(rings) == 1
        xs, ys = rings[0].points[0::2], rings[0].points[1::2]
        width, height = (max(xs) - min(xs), max(ys) - min(ys)) if xs else (0, 0)
        if button is focused:
            assert width > button.width and height > button.height
        else:
            assert width == height == 0, button.action_id
