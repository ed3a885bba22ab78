"""A modal card over the current screen: timeout warning, mediator called."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout

from kiosk.core.journey import ScreenModel
from kiosk.ui.widgets.content import build_block
from kiosk.ui.widgets.controls import KioskButton


class OverlayCard(BoxLayout):
    bg_color = ListProperty([0, 0, 0, 0])


class AlertOverlay(FloatLayout):
    shown = BooleanProperty(False)
    name = StringProperty("")
    title = StringProperty("")
    bg_color = ListProperty([0, 0, 0, 1])

    def show(self, model: ScreenModel) -> list[KioskButton]:
        self.name = model.name
        self.title = model.title
        body, actions = self.ids.body, self.ids.actions
        body.clear_widgets()
        actions.clear_widgets()
        for block in model.blocks:
            body.add_widget(build_block(block))
        buttons = []
        for action in model.actions:
            button = KioskButton(action_id=action.id, label=action.label, detail=action.detail,
                                 icon=action.icon, kind=action.kind)
            actions.add_widget(button)
            buttons.append(button)
        self.shown = True
        return buttons

    def hide(self) -> None:
        self.shown = False
        self.name = ""

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
