"""Widgets for the content blocks of a screen model (text, notice, lists, steps, hard words)."""

from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.scrollview import ScrollView

from kiosk.core.screen import Block
from kiosk.ui.widgets.text import KioskLabel, MirrorBox


class BodyText(KioskLabel):
    """A wrapped paragraph whose height follows its text."""


class KeyText(BodyText):
    """The one sentence that matters most on a screen (the current step): larger."""


class BlockTitle(KioskLabel):
    pass


class ScreenTitle(KioskLabel):
    pass


class ListItem(MirrorBox):
    """One line of a list: a marker (box to tick, step number, bullet) and its text."""

    marker = StringProperty("")
    marker_font = StringProperty("")   # "" the text's font; "Lucide" for a box to tick
    text = StringProperty("")


class BlockView(BoxLayout):
    """A card showing one Block; `bg_color` is read by the audit for contrast."""

    bg_color = ListProperty([0, 0, 0, 0])


class NoticeView(BlockView):
    pass


def build_block(block: Block) -> BoxLayout:
    """The widget tree for one content block."""
    from kiosk.ui.widgets.controls import icon_glyph

    view = NoticeView() if block.kind in ("notice", "key") else BlockView()
    if block.title:
        view.add_widget(BlockTitle(text=block.title))
    for number, item in enumerate(block.items, 1):
        if block.kind == "checklist":
            view.add_widget(ListItem(marker=icon_glyph("square"), marker_font="Lucide", text=item))
        elif block.kind == "steps":
            view.add_widget(ListItem(marker=f"{number}.", text=item))
        elif block.kind in ("list", "words"):
            view.add_widget(ListItem(marker="•", text=item))
        elif block.kind == "key":
            view.add_widget(KeyText(text=item))
        else:
            view.add_widget(BodyText(text=item))
    return view


Factory.register("BodyText", cls=BodyText)


class StillScrollView(ScrollView):
    """A page's scrolling part whose bar keeps its colour. Kivy fades the bar half a second after
    every scroll, and a new page is one: each step of that fade redraws the whole window (about
    0.1 s with the software renderer), so a touch in that second waited for the fade."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fbind("bar_color", self._keep_bar_color)

    def _keep_bar_color(self, *_):
        self._bar_color = self.bar_color

    def update_from_scroll(self, *largs):
        super().update_from_scroll(*largs)
        # Kivy binds the bar's colour again at every scroll and unbinds it once per fade: ours
        # follows it instead, so bindings do not pile up over a day of pages
        self.funbind("bar_color", self._change_bar_color)
        self._bar_color = self.bar_color

    def _bind_inactive_bar_color(self, *_):
        pass


Factory.register("StillScrollView", cls=StillScrollView)
