"""The mediator panel: device health at a glance, restart, explore by touch, test page.

The screen model comes from kiosk/core/mediator_screens.py. Each health line is drawn with a
pictogram and a marker word ("OK", "Problème"), so colour is never the only cue. What the panel
does lives in kiosk/ui/mediator_desk.py.
"""

from __future__ import annotations

from kivy.properties import ListProperty, StringProperty

from kiosk.core import device_health as core
from kiosk.ui.screens.base import BaseScreen
from kiosk.ui.widgets.controls import icon_glyph
from kiosk.ui.widgets.text import MirrorBox

ICONS = {core.OK: "circle-check", core.PROBLEM: "triangle-alert", core.CHECKING: "hourglass"}


class HealthLineView(MirrorBox):
    """One device line: pictogram, marker word, sentence. `bg_color` is read by the audit."""

    status = StringProperty(core.OK)
    marker = StringProperty("")
    sentence = StringProperty("")
    glyph = StringProperty("")
    bg_color = ListProperty([1, 1, 1, 1])


class MediatorPanelScreen(BaseScreen):
    """Health lines first (in the scrolling part, above the faults and counts), actions fixed
    below so Close and Restart never scroll away."""

    _lines: list = []

    def render(self, model) -> None:
        super().render(model)
        body = self.ids.body
        self._lines = []
        for line in reversed(model.lines):
            view = HealthLineView(status=line.status, marker=model.markers[line.status],
                                  sentence=line.sentence, glyph=icon_glyph(ICONS[line.status]))
            body.add_widget(view, index=len(body.children))
            self._lines.insert(0, view)
