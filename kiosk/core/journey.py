"""The citizen's journey: a state machine that turns events into screen models.

A screen model holds every word of a screen once. The UI draws it and the speaker reads
`speech()`, so nothing can be shown and not spoken. No Kivy here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from kiosk.core.catalogue import Catalogue
from kiosk.core.i18n import N_, Translator
from kiosk.core.session import Session

HELP_LEVELS = ("urgent", "guide", "teach")
FACES = (
    (1, "angry", N_("Very bad")),
    (2, "frown", N_("Bad")),
    (3, "meh", N_("So-so")),
    (4, "smile", N_("Good")),
    (5, "laugh", N_("Very good")),
)
REASONS_LOW = (
    ("complicated", N_("Too complicated")),
    ("too-long", N_("Too long")),
    ("not-found", N_("I did not find my procedure")),
    ("text-size", N_("Hard to read")),
    ("other", N_("Another reason")),
)
REASONS_HIGH = (
    ("clear", N_("Clear")),
    ("quick", N_("Quick")),
    ("well-guided", N_("Well guided")),
    ("other", N_("Another reason")),
)
REASON_IDS = {r for r, _ in REASONS_LOW + REASONS_HIGH}
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
LANGUAGE_WORD = {"fr": "Langue", "en": "Language"}  # said in the language it names


@dataclass(frozen=True)
class Action:
    """Something the person can do: a button on screen, a phrase for the speaker."""

    id: str
    label: str
    icon: str = ""
    kind: str = "normal"      # primary | normal | urgent | face | nav
    detail: str = ""          # a second line under the label

    def speech(self) -> str:
        return f"{self.label}. {self.detail}" if self.detail else self.label


@dataclass(frozen=True)
class Block:
    """A piece of content: heading, text, notice, key (the one sentence that matters), list,
    checklist, steps or words."""

    kind: str
    title: str = ""
    items: tuple[str, ...] = ()


@dataclass
class ScreenModel:
    name: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    nav: list[Action] = field(default_factory=list)
    you_can: str = "You can touch:"

    def visible_texts(self) -> list[str]:
        """Every text drawn on the screen (besides the accessibility bar)."""
        texts = [self.title]
        for block in self.blocks:
            texts += [t for t in (block.title, *block.items) if t]
        for action in self.actions + self.nav:
            texts += [t for t in (action.label, action.detail) if t]
        return texts

    def spoken_content(self) -> list[str]:
        """The title and the content, in reading order, as the speaker says them."""
        parts = [self.title]
        for block in self.blocks:
            if block.title:
                parts.append(block.title)
            if block.kind == "steps":
                parts += [f"{i}. {item}" for i, item in enumerate(block.items, 1)]
            else:
                parts += list(block.items)
        return parts

    def speech(self) -> str:
        """What the speaker says on entering the screen: title, content, then the choices."""
        parts = self.spoken_content()
        choices = [a.speech() for a in self.actions + self.nav]
        if choices:
            parts.append(self.you_can + " " + " ; ".join(choices))
        return "\n".join(_sentence(p) for p in parts if p)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", ":", ";", "…")) else text + "."


class Journey:
    """Events in, screen models out. Side effects are queued in `effects` for the app."""

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
        self.effects: list[tuple] = []
        from kiosk.core.search import SearchState  # search imports this module's classes
        self.search = SearchState()
        from kiosk.core.mediator import MediatorMode

        self.mediator = MediatorMode()  # the app's MediatorDesk sets the PIN and clock
        self.voice_output_available = True
        self.voice_input_available = False
        translator.set_language(default_language)

    # ---- events -------------------------------------------------------------------------------

    def handle(self, action_id: str) -> ScreenModel:
        """Apply one event and return the screen to draw. Unknown events raise ValueError."""
        verb, _, arg = action_id.partition(":")
        handler = getattr(self, "_on_" + verb.replace("-", "_"), None)
        if handler is None:
            raise ValueError(f"unknown event {action_id!r}")
        handler(arg)
        return self.screen()

    _NAV_FIELDS = ("theme", "demarche", "help_level", "step")

    def _go(self, name: str, **params) -> None:
        s = self.session
        if self.screen_name not in ("pin", "mediator_panel"):  # never back into the mediator's screens
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
        steps = self._text().steps
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
        if self.screen_name in ("pin", "mediator_panel"):
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
        if reason not in REASON_IDS:
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
        self.effects.append(("repeat",))

    def _on_listen(self, _):
        """Push-to-talk (the app's listener does it; nothing changes here)."""
        self.effects.append(("listen",))

    def _on_print(self, _):
        if self.session.demarche:
            self.effects.append(("print", self.session.demarche, self.session.language))

    def _on_show_qr(self, _):
        if self.session.demarche:
            self.effects.append(("show_qr", self.session.demarche, self.session.language))

    def _on_a11y(self, what):
        s = self.session
        if what == "text":
            s.text_step = (s.text_step + 1) % 3
        elif what == "contrast":
            s.high_contrast = not s.high_contrast
        elif what == "voice":
            # normal -> slow -> off -> normal: one button for the voice and its speed
            if s.voice_on and s.speech_rate == "normal":
                s.speech_rate = "slow"
            elif s.voice_on:
                s.voice_on, s.speech_rate = False, "normal"
            else:
                s.voice_on = True
        elif what == "explore":
            s.explore_by_touch = not s.explore_by_touch
        elif what == "language":
            i = self.languages.index(s.language) if s.language in self.languages else -1
            self.set_language(self.languages[(i + 1) % len(self.languages)])
        else:
            raise ValueError(what)
        self.effects.append(("a11y", what))

    def set_language(self, language: str) -> None:
        if language not in self.languages:
            raise ValueError(language)
        self.session.language = language
        self.translator.set_language(language)

    def _call_mediator(self, urgent: bool = False) -> None:
        self.session.mediator_called = True
        if self.session.outcome is None:
            self.session.outcome = "mediator"
        self.effects.append(("call_mediator", "urgent" if urgent else "help"))

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
        self.effects.clear()

    def take_effects(self) -> list[tuple]:
        effects, self.effects = self.effects, []
        return effects

    # ---- screen models ------------------------------------------------------------------------

    def _(self, message: str) -> str:
        return self.translator.gettext(message)

    def _text(self):
        if self.session.demarche not in self.catalogue.demarches:
            raise ValueError("this event needs a démarche")
        return self.catalogue.demarches[self.session.demarche].text(self.session.language)

    def screen(self) -> ScreenModel:
        return self.localised(getattr(self, "_screen_" + self.screen_name)())

    def localised(self, model: ScreenModel) -> ScreenModel:
        model.you_can = self._("You can touch:")
        return model

    def _nav(self, back: bool = True, finish: bool = True) -> list[Action]:
        _ = self._
        nav = []
        if back:
            nav.append(Action("back", _("Back"), "arrow-left", "nav"))
        nav.append(Action("home", _("Home"), "house", "nav"))
        if finish:
            nav.append(Action("end", _("Finish"), "circle-check", "nav"))
        return nav

    def _screen_attract(self) -> ScreenModel:
        _ = self._
        blocks = []
        if self.farewell:
            blocks.append(Block("notice", items=(_("Goodbye. Everything you did here has been erased."),)))
        blocks += [
            Block("text", items=(_("We help you with your procedures: papers, health, family, work, "
                                   "retirement, taxes."),)),
            Block("text", items=(_("You can change the text size, the colours, the voice and the "
                                   "language with the buttons at the top."),)),
        ]
        if self.site.get("name"):
            blocks.append(Block("text", items=(self.site["name"], self.site.get("opening_hours", ""))))
        return ScreenModel(
            "attract", _("Welcome to France Services"), blocks,
            [Action("start", _("Touch here to start"), "hand", "primary")],
        )

    def _screen_themes(self) -> ScreenModel:
        _ = self._
        lang = self.session.language
        actions = [Action(f"theme:{t.id}", t.label(lang), t.pictogram) for t in self.catalogue.themes
                   if self.catalogue.in_theme(t.id)]
        actions.append(Action("search", _("Write what I need"), "search"))
        actions.append(Action("dont-know", _("I don't know"), "circle-help", "urgent",
                              _("A person helps you")))
        return ScreenModel("themes", _("What do you need?"),
                           [Block("text", items=(_("Touch a subject."),))],
                           actions, self._nav(back=False))

    def _on_staff(self, what):
        """The mediator's PIN screen and panel (kiosk/core/mediator.py)."""
        self.mediator.handle(self, what)

    def _screen_pin(self) -> ScreenModel:
        return self.mediator.pin_screen(self._)

    def _screen_mediator_panel(self) -> ScreenModel:
        return self.mediator.panel_screen(self._, self.session.explore_by_touch)

    def _screen_search(self) -> ScreenModel:
        from kiosk.core.search import search_screen

        return search_screen(self._, self.session.language, self.search, self.catalogue, self._nav())

    def _screen_demarches(self) -> ScreenModel:
        _ = self._
        lang = self.session.language
        theme = self.catalogue.theme(self.session.theme)
        actions = [Action(f"demarche:{d.id}", d.text(lang).title, d.pictogram)
                   for d in self.catalogue.in_theme(theme.id)]
        actions.append(Action("dont-know", _("It is not in the list"), "circle-help", "urgent",
                              _("A person helps you")))
        return ScreenModel("demarches", theme.label(lang),
                           [Block("text", items=(_("Touch your procedure."),))],
                           actions, self._nav())

    def _help_actions(self) -> list[Action]:
        _ = self._
        return [
            Action("help:urgent", _("Do it for me now"), "siren", "urgent",
                   _("It is urgent: a person helps you right away")),
            Action("help:guide", _("Guide me"), "footprints", "primary",
                   _("Step by step, together")),
            Action("help:teach", _("Teach me"), "graduation-cap", "normal",
                   _("Learn to do it alone")),
            Action("print", _("Print the summary"), "printer", "normal",
                   _("Documents to bring and next steps")),
            Action("show-qr", _("Show the QR code"), "qr-code", "normal",
                   _("To photograph with your phone")),
        ]

    def _screen_demarche(self) -> ScreenModel:
        _ = self._
        d = self.catalogue.demarches[self.session.demarche]
        t = d.text(self.session.language)
        blocks = [
            Block("text", items=(t.summary,)),
            Block("notice", items=(_("With: {partner}").format(partner=d.partner),)),
            Block("checklist", _("Documents to bring"), t.documents),
            Block("steps", _("The steps"), t.steps),
            Block("text", _("Cost"), (t.cost,)),
            Block("text", _("Usual time"), (t.delay,)),
            Block("text", _("On the internet"), (t.online, d.official_url)),
            Block("list", _("It is urgent if:"), t.urgent_signs),
        ]
        return ScreenModel("demarche", t.title, blocks, self._help_actions(), self._nav())

    def _screen_guide(self) -> ScreenModel:
        _ = self._
        t = self._text()
        n, total = self.session.step + 1, len(t.steps)
        return ScreenModel(
            "guide", _("Step {n} of {total}").format(n=n, total=total),
            [Block("heading", t.title), Block("key", items=(t.steps[self.session.step],)),
             Block("text", items=(_("Take your time. Touch \"Done\" when it is done."),))],
            [Action("step:done", _("Done"), "check", "primary"),
             Action("step:stuck", _("I'm stuck"), "hand-helping", "urgent", _("A person helps you"))],
            self._nav(),
        )

    def _screen_teach(self) -> ScreenModel:
        _ = self._
        d = self.catalogue.demarches[self.session.demarche]
        t = d.text(self.session.language)
        blocks = [
            Block("text", items=(_("Here is how to do it alone. Read at your own pace."),)),
            Block("steps", _("The steps"), t.steps),
        ]
        if t.words:
            blocks.append(Block("words", _("The hard words"),
                                tuple(f"{w.word} : {w.meaning}" for w in t.words)))
        blocks.append(Block("text", _("On the internet"), (t.online, d.official_url)))
        return ScreenModel(
            "teach", _("Learn: {title}").format(title=t.title), blocks,
            [Action("help:guide", _("Practise step by step"), "footprints", "primary"),
             Action("understood", _("I understood"), "check", "normal")],
            self._nav(),
        )

    def _screen_mediator(self) -> ScreenModel:
        _ = self._
        urgent = self.session.help_level == "urgent"
        blocks = [Block("notice", items=(_("We have called the mediator."),)),
                  Block("text", items=(_("Stay here. A person is coming to help you."),))]
        if urgent:
            blocks.append(Block("text", items=(_("Your request is urgent: the mediator comes first "
                                                 "to you."),)))
        if self.site.get("mediator_hours"):
            blocks.append(Block("text", items=(self.site["mediator_hours"],)))
        return ScreenModel(
            "mediator", _("A mediator is coming"), blocks,
            [Action("back", _("Continue while waiting"), "arrow-left", "primary")],
            [Action("end", _("Finish"), "circle-check", "nav")],
        )

    def _screen_end(self) -> ScreenModel:
        _ = self._
        blocks = []
        if self.session.demarche:
            d = self.catalogue.demarches[self.session.demarche]
            t = d.text(self.session.language)
            blocks += [
                Block("notice", items=(_("Your procedure: {title}").format(title=t.title),)),
                Block("checklist", _("Documents to bring"), t.documents),
                Block("steps", _("Next steps"), t.steps),
                Block("text", _("Usual time"), (t.delay,)),
            ]
        else:
            blocks.append(Block("notice", items=(_("Thank you for your visit."),)))
        blocks.append(Block("heading", _("Did the kiosk help you?")))
        actions = [Action(f"face:{score}", _(label), icon, "face") for score, icon, label in FACES]
        nav = []
        if self.session.demarche:
            nav.append(Action("print", _("Print the summary"), "printer", "nav"))
            nav.append(Action("show-qr", _("Show the QR code"), "qr-code", "nav"))
        nav.append(Action("finish", _("Finish and erase"), "log-out", "nav"))
        return ScreenModel("end", _("Summary"), blocks, actions, nav)

    def _screen_feedback(self) -> ScreenModel:
        _ = self._
        reasons = REASONS_LOW if (self.session.satisfaction or 0) <= 3 else REASONS_HIGH
        return ScreenModel(
            "feedback", _("Thank you!"),
            [Block("text", items=(_("Why? You can choose a reason, or finish."),))],
            [Action(f"reason:{rid}", _(label), "", "normal") for rid, label in reasons],
            [Action("finish", _("Finish and erase"), "log-out", "nav")],
        )

    # ---- overlays -----------------------------------------------------------------------------

    def timeout_warning(self, seconds_left: int, can_extend: bool) -> ScreenModel:
        _ = self._
        actions = [Action("more-time", _("I need more time"), "hourglass", "primary")] if can_extend else []
        return self.localised(ScreenModel(
            "timeout", _("Are you still there?"),
            [Block("text", items=(_("Without an answer, everything will be erased in {n} seconds.")
                                  .format(n=seconds_left),))],
            actions,
        ))

    def help_called(self) -> ScreenModel:
        _ = self._
        return self.localised(ScreenModel(
            "help", _("The mediator has been called"),
            [Block("text", items=(_("Stay here. A person is coming to help you."),))],
            [Action("dismiss", _("OK"), "check", "primary")],
        ))

    @staticmethod
    def action(action_id: str, label: str, icon: str = "", kind: str = "normal") -> Action:
        return Action(action_id, label, icon, kind)

    @staticmethod
    def block(kind: str, items: tuple[str, ...], title: str = "") -> Block:
        return Block(kind, title, tuple(items))

    def message(self, title: str, text: str) -> ScreenModel:
        """A short message with an OK button (printer missing, device fault…)."""
        return self.localised(ScreenModel("message", title, [Block("text", items=(text,))],
                                           [Action("dismiss", self._("OK"), "check", "primary")]))

    def accessibility_bar(self) -> list[Action]:
        """The fixed bar on every screen, first screen included."""
        _ = self._
        s = self.session
        # The language button names the next language in that language, as people look for it.
        current = self.languages.index(s.language) if s.language in self.languages else -1
        next_language = self.languages[(current + 1) % len(self.languages)]
        lang_label = LANGUAGE_NAMES.get(next_language, next_language)
        sizes = (_("normal"), _("large"), _("very large"))
        if not self.voice_output_available:
            voice_state, voice_icon = _("unavailable"), "volume-x"
        elif not s.voice_on:
            voice_state, voice_icon = _("off"), "volume-x"
        else:
            voice_state, voice_icon = (_("slow") if s.speech_rate == "slow" else _("normal")), "volume-2"
        bar = [
            Action("a11y:text", _("Text size"), "a-large-small", "bar", sizes[s.text_step]),
            Action("a11y:contrast", _("Contrast"), "contrast", "bar", _("on") if s.high_contrast else _("off")),
            Action("a11y:voice", _("Voice"), voice_icon, "bar", voice_state),
            Action("repeat", _("Repeat"), "repeat", "bar", _("Say it again")),
            Action("a11y:explore", _("Explore by touch"), "hand", "bar",
                   _("on") if s.explore_by_touch else _("off")),
            Action("a11y:language", lang_label, "languages", "bar", LANGUAGE_WORD.get(next_language, "")),
        ]
        if self.voice_input_available:
            bar.append(Action("listen", _("Speak"), "mic", "bar", _("Say what you need")))
        bar.append(Action("call", _("Help"), "hand-helping", "urgent", _("Call a person")))
        return bar
