"""The citizen's screens as screen models, built from the journey's state (read only).

One builder per screen name; `build(journey)` picks the one of the screen on show. The journey
(kiosk/core/journey.py) decides *which* screen; this module says *what is on it*.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from kiosk.core.i18n import N_, language_name, translations
from kiosk.core.partners import partner_name
from kiosk.core.screen import Action, Block, ScreenModel, localised

if TYPE_CHECKING:
    from kiosk.core.journey import Journey

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


def build(j: "Journey") -> ScreenModel:
    """The screen model of the screen the journey is on, in the language on screen."""
    return localised(BUILDERS[j.screen_name](j), j.translator.gettext)


def nav(j: "Journey", back: bool = True, finish: bool = True) -> list[Action]:
    """The navigation row: Back, Home, Finish."""
    _ = j.translator.gettext
    row = []
    if back:
        row.append(Action("back", _("Back"), "arrow-left", "nav"))
    row.append(Action("home", _("Home"), "house", "nav"))
    if finish:
        row.append(Action("end", _("Finish"), "circle-check", "nav"))
    return row


def attract(j: "Journey") -> ScreenModel:
    _ = j.translator.gettext
    blocks = []
    if j.farewell:
        blocks.append(Block("notice", items=(_("Goodbye. Everything you did here has been erased."),)))
    blocks += [
        Block("text", items=(_("We help you with your procedures: papers, health, family, work, "
                               "retirement, taxes."),)),
        Block("text", items=(_("You can change the text size, the colours, the voice and the "
                               "language with the buttons at the top."),)),
    ]
    if j.site_text("name"):
        blocks.append(Block("text", items=site_items(j, "name", "opening_hours")))
    # every language by its own name, on the first screen, for who does not read French
    languages = [Action(f"language:{code}", language_name(code), "check" if code == j.session.language
                        else "", "nav", lang=code) for code in j.languages] if len(j.languages) > 1 else []
    return ScreenModel(
        "attract", _("Welcome to France Services"), blocks,
        [Action("start", _("Touch here to start"), "hand", "primary")], languages,
    )


def themes(j: "Journey") -> ScreenModel:
    _ = j.translator.gettext
    lang = j.session.language
    actions = [Action(f"theme:{t.id}", t.label(lang), t.pictogram) for t in j.catalogue.themes
               if j.catalogue.in_theme(t.id)]
    actions.append(Action("search", _("Write what I need"), "search"))
    actions.append(Action("dont-know", _("I don't know"), "circle-help", "urgent",
                          _("A person helps you")))
    return ScreenModel("themes", _("What do you need?"),
                       [Block("text", items=(_("Touch a subject."),))],
                       actions, nav(j, back=False))


def demarches(j: "Journey") -> ScreenModel:
    _ = j.translator.gettext
    lang = j.session.language
    theme = j.catalogue.theme(j.session.theme)
    actions = [Action(f"demarche:{d.id}", d.text(lang).title, d.pictogram)
               for d in j.catalogue.in_theme(theme.id)]
    actions.append(Action("dont-know", _("It is not in the list"), "circle-help", "urgent",
                          _("A person helps you")))
    return ScreenModel("demarches", theme.label(lang),
                       [Block("text", items=(_("Touch your procedure."),))],
                       actions, nav(j))


def help_actions(j: "Journey") -> list[Action]:
    """The three levels of help, then print and QR: on every démarche page."""
    _ = j.translator.gettext
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


def demarche(j: "Journey") -> ScreenModel:
    _ = j.translator.gettext
    d = j.catalogue.demarches[j.session.demarche]
    t = d.text(j.session.language)
    blocks = [
        Block("text", items=(t.summary,)),
        Block("notice", items=(_("With: {partner}").format(partner=partner_name(_, d.partner)),)),
        Block("checklist", _("Documents to bring"), t.documents),
        Block("steps", _("The steps"), t.steps),
        Block("text", _("Cost"), (t.cost,)),
        Block("text", _("Usual time"), (t.delay,)),
        Block("text", _("On the internet"), (t.online, d.official_url)),
        Block("list", _("It is urgent if:"), t.urgent_signs),
    ]
    return ScreenModel("demarche", t.title, blocks, help_actions(j), nav(j))


def guide(j: "Journey") -> ScreenModel:
    _ = j.translator.gettext
    t = j.demarche_text()
    n, total = j.session.step + 1, len(t.steps)
    return ScreenModel(
        "guide", _("Step {n} of {total}").format(n=n, total=total),
        [Block("heading", t.title), Block("key", items=(t.steps[j.session.step],)),
         Block("text", items=(_("Take your time. Touch \"Done\" when it is done."),))],
        [Action("step:done", _("Done"), "check", "primary"),
         Action("step:stuck", _("I'm stuck"), "hand-helping", "urgent", _("A person helps you"))],
        nav(j),
    )


def teach(j: "Journey") -> ScreenModel:
    _ = j.translator.gettext
    d = j.catalogue.demarches[j.session.demarche]
    t = d.text(j.session.language)
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
        nav(j),
    )


def mediator(j: "Journey") -> ScreenModel:
    """After a call for help. Truthful: "we have called" only when the mediators were told."""
    _ = j.translator.gettext
    urgent = j.session.help_level == "urgent"
    if j.mediator_reachable:
        title = _("A mediator is coming")
        blocks = [Block("notice", items=(_("We have called the mediator."),)),
                  Block("text", items=(_("Stay here. A person is coming to help you."),))]
        if urgent:
            blocks.append(Block("text", items=(_("Your request is urgent: the mediator comes first "
                                                 "to you."),)))
    else:
        title = _("Ask a mediator")
        blocks = [Block("notice", items=(_("This kiosk cannot call the mediator by itself."),)),
                  Block("text", items=(_("Raise your hand or go to the France Services desk: a "
                                         "mediator will come. You can show them this screen."),))]
        if urgent:
            blocks.append(Block("text", items=(_("Say that it is urgent: the mediator helps you "
                                                 "first."),)))
    if j.site_text("mediator_hours"):
        blocks.append(Block("text", items=site_items(j, "mediator_hours")))
    actions = [Action("back", _("Continue while waiting"), "arrow-left", "primary")]
    if j.visio_partner():
        actions.insert(0, Action("visio", _("Talk to an advisor by video now"), "video", "primary"))
    return ScreenModel(
        "mediator", title, blocks,
        actions,
        [Action("end", _("Finish"), "circle-check", "nav")],
    )


def visio(j: "Journey") -> ScreenModel:
    """Under the call window while a video call is on (seen if the window is not full screen)."""
    _ = j.translator.gettext
    return ScreenModel(
        "visio", _("Video call"),
        [Block("text", items=(_("The call opens in a window on top of this screen. When the call "
                                "ends, you come back here."),))],
        [], [])


def end(j: "Journey") -> ScreenModel:
    _ = j.translator.gettext
    blocks = []
    if j.session.demarche:
        t = j.demarche_text()
        blocks += [
            Block("notice", items=(_("Your procedure: {title}").format(title=t.title),)),
            Block("checklist", _("Documents to bring"), t.documents),
            Block("steps", _("Next steps"), t.steps),
            Block("text", _("Usual time"), (t.delay,)),
        ]
    else:
        blocks.append(Block("notice", items=(_("Thank you for your visit."),)))
    blocks.append(Block("heading", _("How did the call go?") if j.after_visio else _("Did the kiosk help you?")))
    actions = [Action(f"face:{score}", _(label), icon, "face") for score, icon, label in FACES]
    row = [Action("back", _("Back"), "arrow-left", "nav")]
    if j.session.demarche:   # short words: four buttons share the bottom row
        row.append(Action("print", _("Print"), "printer", "nav"))
        row.append(Action("show-qr", _("QR code"), "qr-code", "nav"))
    row.append(Action("finish", _("Finish and erase"), "log-out", "nav"))
    return ScreenModel("end", _("Summary"), blocks, actions, row)


def feedback(j: "Journey") -> ScreenModel:
    _ = j.translator.gettext
    reasons = REASONS_LOW if (j.session.satisfaction or 0) <= 3 else REASONS_HIGH
    return ScreenModel(
        "feedback", _("Thank you!"),
        [Block("text", items=(_("Why? You can choose a reason, or finish."),))],
        [Action(f"reason:{rid}", _(label), "", "normal") for rid, label in reasons],
        [Action("back", _("Back"), "arrow-left", "nav"),
         Action("finish", _("Finish and erase"), "log-out", "nav")],
    )


def search(j: "Journey") -> ScreenModel:
    from kiosk.core.search import search_screen

    return search_screen(j.translator.gettext, j.session.language, j.search, j.catalogue, nav(j))


def pin(j: "Journey") -> ScreenModel:
    return j.mediator.pin_screen(j.translator.gettext)


def mediator_panel(j: "Journey") -> ScreenModel:
    return j.mediator.panel_screen(j.translator.gettext)


BUILDERS: dict[str, Callable[["Journey"], ScreenModel]] = {
    "attract": attract, "themes": themes, "demarches": demarches, "demarche": demarche,
    "guide": guide, "teach": teach, "mediator": mediator, "end": end, "feedback": feedback,
    "search": search, "pin": pin, "mediator_panel": mediator_panel, "visio": visio,
}
SCREEN_NAMES = tuple(BUILDERS)


def site_items(j: "Journey", *keys: str) -> tuple[str, ...]:
    """The site's texts in the language on screen; where the config has only French, said so first."""
    texts = tuple(j.site_text(k) for k in keys if j.site_text(k))
    if any(j.site_text_in_french(k) for k in keys):
        return (j.translator.gettext("In French:"), *texts)
    return texts


def accessibility_bar(j: "Journey") -> list[Action]:
    """The fixed bar on every screen, first screen included."""
    _ = j.translator.gettext
    s = j.session
    # The language button names the next language in that language, as people look for it.
    current = j.languages.index(s.language) if s.language in j.languages else -1
    next_language = j.languages[(current + 1) % len(j.languages)]
    sizes = (_("normal"), _("large"), _("very large"))
    if not j.voice_output_available:
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
        language_button(j, next_language),
    ]
    if j.voice_input_available:
        bar.append(Action("listen", _("Speak"), "mic", "bar", _("Say what you need")))
    bar.append(Action("call", _("Help"), "hand-helping", "urgent", _("Call a person")))
    return bar


def language_button(j: "Journey", next_language: str) -> Action:
    """Two languages: the button names the other one in that language and switches to it.
    More: it names the language on screen and opens the picker."""
    _ = j.translator.gettext
    if len(j.languages) <= 2:
        word = translations(next_language).gettext("Language")   # in the language it names
        return Action("a11y:language", language_name(next_language), "languages", "bar", word,
                      lang=next_language)
    return Action("languages", _("Language"), "languages", "bar", language_name(j.session.language))
