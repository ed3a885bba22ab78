"""KioskButton: the one touch target of the kiosk, with pictogram, label, focus ring and speech label."""

from __future__ import annotations

import json

from kivy.app import App
from kivy.graphics import Color, Line, RoundedRectangle
from kivy.properties import (BooleanProperty, ListProperty, NumericProperty, OptionProperty,
                             StringProperty, VariableListProperty)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.layout import Layout

from kiosk import paths
from kiosk.ui.widgets.pool import WidgetPool
from kiosk.ui.widgets.tree import discard_widget

_CODEPOINTS: dict[str, int] | None = None


def icon_glyph(name: str) -> str:
    """The Lucide font character for an icon name ('' when unknown or empty)."""
    global _CODEPOINTS
    if _CODEPOINTS is None:
        _CODEPOINTS = json.loads((paths.FONTS_DIR / "lucide-codepoints.json").read_text())
    code = _CODEPOINTS.get(name)
    return chr(code) if code else ""


# Pictograms that point somewhere: drawn mirrored on a right-to-left screen (Back points right).
_POINTING = frozenset({"log-out", "log-in", "delete", "undo", "redo", "reply", "forward", "send",
                       "phone-outgoing", "phone-incoming", "door-open", "external-link"})


def flips_in_rtl(name: str) -> bool:
    """Whether a pictogram shows a direction, so that a right-to-left screen mirrors it."""
    parts = name.split("-")
    return "left" in parts or "right" in parts or name in _POINTING


class KioskButton(ButtonBehavior, Layout):
    """A large button sending `action_id` to the app on a single tap (or Enter when focused).

    Its children (kv rule order): the pictogram, then its words (a label and a second line).
    It lays them out itself, as a box would with the words in a column of their own: one
    layout per change instead of two nested boxes passing sizes up and down over several
    passes of the clock (a screen of buttons settled in a third fewer layouts)."""

    orientation = OptionProperty("horizontal", options=("horizontal", "vertical"))
    padding = VariableListProperty([0, 0, 0, 0])
    spacing = NumericProperty(0)         # between the pictogram and the words
    text_spacing = NumericProperty(0)    # between the label and its second line
    minimum_height = NumericProperty(0)
    row_height = NumericProperty(0)      # at least as tall as this (the bar: its tallest button)
    mirrored = BooleanProperty(False)    # the pictogram on the right (a right-to-left screen)

    action_id = StringProperty("")
    label = StringProperty("")
    detail = StringProperty("")
    icon = StringProperty("")
    kind = StringProperty("normal")
    focused = BooleanProperty(False)
    text_align = StringProperty("left")
    icon_scale = NumericProperty(1.0)
    compact = BooleanProperty(False)   # hide the second line when space is short (it is still spoken)
    speech_lang = StringProperty("")   # the label's language when not the screen's (a language name)
    label_font = StringProperty("")    # that language's font ("" the screen's)
    bg_color = ListProperty([0, 0, 0, 0])
    fg_color = ListProperty([0, 0, 0, 1])
    border_color = ListProperty([0, 0, 0, 1])
    focus_color = ListProperty([0, 0, 0, 1])
    border_px = NumericProperty(1.5)
    corner_px = NumericProperty(0)

    def __init__(self, **kwargs):
        # Drawn here rather than by kv rules: a dozen bound expressions less per button, each
        # evaluated again at every move of the button while a page settles.
        # The border is a filled shape under the background, as wide as a Line of width
        # border_px along the edge would draw: a wide rounded Line is hundreds of small
        # triangles that the software renderer sets up one by one.
        super().__init__(**kwargs)
        with self.canvas.before:
            self._border_paint = Color(0, 0, 0, 0)
            self._border_shape = RoundedRectangle()
            self._background_paint = Color(0, 0, 0, 0)
            self._background_shape = RoundedRectangle()
        with self.canvas.after:
            # the focus ring; none at all when not focused (a ring drawn transparent is still
            # drawn: ~1 ms a button and a frame with the software renderer)
            self._ring_paint = Color(0, 0, 0, 0)
            self._ring = Line(width=4)
        for name in ("size", "pos", "padding", "spacing", "text_spacing", "orientation",
                     "mirrored", "children", "parent"):
            self.fbind(name, self._trigger_layout)
        for name in ("pos", "size", "border_px", "corner_px"):
            self.fbind(name, self._draw_shapes)
        for name in ("bg_color", "border_color", "state"):
            self.fbind(name, self._paint)
        for name in ("pos", "size", "corner_px", "focused"):
            self.fbind(name, self._draw_ring)
        self.fbind("focus_color", self._paint_ring)
        self._draw_shapes()
        self._paint()
        self._draw_ring()
        self._paint_ring()

    def _draw_shapes(self, *_args):
        x, y, width, height = self.x + 1, self.y + 1, self.width - 2, self.height - 2
        border, corner = self.border_px, self.corner_px
        self._border_shape.pos = (x - border, y - border)
        self._border_shape.size = (width + 2 * border, height + 2 * border)
        self._border_shape.radius = [corner + border]
        self._background_shape.pos = (x + border, y + border)
        self._background_shape.size = (width - 2 * border, height - 2 * border)
        self._background_shape.radius = [max(0, corner - border)]

    def _paint(self, *_args):
        self._border_paint.rgba = self.border_color
        self._background_paint.rgba = self.bg_color if self.state == "normal" else self.border_color

    def _draw_ring(self, *_args):
        if self.focused:
            self._ring.rounded_rectangle = (self.x - 4, self.y - 4, self.width + 8, self.height + 8,
                                            self.corner_px)
        else:
            self._ring.rounded_rectangle = (self.x, self.y, 0, 0, 0)

    def _paint_ring(self, *_args):
        self._ring_paint.rgba = self.focus_color

    def do_layout(self, *_args):
        """Horizontal: the pictogram, then the words in a column, both centred in height.
        Vertical: the pictogram centred at the top, the words under it, full width."""
        parts = self.children[::-1]
        if not parts:
            return
        icon, words = parts[0], parts[1:]
        left, top, right, bottom = self.padding
        x0, y0 = self.x + left, self.y + bottom
        inner_width = self.width - left - right
        inner_height = self.height - top - bottom
        column = sum(word.height for word in words) + self.text_spacing * max(0, len(words) - 1)

        def place(child, x: float, y: float) -> None:
            if self.mirrored:
                x = 2 * self.x + self.width - x - child.width
            child.pos = (x, y)

        if self.orientation == "horizontal":
            place(icon, x0, y0 + (inner_height - icon.height) / 2)
            x = x0 + icon.width + self.spacing
            width = max(0, x0 + inner_width - x)
            y = y0 + (inner_height + column) / 2
            self.minimum_height = top + bottom + max(icon.height, column)
        else:
            y = self.top - top - icon.height
            place(icon, x0 + (inner_width - icon.width) / 2, y)
            x, width = x0, inner_width
            y -= self.spacing
            self.minimum_height = top + bottom + icon.height + self.spacing + column
        for word in words:
            word.width = width
            y -= word.height
            place(word, x, y)
            y -= self.text_spacing

    @property
    def speech(self) -> str:
        """What the speaker says for this control."""
        return f"{self.label}. {self.detail}" if self.detail else self.label

    def on_speech_lang(self, *_):
        self.label_font = font_for(self.speech_lang) if self.speech_lang else ""

    def on_release(self):
        App.get_running_app().input.action(self.action_id, source=self, by_touch=True)


