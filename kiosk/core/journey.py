"""The citizen's journey: a state machine that turns events into screen models.

`handle(event)` applies one event (a button's action id, a key, a voice command) and returns
the screen to draw; what the devices must do is queued as typed effects (kiosk/core/effects.py)
for the UI's effect runner. What is *on* each screen is built in kiosk/core/screens.py; the
mediator's screens and events are kiosk/core/mediator.py. No Kivy here.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Callable

from kiosk.core import effects as fx
from kiosk.core import screens
from kiosk.core.catalogue import Catalogue, DemarcheText
from kiosk.core.i18n import Translator
from kiosk.core.mediator import SCREENS as STAFF_SCREENS, MediatorMode
from kiosk.core.screen import Action, ScreenModel
from kiosk.core.search import SearchState
from kiosk.core.session import HELP_LEVELS, Session


class Journey:
    """Events in, screen models out. Effects are queued for the UI's effect runner."""

    def __init__(self, catalogue: Catalogue, translator: Translator, *, default_language: str = "fr",
                 languages: tuple[str, ...] = ("fr", "en"), site: dict | None = None,
                 on_finish: Callable[[Session], None] | None = None):
        self.catalogue = catalogue
        self.translator = translator
        self.default_language = default_language
        self.languages = tuple(languages)
        self.site = site or {}
        self.on_finish = on_finish
        self.session = Session(language=default_language)
        self.screen_name = "attract"
        self.farewell = False
        self.effects: list[fx.Effect] = []
        self.search = SearchState()
        self.mediator = MediatorMode()  # the UI's mediator desk sets the PIN, clock and health
        self.voice_output_available = True
        self.voice_input_available = False
        self.mediator_reachable = False   # the site's mediators get an alert (a hub is linked)
        # partners whose advisors take video calls now (the app sets it from the hub when the kiosk
        # has a camera, a microphone and the call browser); empty: the call is not offered
        self.visio_partners: frozenset[str] = frozenset()
        self.after_visio = False          # back from a call: the recap asks how the call went
        translator.set_language(default_language)

    # ---- events -------------------------------------------------------------------------------

    def handle(self, action_id: str) -> ScreenModel:
        """Apply one event and return the screen to draw. Unknown events raise ValueError."""
        verb, _, arg = action_id.partition(":")
        handler = getattr(self, "_on_" + verb.replace("-", "_"), None)
        if handler is None:
            raise ValueError(f"unknown event {action_id!r}")
        came_from, was_started = self.screen_name, self.session.started
        handler(arg)
        if self.screen_name == "attract" and came_from not in ("attract", *STAFF_SCREENS) \
                and fx.SessionWiped() not in self.effects:
            # the welcome screen, reached by any path, is a new citizen's: count and forget
            if was_started and self.on_finish:
                self.session.outcome = self.session.outcome or "abandoned"
                self.on_finish(self.session)
            self.wipe()
        return self.screen()

    # events that only move from page to page: what they would show can be asked in advance
    PREVIEWABLE = ("demarche:", "help:guide", "help:teach")

    def preview(self, action_id: str) -> ScreenModel | None:
        """The screen `action_id` would show, the journey left exactly as it was; None for an
        event that does more than move (those are never tried). The UI prepares the pages a
        touch is likely to open while the citizen reads (kiosk/ui/next_pages.py)."""
        if not action_id.startswith(self.PREVIEWABLE):
            return None
        s = self.session
        saved_session = {f.name: getattr(s, f.name) for f in fields(s)}
        saved_history = list(s.history)
        saved = (self.screen_name, self.farewell, self.after_visio, len(self.effects))
        try:
            return self.handle(action_id)
        except ValueError:
            return None
        finally:
            for name, value in saved_session.items():
                setattr(s, name, value)
            s.history[:] = saved_history
            self.screen_name, self.farewell, self.after_visio, effects = saved
            del self.effects[effects:]

    _NAV_FIELDS = ("theme", "demarche", "help_level", "step")

    def _go(self, name: str, **params) -> None:
        s = self.session
        if self.screen_name not in STAFF_SCREENS:  # never back into the mediator's screens
            s.history.append((self.screen_name, {k: getattr(s, k) for k in self._NAV_FIELDS}))
        self.screen_name = name
        for key, value in params.items():
            setattr(self.session, key, value)

    def _on_start(self, _):
        self.farewell = False
        self._go("themes")

    def _on_home(self, _):
        self._go("themes", theme=None, demarche=None, help_level=None, step=0)

    def _on_search(self, _):
        self.search.clear()
        self._go("search")

    def _on_key(self, key):
        if self.screen_name != "search":
            raise ValueError(f"key {key!r} outside the search screen")
        self.search.press(key)

    def _on_theme(self, theme_id):
        if theme_id not in {t.id for t in self.catalogue.themes}:
            raise ValueError(f"unknown theme {theme_id!r}")
        self._go("demarches", theme=theme_id)

    def _on_demarche(self, demarche_id):
        demarche = self.catalogue.demarches.get(demarche_id)
        if demarche is None:
            raise ValueError(f"unknown démarche {demarche_id!r}")
        self._go("demarche", demarche=demarche_id, theme=demarche.theme, help_level=None, step=0)

    def visio_partner(self) -> str | None:
        """The chosen démarche's partner when its advisors take video calls now, else None."""
        demarche = self.catalogue.demarches.get(self.session.demarche or "")
        if demarche is None or demarche.video_partner not in self.visio_partners:
            return None
        return demarche.video_partner

    def _on_advisor(self, _):
        """"Parler à un conseiller": the video call when it can be offered, else the mediator."""
        if self.visio_partner():
            self._on_visio("")
        else:
            self._on_call("")

    def _on_visio(self, _):
        partner = self.visio_partner()
        if partner is None:
            raise ValueError("no video call can be offered here")
        s = self.session
        self.effects.append(fx.StartVisio(s.demarche, partner, s.help_level or "urgent", s.language))
        self._go("visio")

    def _on_visio_ended(self, _reason):
        """The call window closed (any cause): back to the démarche's recap, which asks how it went."""
        if self.screen_name == "visio":
            self.after_visio = True
            self._go("end")

    def _on_dont_know(self, _):
        self._call_mediator()
        self._go("mediator")

    def _on_help(self, level):
        if level not in HELP_LEVELS or not self.session.demarche:
            raise ValueError(f"help level {level!r} needs a démarche")
        self.session.help_level = level
        if level == "urgent":
            self._call_mediator(urgent=True)
            self._go("mediator")
        elif level == "guide":
            self._go("guide", step=0)
        else:
            self._go("teach")

    def _on_step(self, what):
        steps = self.demarche_text().steps
        if what == "done":
            if self.session.step + 1 < len(steps):
                self._go("guide", step=self.session.step + 1)
            else:
                self.session.outcome = "done"
                self._go("end")
        elif what == "stuck":
            self.session.outcome = "stuck"
            self._call_mediator()
            self._go("mediator")
        else:
            raise ValueError(what)

    def _on_understood(self, _):
        self.session.outcome = self.session.outcome or "done"
        self._go("end")

    def _on_back(self, _):
        if self.screen_name in STAFF_SCREENS:
            return self._on_staff("close")
        if not self.session.history:
            self.screen_name = "attract"
            return
        name, params = self.session.history.pop()
        self.screen_name = name
        for key, value in params.items():
            setattr(self.session, key, value)

    def _on_end(self, _):
        self._go("end")

    def _on_face(self, value):
        score = int(value)
        if score not in (1, 2, 3, 4, 5):
            raise ValueError(value)
        self.session.satisfaction = score
        self._go("feedback")

    def _on_reason(self, reason):
        if reason not in screens.REASON_IDS:
            raise ValueError(reason)
        self.session.reason = reason
        self._on_finish("")

    def _on_finish(self, _):
        """End of the session: count it anonymously, then forget everything."""
        if self.session.started and self.on_finish:
            self.on_finish(self.session)
        self.wipe()
        self.farewell = True

    def _on_call(self, _):
        """'I need help' from the accessibility bar: call the mediator, stay on this screen."""
        self._call_mediator()

    def _on_repeat(self, _):
        """Say the screen again (the app's speaker does it; nothing changes here)."""
        self.effects.append(fx.Repeat())

    def _on_listen(self, _):
        """Push-to-talk (the app's listener does it; nothing changes here)."""
        self.effects.append(fx.Listen())

    _PRINT_CHOICES = {"": None, "single": False, "bilingual": True}

    def _on_print(self, how):
        """"print" (asks for French too when the language is not French), "print:single" or
        "print:bilingual" (the citizen's language, then French, for the agency's staff)."""
        if how not in self._PRINT_CHOICES:
            raise ValueError(f"unknown print choice {how!r}")
        if self.session.demarche:
            self.effects.append(fx.PrintReceipt(self.session.demarche, self.session.language,
                                                self._PRINT_CHOICES[how]))

    def _on_show_qr(self, _):
        if self.session.demarche:
            self.effects.append(fx.ShowQr(self.session.demarche, self.session.language))

    def _on_a11y(self, what):
        s = self.session
        if what == "text":
            s.text_step = (s.text_step + 1) % 3
        elif what == "contrast":
            s.high_contrast = not s.high_contrast
        elif what == "voice":
            if not self.voice_output_available:
                self.effects.append(fx.VoiceUnavailable())
                return
            # normal -> slow -> off -> normal: one button for the voice and its speed
            if s.voice_on and s.speech_rate == "normal":
                s.speech_rate = "slow"
            elif s.voice_on:
                s.voice_on, s.speech_rate = False, "normal"
            else:
                s.voice_on = True
            self.effects.append(fx.VoiceChanged(s.voice_on, s.speech_rate))
            return
        elif what == "explore":
            s.explore_by_touch = not s.explore_by_touch
        elif what == "language":
            i = self.languages.index(s.language) if s.language in self.languages else -1
            self.set_language(self.languages[(i + 1) % len(self.languages)])
        else:
            raise ValueError(what)
        self.effects.append(fx.LookChanged(what))

    def _on_languages(self, _):
        """The language button with more than two languages: the picker (an overlay)."""
        self.effects.append(fx.ChooseLanguage())

    def _on_language(self, code):
        """A language chosen by its name (on the first screen, the picker or by voice)."""
        self.set_language(code)
        self.effects.append(fx.LookChanged("language"))

    def _on_staff(self, what):
        """The mediator's PIN screen and panel: the mediator mode says what happens."""
        outcome = self.mediator.handle(what, self.screen_name)
        if outcome.screen is not None:
            self.screen_name = outcome.screen
        self.effects.extend(outcome.effects)
        if outcome.event is not None:
            self.handle(outcome.event)

    def set_language(self, language: str) -> None:
        if language not in self.languages:
            raise ValueError(language)
        self.session.language = language
        self.translator.set_language(language)

    def _call_mediator(self, urgent: bool = False) -> None:
        self.session.mediator_called = True
        if self.session.outcome is None:
            self.session.outcome = "mediator"
        self.effects.append(fx.CallMediator(urgent=urgent))

    def wipe(self, outcome: str | None = None) -> None:
        """Forget the session at once (finish, ignored timeout warning, crash)."""
        self.search.clear()
        self.mediator.reset()
        if outcome and self.session.started and self.on_finish:
            self.session.outcome = outcome
            self.on_finish(self.session)
        self.session.wipe(self.default_language)
        self.translator.set_language(self.default_language)
        self.screen_name = "attract"
        self.farewell = False
        self.after_visio = False
        self.effects.clear()
        self.effects.append(fx.SessionWiped())

    def take_effects(self) -> list[fx.Effect]:
        effects, self.effects = self.effects, []
        return effects

    # ---- what is shown ------------------------------------------------------------------------

    def demarche_text(self) -> DemarcheText:
        """The chosen démarche's text in the language on screen (ValueError without one)."""
        if self.session.demarche not in self.catalogue.demarches:
            raise ValueError("this event needs a démarche")
        return self.catalogue.demarches[self.session.demarche].text(self.session.language)

    def site_text(self, key: str) -> str:
        """A site text (name, opening_hours, mediator_hours) in the language on screen: the
        config gives one text, or one per language (French when the language has none)."""
        value = self.site.get(key, "")
        if isinstance(value, dict):
            return value.get(self.session.language) or value.get("fr", "")
        return value

    def site_text_in_french(self, key: str) -> bool:
        """True when site_text(key) is the French text standing in for the language on screen."""
        value = self.site.get(key, "")
        language = self.session.language
        if language == "fr" or not value:
            return False
        return not (isinstance(value, dict) and value.get(language))

    def screen(self) -> ScreenModel:
        return screens.build(self)

    def accessibility_bar(self) -> list[Action]:
        return screens.accessibility_bar(self)
