"""BaseScreen: draws a screen model. The generic screen of every layout-only screen (its layout
settings come from the registry, kiosk/ui/screens/__init__.py); screens with behaviour extend it."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.core.screen import ScreenModel
from kiosk.ui.widgets.content import ShownBlocks
from kiosk.ui.widgets.controls import KioskButton, TileButton, release_buttons, take_button
from kiosk.ui.widgets.tree import ancestors, discard_children


# passes of the events due before a frame that a page may take to settle (the app lets Kivy run
# up to 40 of them before a frame)
SETTLE_PASSES = 30
# The screens (window size, text size, bar, choices) whose fixed choices had to go into the body:
# the next page with the same choices gets them there at once, instead of laid out twice (it
# depends on the choices and the room left by the bar and the navigation row, not on the content)
_MOVED_IN: set = set()
MOVED_IN_KEPT = 256


class BaseScreen(Screen):
    """Renders blocks into a scrolling body and actions into a grid.

    Layout settings: `portrait_cols` / `landscape_cols` for the actions grid, `actions_in_body`
    to put the actions inside the scrolling part, `tile_buttons` for big pictogram tiles.
    `overflow` tells whether the body is longer than its room (the scroll buttons show).
    """

    title = StringProperty("")
    portrait_cols = NumericProperty(1)
    landscape_cols = NumericProperty(2)
    actions_in_body = BooleanProperty(False)
    tile_buttons = BooleanProperty(False)
    # Fixed choices go beside the content on a landscape screen, under it on a portrait one.
    side_by_side = BooleanProperty(False)
    overflow = BooleanProperty(False)
    can_scroll_up = BooleanProperty(False)     # a scroll button is shown only when it can move
    can_scroll_down = BooleanProperty(False)
    bg_color = ListProperty([1, 1, 1, 1])
    scroll_up_label = StringProperty("")
    scroll_down_label = StringProperty("")

    _action_buttons: list = []
    _nav_buttons: list = []

    _actions_moved_in = False   # this render: the fixed choices went into the body (no room)
    _placement: tuple = ()
    _blocks: ShownBlocks | None = None   # the body's block views, kept while shown again

    def on_size(self, *_):
        self.side_by_side = self.width > self.height and not self._actions_in_body()

    def _actions_in_body(self) -> bool:
        return self.actions_in_body or self._actions_moved_in

    def on_actions_in_body(self, *_):
        self.on_size()

    def on_kv_post(self, base_widget):
        # A strong reference: the grid moves between the body and the fixed area.
        self.actions_grid = self.ids.actions.__self__

    def render(self, model: ScreenModel) -> None:
        self.title = model.title
        self.scroll_up_label, self.scroll_down_label = model.scroll_up, model.scroll_down
        body, actions, nav = self.ids.body, self.actions_grid, self.ids.nav
        release_buttons(self._action_buttons + self._nav_buttons)
        for box in (actions, nav):
            discard_children(box)
        if actions.parent is not None:
            actions.parent.remove_widget(actions)
        self._actions_moved_in = False
        self.on_size()
        if self._blocks is None:
            self._blocks = ShownBlocks()
        from kivy.app import App

        app = App.get_running_app()
        self._blocks.show(body, model.blocks, app.journey.session.language if app else "")
        from kivy.core.window import Window

        bar = getattr(getattr(app, "display", None), "bar", None)
        self._placement = (self.name, Window.size, getattr(app, "text_step", 0), bar and bar.height,
                           tuple((a.id, a.label, a.detail, a.icon, a.kind) for a in model.actions),
                           tuple((a.id, a.label) for a in model.nav))
        if self._placement in _MOVED_IN:
            self._actions_moved_in = True   # as the last time the same choices met the same room
            self.on_size()
        if self._actions_in_body():
            self.ids.body_box.add_widget(actions, index=1)  # above the spacer
        else:
            self.ids.fixed_actions.add_widget(actions)
        self._action_buttons = [self._button(a, actions, tile=self.tile_buttons or a.kind == "face")
                                for a in model.actions]
        self._nav_buttons = [self._button(a, nav) for a in model.nav]
        # one row; a long row (the languages of the first screen) wraps after 4 in portrait,
        # after 3 with the largest text, after 4 in landscape with the largest text (whole words
        # on each button)
        from kivy.app import App

        largest = getattr(App.get_running_app(), "text_step", 0) == 2
        landscape = self.width > self.height
        nav.cols = max(1, min(len(model.nav), (4 if largest else 8) if landscape else 3 if largest else 4))
        self.ids.scroller.scroll_y = 1
        self._after_layout(self._check_overflow)

    def _after_layout(self, callback) -> None:
        """Run `callback` once the layout has settled, still before the next frame is drawn.

        The fixed choices are made compact or moved into the body from measures of the laid
        out page; done a moment later, the choices would jump under a finger already on them."""
        self._settle_callback, self._settle_passes = callback, 0
        trigger = self.__dict__.get("_settle_trigger")
        if trigger is None:
            trigger = self._settle_trigger = Clock.create_trigger(self._settle, -1)
        trigger()

    def _settle(self, *_):
        trigger = self._settle_trigger
        # Kivy runs the events due before a frame pass after pass (layouts, label textures),
        # each pass those that the one before triggered: wait for a pass with nothing else
        # (bounded: an event re-armed at every pass must not hold the page back for ever)
        self._settle_passes += 1
        if self._settle_passes < SETTLE_PASSES and any(
                event.timeout == -1 and event is not trigger for event in Clock.get_events()):
            trigger()
            return
        callback, self._settle_callback = self._settle_callback, None
        if callback is not None:
            callback()

    @staticmethod
    def _button(action, parent, tile: bool = False) -> KioskButton:
        button = take_button(TileButton if tile else KioskButton, action_id=action.id, label=action.label,
                             detail=action.detail, icon=action.icon, kind=action.kind,
                             speech_lang=action.lang)
        parent.add_widget(button)
        return button

    def _check_overflow(self, *_):
        scroller = self.ids.scroller
        self.overflow = self.ids.body_box.minimum_height > scroller.height + 1
        self._scrolled()
        self._fit_fixed_actions()

    def _scrolled(self, *_):
        y = self.ids.scroller.scroll_y
        self.can_scroll_up = self.overflow and y < 0.999
        self.can_scroll_down = self.overflow and y > 0.001

    def _fit_fixed_actions(self) -> None:
        """Fixed choices must leave the content at least half of the screen: first their second
        lines go (still spoken); if that is not enough, they move into the scrolling body, after
        the content. One way per render, so it cannot flip back and forth."""
        fixed, middle = self.ids.get("fixed_actions"), self.ids.get("middle")
        if middle is None or fixed is None:  # a screen with a layout of its own (search, PIN)
            return
        if self._actions_in_body() or not self._action_buttons or middle.height <= 1:
            return
        from kivy.core.window import Window

        if self.width < 0.9 * Window.width:
            return   # not laid out yet
        # the content keeps at least half of the window: the bar (the window less this screen),
        # the fixed choices and the navigation row take the rest
        nav = self.ids.nav
        window = Window.width * Window.height
        taken = window - self.width * self.height + fixed.width * fixed.height + nav.width * nav.height
        room = middle.height if self.side_by_side else middle.height * 0.55
        crowded = taken > 0.5 * window or fixed.minimum_height > room
        if not crowded:
            return
        if not self._action_buttons[0].compact:
            for button in self._action_buttons:
                button.compact = True
            self._settling = True   # measure again once the compact buttons are laid out
            self._after_layout(self._settled)
            return
        if taken > 0.5 * window and not self._settling:
            self._move_actions_into_body()

    _settling = False
    _settle_callback = None
    _settle_passes = 0

    def _settled(self, *_):
        self._settling = False
        self._fit_fixed_actions()

    def _move_actions_into_body(self) -> None:
        if len(_MOVED_IN) >= MOVED_IN_KEPT:
            _MOVED_IN.clear()
        _MOVED_IN.add(self._placement)
        actions = self.actions_grid
        if actions.parent is not None:
            actions.parent.remove_widget(actions)
        self._actions_moved_in = True
        for button in self._action_buttons:
            button.compact = False        # in the body they have all the room they need
        self.ids.body_box.add_widget(actions, index=1)  # above the spacer
        self.on_size()

    def focusables(self) -> list[KioskButton]:
        """Controls in reading order: content choices, scroll buttons, then navigation."""
        return self._action_buttons + self.scroll_buttons() + self._nav_buttons

    def scroll_buttons(self) -> list[KioskButton]:
        """The scroll buttons that can move the page now."""
        return [b for b, on in ((self.ids.scroll_up, self.can_scroll_up),
                                (self.ids.scroll_down, self.can_scroll_down)) if on]

    def scroll_page(self, direction: int) -> None:
        """Move the body by most of a page: +1 down, -1 up (taps, never drags). The new top is
        the top of a block or a list line, so that no line is cut in half."""
        scroller, content = self.ids.scroller, self.ids.body_box
        hidden = content.minimum_height - scroller.height
        if hidden <= 0:
            return
        top = (1 - scroller.scroll_y) * hidden           # content hidden above the view
        wanted = min(hidden, max(0.0, top + direction * scroller.height * 0.8))
        edges = self._line_tops()
        if direction > 0:
            fits = [e for e in edges if top + 1 < e <= wanted]
            if fits and wanted < hidden:
                wanted = max(fits)
        else:
            fits = [e for e in edges if wanted <= e < top - 1]
            if fits and wanted > 0:
                wanted = min(fits)
        scroller.scroll_y = 1.0 - wanted / hidden
        self._scrolled()

    def _line_tops(self) -> list[float]:
        """Distances from the top of the body to the top of each block and list line."""
        content = self.ids.body_box
        content_top = content.to_window(content.x, content.top)[1]
        tops = [content_top - w.to_window(w.x, w.top)[1]
                for block in self.ids.body.children for w in (block, *block.children)]
        return sorted(t for t in tops if t > 0)

    def reveal(self, widget) -> None:
        """Scroll so that a focused widget inside the body is visible."""
        if widget.parent is not None and self.ids.body_box in ancestors(widget):
            self.ids.scroller.scroll_to(widget, padding=20, animate=False)

    def in_view(self, widget) -> bool:
        """Whether the widget's middle is inside the visible part of the page."""
        scroller = self.ids.scroller
        if scroller not in ancestors(widget):
            return True
        x, y = widget.to_window(*widget.center)
        sx, sy = scroller.to_window(scroller.x, scroller.y)
        return sx <= x <= sx + scroller.width and sy <= y <= sy + scroller.height

    def title_hit(self, window_pos) -> bool:
        """Whether a touch at this window position is on the screen's title (five taps open
        the mediator's PIN screen)."""
        title = self.ids.get("title_label")
        return title is not None and title.collide_point(*title.to_widget(*window_pos))

