"""Text and layouts that follow the reading direction of the language on screen.

`KioskLabel` is every label of the kiosk. Its `text` stays the logical text (what is said, what
tests and the audit read); what it draws is worked out here: in a text with Arabic letters, the
lines are wrapped in reading order with the real font at the real size, then each line is joined
and reordered for display (kiosk.core.bidi_text) and aligned to the right. On a right-to-left
screen every text is drawn so (a Latin name alone, « 1. » ends with its period on the left). With `rtl` on (the
screen's language reads from right to left) "left" alignment means the right edge, and the
other way round.

`Mirrored` lays out a layout's children as usual, then mirrors them left to right when `mirrored`
is on: the first child of a row goes to the right, Back sits on the right of the navigation row,
a button's pictogram on the right of its words.
"""

from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label

from kiosk.core.bidi_text import display_lines, has_rtl

_FLIP_ALIGN = {"left": "right", "right": "left"}


class KioskLabel(Label):
    """A label drawing right-to-left scripts correctly; `rtl`: the screen reads right to left."""

    rtl = BooleanProperty(False)

    def on_rtl(self, *_):
        self._trigger_texture()

    @property
    def drawn_lines(self) -> list[str]:
        """The lines as drawn, top to bottom (shaped and in display order)."""
        return list(self._drawn)

    _drawn: tuple = ()

    def texture_update(self, *largs):
        core = self._label
        text = self.text
        core.options["halign"] = _FLIP_ALIGN.get(self.halign, self.halign) if self.rtl else self.halign
        if text and (self.rtl or has_rtl(text)):
            core.resolve_font_name()
            width = self.text_size[0]
            if width is not None:
                pad = core.options["padding"]
                width = max(1, width - pad[0] - pad[2])
            lines = display_lines(text, width, lambda s: core.get_extents(s)[0],
                                  rtl=True if self.rtl else None)
            core.text = "\n".join(lines)
            self._drawn = tuple(lines)
        else:
            core.text = text
            self._drawn = tuple(text.split("\n")) if text else ()
        super().texture_update(*largs)


class Mirrored:
    """Mixin for a layout: its children mirrored left to right when `mirrored` is on."""

    mirrored = BooleanProperty(False)

    def on_mirrored(self, *_):
        self._trigger_layout()

    def do_layout(self, *largs, **kwargs):
        super().do_layout(*largs, **kwargs)
        if self.mirrored:
            for child in self.children:
                child.x = 2 * self.x + self.width - child.x - child.width


class MirrorBox(Mirrored, BoxLayout):
    pass


class MirrorGrid(Mirrored, GridLayout):
    pass


Factory.register("KioskLabel", cls=KioskLabel)
Factory.register("MirrorBox", cls=MirrorBox)
Factory.register("MirrorGrid", cls=MirrorGrid)
