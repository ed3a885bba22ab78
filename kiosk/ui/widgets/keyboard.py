"""The on-screen keyboard: rows of big keys, each a KioskButton with its own speech label.

A key sends its action id ("key:a", "key:backspace"…) to the app on a single tap, like any
button; the journey turns it into text (kiosk.core.search). Keys are kept per action id and
reused when the page changes, so a key that stays (Erase, Space, the page key) keeps the
keyboard focus.
"""

from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.ui.screens import SCREENS_DIR, load_kv
from kiosk.ui.widgets.controls import KioskButton
from kiosk.ui.widgets.text import MirrorBox


class KeyButton(KioskButton):
    """One key: a big character (or a word with its pictogram), said as `spoken` ("lettre A")."""

    spoken = StringProperty("")
    units = NumericProperty(1.0)

    @property
    def speech(self) -> str:
        return self.spoken or self.label


class KeyRow(MirrorBox):
    """A row of keys sharing the keyboard's width in proportion to their `units`; from right to
    left on a right-to-left screen, unless the keyboard keeps its order (a digit keypad)."""

    row_height = NumericProperty(0)


class OnScreenKeyboard(BoxLayout):
    """Rows of keys, top to bottom. `key_height` is the wished height of a row; a row grows when
    its words need more (largest text)."""

    key_height = NumericProperty(0)
    mirror_rows = BooleanProperty(True)   # False: the same order on every screen (digits)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._cache: dict[str, KeyButton] = {}
        self._keys: list[KeyButton] = []

    def show(self, rows) -> list[KeyButton]:
        """Lay out `rows` (lists of KeyAction) and return the keys in reading order."""
        row_widgets = list(reversed(self.children))
        while len(row_widgets) > len(rows):
            self.remove_widget(row_widgets.pop())
        while len(row_widgets) < len(rows):
            row = KeyRow()
            self.add_widget(row)
            row_widgets.append(row)
        keys: list[KeyButton] = []
        for row_widget, row in zip(row_widgets, rows):
            wanted = [self._key(action) for action in row]
            if list(reversed(row_widget.children)) != wanted:
                row_widget.clear_widgets()
                for key in wanted:
                    if key.parent is not None:
                        key.parent.remove_widget(key)
                    row_widget.add_widget(key)
            keys += wanted
        self._keys = keys
        self._fit_rows()
        return keys

    def keys(self) -> list[KeyButton]:
        return list(self._keys)

    def _key(self, action) -> KeyButton:
        key = self._cache.get(action.id)
        if key is None:
            key = KeyButton(action_id=action.id)
            key.bind(minimum_height=self._fit_rows)
            self._cache[action.id] = key
        key.label, key.icon, key.kind, key.detail = action.label, action.icon, action.kind, ""
        key.spoken = action.speech()
        key.units = action.units
        key.state = "normal"
        return key

    def on_key_height(self, *_):
        self._fit_rows()

    def _fit_rows(self, *_):
        for row in self.children:
            needed = max((k.minimum_height for k in row.children), default=0)
            row.row_height = max(self.key_height, needed)


load_kv(SCREENS_DIR.parent / "widgets" / "keyboard.kv")   # needed only by the screens that type
