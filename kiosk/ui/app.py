"""The Kivy application: its lifecycle and its style, and the wiring of the UI's parts.

The parts, each with one job:
  display.py        what is on screen and said about it (screens, bar, overlay, focus)
  next_pages.py     the pages a touch is likely to open, built while the citizen reads
  input.py          touches, keys and voice commands → journey events or shell commands
  effects.py        carries out the effects core asks for, one place each
  speech.py         the speech gate (voice on/off, muted while listening, repeat)
  receipts.py       printing and the QR code, off the UI thread
  voice_input.py    push-to-talk and what is done with what was heard
  mediator_desk.py  the mediator mode's devices, panel actions and title taps
  hub_desk.py       the link to the hub: help requests and answers, figures, faults
The app itself: style (sizes in mm at the configured DPI, the palette), the inactivity clock,
the end of a session, recovery from any error, and it refuses to be closed by a citizen.

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
from kivy.properties import BooleanProperty, DictProperty, NumericProperty, StringProperty

from kiosk import paths
from kiosk.core import accessibility as a11y
from kiosk.core import overlays
from kiosk.core.bidi_text import is_rtl_language
from kiosk.core.catalogue import Catalogue, load_catalogue
from kiosk.core.config import Config
from kiosk.core.device_health import FaultLog
from kiosk.core.i18n import Translator
from kiosk.core.idle_gc import IdleCollector
from kiosk.core.inactivity import EXPIRED, WARNING, InactivityTimer
from kiosk.core.journey import Journey
from kiosk.core.session import Session
from kiosk.core.stats import Stats

log = logging.getLogger(__name__)
WIDGET_KV = ("text", "controls", "content", "bar")  # base classes first; the overlay's and the
# keyboard's are loaded when first needed (kiosk/ui/display.py, kiosk/ui/widgets/keyboard.py)
CLOCK_PASSES_PER_FRAME = 40
OVERLAY_AFTER_S = 1.0      # the alert card is built this long after the first screen is up
SETTLE_MAX_FRAMES = 30   # a screen that never stops drawing still gets its devices (~0.5 s)


def _load_kv_files() -> None:
    """The widgets' kv files; each screen's own is loaded when the screen is first built."""
    from kiosk.ui.screens import SCREENS_DIR, load_kv

    for name in WIDGET_KV:
        Builder.load_file(str(paths.ROOT / "kiosk" / "ui" / "widgets" / f"{name}.kv"))
    load_kv(SCREENS_DIR / "base.kv")


def _camera_present() -> bool:
    """A video device is plugged in (the call is offered only then); read in the visio worker."""
    from kiosk.devices.health import OK, check_camera

    return check_camera().status == OK


def _register_fonts() -> None:
    files = atkinson.ROOT / "files"
    LabelBase.register("Atkinson", str(files / "AtkinsonHyperlegible-Regular.ttf"),
                       fn_bold=str(files / "AtkinsonHyperlegible-Bold.ttf"),
                       fn_italic=str(files / "AtkinsonHyperlegible-Italic.ttf"),
                       fn_bolditalic=str(files / "AtkinsonHyperlegible-BoldItalic.ttf"))
    LabelBase.register("Lucide", str(paths.FONTS_DIR / "lucide.ttf"))
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if (dejavu / "DejaVuSans.ttf").is_file():
        LabelBase.register("DejaVu", str(dejavu / "DejaVuSans.ttf"),
                           fn_bold=str(dejavu / "DejaVuSans-Bold.ttf"))
        # a word too wide for its button is drawn in the condensed face (widgets/text.py;
        # Debian's fonts-dejavu-extra), else abbreviated
        condensed = "DejaVuSansCondensed" if (dejavu / "DejaVuSansCondensed.ttf").is_file() else "DejaVuSans"
        LabelBase.register("DejaVuCondensed", str(dejavu / f"{condensed}.ttf"),
                           fn_bold=str(dejavu / f"{condensed}-Bold.ttf"))
    else:   # without Debian's fonts-dejavu-core: Latin only, the other scripts show boxes
        log.warning("DejaVu Sans not found: Cyrillic and Turkish İ cannot be drawn")
        LabelBase.register("DejaVu", str(files / "AtkinsonHyperlegible-Regular.ttf"),
                           fn_bold=str(files / "AtkinsonHyperlegible-Bold.ttf"))
        LabelBase.register("DejaVuCondensed", str(files / "AtkinsonHyperlegible-Regular.ttf"),
                           fn_bold=str(files / "AtkinsonHyperlegible-Bold.ttf"))


class _RecoverFromErrors(ExceptionHandler):
    """Any error escaping a Kivy callback: wipe the session and go back to the welcome screen."""

    def __init__(self, app: "KioskApp"):
        super().__init__()
        self.app = app

    def handle_exception(self, exception):
        if isinstance(exception, (KeyboardInterrupt, SystemExit)):
            return ExceptionManager.RAISE
        self.app.recover(exception)
        return ExceptionManager.PASS


class KioskApp(App):
    """The kiosk. `speaker`, the print service and the listener are optional devices."""

    colors = DictProperty({})
    font_body = NumericProperty(24)
    font_title = NumericProperty(36)
    font_small = NumericProperty(20)
    font_icon = NumericProperty(40)
    target_px = NumericProperty(60)
    gap_px = NumericProperty(12)
    text_step = NumericProperty(0)   # 0, 1, 2: normal, large, very large
    font_text = StringProperty("Atkinson")   # the text font of the language on screen
    rtl = BooleanProperty(False)   # the language on screen reads right to left: mirrored layout

    def __init__(self, config: Config, catalogue: Catalogue | None = None, *, speaker=None,
                 print_service=None, print_service_factory=None, listener_factory=None,
                 hub_factory=None, stats: Stats | None = None, clock=time.monotonic, **kwargs):
        super().__init__(**kwargs)
        self.title = "France Services"
        self.kiosk_config = config
        self.catalogue = catalogue or load_catalogue()
        self.clock = clock
        self.stats = stats
        self.speaker = speaker
        self._print_service = print_service
        self._print_service_factory = print_service_factory
        self._listener_factory = listener_factory
        self._hub_factory = hub_factory
        self.translator = Translator(config.languages["default"])
        self.journey = Journey(
            self.catalogue, self.translator,
            default_language=config.languages["default"],
            languages=tuple(config.languages["available"]),
            site=dict(config.site), on_finish=self._record_session,
        )
        session = config.session
        self.inactivity = InactivityTimer(session["inactivity_seconds"], session["warning_seconds"],
                                          session["max_extensions"])
        self.device_faults = FaultLog()   # for the mediator and the hub: never personal data
        self.idle_gc = IdleCollector()   # full garbage collections when nobody waits for the screen
        self.journey.voice_output_available = speaker is not None and speaker.available
        self._sounds: dict[str, object] = {}
        self.apply_look()

    # ---- style -------------------------------------------------------------------------------

    @property
    def dpi(self) -> int:
        return self.kiosk_config.screen["dpi"]

    def apply_look(self) -> None:
        """Sizes in mm from the configured DPI and the session's text step; the palette."""
        session = self.journey.session
        step = a11y.TEXT_STEPS[session.text_step]
        self.text_step = session.text_step
        from kiosk.ui.widgets.controls import font_for

        self.font_text = font_for(session.language)
        self.rtl = is_rtl_language(session.language)
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

    # ---- build -------------------------------------------------------------------------------

    def build(self):
        from kiosk.ui.display import Display
        from kiosk.ui.effects import EffectRunner
        from kiosk.ui.hub_desk import HubDesk
        from kiosk.ui.input import InputRouter
        from kiosk.ui.mediator_desk import MediatorDesk
        from kiosk.ui.receipts import ReceiptDesk
        from kiosk.ui.speech import SpeechOutput
        from kiosk.ui.visio_desk import VisioDesk
        from kiosk.ui.voice_input import VoiceInput

        _register_fonts()
        _load_kv_files()
        # A page is ~14 layouts deep and a wrapped label is drawn only once it has its width
        # (widgets/text.py): settling a new page in one frame takes more passes of triggered
        # events than Kivy's default 20, after which it would draw half a page and warn.
        Clock.max_iteration = max(Clock.max_iteration, CLOCK_PASSES_PER_FRAME)
        journey, config = self.journey, self.kiosk_config
        self.speech = SpeechOutput(self.speaker, lambda: journey.session, self._voice_output_changed)
        self.display = Display(journey, self.speech)
        self.effects = EffectRunner(journey=journey, display=self.display, speech=self.speech,
                                    restyle=self.apply_look, play_sound=self.play_sound)
        self.receipts = ReceiptDesk(config, self.catalogue, journey, self.display, self.device_faults)
        self.receipts.service = self._print_service
        self.voice = VoiceInput(journey=journey, display=self.display, speech=self.speech,
                                faults=self.device_faults,
                                default_language=config.languages["default"],
                                play_sound=self.play_sound, send=lambda e: self.input.send(e))
        self.input = InputRouter(journey=journey, display=self.display, speech=self.speech,
                                 inactivity=self.inactivity, receipts=self.receipts,
                                 voice=self.voice, effects=self.effects, clock=self.clock,
                                 recover=self.recover)
        self.desk = MediatorDesk(journey=journey, display=self.display, speech=self.speech,
                                 receipts=self.receipts, voice=self.voice, config=config,
                                 catalogue=self.catalogue, stats=self.stats,
                                 faults=self.device_faults, clock=self.clock, send=self.input.send)
        self.hub = HubDesk(journey=journey, display=self.display, config=config,
                           play_sound=self.play_sound, device_state=self._device_state,
                           restart=lambda: Clock.schedule_once(lambda _dt: self.stop(), 0))
        self.visio = VisioDesk(journey=journey, catalogue=self.catalogue, speech=self.speech, voice=self.voice,
                               effects=self.effects, camera_present=_camera_present)
        self.receipts.survey_url = self.hub.survey_url
        self.effects.receipts, self.effects.voice, self.effects.desk, self.effects.hub = \
            self.receipts, self.voice, self.desk, self.hub
        self.effects.on_session_wiped += [self.receipts.forget, self.input.explore.reset,
                                          self.hub.session_wiped, self.voice.session_wiped,
                                          self.idle_gc.end_of_session]
        self.device_faults.listeners.append(self.hub.report_fault)
        if self.speaker is not None and self.speaker.enabled and not self.journey.voice_output_available:
            self.device_faults.append(f"speech: {self.speaker.unavailable_reason}")  # known at once
        Window.bind(on_key_down=self.input.on_key_down, on_request_close=self.on_request_close)
        ExceptionManager.add_handler(_RecoverFromErrors(self))
        Clock.schedule_interval(self.check_inactivity, 0.5)
        Window.bind(on_motion=lambda *_: self.idle_gc.input(), on_key_down=lambda *_: self.idle_gc.input())
        self.display.present(journey.screen())
        Clock.schedule_once(self._when_settled, 0)
        return self.display.root

    def on_start(self):
        from kiosk.ui.first_frame import drop_pending_exposures

        drop_pending_exposures()   # the first frame, about to be drawn, covers them

    def _when_settled(self, _dt, frames: int = 0) -> None:
        """`_ready` once the first screen is on glass and the loop has nothing left to draw, at
        the latest after SETTLE_MAX_FRAMES frames. A callback scheduled with 0 from inside a
        callback runs in the next frame."""
        if Window.canvas.needs_redraw and frames < SETTLE_MAX_FRAMES:
            Clock.schedule_once(lambda dt: self._when_settled(dt, frames + 1), 0)
        else:
            self._ready(_dt)

    def _ready(self, _dt=None) -> None:
        """The first screen is interactive: tell the service manager, and ping its watchdog from
        this clock so that a frozen UI loop (not only a dead process) gets the kiosk restarted.
        The slow devices open now, off the UI thread: their imports (escpos, vosk, requests)
        would otherwise hold the interpreter while the first screen is drawn."""
        from kiosk.devices import service_manager

        if self.speaker is not None:
            self.speaker.start()   # its worker process, held back while the first screen was drawn
        if self._hub_factory is not None:
            self.hub.open_in_background(self._hub_factory,
                                        on_ready=lambda: self.visio.attach(self.hub.link.device))
        if self._listener_factory is not None:
            self.voice.open_in_background(self._listener_factory)
        if self._print_service_factory is not None:
            self.receipts.open_in_background(self._print_service_factory)
        service_manager.notify_ready()
        self.idle_gc.install()
        Clock.schedule_interval(self._collect_garbage_if_due, 0.5)
        self._watchdog = service_manager.start_watchdog(Clock)
        self.speech.prepare_prompts(self.journey.languages)
        Clock.schedule_once(self.display.build_overlay, OVERLAY_AFTER_S)

    def _collect_garbage_if_due(self, _dt) -> None:
        # returns None: a callback of schedule_interval that returns False is unscheduled
        self.idle_gc.tick()

    def open_settings(self, *_args) -> bool:
        """Kivy's settings panel (F1) is not for citizens; the kiosk's style does not even draw it."""
        return False

    def on_request_close(self, *_args, **_kwargs) -> bool:
        """A window-close request (a window manager's shortcut, a close button): refused. Only
        the service manager (SIGTERM) ends the kiosk."""
        log.info("a request to close the window was refused")
        return True

    # ---- sounds ----------------------------------------------------------------------------------

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

    def _voice_output_changed(self, available: bool) -> None:
        if available != self.journey.voice_output_available:
            self.journey.voice_output_available = available
            if not available:
                self.device_faults.append(f"speech: {self.speaker.unavailable_reason}")
            self.display.refresh_bar()

    # ---- time, end of session, errors ------------------------------------------------------------

    def check_inactivity(self, _dt=None) -> None:
        """Every half second: warn by sound and sight, then wipe when the warning is ignored."""
        if not self.journey.session.started:
            return
        now = self.clock()
        if self.visio.in_call:  # the citizen talks with an advisor in the call window on top
            self.inactivity.activity(now)
            return
        state = self.inactivity.state(now)
        if state == WARNING:
            model = overlays.timeout_warning(self.translator.gettext,
                                             self.inactivity.seconds_left(now), self.inactivity.can_extend)
            first = self.display.overlay_name != "timeout"
            if first:
                self.play_sound("warning")
            self.display.present_overlay(model, speak=first, warning=True)
        elif state == EXPIRED:
            log.info("session wiped after an ignored inactivity warning")
            self.end_session("timeout")

    def end_session(self, outcome: str) -> None:
        self.effects.end_session(outcome)

    def recover(self, exc: BaseException) -> None:
        """An unexpected error: log it without personal data, wipe, back to the welcome screen."""
        log.error("unexpected %s on screen %s; session wiped", exc.__class__.__name__,
                  self.journey.screen_name)
        try:
            self.end_session("error")
            self.speech.say_error()
        except Exception as second:  # never loop on a broken screen
            log.critical("could not recover: %s", second.__class__.__name__)

    def _record_session(self, session: Session) -> None:
        if self.stats is not None:
            self.stats.record_session(demarche=session.demarche, help_level=session.help_level,
                                      outcome=session.outcome or "abandoned",
                                      satisfaction=session.satisfaction, language=session.language)
        hub = getattr(self, "hub", None)
        if hub is not None:
            hub.record_session(session)

    def _device_state(self) -> dict:
        """For the hub's fleet view: each device ok, fault, off or unknown (plain words only)."""
        h = self.desk.health()
        printer = self.desk.printer_state()
        voice = "ok" if h.speech_available else "fault" if self.speaker is not None else "off"
        microphone = {"on": "ok", "off-config": "off", "loading": "unknown"}.get(h.listen_state, "fault")
        return {"printer": printer, "voice": voice, "microphone": microphone}

    def on_stop(self):
        from kiosk.devices import service_manager

        service_manager.notify_stopping()
        self.idle_gc.uninstall()
        self.journey.wipe()
        self.speech.close()
        self.receipts.close()
        self.hub.close()
