"""While the citizen reads, the pages a touch on this screen is likely to open are built ahead.

A new démarche page costs its first frame some 13 ms of our own work (its blocks' widgets, their
layout, a texture for every label) on top of drawing it; a page come back to costs none of it.
So once a screen is drawn, the pages its touches are likely to open (each démarche of a list;
guide and teach from a démarche page) are asked of core (`Journey.preview`, which changes
nothing) and their blocks built off screen, one page a frame, at the width they will have, their
words rendered into their textures a frame later (kiosk/ui/widgets/content.py, PreparedBlocks).
A touch then shows them as they are: 5-8 ms of our work before the first frame instead of 13-19. What was
not opened goes back to the widget pool when the next screen comes. Only the catalogue's
content is prepared: nothing of the citizen's.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.core.window import Window

from kiosk.core.screen import ScreenModel
from kiosk.ui.widgets.content import PREPARED


def likely_touches(model: ScreenModel) -> list[str]:
    """The touches on this screen whose pages are worth preparing, most likely first."""
    if model.name == "demarches":
        return [a.id for a in model.actions if a.id.startswith("demarche:")]
    if model.name == "demarche":
        return ["help:guide", "help:teach"]
    return []


class NextPages:
    def __init__(self, display, journey):
        self.display = display
        self.journey = journey
        self._queue: list[str] = []
        self._generation = 0

    def after(self, model: ScreenModel) -> None:
        """`model` was just put on screen. Once it is drawn (never before: its first frame would
        wait), what was prepared for the screen before goes, and this one's next pages come."""
        self._generation += 1
        self._queue = likely_touches(model)
        Window.funbind("on_flip", self._drawn)
        Window.fbind("on_flip", self._drawn)

    def _drawn(self, *_args) -> None:
        Window.funbind("on_flip", self._drawn)
        generation = self._generation
        Clock.schedule_once(lambda _dt: self._prepare_one(generation), 0)

    def _prepare_one(self, generation: int, first: bool = True) -> None:
        """One page a frame (a touch waits for one page at most): its widgets, laid out in that
        frame, then its texts rendered in the next one."""
        if generation != self._generation:
            return
        if first:   # what was prepared for the screen before and not opened: to the pool
            PREPARED.release()
        PREPARED.paint()   # the page prepared in the frame before
        if not self._queue:
            return
        model = self.journey.preview(self._queue.pop(0))
        if model is not None:
            width = self.display.body_width(model.name)
            if width:
                PREPARED.prepare(model.blocks, self.journey.session.language, width)
        Clock.schedule_once(lambda _dt: self._prepare_one(generation, first=False), 0)
