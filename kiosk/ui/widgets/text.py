"""Text and layouts that follow the reading direction of the language on screen.

`KioskLabel` is every label of the kiosk. Its `text` stays the logical text (what is said, what
tests and the audit read); what it draws is worked out here: in a text with Arabic letters, the
lines are wrapped in reading order with the real font at the real size, then each line is joined
and reordered for display (kiosk.core.bidi_text) and aligned to the right. On a right-to-left
screen every text is drawn so (a Latin name alone too: « 1. » ends with its period on the
left), and "left" alignment means the right edge, and the other way round.

A word wider than its line is never cut in two: the condensed face of the font, else the word
abbreviated with a period (the whole word is still said).

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

from kiosk.core.bidi_text import (abbreviate_too_wide, display_lines, has_rtl, shape,
                                  too_wide_words, wrap)
from kiosk.ui.widgets.tree import ancestors

_FLIP_ALIGN = {"left": "right", "right": "left"}
# no glyph of the text fonts (Atkinson Hyperlegible, DejaVu Sans, bold too) is wider than this,
# in font sizes: "W", "Ш" and "—" are about 1.0, an Arabic "ش" alone in bold 1.38
WIDEST_GLYPH_EM = 1.5
# a narrower face of a text font, same letter height: for a word too wide for its button
CONDENSED_FONTS = {"DejaVu": "DejaVuCondensed"}


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
        if self._width_still_coming():
            self._trigger_texture()   # drawn once the layout has given the label its width
            return
        core = self._label
        text = self.text
        core.options["halign"] = _FLIP_ALIGN.get(self.halign, self.halign) if self.rtl else self.halign
        core.options["font_name"] = self.font_name   # the condensed face is chosen afresh
        width = self._line_width()
        right_to_left = bool(text) and (self.rtl or has_rtl(text))
        lines = None
        if text and width is not None and self.font_name != "Lucide":
            core.resolve_font_name()

            def measure(s: str) -> float:
                return core.get_extents(shape(s))[0]

            if self._may_hold_too_wide_a_word(text, width) and too_wide_words(text, width, measure):
                text, lines = self._fit_words(text, width, measure)
        if right_to_left:
            lines = display_lines(text, width, lambda s: core.get_extents(s)[0],
                                  rtl=True if self.rtl else None)
        if lines is not None:
            core.text = "\n".join(lines)
            self._drawn = tuple(lines)
        else:
            core.text = text
            self._drawn = tuple(text.split("\n")) if text else ()
        super().texture_update(*largs)
        if self.texture is None:
            # Kivy keeps the last words' texture in the core label of a label left empty (a
            # button with no second line): let it go, it is drawn nowhere
            core.texture = None

    def _width_still_coming(self) -> bool:
        """A wrapped label that a layout above it has yet to size: drawn now, at Kivy's default
        width of 100 px (or 0 inside a parent not sized yet), a paragraph would be wrapped into
        dozens of lines, or each word cut to fit, and thrown away a moment later (every label
        of a new page was drawn twice)."""
        if self.parent is None or self.text_size[0] is None or self.size_hint_x is None:
            return False
        # its parent's layout still to run, or, for a label not even two letters wide, any
        # layout above it (a parent not sized yet gives its children no width)
        nodes = ancestors(self) if self.width < 2 * self.font_size else (self.parent,)
        for node in nodes:
            trigger = getattr(node, "_trigger_layout", None)
            if trigger is not None and trigger.is_triggered:
                return True
        return False

    def _may_hold_too_wide_a_word(self, text: str, width: float) -> bool:
        """False when even its longest word, in glyphs of the widest a text font has, fits a
        line: then no word needs measuring (most labels, on every page)."""
        longest = max((len(word) for word in text.split()), default=0)
        return longest * self.font_size * WIDEST_GLYPH_EM > width

    def _line_width(self) -> float | None:
        width = self.text_size[0]
        if width is None:
            return None
        pad = self._label.options["padding"]
        return max(1, width - pad[0] - pad[2])

    def _fit_words(self, text: str, width: float, measure) -> tuple[str, list[str]]:
        """A word wider than the line is never cut in two (Kivy would): the font's condensed
        face is taken when it has one (same letter height), else the word is abbreviated with a
        period. The label's text, and so what is said, stays whole."""
        core = self._label
        condensed = CONDENSED_FONTS.get(self.font_name)
        if condensed:
            core.options["font_name"] = condensed
            core.resolve_font_name()
        if too_wide_words(text, width, measure):
            text = abbreviate_too_wide(text, width, measure)
        return text, wrap(text, width, measure)


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