class TileButton(KioskButton):
    """A tile: large pictogram above its word (subjects, satisfaction faces)."""


BUTTON_POOL_LIMIT = 200
"""Free buttons kept per class: more than all the screens of a journey hold at once."""
_pool: dict[type, WidgetPool] = {}
# what a button shows: the same again costs no measuring, no texture and no layout
_SHOWN = ("label", "detail", "icon", "kind", "speech_lang")


# Atkinson Hyperlegible has no Cyrillic, no Arabic and no Turkish capital İ: these languages
# are drawn with DejaVu Sans (Debian's fonts-dejavu-core), which has them all.
FONT_FOR_LANGUAGE = {"uk": "DejaVu", "tr": "DejaVu", "ar": "DejaVu"}


def font_for(language: str) -> str:
    """The text font for a language (registered by the app)."""
    return FONT_FOR_LANGUAGE.get(language, "Atkinson")


def take_button(cls: type = KioskButton, **props) -> KioskButton:
    """A button from the pool (building one costs ~1 ms of kv rules, then its layout and
    textures), set up with `props`:
    the one that last showed the same words when there is one."""
    free = _pool.get(cls)
    button = free.take(tuple(props.get(name, "") for name in _SHOWN)) if free else None
    if button is None:
        return cls(**props)
    button.focused = False
    button.compact = False
    button.state = "normal"
    for key, value in props.items():
        setattr(button, key, value)
    return button



def release_buttons(buttons) -> None:
    """Detach buttons from their parent and keep them for the next screen."""
    for button in buttons:
        if button.parent is not None:
            button.parent.remove_widget(button)
        free = _pool.setdefault(type(button), WidgetPool(BUTTON_POOL_LIMIT))
        if not free.put(tuple(getattr(button, name) for name in _SHOWN), button):
            discard_widget(button)
