"""Search: type what you need on a big on-screen keyboard, touch the démarche that matches.

The screen draws a SearchModel (kiosk.core.search): the typed text in a field with a caret, the
results as big buttons in the scrolling part, the keyboard, then the navigation row. Results sit
above the keyboard in portrait and beside it in landscape; the keyboard never moves while the
results change under the person's finger.
"""

from __future__ import annotations

from kivy.core.text import Label as CoreLabel
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.core.bidi_text import shape
from kiosk.ui.screens.base import BaseScreen
from kiosk.ui.widgets.text import MirrorBox


class FieldBox(MirrorBox):
    """The field's box, with its own background (the audit measures text against it)."""

    bg_color = ListProperty([1, 1, 1, 1])


class SearchField(BoxLayout):
    """The typed text, large, in a box with a steady caret after its last letter.

    Text too long for the box shows its end, after an ellipsis, so the letter just typed is
    always in sight."""

    text = StringProperty("")
    label_text = StringProperty("")
    shown = StringProperty("")
    text_font_size = NumericProperty(30)
    line_width = NumericProperty(0)
    bg_color = ListProperty([1, 1, 1, 1])

    def on_text(self, *_):
        self.fit()

    def on_text_font_size(self, *_):
        self.fit()

    def on_line_width(self, *_):
        self.fit()

    def fit(self) -> None:
        room = self.line_width
        text = self.text
        if room <= 0 or not text or self._measure(text) <= room:
            self.shown = text
            return
        for start in range(1, len(text)):
            tail = "…" + text[start:]
            if self._measure(tail) <= room:
                self.shown = tail
                return
        self.shown = "…" + text[-1:]

    def _measure(self, text: str) -> float:
        from kivy.app import App

        font = App.get_running_app().font_text if App.get_running_app() else "Atkinson"
        label = CoreLabel(text=shape(text), font_size=self.text_font_size, font_name=font, bold=True)
        label.refresh()
        return label.texture.size[0]


class SearchScreen(BaseScreen):
    """The search screen. Layout in search.kv; reading order: field, results, keys, navigation."""

    landscape = BooleanProperty(False)
    field_label = StringProperty("")
    typed = StringProperty("")
    _keys: list = []

    def render(self, model) -> None:
        super().render(model)
        self.field_label = model.field_label
        self.typed = model.typed
        self._keys = self.ids.keyboard.show(model.keys)

    def focusables(self):
        """Results, scroll buttons, the keys row by row, then navigation."""
        scroll = self.scroll_buttons()
        return self._action_buttons + scroll + list(self._keys) + self._nav_buttons
