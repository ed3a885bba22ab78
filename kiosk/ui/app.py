"""The Kivy application: wires the journey, the screens, the keyboard, the timers and the devices.

Import this module only after `kiosk.ui.bootstrap.prepare_kivy()`.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import fontpkg_atkinson_hyperlegible as atkinson
from kivy.app import App
from kivy.base import ExceptionHandler, ExceptionManager
from kivy.clock import Clock
from kivy.core.audio import SoundLoader
from kivy.core.text import LabelBase
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import DictProperty, NumericProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk import paths
from kiosk.core import accessibility as a11y
from kiosk.core.catalogue import Catalogue, load_catalogue
from kiosk.core.config import Config
from kiosk.core.i18n import Translator
from kiosk.core.inactivity import EXPIRED, WARNING, InactivityTimer, TapFilter
from kiosk.core.journey import Journey, ScreenModel
from kiosk.core.session import Session
from kiosk.core.stats import Stats
from kiosk.ui import keys

log = logging.getLogger(__name__)
UI_DIR = Path(__file__).resolve().parent
SCREEN_NAMES = ("attract", "themes", "demarches", "demarche", "guide", "teach", "mediator", "end", "feedback")



def _load_kv_files() -> None:
    # Base classes first: a subclass rule must come after its base's rule to override it.
    for name in ("controls", "content", "bar", "overlay"):
        Builder.load_file(str(UI_DIR / "widgets" / f"{name}.kv"))
    Builder.load_file(str(UI_DIR / "screens" / "base.kv"))
    for name in SCREEN_NAMES:
        Builder.load_file(str(UI_DIR / "screens" / f"{name}.kv"))


def _register_fonts() -> None:
    files = atkinson.ROOT / "files"
    LabelBase.register("Atkinson", str(files / "AtkinsonHyperlegible-Regular.ttf"),
                       fn_bold=str(files / "AtkinsonHyperlegible-Bold.ttf"),
                       fn_italic=str(files / "AtkinsonHyperlegible-Italic.ttf"),
                       fn_bolditalic=str(files / "AtkinsonHyperlegible-BoldItalic.ttf"))
    LabelBase.register("Lucide", str(paths.FONTS_DIR / "lucide.ttf"))


class _RecoverFromErrors(ExceptionHandler):
    """Any error escaping a Kivy callback: wipe the session and go back to the attract screen."""

    def __init__(self, app: "KioskApp"):
        super().__init__()
        self.app = app

    def handle_exception(self, exception):
        if isinstance(exception, (KeyboardInterrupt, SystemExit)):
            return ExceptionManager.RAISE
        self.app.recover(exception)
        return ExceptionManager.PASS


class KioskApp(App):
    """The kiosk. `speaker` and `printer` are optional devices (None = not available)."""

    colors = DictProperty({})
    font_body = NumericProperty(24)
    font_title = NumericProperty(36)
    font_small = NumericProperty(20)
    font_icon = NumericProperty(40)
    target_px = NumericProperty(60)
    gap_px = NumericProperty(12)

    def __init__(self, config: Config, catalogue: Catalogue | None = None, *, speaker=None,
                 printer=None, stats: Stats | None = None, clock=time.monotonic, **kwargs):
        super().__init__(**kwargs)
        self.title = "France Services"
        self.kiosk_config = config
        self.catalogue = catalogue or load_catalogue()
        self.clock = clock
        self.translator = Translator(config.languages["default"])
        self.stats = stats
        self.speaker = speaker
        self.printer = printer
        self.journey = Journey(
            self.catalogue, self.translator,
            default_language=config.languages["default"],
            languages=tuple(config.languages["available"]),
            site=dict(config.site), on_finish=self._record_session,
        )
        session = config.session
        self.inactivity = InactivityTimer(session["inactivity_seconds"], session["warning_seconds"],
                                          session["max_extensions"])
        self.tap_filter = TapFilter(a11y.REPEAT_TAP_SECONDS)
        self.model: ScreenModel | None = None
        self.last_speech = ""
        self.mediator_calls: list[str] = []
        self.focus_order: list = []
        self.focus_index = 0
        self._sounds: dict[str, object] = {}
        self.apply_look()

    # ---- look --------------------------------------------------------------------------------

    @property
    def dpi(self) -> int:
        return self.kiosk_config.screen["dpi"]

    def apply_look(self) -> None:
        """Sizes in mm from the configured DPI and the session's text step; the palette."""
        session = self.journey.session
        step = a11y.TEXT_STEPS[session.text_step]
        self.font_body = a11y.font_px_for_cap_mm(step["body"], self.dpi)
        self.font_title = a11y.font_px_for_cap_mm(step["title"], self.dpi)
        self.font_small = a11y.font_px_for_cap_mm(step["small"], self.dpi)
        self.font_icon = round(self.font_body * 1.5)
        self.target_px = round(a11y.mm_to_px(a11y.MIN_TARGET_MM + 3, self.dpi))
        self.gap_px = round(a11y.mm_to_px(a11y.MIN_TARGET_GAP_MM + 0.5, self.dpi))
        pal = a11y.palette(session.high_contrast)
        self.colors = {role: pal.rgba(role) for role in pal.__dataclass_fields__ if role != "name"}
        Window.clearcolor = self.colors["background"]

    # ---- build ---------------------------------------------------------------------------------

    def build(self):
        _register_fonts()
        _load_kv_files()
        from kiosk.ui.screens import (attract, demarche, demarches, end, feedback, guide, mediator,
                                      teach, themes)
        from kiosk.ui.widgets.bar import AccessibilityBar
        from kiosk.ui.widgets.overlay import AlertOverlay

        classes = [attract.AttractScreen, themes.ThemesScreen, demarches.DemarchesScreen,
                   demarche.DemarcheScreen, guide.GuideScreen, teach.TeachScreen,
                   mediator.MediatorScreen, end.EndScreen, feedback.FeedbackScreen]
        root = FloatLayout()
        main = BoxLayout(orientation="vertical")
        self.bar = AccessibilityBar()
        self.screens = ScreenManager(transition=NoTransition())
        for cls in classes:
            self.screens.add_widget(cls())
        main.add_widget(self.bar)
        main.add_widget(self.screens)
        self.overlay = AlertOverlay()
        root.add_widget(main)
        root.add_widget(self.overlay)
        Window.bind(on_key_down=self._on_key_down)
        ExceptionManager.add_handler(_RecoverFromErrors(self))
        Clock.schedule_interval(self._tick, 0.5)
        self.show(self.journey.screen())
        return root

    # ---- showing -----------------------------------------------------------------------------

    def show(self, model: ScreenModel, speak: bool = True) -> None:
        """Draw a screen model, reset the focus to its first control, and say it."""
        _ = self.translator.gettext
        self.model = model
        screen = self.screens.get_screen(model.name)
        screen.render(model, (_("Scroll up"), _("See more")))
        self.screens.current = model.name
        self.bar_buttons = self.bar.show(self.journey.accessibility_bar())
        Clock.schedule_once(lambda *_: self._refocus(first_content=True), 0)
        if speak:
            self.speak(model.speech())

    def current_screen(self):
        return self.screens.current_screen

    def _refocus(self, first_content: bool = False) -> None:
        if self.overlay.shown:
            order = self.overlay_buttons
        else:
            order = self.bar_buttons + self.current_screen().focusables()
        previous = self.focused_widget()
        self.focus_order = order
        if first_content or previous not in order:
            content = [w for w in order if w not in self.bar_buttons]
            self.focus_index = order.index(content[0]) if content else 0
        else:
            self.focus_index = order.index(previous)
        self._paint_focus()

    def focused_widget(self):
        if 0 <= self.focus_index < len(self.focus_order):
            return self.focus_order[self.focus_index]
        return None

    def _paint_focus(self) -> None:
        from kiosk.ui.widgets.controls import KioskButton
        for widget in self.root.walk(restrict=False) if self.root else []:
            if isinstance(widget, KioskButton):
                widget.focused = False
        focused = self.focused_widget()
        if focused is not None:
            focused.focused = True
            if not self.overlay.shown:
                self.current_screen().show_widget(focused)

    def move_focus(self, delta: int) -> None:
        if not self.focus_order:
            return
        self.focus_index = (self.focus_index + delta) % len(self.focus_order)
        self._paint_focus()
        focused = self.focused_widget()
        if focused is not None:
            self.speak(focused.speech, interrupt=True)

    # ---- speech and sound ----------------------------------------------------------------------

    def speak(self, text: str, interrupt: bool = True) -> None:
        """Say `text` in the language on screen when the voice is on (never waits)."""
        self.last_speech = text
        if self.speaker is not None and self.journey.session.voice_on:
            self.speaker.say(text, self.journey.session.language, interrupt=interrupt)

    def play_sound(self, name: str) -> None:
        """A short signal (assets/sounds/NAME.wav); silently skipped without a sound device."""
        try:
            if name not in self._sounds:
                self._sounds[name] = SoundLoader.load(str(paths.SOUNDS_DIR / f"{name}.wav"))
            sound = self._sounds[name]
            if sound is not None:
                sound.play()
        except Exception as exc:  # no audio device: the visible signal remains
            log.warning("sound %s not played: %s", name, exc.__class__.__name__)
            self._sounds[name] = None

    # ---- input ---------------------------------------------------------------------------------

    def on_action(self, action_id: str, source=None) -> None:
        """Every tap and key activation ends here."""
        now = self.clock()
        if not self.tap_filter.accept(now):
            return
        self.inactivity.activity(now)
        try:
            self._dispatch(action_id, now)
        except Exception as exc:
            self.recover(exc)

    def _dispatch(self, action_id: str, now: float) -> None:
        if action_id.startswith("scroll:"):
            self.current_screen().scroll_page(1 if action_id == "scroll:down" else -1)
            return
        if action_id == "more-time":
            self.inactivity.extend(now)
            self.overlay.hide()
            self._refocus()
            self.speak(self.translator.gettext("You have more time."))
            return
        if action_id == "dismiss":
            self.overlay.hide()
            self._refocus()
            return
        if action_id == "repeat":
            self.speak(self.last_speech)
            return
        was_started = self.journey.session.started
        model = self.journey.handle(action_id)
        if not was_started and self.journey.session.started:
            self.inactivity.start(now)
        effects = self.journey.take_effects()
        if any(e[0] == "a11y" for e in effects):
            self.apply_look()
        self.show(model, speak=not any(e[0] == "call_mediator" for e in effects))
        for effect in effects:
            self._apply_effect(effect, model)

    def _apply_effect(self, effect: tuple, model: ScreenModel) -> None:
        kind = effect[0]
        if kind == "call_mediator":
            self.mediator_calls.append(effect[1])
            log.info("mediator called (%s)", effect[1])
            self.play_sound("chime")
            if model.name == "mediator":
                self.speak(model.speech())
            else:
                self.show_overlay(self.journey.help_called())
        elif kind == "a11y" and effect[1] == "voice" and not self.journey.session.voice_on:
            if self.speaker is not None:
                self.speaker.stop()
        elif kind == "print":
            self.print_receipt(effect[1], effect[2])

    def print_receipt(self, demarche_id: str, language: str) -> None:
        _ = self.translator.gettext
        if self.printer is None:
            self.show_overlay(self.journey.message(
                _("Printing is not available"),
                _("This kiosk has no printer. Ask the mediator for a paper copy.")))
            return

    def show_overlay(self, model: ScreenModel, speak: bool = True) -> None:
        self.overlay_buttons = self.overlay.show(model)
        self._refocus(first_content=True)
        if speak:
            self.speak(model.speech())

    def _on_key_down(self, window, key, scancode, codepoint, modifiers):
        self.inactivity.activity(self.clock())
        if key == keys.TAB:
            self.move_focus(-1 if "shift" in modifiers else 1)
        elif key in (keys.DOWN, keys.RIGHT):
            self.move_focus(1)
        elif key in (keys.UP, keys.LEFT):
            self.move_focus(-1)
        elif key in (keys.ENTER, keys.KP_ENTER, keys.SPACE):
            focused = self.focused_widget()
            if focused is not None:
                self.on_action(focused.action_id, source=focused)
        elif key in (keys.ESCAPE, keys.BACKSPACE):
            if not self.overlay.shown and self.journey.screen_name != "attract":
                self.on_action("back")
        elif key == keys.F1:
            self.on_action("repeat")
        else:
            return False
        return True

    # ---- timers, end of session, errors --------------------------------------------------------

    def _tick(self, _dt) -> None:
        if not self.journey.session.started:
            return
        now = self.clock()
        state = self.inactivity.state(now)
        if state == WARNING:
            model = self.journey.timeout_warning(self.inactivity.seconds_left(now), self.inactivity.can_extend)
            first = self.overlay.name != "timeout"
            if first:
                self.play_sound("warning")
            self.show_overlay(model, speak=first)
        elif state == EXPIRED:
            log.info("session wiped after an ignored inactivity warning")
            self.end_session("timeout")

    def end_session(self, outcome: str) -> None:
        if self.speaker is not None:
            self.speaker.stop()
        self.journey.wipe(outcome)
        self.overlay.hide()
        self.apply_look()
        self.show(self.journey.screen())

    def recover(self, exc: BaseException) -> None:
        """An unexpected error: log it without personal data, wipe, back to the attract screen."""
        log.error("unexpected %s on screen %s; session wiped", exc.__class__.__name__,
                  self.journey.screen_name)
        try:
            self.end_session("error")
        except Exception as second:  # never loop on a broken screen
            log.critical("could not recover: %s", second.__class__.__name__)

    def _record_session(self, session: Session) -> None:
        if self.stats is not None:
            self.stats.record_session(demarche=session.demarche, help_level=session.help_level,
                                      outcome=session.outcome or "abandoned",
                                      satisfaction=session.satisfaction, language=session.language)

    def on_stop(self):
        self.journey.wipe()
        if self.speaker is not None and hasattr(self.speaker, "close"):
            self.speaker.close()
