"""What is on the screen and said about it: the screen on show, the accessibility bar, the overlay.

`present(model)` draws a screen model on its screen (built from the registry on first use),
updates the bar in place, moves the focus to the first content control and says the screen.
`present_overlay(model)` does the same for a card over the screen. Nothing here decides what a
screen holds: the models come from core.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.core.screen import ScreenModel
from kiosk.ui.focus import Focus
from kiosk.ui.next_pages import NextPages
from kiosk.ui.screens import SCREENS_DIR, build_screen, load_kv
from kiosk.ui.speech import SpeechOutput
from kiosk.ui.widgets.bar import AccessibilityBar
from kiosk.ui.widgets.controls import KioskButton
from kiosk.ui.widgets.overlay import AlertOverlay

TYPING_SCREENS = ("search", "pin")   # a key press redraws them: the focus stays on the key


class Display:
    def __init__(self, journey, speech: SpeechOutput):
        self.journey = journey
        self.speech = speech
        self.root = FloatLayout()
        column = BoxLayout(orientation="vertical")
        self.bar = AccessibilityBar()
        self.screens = ScreenManager(transition=NoTransition())
        column.add_widget(self.bar)
        column.add_widget(self.screens)
        self._overlay: AlertOverlay | None = None
        self.root.add_widget(column)
        self.model: ScreenModel | None = None
        self.bar_buttons: list[KioskButton] = []
        self.overlay_buttons: list[KioskButton] = []
        self.focus = Focus(self._focus_controls, self._all_buttons)
        self.next_pages = NextPages(self, journey)

    @property
    def overlay(self) -> AlertOverlay:
        """The card over the screen: built at its first use, or by `build_overlay` once the
        first screen is up (not before it: it would only delay that screen)."""
        if self._overlay is None:
            load_kv(SCREENS_DIR.parent / "widgets" / "overlay.kv")
            self._overlay = AlertOverlay()
            self.root.add_widget(self._overlay)
        return self._overlay

    def build_overlay(self, *_args) -> None:
        self.overlay  # noqa: B018 (built on access)

    @property
    def overlay_shown(self) -> bool:
        """Whether a card is over the screen (asking does not build it)."""
        return self._overlay is not None and self._overlay.shown

    def close_overlay(self) -> None:
        """The card goes, if there is one (no focus change: the screen is redrawn after this)."""
        if self._overlay is not None:
            self._overlay.hide()

    # ---- screens ----

    @property
    def landscape(self) -> bool:
        return Window.width > Window.height

    def current_screen(self):
        return self.screens.current_screen

    def screen(self, name: str):
        if not self.screens.has_screen(name):
            screen = build_screen(name)
            screen.bind(overflow=self._on_overflow, can_scroll_up=self._on_overflow,
                        can_scroll_down=self._on_overflow)
            self.screens.add_widget(screen)
        return self.screens.get_screen(name)

    def present(self, model: ScreenModel, speak: bool = True) -> None:
        """Draw a screen model, reset the focus to its first control, and say it."""
        self.model = model
        screen = self.screen(model.name)
        keep_focus = model.name in TYPING_SCREENS and self.screens.current == model.name
        screen.render(model)
        self.screens.current = model.name
        self.bar_buttons = self.bar.show(self.journey.accessibility_bar(), self.landscape)
        Clock.schedule_once(lambda *_: self.focus.refresh(first_content=not keep_focus), 0)
        self.speech.set_screen(model)
        if speak:
            self.speech.say_model(model)
        self.next_pages.after(model)

    def body_width(self, name: str) -> float | None:
        """The width of a screen's content column (the screen on show stands in for one not
        built yet); None for a screen without one."""
        screen = self.screens.get_screen(name) if self.screens.has_screen(name) else self.current_screen()
        body = screen.ids.get("body") if screen is not None else None
        return body.width if body is not None and body.width > 1 else None

    def refresh_bar(self) -> None:
        """The bar after a device came or went (voice, microphone)."""
        self.bar_buttons = self.bar.show(self.journey.accessibility_bar(), self.landscape)
        self.focus.refresh()

    # ---- overlays ----

    def present_overlay(self, model: ScreenModel, speak: bool = True, warning: bool = False,
                        image=None) -> None:
        """A card over the screen (modal); `image`: a PIL image drawn large and sharp (a QR code)."""
        self.overlay_buttons = self.overlay.show(model, image)
        self.focus.refresh(first_content=True)
        if speak and warning:
            self.speech.say(model.speech(), warning=True)
        elif speak:
            self.speech.say_model(model)

    def hide_overlay(self) -> None:
        if self.overlay_shown:
            self.overlay.hide()
            self.focus.refresh()

    @property
    def overlay_name(self) -> str:
        return self.overlay.name if self.overlay_shown else ""

    # ---- focus ----

    def _focus_controls(self):
        if self.overlay_shown:
            return self.overlay_buttons, self.overlay_buttons, None
        content = self.current_screen().focusables()
        return self.bar_buttons + content, content, self.current_screen().reveal

    def _all_buttons(self) -> list[KioskButton]:
        return [w for w in self.root.walk(restrict=False) if isinstance(w, KioskButton)]

    def _on_overflow(self, screen, _overflow) -> None:
        """The scroll buttons appeared or went: the keyboard order follows."""
        if self.screens.current_screen is screen:
            self.focus.refresh()
