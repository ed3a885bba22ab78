"""The accessibility bar, fixed at the top of every screen."""

from __future__ import annotations

from kivy.properties import ListProperty, NumericProperty

from kiosk.ui.widgets.controls import KioskButton
from kiosk.ui.widgets.text import MirrorGrid


class BarButton(KioskButton):
    """A compact bar control: pictogram above a short label and its state."""

    def parent_target(self) -> float:
        from kivy.app import App
        return App.get_running_app().target_px


class AccessibilityBar(MirrorGrid):
    bg_color = ListProperty([0, 0, 0, 1])
    row_height = NumericProperty(0)

    def show(self, actions, landscape: bool = False) -> list[KioskButton]:
        """Update the bar's buttons in place (same controls on every screen).

        One row on a landscape screen, two on a portrait one."""
        buttons = list(reversed(self.children))
        if len(buttons) != len(actions):
            self.clear_widgets()
            buttons = []
            for _ in actions:
                button = BarButton()
                button.bind(minimum_height=self._equalise)
                self.add_widget(button)
                buttons.append(button)
        self.cols = len(buttons) if landscape else (len(buttons) + 1) // 2
        for button, action in zip(buttons, actions):
            button.action_id, button.label, button.detail = action.id, action.label, action.detail
            button.icon, button.kind, button.speech_lang = action.icon, action.kind, action.lang
        self._equalise()
        return buttons

    def _equalise(self, *_):
        """Every bar button as tall as the tallest, so the bar reads as one row."""
        buttons = list(self.children)
        if buttons:
            self.row_height = max(max(b.minimum_height, b.parent_target()) for b in buttons)
