"""KioskButton: the one touch target of the kiosk, with pictogram, label, focus ring and speech label."""

from __future__ import annotations

import json

from kivy.app import App
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior

from kiosk import paths
from kiosk.ui.widgets.pool import WidgetPool
from kiosk.ui.widgets.text import MirrorBox
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


class KioskButton(ButtonBehavior, MirrorBox):
    """A large button sending `action_id` to the app on a single tap (or Enter when focused)."""

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
    border_px = NumericProperty(1.5)
    corner_px = NumericProperty(0)

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
    """A button from the pool (building one costs ~10 ms of kv rules), set up with `props`:
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
