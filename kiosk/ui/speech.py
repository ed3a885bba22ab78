"""The speech gate: everything the kiosk says goes through here, in the language on screen.

It says nothing while the voice is off or the microphone listens; a warning cuts whatever was
being said. It remembers the screen's speech (for "Repeat") and the last thing said (tests and
the audit read it). The speaker device (kiosk/devices/speaker.py) works in its own process and
never blocks; its state changes come back to the UI thread through Clock.schedule_once.
"""

from __future__ import annotations

from typing import Callable

from kivy.clock import Clock


class SpeechOutput:
    def __init__(self, speaker, session: Callable, on_availability: Callable[[bool], None]):
        """`speaker`: the device or None; `session()`: the current citizen's session;
        `on_availability(available)`: called on the UI thread when the voice comes or goes."""
        self.speaker = speaker
        self._session = session
        self._on_availability = on_availability
        self.last = ""          # the last text asked to be said (said or not)
        self.screen = ""        # the speech of the screen on show, for "Repeat"
        self.muted = False      # True while the microphone listens
        if speaker is not None:
            speaker.on_state = self._state_from_worker

    @property
    def available(self) -> bool:
        return self.speaker is not None and self.speaker.available

    def unavailable_reason(self, language: str) -> str:
        """Why the kiosk cannot speak, as a sentence ('' when it has no speech device at all)."""
        return self.speaker.unavailable_message(language) if self.speaker is not None else ""

    def say(self, text: str, interrupt: bool = True, warning: bool = False,
            language: str = "") -> None:
        """Say `text` when the voice is on (never waits), in the language on screen or in
        `language` (a language's own name). A warning cuts what was being said."""
        self.last = text
        session = self._session()
        if self.speaker is None or not session.voice_on or self.muted:
            return
        if warning:
            self.speaker.warn(text, language or session.language)
        else:
            self.speaker.say(text, language or session.language, interrupt=interrupt)

    def say_model(self, model) -> None:
        """A screen or card: its speech, each part in its own language (language names)."""
        self.last = model.speech()
        session = self._session()
        if self.speaker is None or not session.voice_on or self.muted:
            return
        parts = [(text, lang or session.language) for text, lang in model.speech_parts()]
        self.speaker.say_parts(parts, interrupt=True)

    def repeat(self) -> None:
        if self._screen_model is not None:
            self.say_model(self._screen_model)
        else:
            self.say(self.screen)

    _screen_model = None

    def set_screen(self, model) -> None:
        """The screen on show: what "Repeat" says again."""
        self._screen_model = model
        self.screen = model.speech()

    def prepare_prompts(self, languages) -> None:
        """Render the fixed prompts (the error sentence) ahead, in every language offered."""
        if self.speaker is not None and self.speaker.available:
            from kiosk.devices.speaker import fixed_prompts

            self.speaker.prerender(fixed_prompts(languages))

    def say_error(self) -> None:
        """After an unexpected error: the pre-rendered sentence (no synthesis wait)."""
        session = self._session()
        if self.speaker is None or not session.voice_on:
            return
        key = f"error:{session.language}"
        try:
            self.speaker.say_prompt(key)
        except KeyError:   # not rendered yet
            from kiosk.core.i18n import translations
            from kiosk.devices.speaker import PROMPTS

            self.speaker.say(translations(session.language).gettext(PROMPTS["error"]),
                             session.language)

    def stop(self) -> None:
        if self.speaker is not None:
            self.speaker.stop()

    def set_rate(self, rate: str) -> None:
        if self.speaker is not None:
            self.speaker.set_rate(rate)

    def mute(self, on: bool) -> None:
        """The microphone opens (on) or closes: no speech over the person speaking."""
        self.muted = on
        if on:
            self.stop()

    def reset_for_new_session(self) -> None:
        """Volume and rate back to a new citizen's defaults; no audio of the session kept."""
        if self.speaker is not None:
            self.speaker.reset_for_new_session()

    def close(self) -> None:
        if self.speaker is not None and hasattr(self.speaker, "close"):
            self.speaker.close()

    def _state_from_worker(self, _state: str) -> None:
        """Called on the speaker's thread: hand over to the UI thread."""
        Clock.schedule_once(lambda _dt: self._on_availability(self.available), 0)
