"""Drive the real app without App.run(): pump frames, inject touches and keys, take screenshots.

Used by the UI tests, `kiosk screenshots`, `kiosk audit` and the benchmarks. Import it only
after `kiosk.app.create_app()`, which configures Kivy before Kivy is loaded.
"""

from __future__ import annotations

from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch

from kiosk.core.clock import ManualClock
from kiosk.ui.widgets.controls import KioskButton
from kiosk.ui.widgets.tree import ancestors


class AppDriver:
    """`draw=False` runs frames without painting them (layout, clocks and input stay real):
    software GL on a 1080x1920 window costs ~100 ms a frame, too slow for exhaustive tests."""

    def __init__(self, app, clock: ManualClock | None = None, draw: bool = True):
        self.app = app
        self.clock = clock
        self.draw = draw

    def start(self) -> "AppDriver":
        self.app._run_prepare()
        self.pump(10)
        return self

    def stop(self) -> None:
        """Stop the app (closing its devices); no frame runs after this."""
        self.app.stop()

    def pump(self, frames: int = 3) -> None:
        """Run frames back to back, letting the app's worker threads have the interpreter a
        moment after each one (as the app's own frame pacing does): a software-rendered frame holds
        it for tens of milliseconds, and a printing or speech thread would otherwise starve."""
        import time

        from kivy.clock import Clock

        for _ in range(frames):
            if self.draw:
                EventLoop.idle()
            else:
                Clock.tick()
                EventLoop.dispatch_input()
                Clock.tick_draw()
            time.sleep(0.002)

    # ---- looking -------------------------------------------------------------------------------

    @property
    def screen_name(self) -> str:
        return self.app.display.screens.current

    def visible_buttons(self) -> list[KioskButton]:
        """The buttons a finger can reach: only the card's while a (modal) card is up."""
        display = self.app.display
        top = display.overlay if display.overlay_shown else display.root
        return [w for w in top.walk(restrict=False) if isinstance(w, KioskButton) and is_visible(w)]

    def button(self, action_id: str) -> KioskButton:
        for button in self.visible_buttons():
            if button.action_id == action_id:
                return button
        raise LookupError(f"no visible button {action_id!r} on {self.screen_name}: "
                          f"{[b.action_id for b in self.visible_buttons()]}")

    def visible_texts(self) -> list[str]:
        from kivy.uix.label import Label
        return [w.text for w in self.app.root.walk(restrict=False)
                if isinstance(w, Label) and w.text and is_visible(w) and w.font_name != "Lucide"]

    # ---- acting --------------------------------------------------------------------------------

    def tap_at(self, x: float, y: float) -> None:
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        self.pump(2)

    def tap(self, target, wait: float = 1.0) -> None:
        """Touch a widget (or the visible button with that action id) in its middle."""
        widget = self.button(target) if isinstance(target, str) else target
        if self.clock is not None:
            self.clock.advance(wait)
        screen = self.app.display.current_screen()
        if not screen.in_view(widget):
            screen.reveal(widget)
            self.pump(1)
        x, y = widget.to_window(*widget.center)
        self.tap_at(x, y)

    def key(self, keycode: int, modifiers=(), wait: float = 1.0, text: str | None = None) -> None:
        """A physical key press; `text`: the character it types, as the keyboard reports it."""
        if self.clock is not None:
            self.clock.advance(wait)
        Window.dispatch("on_key_down", keycode, 0, text, list(modifiers))
        Window.dispatch("on_key_up", keycode, 0)
        self.pump(2)

    def type(self, text: str) -> None:
        """Type on a physical keyboard, one key after the other (no pause between keys)."""
        for char in text:
            self.key(ord(char.lower()) if char != " " else 32, wait=0.05, text=char)

    def act(self, action_id: str) -> None:
        """Send an event as the app would from a control (for tours, not for input tests)."""
        if self.clock is not None:
            self.clock.advance(1.0)
        self.app.input.action(action_id)
        self.pump(3)

    def resize(self, width: int, height: int) -> None:
        Window.size = (width, height)
        self.pump(6)

    def screenshot(self, path) -> None:
        """The window's content as a PNG, on the window's background colour (the screens draw
        no background of their own: the window's clear colour is it)."""
        from kivy.graphics import ClearBuffers, ClearColor, Fbo, Scale, Translate

        self.pump(2)
        root = self.app.root
        fbo = Fbo(size=(int(root.width), int(root.height)), with_stencilbuffer=True)
        with fbo:
            ClearColor(*Window.clearcolor)
            ClearBuffers()
            Scale(1, -1, 1)
            Translate(-root.x, -root.y - root.height, 0)
        # the root's canvas is lent to the Fbo: given back to the window's canvas where it was
        # (removed from the Fbo, it would have no parent, and the window would never be asked to
        # draw again: every later frame of the test would be skipped)
        index = Window.canvas.indexof(root.canvas)
        if index > -1:
            Window.canvas.remove(root.canvas)
        fbo.add(root.canvas)
        fbo.draw()
        fbo.texture.save(str(path), flipped=False)
        fbo.remove(root.canvas)
        if index > -1:
            Window.canvas.insert(index, root.canvas)
            Window.canvas.ask_update()


def is_visible(widget) -> bool:
    """On screen: every ancestor shown, no zero size, not inside a hidden overlay or screen."""
    from kivy.uix.screenmanager import Screen
    for node in (widget, *ancestors(widget)):
        if getattr(node, "opacity", 1) == 0 or node.width <= 1 or node.height <= 1:
            return False
        if isinstance(node, Screen) and node.manager is not None and node.manager.current_screen is not node:
            return False
    return True
