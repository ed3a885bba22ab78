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


def _body_views(kiosk):
    return list(reversed(kiosk.app.display.current_screen().ids.body.children))


def test_the_pages_of_a_list_are_ready_before_the_touch(kiosk):
    """While the citizen reads the list, each démarche page's blocks are built off screen at the
    page's width; the touch then shows those very views, their texts not drawn again, and the
    page is the same as one built on the spot. What was not opened goes back to the pool."""
    from kiosk.ui.widgets import content
    from kiosk.ui.widgets.text import KioskLabel

    def texts(views):
        return [(type(v).__name__, [getattr(w, "text", "") for w in v.walk(restrict=True)]) for v in views]

    kiosk.tap("start")
    kiosk.tap("theme:sante")
    listed = [b.action_id for b in kiosk.visible_buttons() if b.action_id.startswith("demarche:")]
    assert len(listed) >= 3
    target, other = listed[1], listed[0]
    kiosk.tap(target)
    on_the_spot = texts(_body_views(kiosk))
    kiosk.tap("back")
    kiosk.tap(other)                          # the démarche screen now shows another page
    kiosk.tap("back")
    until = time.monotonic() + 0.5           # a person reads the list
    while time.monotonic() < until:
        kiosk.pump(1)
    prepared = dict(content.PREPARED._views)
    blocks_of = {d: kiosk.app.journey.preview(d).blocks for d in listed}
    language = kiosk.app.journey.session.language
    missing = [d for d in listed if any((block, language) not in prepared for block in blocks_of[d])]
    assert missing == [], (len(prepared), kiosk.app.display.next_pages._queue,
                           [kiosk.app.display.body_width(n) for n in ("demarche", "demarches")])
    drawn = []
    new_blocks = [b for b in blocks_of[target] if b not in blocks_of[other]]
    assert len(new_blocks) >= 5
    labels = [label for b in new_blocks for label in prepared[(b, language)].walk(restrict=True)
              if isinstance(label, KioskLabel)]
    for label in labels:
        label.fbind("texture", lambda *_a: drawn.append(1))
    # their words already rendered into their textures (Kivy renders them when first drawn)
    from kivy.core.text import LabelBase

    rendered = []
    render = LabelBase._render_real

    def counting(core, *args):
        rendered.append(core)
        return render(core, *args)

    LabelBase._render_real = counting
    try:
        kiosk.tap(target)
    finally:
        LabelBase._render_real = render
    assert not {id(label._label) for label in labels} & {id(core) for core in rendered}
    shown = _body_views(kiosk)
    # a block the page before showed too (the partner of the same subject) stays as it was
    # shown; every other one is the view prepared for it
    assert {id(prepared[(b, language)]) for b in new_blocks} <= {id(v) for v in shown}
    assert drawn == []
    assert texts(shown) == on_the_spot
    kiosk.pump(3)
    assert not any((b, language) in content.PREPARED._views for b in blocks_of[listed[-1]]
                   if b not in blocks_of[target])
