"""A modal card over the current screen: timeout warning, mediator called."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout

from kiosk.core.screen import ScreenModel
from kiosk.ui.widgets.content import build_block
from kiosk.ui.widgets.controls import KioskButton, release_buttons, take_button
from kiosk.ui.widgets.tree import discard_children


def _texture(image):
    """A Kivy texture from a PIL image, without smoothing so QR modules stay crisp."""
    from kivy.graphics.texture import Texture

    rgb = image.convert("RGB")
    texture = Texture.create(size=rgb.size, colorfmt="rgb")
    texture.blit_buffer(rgb.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
    texture.flip_vertical()
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture


class OverlayCard(BoxLayout):
    bg_color = ListProperty([0, 0, 0, 0])


class AlertOverlay(FloatLayout):
    shown = BooleanProperty(False)
    has_picture = BooleanProperty(False)
    name = StringProperty("")
    title = StringProperty("")
    bg_color = ListProperty([0, 0, 0, 1])

    def show(self, model: ScreenModel, image=None) -> list[KioskButton]:
        """Show a model; `image` is an optional PIL image (a QR code) drawn large and sharp."""
        self.name = model.name
        self.title = model.title
        self.ids.picture.texture = _texture(image) if image is not None else None
        self.has_picture = image is not None
        body, actions = self.ids.body, self.ids.actions
        release_buttons(self._buttons)  # pooled: back to the pool before the rest is discarded
        discard_children(body)
        discard_children(actions)
        for block in model.blocks:
            body.add_widget(build_block(block))
        buttons = []
        for action in model.actions:
            button = take_button(KioskButton, action_id=action.id, label=action.label,
                                 detail=action.detail, icon=action.icon, kind=action.kind,
                                 speech_lang=action.lang)
            actions.add_widget(button)
            buttons.append(button)
        self._buttons = buttons
        self.shown = True
        return buttons

    _buttons: list = []

    def hide(self) -> None:
        self.shown = False
        self.name = ""
        self.has_picture = False
        self.ids.picture.texture = None

    def on_touch_down(self, touch):
        if not self.shown:
            return False
        super().on_touch_down(touch)
        return True  # modal: nothing under the card reacts

    def on_touch_up(self, touch):
        if not self.shown:
            return False
        super().on_touch_up(touch)
        return True
