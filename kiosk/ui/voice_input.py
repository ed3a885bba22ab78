"""Push-to-talk in the UI: the listening overlay, and what the kiosk does with what it heard.

The listener (kiosk/devices/listener.py) runs vosk in its own thread; every callback comes back
to the UI thread through Clock.schedule_once. What was heard goes through the intent matcher:
sure → act, unsure → show the best guesses as big buttons, nothing → say so and offer a person.
"""

from __future__ import annotations

import logging
import threading

from kivy.clock import Clock

from kiosk.core.journey import Action, Block, ScreenModel

log = logging.getLogger(__name__)

# Voice command ids (assets/intents.tsv) → the journey or app event they trigger.
COMMAND_EVENTS = {
    "accueil": "home",
    "retour": "back",
    "repeter": "repeat",
    "aide": "call",
    "conseiller": "call",
    "imprimer": "print",
    "langue": "a11y:language",
    "texte-plus-grand": "a11y:text",
    "terminer": "end",
    "oui": "dismiss",
    "non": "dismiss",
}


class VoiceInput:
    def __init__(self, app):
        self.app = app
        self.listener = None
        self.matcher = None
        self.partial = ""

    @property
    def available(self) -> bool:
        return self.listener is not None and self.listener.available

    def open_in_background(self, factory) -> None:
        """Load the model off the UI thread (it takes seconds); attach when ready."""
        def work():
            from kiosk.core.search import matcher_for  # one matcher, shared with the typed search

            try:
                listener = factory()
                matcher = matcher_for(self.app.kiosk_config.languages["default"])
            except Exception as exc:
                log.warning("voice input off: %s", exc.__class__.__name__)
                return
            Clock.schedule_once(lambda _dt: self.attach(listener, matcher), 0)
        threading.Thread(target=work, name="listener-open", daemon=True).start()

    def attach(self, listener, matcher=None) -> None:
        """Use this listener (and matcher); loading the matcher here blocks for ~0.3 s."""
        from kiosk.core.search import matcher_for

        self.listener = listener
        listener.mute = self._mute  # no speech over the person while the microphone is open
        self.matcher = matcher or self.matcher or matcher_for(self.app.kiosk_config.languages["default"])
        if not listener.available:
            self.app.device_faults.append(f"voice input: {listener.unavailable_reason}")
        self.app.journey.voice_input_available = listener.available
        self.app.refresh_bar()

    # ---- listening ---------------------------------------------------------------------------

    def _mute(self, on: bool) -> None:
        """Called by the listener (any thread) when the microphone opens and closes."""
        self.app.speech_muted = on
        if on and self.app.speaker is not None:
            self.app.speaker.stop()

    def start(self) -> None:
        app, _ = self.app, self.app.translator.gettext
        if not self.available:
            app.show_overlay(app.journey.message(_("Voice input is not available"),
                                                 _("Please use the buttons on the screen.")))
            return
        if self.listener.busy:
            self.stop()
            return
        self.partial = ""
        try:
            self.listener.listen(
                on_partial=lambda text: Clock.schedule_once(lambda _dt: self._on_partial(text), 0),
                on_result=lambda result: Clock.schedule_once(lambda _dt: self.on_result(result), 0),
            )
        except Exception as exc:
            log.warning("listening failed: %s", exc.__class__.__name__)
            app.show_overlay(app.journey.message(_("Voice input is not available"),
                                                 _("Please use the buttons on the screen.")))
            return
        app.play_sound("chime")
        app.show_overlay(self._listening_model(), speak=False)

    def stop(self) -> None:
        if self.listener is not None and self.listener.busy:
            self.listener.stop()

    def _listening_model(self) -> ScreenModel:
        _ = self.app.translator.gettext
        blocks = [Block("text", items=(_("Say what you need, then wait a moment."),))]
        if self.partial:
            blocks.append(Block("notice", items=(self.partial,)))
        return self.app.journey.localised(ScreenModel(
            "listening", _("I am listening"), blocks,
            [Action("listen-stop", _("I have finished"), "circle-check", "primary")]))

    def _on_partial(self, text: str) -> None:
        if text and text != self.partial and self.app.overlay.name == "listening":
            self.partial = text
            self.app.show_overlay(self._listening_model(), speak=False)

    # ---- understanding -----------------------------------------------------------------------

    def on_result(self, result) -> None:
        """What to do with one utterance (called on the UI thread)."""
        app, _ = self.app, self.app.translator.gettext
        app.overlay.hide()
        if result.error or not result.heard:
            app.show_overlay(self._retry_model(_("I heard nothing"),
                                               _("Touch \"Speak\" and talk a little louder, close to the screen.")))
            return
        self.understand(result.text, confirm=result.needs_confirmation)

    def understand(self, text: str, confirm: bool = False) -> None:
        """Recognised or typed text → act, ask, or say it was not understood."""
        from kiosk.core.intents import SURE

        app, _ = self.app, self.app.translator.gettext
        decision = self.matcher.decide(text, only=self._allowed())
        if decision.status == SURE and not confirm:
            self._act(decision.candidates[0].id)
            return
        guesses = [c.id for c in decision.candidates][:3]
        if not guesses:
            app.show_overlay(self._retry_model(_("I did not understand"),
                                               _("You said: {text}").format(text=text)))
            return
        actions = [Action(f"voice:{gid}", self._label(gid), "", "primary" if i == 0 else "normal")
                   for i, gid in enumerate(guesses)]
        actions.append(Action("call", _("None of these: call a person"), "hand-helping", "urgent"))
        app.show_overlay(app.journey.localised(ScreenModel(
            "guesses", _("Did you mean?"),
            [Block("text", items=(_("You said: {text}").format(text=text),))], actions)))

    def choose(self, intent_id: str) -> None:
        """A guess button was touched."""
        self.app.overlay.hide()
        self._act(intent_id)

    def _allowed(self) -> set[str]:
        journey = self.app.journey
        ids = set(journey.catalogue.demarches) | set(COMMAND_EVENTS)
        if not journey.session.demarche:
            ids.discard("imprimer")
        return ids

    def _label(self, intent_id: str) -> str:
        journey = self.app.journey
        if intent_id in journey.catalogue.demarches:
            return journey.catalogue.demarches[intent_id].text(journey.session.language).title
        return {a.id: a.label for a in journey.accessibility_bar()}.get(COMMAND_EVENTS[intent_id], intent_id)

    def _act(self, intent_id: str) -> None:
        app = self.app
        if intent_id in app.journey.catalogue.demarches:
            if app.journey.screen_name == "attract":
                app.on_action("start", force=True)
            app.on_action(f"demarche:{intent_id}", force=True)
        else:
            app.on_action(COMMAND_EVENTS[intent_id], force=True)

    def _retry_model(self, title: str, text: str) -> ScreenModel:
        _ = self.app.translator.gettext
        return self.app.journey.localised(ScreenModel(
            "voice-retry", title, [Block("text", items=(text,))],
            [Action("listen", _("Try again"), "mic", "primary"),
             Action("call", _("Call a person"), "hand-helping", "urgent"),
             Action("dismiss", _("Use the screen"), "hand", "normal")]))
