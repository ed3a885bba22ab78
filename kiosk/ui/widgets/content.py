"""Widgets for the content blocks of a screen model (text, notice, lists, steps, hard words)."""

from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.core.screen import Block
from kiosk.ui.widgets.pool import WidgetPool
from kiosk.ui.widgets.text import KioskLabel, MirrorBox
from kiosk.ui.widgets.tree import discard_widget


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
_free: dict[type, WidgetPool] = {}


def _take(cls, **props):
    """A block widget of `cls` from the pool (its kv rules already applied: building one costs
    ~0.5 ms of kv rules, ~20 ms for a démarche page), set up with `props`: the one that last
    showed the same text when there is one (a block's heading is the same on every page)."""
    free = _free.get(cls)
    widget = free.take(props.get("text")) if free else None
    if widget is None:
        return cls(**props)
    for key, value in props.items():
        setattr(widget, key, value)
    return widget


def release_block(view) -> None:
    """A block view that left the screen: its rows and the card itself back to the pool, or,
    once the pool is full, unbound for good (see tree.discard_children)."""
    if view.parent is not None:
        view.parent.remove_widget(view)
    for widget in [*reversed(view.children), view]:
        if widget is not view:
            view.remove_widget(widget)
        kept = type(widget) in _POOLED and _free.setdefault(
            type(widget), WidgetPool(POOL_LIMIT)).put(getattr(widget, "text", None), widget)
        if not kept:
            discard_widget(widget)


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
        spare = list(self._shown)
        found = []
        for block in blocks:
            key = (block, language)
            index = next((i for i, (k, _view) in enumerate(spare) if k == key), None)
            found.append((key, spare.pop(index)[1] if index is not None else None))
        kept = {id(view) for _key, view in found if view is not None}
        # the views not shown again, and any other widget in the body, each once (`body` may be
        # a weak proxy from `ids`: compared by id, never with `is`); released before the new
        # blocks are built, which may then take back the very widgets that showed their text
        gone = {id(view): view for _key, view in spare}
        gone.update((id(child), child) for child in body.children if id(child) not in kept)
        for view in gone.values():
            if isinstance(view, BlockView):
                release_block(view)
            else:   # for good: its kv rules unbound at once (see tree.discard_children)
                discard_widget(view)
        shown = [(key, view if view is not None else PREPARED.take(key) or build_block(block))
                 for (key, view), block in zip(found, blocks)]
        views = [view for _key, view in shown]
        if list(reversed(body.children)) != views:
            for view in views:
                if view.parent is not None:
                    view.parent.remove_widget(view)
            for view in views:
                body.add_widget(view)
        self._shown = shown


class PreparedBlocks:
    """Block views built ahead, off screen, for the pages a touch is likely to open next
    (kiosk/ui/next_pages.py): laid out at the body's width, their label textures drawn, so that
    showing one costs what showing a page come back to costs. Those not shown go back to the
    pool when the next screen comes."""

    def __init__(self):
        self._views: dict[tuple, BoxLayout] = {}
        self._unpainted: list[BoxLayout] = []
        # never in the window, and no layout: each view sized on its own, laid out inside,
        # never moved by its neighbours (taking one out moves no other)
        self._holder: Widget | None = None

    def __len__(self) -> int:
        return len(self._views)

    def prepare(self, blocks, language: str, width: float) -> None:
        if self._holder is None:
            self._holder = Widget()
        for block in blocks:
            key = (block, language)
            if key not in self._views:
                self._views[key] = view = build_block(block)
                view.width = width
                self._holder.add_widget(view)
                self._unpainted.append(view)

    def paint(self) -> None:
        """The text of the views prepared since the last call, rendered into their textures now.
        Kivy renders a label's text when its texture is first drawn: in the first frame of the
        page, the very cost preparing is for. Call once their labels have their textures (a
        frame after `prepare`)."""
        views, self._unpainted = self._unpainted, []
        for view in views:
            for widget in view.walk(restrict=True):
                texture = getattr(widget, "texture", None)
                if isinstance(widget, KioskLabel) and texture is not None:
                    texture.bind()

    def take(self, key: tuple):
        view = self._views.pop(key, None)
        if view is not None and view.parent is not None:
            view.parent.remove_widget(view)
        return view

    def release(self) -> None:
        views, self._views, self._unpainted = self._views, {}, []
        for view in views.values():
            release_block(view)


PREPARED = PreparedBlocks()
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
