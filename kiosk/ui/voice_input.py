"""Push-to-talk in the UI: the listening overlay, and what the kiosk does with what it heard.

The listener (kiosk/devices/listener.py) runs vosk in its own thread; every callback comes back
to the UI thread through Clock.schedule_once. What was heard goes through the understanding
(kiosk/core/understanding.py: the word lists and the nearest examples; the sentence's vector is
computed in the listener's thread, before the result is handed over): sure → act, unsure → show
the best guesses as big buttons, nothing → say so and offer a person.
The overlays and the command table are core's (kiosk/core/overlays.py, voice_commands.py).
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from kivy.clock import Clock

from kiosk.core import overlays, voice_commands

log = logging.getLogger(__name__)


class VoiceInput:
    def __init__(self, *, journey, display, speech, faults: list[str], default_language: str,
                 play_sound: Callable[[str], None], send: Callable[[str], None]):
        """`send(event)`: carry out an event as a meant action (not a finger)."""
        self.journey = journey
        self.display = display
        self.speech = speech
        self.faults = faults
        self.default_language = default_language
        self.play_sound = play_sound
        self.send = send
        self.listener = None
        self.matcher = None
        self.loading = False
        self.partial = ""
        self.language = default_language    # the language of `listener` and `matcher`
        self.card_before: str | None = None
        self._factory = None                # factory(language) -> Listener, slow: off the UI thread
        self._loaded: dict[str, tuple] = {}  # language -> (listener, matcher), the default and one more

    @property
    def _(self):
        return self.journey.translator.gettext

    @property
    def available(self) -> bool:
        return self.listener is not None and self.listener.available

    def open_in_background(self, factory) -> None:
        """Load the default language's model off the UI thread (it takes seconds); attach when ready.
        `factory(language)` opens a Listener for that language's model."""
        self._factory = factory
        self._load(self.default_language)

    def _load(self, language: str) -> None:
        self.loading = True

        def work():
            from kiosk.core.understanding import understanding_for

            try:
                listener = self._factory(language)
                # the examples and the sentence model (~0.3 s) only where there is something to hear
                matcher = understanding_for(language) if listener.available else None
            except Exception as exc:
                log.warning("voice input off: %s", exc.__class__.__name__)
                Clock.schedule_once(lambda _dt: setattr(self, "loading", False), 0)
                return
            Clock.schedule_once(lambda _dt: self._loaded_in_background(language, listener, matcher), 0)
        threading.Thread(target=work, name=f"listener-open-{language}", daemon=True).start()

    def _loaded_in_background(self, language: str, listener, matcher) -> None:
        self._loaded[language] = (listener, matcher)
        for other in [lang for lang in self._loaded if lang not in (self.default_language, language)]:
            del self._loaded[other]  # one model besides the default's: they weigh 50 to 150 MB each
        if language == self.language:
            self.attach(listener, matcher)
        else:
            self.loading = False

    def follow_language(self, language: str) -> None:
        """The session's language changed: listen with that language's model where one exists
        (loaded in the background the first time); elsewhere the Speak button says voice input is
        not available in this language and offers touch."""
        from kiosk.devices.voice_models import voice_status

        if language == self.language or self._factory is None:
            return
        self.stop()
        self.language = language
        if language in self._loaded:
            self.listener, self.matcher = self._loaded[language]
        else:
            self.listener, self.matcher = None, None
            if voice_status(language) == "ready":
                self._load(language)

    def attach(self, listener, matcher=None) -> None:
        """Use this listener (and matcher); loading the understanding here blocks for ~0.5 s."""
        from kiosk.core.understanding import understanding_for

        self.loading = False
        self.listener = listener
        listener.mute = self.speech.mute  # no speech over the person while the microphone is open
        if listener.available:
            self.matcher = matcher or self.matcher or understanding_for(self.language)
        else:
            self.faults.append(f"voice input: {listener.unavailable_reason}")
        if self.language == self.default_language:  # the Speak button stays in every language
            self.journey.voice_input_available = listener.available
        self.display.refresh_bar()

    # ---- listening ---------------------------------------------------------------------------

    def toggle(self) -> None:
        """Push-to-talk: open the microphone, or close it when it listens already."""
        if not self.available:
            self.display.present_overlay(overlays.voice_input_unavailable(self._))
            return
        if self.listener.busy:
            self.stop()
            return
        self.partial = ""
        self.card_before = self.display.overlay_name  # a card asking something gets the answer
        try:
            self.listener.listen(
                on_partial=lambda text: Clock.schedule_once(lambda _dt: self._on_partial(text), 0),
                on_result=self._heard,
            )
        except Exception as exc:
            log.warning("listening failed: %s", exc.__class__.__name__)
            self.display.present_overlay(overlays.voice_input_unavailable(self._))
            return
        self.play_sound("chime")
        self.display.present_overlay(overlays.listening(self._, self.partial), speak=False)

    def stop(self) -> None:
        if self.listener is not None and self.listener.busy:
            self.listener.stop()

    def _heard(self, result) -> None:
        """In the listener's thread: the slow part of understanding (the sentence's vector) is
        done here, then the result goes to the UI thread."""
        matcher = self.matcher
        prepare = getattr(matcher, "prepare", None)
        if prepare is not None and result.heard and not result.error:
            try:
                prepare(result.text)
            except Exception as exc:  # the UI thread will compute it, or the word lists decide
                log.warning("understanding not prepared: %s", exc.__class__.__name__)
        Clock.schedule_once(lambda _dt: self.on_result(result), 0)

    def session_wiped(self) -> None:
        """Nothing of the last citizen's utterance stays, even one heard and never decided."""
        for _listener, matcher in [(None, self.matcher), *self._loaded.values()]:
            forget = getattr(matcher, "forget", None)
            if forget is not None:
                forget()

    def _on_partial(self, text: str) -> None:
        if text and text != self.partial and self.display.overlay_name == "listening":
            self.partial = text
            self.display.present_overlay(overlays.listening(self._, self.partial), speak=False)

    # ---- understanding -----------------------------------------------------------------------

    def on_result(self, result) -> None:
        """What to do with one utterance (called on the UI thread)."""
        self.display.hide_overlay()
        if result.error or not result.heard:
            self.display.present_overlay(overlays.heard_nothing(self._))
            return
        self.understand(result.text, confirm=result.needs_confirmation)

    def understand(self, text: str, confirm: bool = False) -> None:
        """Recognised or typed text → act, ask, or say it was not understood."""
        from kiosk.core.intents import SURE, language_request

        language = language_request(text)   # "english", "español"…: the language, by its name
        if language in self.journey.languages:
            self.send(f"language:{language}")
            return
        matcher = self.matcher
        if matcher is None or self.language != self.journey.session.language:
            from kiosk.core.understanding import understanding_for
            matcher = understanding_for(self.journey.session.language)
        decision = matcher.decide(text, only=voice_commands.allowed_ids(self.journey))
        if decision.status == SURE and not confirm:
            self._act(decision.candidates[0].id)
            return
        guesses = [c.id for c in decision.candidates][:3]
        if not guesses:
            self.display.present_overlay(overlays.not_understood(self._, text))
            return
        choices = [(gid, voice_commands.label(self.journey, gid)) for gid in guesses]
        self.display.present_overlay(overlays.guesses(self._, text, choices))

    def choose(self, intent_id: str) -> None:
        """A guess button was touched."""
        self.display.hide_overlay()
        self._act(intent_id)

    def _act(self, intent_id: str) -> None:
        card, self.card_before = self.card_before, None
        for event in voice_commands.events_for(self.journey, intent_id, card):
            self.send(event)
