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


POOL_LIMIT = 400
"""Block widgets kept per class for the next pages: a few pages' worth (each page's are shown
again as they are by ShownBlocks; these are the ones of pages that went)."""
_free: dict[type, list] = {}


def _take(cls, **props):
    """A block widget of `cls` from the pool (its kv rules already applied: building one costs
    ~0.5 ms of kv rules, ~20 ms for a démarche page), set up with `props`."""
    free = _free.get(cls)
    if not free:
        return cls(**props)
    widget = free.pop()
    for key, value in props.items():
        setattr(widget, key, value)
    return widget


def release_block(view) -> None:
    """A block view that left the screen: its rows and the card itself back to the pool, or,
    once the pool is full, unbound for good (see tree.discard_children)."""
    from kivy.lang import Builder

    if view.parent is not None:
        view.parent.remove_widget(view)
    for widget in [*reversed(view.children), view]:
        if widget is not view:
            view.remove_widget(widget)
        free = _free.setdefault(type(widget), [])
        if type(widget) in _POOLED and len(free) < POOL_LIMIT:
            free.append(widget)
        else:
            for part in widget.walk(restrict=True):
                Builder.unbind_widget(part.uid)


def build_block(block: Block) -> BoxLayout:
    """The widget tree for one content block."""
    from kiosk.ui.widgets.controls import icon_glyph

    view = _take(NoticeView if block.kind in ("notice", "key") else BlockView)
    if block.title:
        view.add_widget(_take(BlockTitle, text=block.title))
    for number, item in enumerate(block.items, 1):
        if block.kind == "checklist":
            view.add_widget(_take(ListItem, marker=icon_glyph("square"), marker_font="Lucide", text=item))
        elif block.kind == "steps":
            view.add_widget(_take(ListItem, marker=f"{number}.", marker_font="", text=item))
        elif block.kind in ("list", "words"):
            view.add_widget(_take(ListItem, marker="•", marker_font="", text=item))
        elif block.kind == "key":
            view.add_widget(_take(KeyText, text=item))
        else:
            view.add_widget(_take(BodyText, text=item))
    return view


class ShownBlocks:
    """The block views of one page's body, kept from one render to the next.

    A view whose block is shown again (same block, same language) is kept as it is, with its
    label textures already drawn; only new blocks are built and only the views that went are
    discarded. Going back to a page, or to the next step of a guide (one block changes), then
    costs no widget building, no text rendering and, when nothing moved, no layout."""

    def __init__(self):
        self._shown: list[tuple[tuple, BoxLayout]] = []

    def show(self, body, blocks, language: str = "") -> None:
        from kivy.lang import Builder

        spare = list(self._shown)
        shown = []
        for block in blocks:
            key = (block, language)
            found = next((i for i, (k, _view) in enumerate(spare) if k == key), None)
            shown.append(spare.pop(found) if found is not None else (key, build_block(block)))
        views = [view for _key, view in shown]
        kept = {id(view) for view in views}
        # the views not shown again, and any other widget in the body, each once (`body` may be
        # a weak proxy from `ids`: compared by id, never with `is`)
        gone = {id(view): view for _key, view in spare}
        gone.update((id(child), child) for child in body.children if id(child) not in kept)
        for view in gone.values():
            if isinstance(view, BlockView):
                release_block(view)
            else:   # for good: its kv rules unbound at once (see tree.discard_children)
                if view.parent is not None:
                    view.parent.remove_widget(view)
                for widget in view.walk(restrict=True):
                    Builder.unbind_widget(widget.uid)
        if list(reversed(body.children)) != views:
            for view in views:
                if view.parent is not None:
                    view.parent.remove_widget(view)
            for view in views:
                body.add_widget(view)
        self._shown = shown


_POOLED = (BlockView, NoticeView, BlockTitle, ListItem, KeyText, BodyText)
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
