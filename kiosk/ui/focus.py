"""Keyboard focus: which control Tab, the arrows and Enter act on, always visible.

The order is the overlay's buttons while an overlay is up, else the bar's buttons then the
screen's controls in reading order. A new screen focuses its first content control (never the
bar, never a control that calls a person or erases the session), so Enter on a keypad acts on
the page, not on a setting, and never calls someone by accident. On a right-to-left screen the
rows are mirrored, so the same order runs from right to left.
"""

from __future__ import annotations

from typing import Callable

from kiosk.core.screen import calls_or_erases
from kiosk.ui import keys


def arrow_step(key: int, rtl: bool) -> int:
    """+1 (next control in reading order) or -1 for an arrow key. The order of the controls is
    the reading order, so on a right-to-left screen the left arrow goes forward."""
    if key == keys.DOWN:
        return 1
    if key == keys.UP:
        return -1
    forward = keys.LEFT if rtl else keys.RIGHT
    return 1 if key == forward else -1


class Focus:
    """`controls()` gives (order, content controls, the widget to scroll into view or None)."""

    def __init__(self, controls: Callable[[], tuple[list, list, Callable | None]],
                 all_buttons: Callable[[], list]):
        self._controls = controls
        self._all_buttons = all_buttons
        self.order: list = []
        self.index = 0

    def widget(self):
        """The focused control, or None."""
        if 0 <= self.index < len(self.order):
            return self.order[self.index]
        return None

    def refresh(self, first_content: bool = False) -> None:
        """Take the current order; keep the focused control when it is still there, else (or
        when asked) focus the first content control."""
        order, content, _reveal = self._controls()
        previous = self.widget()
        self.order = order
        if first_content or previous not in order:
            safe = [w for w in content if not calls_or_erases(w.action_id)]
            start = safe or content
            self.index = order.index(start[0]) if start else 0
        else:
            self.index = order.index(previous)
        self._paint(reveal=False)  # a new page starts at its top; a layout change keeps the view

    def move(self, delta: int):
        """Tab / arrows: the next or previous control (wrapping); returns it."""
        if not self.order:
            return None
        self.index = (self.index + delta) % len(self.order)
        self._paint()
        return self.widget()

    def focus(self, widget) -> None:
        """Focus this control (explore by touch: the control touched once)."""
        if widget in self.order:
            self.index = self.order.index(widget)
            self._paint()

    def _paint(self, reveal: bool = True) -> None:
        focused = self.widget()
        for button in self._all_buttons():
            # the focused one is not unset and set again (a needless redraw); != sees through
            # the weak proxies that `ids` gives, `is not` would not
            if button != focused:
                button.focused = False
        if focused is not None:
            focused.focused = True
            _order, _content, scroll_to = self._controls()
            if reveal and scroll_to is not None:
                scroll_to(focused)
