"""The effect runner: carries out, in one place each, the effects core asks for.

`run(model, effects)` first applies what changes the look or the voice (so the new screen is
drawn in it), then presents the screen, then runs the rest: call the mediator, print, show the
QR code, listen, the mediator's panel actions.
"""

from __future__ import annotations

import logging
from typing import Callable

from kiosk.core import effects as fx
from kiosk.core import overlays
from kiosk.core.screen import ScreenModel

log = logging.getLogger(__name__)


class EffectRunner:
    def __init__(self, *, journey, display, speech, restyle: Callable[[], None],
                 play_sound: Callable[[str], None]):
        self.journey = journey
        self.display = display
        self.speech = speech
        self.restyle = restyle
        self.play_sound = play_sound
        self.receipts = None   # set once built (they need the display)
        self.voice = None
        self.desk = None
        self.hub = None
        self.visio = None      # kiosk.devices.visio_call.KioskVisio when the kiosk can make video calls
        self.mediator_calls: list[str] = []   # "urgent" / "help", for the panel and the tests
        self.on_session_wiped: list[Callable[[], None]] = []

    @property
    def _(self):
        return self.journey.translator.gettext

    def run(self, model: ScreenModel, effects: list[fx.Effect]) -> None:
        for effect in effects:
            self._before_drawing(effect)
        calling = any(isinstance(e, fx.CallMediator) for e in effects)
        self.display.present(model, speak=not calling)
        for effect in effects:
            self._after_drawing(effect, model)

    def _before_drawing(self, effect: fx.Effect) -> None:
        match effect:
            case fx.SessionWiped():
                self.display.close_overlay()
                self.speech.reset_for_new_session()
                for forget in self.on_session_wiped:
                    forget()
                if self.voice is not None:
                    self.voice.follow_language(self.journey.session.language)
                self.restyle()
            case fx.LookChanged(what=what):
                if what == "language":
                    self.display.close_overlay()   # the picker closes on the language chosen
                    if self.voice is not None:
                        self.voice.follow_language(self.journey.session.language)
                self.restyle()
            case fx.VoiceChanged(on=on, rate=rate):
                self.speech.set_rate(rate)
                if not on:
                    self.speech.stop()

    def _after_drawing(self, effect: fx.Effect, model: ScreenModel) -> None:
        match effect:
            case fx.CallMediator(urgent=urgent):
                kind = "urgent" if urgent else "help"
                self.mediator_calls.append(kind)
                log.info("mediator called (%s)", kind)
                notified = self.hub.call(urgent)
                self.play_sound("chime")
                if model.name == "mediator":
                    self.speech.say(model.speech())
                else:
                    self.display.present_overlay(overlays.help_called(self._, notified))
            case fx.StartVisio(demarche=demarche, partner=partner, help_level=level, language=language):
                if self.visio is None:  # offered by mistake: back to the recap at once
                    log.warning("visio: no call controller on this kiosk")
                    self.run(self.journey.handle("visio-ended:browser"), self.journey.take_effects())
                else:
                    self.visio.start(partner, demarche, level, language)
            case fx.Repeat():
                self.speech.repeat()
            case fx.Listen():
                self.voice.toggle()
            case fx.VoiceUnavailable():
                reason = self.speech.unavailable_reason(self.journey.session.language)
                self.display.present_overlay(overlays.voice_unavailable(self._, reason))
            case fx.ChooseLanguage():
                self.display.present_overlay(overlays.language_picker(
                    self._, self.journey.languages, self.journey.session.language))
            case fx.PrintReceipt(demarche=demarche, language=language, bilingual=bilingual):
                self.receipts.print_receipt(demarche, language, bilingual)
            case fx.ShowQr(demarche=demarche):
                self.receipts.show_qr(demarche)
            case fx.PanelOpened():
                self.desk.panel_opened()
            case fx.RestartJourney():
                self.desk.restarted()
                self.end_session("abandoned")
            case fx.PrintTestPage():
                self.desk.print_test_page()

    def end_session(self, outcome: str) -> None:
        """Forget the citizen (timeout, error, the mediator's restart) and show the welcome screen."""
        self.journey.wipe(outcome)
        self.run(self.journey.screen(), self.journey.take_effects())
