"""The Kivy application: wires the journey, the screens, the keyboard, the timers and the devices.

Import this module only after `kiosk.ui.bootstrap.prepare_kivy()`.
"""

from __future__ import annotations

import logging
import threading
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
EXPLORE_DOUBLE_TAP_SECONDS = 1.0
SCREEN_NAMES = ("attract", "themes", "demarches", "demarche", "guide", "teach", "mediator", "end", "feedback", "search", "pin",
                "mediator_panel")



def _load_kv_files() -> None:
    # Base classes first: a subclass rule must come after its base's rule to override it.
    for name in ("controls", "content", "bar", "overlay", "keyboard"):
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
                 print_service=None, print_service_factory=None, listener_factory=None,
                 stats: Stats | None = None,
                 clock=time.monotonic, **kwargs):
        super().__init__(**kwargs)
        self.title = "France Services"
        self.kiosk_config = config
        self.catalogue = catalogue or load_catalogue()
        self.clock = clock
        self.translator = Translator(config.languages["default"])
        self.stats = stats
        self.speaker = speaker
        self.print_service = print_service
        self.print_service_factory = print_service_factory
        self.listener_factory = listener_factory
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
        self.screen_speech = ""
        self.mediator_calls: list[str] = []
        self.device_faults: list[str] = []   # for the mediator: what is wrong, never personal data
        self._armed = None                    # explore by touch: the control touched once
        self._armed_at = 0.0
        self.journey.voice_output_available = speaker is not None and speaker.available
        if speaker is not None:
            speaker.on_state = self._speaker_state_from_worker
        self.focus_order: list = []
        self.focus_index = 0
        self._sounds: dict[str, object] = {}
        self._last_receipt = None
        self.speech_muted = False  # True while the microphone listens
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
        colors = {role: pal.rgba(role) for role in pal.__dataclass_fields__ if role != "name"}
        try:
            self.colors = colors
        except ReferenceError:
            # A kv binding outlived its widget (see widgets/tree.discard_children): collect the
            # garbage so Kivy drops it, and try once more rather than leave a half-styled screen.
            log.warning("stale widget binding while restyling; retrying after a collection")
            import gc
            gc.collect()
            self.colors = dict(colors)
        Window.clearcolor = self.colors["background"]

    # ---- build ---------------------------------------------------------------------------------

    def build(self):
        _register_fonts()
        _load_kv_files()
        from kiosk.ui.screens import (attract, demarche, demarches, end, feedback, guide, mediator,
                                      mediator_panel, pin, search, teach, themes)
        from kiosk.ui.widgets.bar import AccessibilityBar
        from kiosk.ui.widgets.overlay import AlertOverlay

        self._screen_classes = {
            "attract": attract.AttractScreen, "themes": themes.ThemesScreen,
            "demarches": demarches.DemarchesScreen, "demarche": demarche.DemarcheScreen,
            "guide": guide.GuideScreen, "teach": teach.TeachScreen, "mediator": mediator.MediatorScreen,
            "end": end.EndScreen, "feedback": feedback.FeedbackScreen, "search": search.SearchScreen,
            "pin": pin.PinScreen, "mediator_panel": mediator_panel.MediatorPanelScreen,
        }
        root = FloatLayout()
        main = BoxLayout(orientation="vertical")
        self.bar = AccessibilityBar()
        self.screens = ScreenManager(transition=NoTransition())
        main.add_widget(self.bar)
        main.add_widget(self.screens)
        self.overlay = AlertOverlay()
        root.add_widget(main)
        root.add_widget(self.overlay)
        self.desk = mediator_panel.MediatorDesk(self, root)
        from kiosk.ui.voice_input import VoiceInput

        self.voice = VoiceInput(self)
        if self.listener_factory is not None:
            self.voice.open_in_background(self.listener_factory)
        if self.print_service_factory is not None:
            self._open_printer_in_background()
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
        screen = self._screen(model.name)
        keep_focus = model.name in ("search", "pin") and self.screens.current == model.name  # typing
        screen.render(model, (_("Scroll up"), _("See more")))
        self.screens.current = model.name
        self.bar_buttons = self.bar.show(self.journey.accessibility_bar(), self.landscape)
        Clock.schedule_once(lambda *_: self._refocus(first_content=not keep_focus), 0)
        self.screen_speech = model.speech()
        if speak:
            self.speak(self.screen_speech)

    def _screen(self, name: str):
        """The screen for a model, built the first time it is needed (a faster start)."""
        if not self.screens.has_screen(name):
            self.screens.add_widget(self._screen_classes[name]())
        return self.screens.get_screen(name)

    @property
    def landscape(self) -> bool:
        return Window.width > Window.height

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

    def speak(self, text: str, interrupt: bool = True, warning: bool = False) -> None:
        """Say `text` in the language on screen when the voice is on (never waits).

        A warning cuts whatever was being said."""
        self.last_speech = text
        session = self.journey.session
        if self.speaker is None or not session.voice_on or self.speech_muted:
            return
        if warning:
            self.speaker.warn(text, session.language)
        else:
            self.speaker.say(text, session.language, interrupt=interrupt)

    def refresh_bar(self) -> None:
        self.bar_buttons = self.bar.show(self.journey.accessibility_bar(), self.landscape)
        self._refocus()

    def _speaker_state_from_worker(self, state: str) -> None:
        """Called on the speaker's thread: hand over to the UI thread."""
        Clock.schedule_once(lambda _dt: self._on_speaker_state(state), 0)

    def _on_speaker_state(self, state: str) -> None:
        available = self.speaker is not None and self.speaker.available
        if available != self.journey.voice_output_available:
            self.journey.voice_output_available = available
            if not available:
                self.device_faults.append(f"speech: {self.speaker.unavailable_reason}")
            self.refresh_bar()

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

    def on_action(self, action_id: str, source=None, by_touch: bool = False, force: bool = False) -> None:
        """Every tap, key activation and voice command ends here (`force`: not a finger, no filter)."""
        now = self.clock()
        if force:
            self.tap_filter.last = now
        elif by_touch and self.journey.session.explore_by_touch and source is not None:
            if not (source is self._armed and now - self._armed_at <= EXPLORE_DOUBLE_TAP_SECONDS):
                self._explore(source, now)
                return
            self._armed = None
            self.tap_filter.last = now  # the second tap of a double tap is meant, not a bounce
        elif not self.tap_filter.accept(now):
            return
        self.inactivity.activity(now)
        try:
            self._dispatch(action_id, now)
        except Exception as exc:
            self.recover(exc)

    def _explore(self, control, now: float) -> None:
        """Explore by touch: a first touch says the control and focuses it; a double tap acts."""
        self._armed, self._armed_at = control, now
        self.inactivity.activity(now)
        if control in self.focus_order:
            self.focus_index = self.focus_order.index(control)
            self._paint_focus()
        self.speak(f"{control.speech}. " + self.translator.gettext("Touch twice quickly to choose."))

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
            self.speak(self.screen_speech)
            return
        if action_id == "a11y:voice" and not self.journey.voice_output_available:
            reason = (self.speaker.unavailable_message(self.journey.session.language)
                      if self.speaker is not None else
                      self.translator.gettext("This kiosk has no voice. Ask the mediator."))
            self.show_overlay(self.journey.message(self.translator.gettext("The voice is not available"),
                                                   reason))
            return
        if action_id == "listen":
            self.voice.start()
            return
        if action_id == "listen-stop":
            self.voice.stop()
            return
        if action_id.startswith("voice:"):
            self.voice.choose(action_id.partition(":")[2])
            return
        if action_id == "read-receipt":
            self.overlay.hide()
            self._refocus()
            if self._last_receipt is not None:
                self.speak(self._last_receipt.speech_text())
            return
        was_started = self.journey.session.started
        model = self.journey.handle(action_id)
        if not was_started and self.journey.session.started:
            self.inactivity.start(now)
        effects = self.journey.take_effects()
        if any(e[0] == "a11y" for e in effects):
            self.apply_look()
            if self.speaker is not None:
                self.speaker.set_rate(self.journey.session.speech_rate)
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
        elif kind == "show_qr":
            self.show_qr(effect[1], effect[2])
        elif kind == "staff":
            self.desk.apply(effect[1])

    # ---- receipts --------------------------------------------------------------------------------

    def _open_printer_in_background(self) -> None:
        def work():
            try:
                service = self.print_service_factory()
            except Exception as exc:
                log.error("printer not opened: %s", exc.__class__.__name__)
                self.device_faults.append(f"printer: could not be opened ({exc.__class__.__name__})")
                return
            Clock.schedule_once(lambda _dt: setattr(self, "print_service", service), 0)
        threading.Thread(target=work, name="printer-open", daemon=True).start()

    def print_receipt(self, demarche_id: str, language: str) -> None:
        """Announce at once, print in the printer's worker, report back on the UI thread."""
        from kiosk.core.receipt import build_receipt

        _ = self.translator.gettext
        receipt = build_receipt(self.catalogue.demarches[demarche_id], self.kiosk_config, language)
        self._last_receipt = receipt
        if self.print_service is None:
            self.show_qr(demarche_id, language, self.journey.message(
                _("Printing is not available"),
                _("This kiosk has no printer. Photograph the QR code, or ask the mediator for a paper copy.")))
            return
        job = self.print_service.submit(
            receipt, on_done=lambda result: Clock.schedule_once(lambda _dt: self._print_done(result), 0))
        self.show_overlay(self.journey.message(_("Printing"), job.announcement(language)), warning=True)

    def _print_done(self, result) -> None:
        _ = self.translator.gettext
        language = self.journey.session.language
        if result.ok:
            model = self.journey.message(_("Your summary is printed"),
                                         _("Take the sheet from the printer, under the screen."))
            model.actions.append(self.journey.action("read-receipt", _("Read it aloud"), "volume-2"))
            self.show_overlay(model)
            return
        self.device_faults.append(f"printer: {result.mediator_message()}")
        log.warning("print fault: %s", result.reason)
        demarche = self.journey.session.demarche
        model = self.journey.message(_("Printing did not work"), result.citizen_message(language))
        if demarche:
            self.show_qr(demarche, language, model)
        else:
            self.show_overlay(model, warning=True)

    def show_qr(self, demarche_id: str, language: str, model: ScreenModel | None = None) -> None:
        """The official page's QR code on screen, to photograph (the alternative to paper)."""
        from kiosk.core.receipt import qr_image

        _ = self.translator.gettext
        demarche = self.catalogue.demarches[demarche_id]
        if model is None:
            model = self.journey.message(
                _("Photograph this code"),
                _("Open your phone's camera and point it at the code. It opens the official page."))
        model.blocks.append(self.journey.block("text", (demarche.official_url,)))
        self.show_overlay(model, image=qr_image(demarche.official_url))

    def show_overlay(self, model: ScreenModel, speak: bool = True, warning: bool = False,
                     image=None) -> None:
        self.overlay_buttons = self.overlay.show(model, image)
        self._refocus(first_content=True)
        if speak:
            self.speak(model.speech(), warning=warning)

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
                self.on_action(focused.action_id, source=focused, by_touch=False)
        elif key in (keys.ESCAPE, keys.BACKSPACE):
            if not self.overlay.shown and self.journey.screen_name != "attract":
                self.on_action("back")
        elif key == keys.F1:
            self.on_action("repeat")
        elif key == keys.F2:
            self.on_action("listen")
        elif key == keys.MEDIATOR:
            self.on_action("staff:open", force=True)
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
            self.show_overlay(model, speak=first, warning=True)
        elif state == EXPIRED:
            log.info("session wiped after an ignored inactivity warning")
            self.end_session("timeout")

    def end_session(self, outcome: str) -> None:
        if self.speaker is not None:
            self.speaker.reset_for_new_session()
        self._last_receipt = None
        self._armed = None
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
        for device in (self.speaker, self.print_service):
            if device is not None and hasattr(device, "close"):
                device.close()
