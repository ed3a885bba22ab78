"""The mediator's PIN screen: a big digit keypad, one dot per digit typed, nothing said aloud
but "digit entered" (kiosk.core.mediator builds the model; a PIN is never spoken).

The keypad is the search screen's on-screen keyboard (kiosk/ui/widgets/keyboard.py) fed with
3 + 3 + 3 + 3 keys. Portrait: instruction, dots, keypad, Cancel. Landscape: the keypad is the
right half of the screen.
"""

from __future__ import annotations

from kivy.graphics import Color, Ellipse
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.ui.screens.base import BaseScreen


class PinDots(BoxLayout):
    """The code field: `count` filled dots, never the digits. `bg_color` for the audit."""

    count = NumericProperty(0)
    dot_color = ListProperty([0, 0, 0, 1])
    bg_color = ListProperty([1, 1, 1, 1])

    def on_count(self, *_):
        self._draw()

    def on_size(self, *_):
        self._draw()

    def on_pos(self, *_):
        self._draw()

    def on_dot_color(self, *_):
        self._draw()

    def _draw(self) -> None:
        self.canvas.after.clear()
        if not self.count:
            return
        size = min(self.height * 0.45, 48)
        gap = size * 0.7
        x = self.x + self.padding[0]
        y = self.center_y - size / 2
        with self.canvas.after:
            Color(*self.dot_color)
            for i in range(int(self.count)):
                Ellipse(pos=(x + i * (size + gap), y), size=(size, size))


class PinScreen(BaseScreen):
    """Layout in pin.kv; reading order: the keypad row by row, then Cancel."""

    landscape = BooleanProperty(False)
    field_label = StringProperty("")
    entered = NumericProperty(0)
    _keys: list = []

    def render(self, model) -> None:
        super().render(model)
        self.field_label = model.field_label
        self.entered = model.entered
        self._keys = self.ids.keypad.show(model.keys)

    def focusables(self):
        scroll = self.scroll_buttons()
        return self._action_buttons + list(self._keys) + scroll + self._nav_buttons
