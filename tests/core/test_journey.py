"""The journey state machine: every path of the issue, for every démarche, in both languages."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.core import overlays
from kiosk.core.effects import CallMediator, LookChanged, PrintReceipt, SessionWiped
from kiosk.core.screens import REASON_IDS, REASONS_HIGH, REASONS_LOW
from kiosk.core.session import HELP_LEVELS
from kiosk.core.session import Session
from kiosk.core.stats import OUTCOMES

from .conftest import LANGS, SHIPPED_IDS, action_ids, path_to_demarche, walk

SCREEN_NAMES = {"attract", "themes", "demarches", "demarche", "guide", "teach", "mediator", "end", "feedback"}

TITLES = {
    "fr": {"themes": "De quoi avez-vous besoin ?", "attract": "Bienvenue à France Services"},
    "en": {"themes": "What do you need?", "attract": "Welcome to France Services"},
}


def default_session_values(language="fr") -> dict:
    return dataclasses.asdict(Session(language=language))


def choose_language(journey, language):
    if journey.session.language != language:
        journey.handle("a11y:language")
    assert journey.session.language == language
    assert journey.translator.language == language


# ---- the complete path, every démarche, both languages -------------------------------------

@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("demarche_id", SHIPPED_IDS)
def test_full_guided_path(make_journey, catalogue, demarche_id, lang):
    finished = []
    journey = make_journey(on_finish=lambda s: finished.append(dataclasses.asdict(s)))
    d = catalogue.demarches[demarche_id]
    text = d.text(lang)

    model = journey.screen()
    assert model.name == "attract"
    assert "start" in action_ids(model)
    choose_language(journey, lang)

    model = journey.handle("start")
    assert model.name == "themes"
    assert model.title == TITLES[lang]["themes"]
    assert f"theme:{d.theme}" in action_ids(model)

    model = journey.handle(f"theme:{d.theme}")
    assert model.name == "demarches"
    assert model.title == catalogue.theme(d.theme).label(lang)
    assert f"demarche:{demarche_id}" in action_ids(model)

    model = journey.handle(f"demarche:{demarche_id}")
    assert model.name == "demarche"
    assert model.title == text.title
    assert {"help:urgent", "help:guide", "help:teach"} <= set(action_ids(model))
    shown = model.visible_texts()
    for item in (*text.documents, *text.steps, text.summary, d.official_url):
        assert item in shown

    model = journey.handle("help:guide")
    total = len(text.steps)
    for i, step in enumerate(text.steps):
        assert model.name == "guide"
        assert journey.session.step == i
        assert step in model.visible_texts()
        assert str(i + 1) in model.title and str(total) in model.title
        assert {"step:done", "step:stuck"} <= set(action_ids(model))
        model = journey.handle("step:done")

    assert model.name == "end"
    assert journey.session.outcome == "done"
    assert any(text.title in t for t in model.visible_texts())
    assert [a for a in action_ids(model) if a.startswith("face:")] == [f"face:{n}" for n in range(1, 6)]
    assert "finish" in action_ids(model)

    model = journey.handle("face:4")
    assert model.name == "feedback"
    assert journey.session.satisfaction == 4
    reasons = [a for a in action_ids(model) if a.startswith("reason:")]
    assert reasons == [f"reason:{r}" for r, _ in REASONS_HIGH]

    model = journey.handle("reason:well-guided")
    assert model.name == "attract"
    assert journey.farewell is True
    assert len(finished) == 1
    record = finished[0]
    assert (record["demarche"], record["help_level"], record["outcome"], record["satisfaction"],
            record["reason"], record["language"]) == (demarche_id, "guide", "done", 4, "well-guided", lang)
    assert dataclasses.asdict(journey.session) == default_session_values()
    assert journey.translator.language == "fr"
    # the farewell notice is shown in the default language
    assert model.title == TITLES["fr"]["attract"]
    assert len(model.visible_texts()) > len(make_journey().screen().visible_texts())


@pytest.mark.parametrize("lang", LANGS)
def test_teach_me(make_journey, catalogue, lang):
    journey = make_journey()
    choose_language(journey, lang)
    model = walk(journey, *path_to_demarche(catalogue, "passeport"), "help:teach")
    text = catalogue.demarches["passeport"].text(lang)
    assert model.name == "teach"
    assert text.title in model.title
    shown = model.visible_texts()
    for step in text.steps:
        assert step in shown
    for word in text.words:
        assert any(word.word in t and word.meaning in t for t in shown)
    assert journey.session.help_level == "teach"
    assert set(action_ids(model)) >= {"help:guide", "understood"}
    # practise: from teach to the guide, first step
    model = journey.handle("help:guide")
    assert model.name == "guide" and journey.session.step == 0
    assert journey.session.help_level == "guide"
    model = journey.handle("back")
    assert model.name == "teach"
    model = journey.handle("understood")
    assert model.name == "end"
    assert journey.session.outcome == "done"


def test_do_it_for_me_now_calls_the_mediator_urgently(make_journey, catalogue):
    journey = make_journey()
    model = walk(journey, *path_to_demarche(catalogue, "rsa"), "help:urgent")
    assert model.name == "mediator"
    assert journey.session.help_level == "urgent"
    assert journey.session.mediator_called is True
    assert journey.session.outcome == "mediator"
    assert journey.take_effects() == [CallMediator(urgent=True)]
    assert journey.take_effects() == []
    # the urgent screen says it is urgent, the ordinary one does not
    urgent_texts = model.visible_texts()
    stuck = make_journey()
    walk(stuck, *path_to_demarche(catalogue, "rsa"), "help:guide", "step:stuck")
    assert len(urgent_texts) == len(stuck.screen().visible_texts()) + 1
    assert "end" in action_ids(model)


def test_i_am_stuck(make_journey, catalogue):
    journey = make_journey()
    walk(journey, *path_to_demarche(catalogue, "carte-grise"), "help:guide", "step:done", "step:done")
    assert journey.session.step == 2
    model = journey.handle("step:stuck")
    assert model.name == "mediator"
    assert journey.session.outcome == "stuck"
    assert journey.session.mediator_called
    assert journey.take_effects() == [CallMediator(urgent=False)]
    # "continue while waiting" goes back to the same step
    model = journey.handle("back")
    assert model.name == "guide" and journey.session.step == 2
    assert catalogue.demarches["carte-grise"].text("fr").steps[2] in model.visible_texts()


@pytest.mark.parametrize("where", [["start"], ["start", "theme:sante"]])
def test_i_dont_know(make_journey, where):
    journey = make_journey()
    model = walk(journey, *where)
    assert "dont-know" in action_ids(model)
    model = journey.handle("dont-know")
    assert model.name == "mediator"
    assert journey.session.outcome == "mediator"
    assert journey.session.demarche is None
    assert journey.take_effects() == [CallMediator(urgent=False)]
    model = journey.handle("end")
    assert model.name == "end"
    assert not any(a.startswith("print") for a in action_ids(model))


def test_help_button_calls_the_mediator_and_stays(make_journey, catalogue):
    journey = make_journey()
    walk(journey, *path_to_demarche(catalogue, "passeport"))
    model = journey.handle("call")
    assert model.name == "demarche"
    assert journey.session.mediator_called
    assert journey.take_effects() == [CallMediator(urgent=False)]
    assert overlays.help_called(journey.translator.gettext, False).actions[0].id == "dismiss"


def test_print_effect_names_the_demarche_and_language(make_journey, catalogue):
    journey = make_journey()
    walk(journey, *path_to_demarche(catalogue, "passeport"), "a11y:language")
    journey.take_effects()
    model = journey.handle("print")
    assert model.name == "demarche"
    assert journey.take_effects() == [PrintReceipt("passeport", "en")]
    journey.handle("home")
    journey.handle("print")
    assert journey.take_effects() == []


def test_back_restores_previous_screens_and_steps(make_journey, catalogue):
    journey = make_journey()
    walk(journey, *path_to_demarche(catalogue, "passeport"), "help:guide", "step:done", "step:done")
    assert (journey.screen_name, journey.session.step) == ("guide", 2)
    expected = [("guide", 1), ("guide", 0), ("demarche", 0), ("demarches", 0), ("themes", 0), ("attract", 0)]
    for name, step in expected:
        model = journey.handle("back")
        assert (model.name, journey.session.step) == (name, step)
    # back with nothing behind stays on the attract screen
    assert journey.handle("back").name == "attract"


def test_back_from_feedback_and_end(make_journey, catalogue):
    journey = make_journey()
    walk(journey, *path_to_demarche(catalogue, "passeport"), "end", "face:2")
    assert journey.handle("back").name == "end"
    assert journey.handle("back").name == "demarche"


def test_home_resets_the_choice(make_journey, catalogue):
    journey = make_journey()
    walk(journey, *path_to_demarche(catalogue, "passeport"), "help:guide", "step:done")
    model = journey.handle("home")
    assert model.name == "themes"
    s = journey.session
    assert (s.theme, s.demarche, s.help_level, s.step) == (None, None, None, 0)


@pytest.mark.parametrize("before_home", [["help:guide", "step:done"], []])
def test_back_after_home_returns_to_a_working_screen(make_journey, catalogue, before_home):
    journey = make_journey()
    walk(journey, *path_to_demarche(catalogue, "passeport"), *before_home, "home")
    model = journey.handle("back")
    assert model.name in SCREEN_NAMES
    assert model.visible_texts()


def test_back_after_home_from_a_theme_list(make_journey):
    journey = make_journey()
    walk(journey, "start", "theme:sante", "home")
    assert journey.handle("back").name == "demarches"


# ---- accessibility toggles -----------------------------------------------------------------

def test_text_size_cycles_through_three_steps(make_journey):
    journey = make_journey()
    seen = [journey.session.text_step]
    details = [journey.accessibility_bar()[0].detail]
    for _ in range(3):
        journey.handle("a11y:text")
        seen.append(journey.session.text_step)
        details.append(journey.accessibility_bar()[0].detail)
    assert seen == [0, 1, 2, 0]
    assert len(set(details[:3])) == 3 and details[3] == details[0]


@pytest.mark.parametrize("what,field", [("contrast", "high_contrast"), ("explore", "explore_by_touch")])
def test_toggles_flip_and_flip_back(make_journey, what, field):
    journey = make_journey()
    before = getattr(journey.session, field)
    journey.handle(f"a11y:{what}")
    assert getattr(journey.session, field) is (not before)
    assert journey.take_effects() == [LookChanged(what)]
    journey.handle(f"a11y:{what}")
    assert getattr(journey.session, field) is before


def test_voice_button_cycles_normal_slow_off(make_journey):
    journey = make_journey()
    seen = []
    for _ in range(4):
        seen.append((journey.session.voice_on, journey.session.speech_rate))
        journey.handle("a11y:voice")
    assert seen == [(True, "normal"), (True, "slow"), (False, "normal"), (True, "normal")]


def test_bar_shows_the_state_of_contrast_and_voice(make_journey):
    journey = make_journey()
    bar = {a.id: a for a in journey.accessibility_bar()}
    assert (bar["a11y:contrast"].detail, bar["a11y:voice"].detail) == ("désactivé", "normale")
    assert bar["a11y:voice"].icon == "volume-2"
    journey.handle("a11y:contrast")
    journey.handle("a11y:voice")
    bar = {a.id: a for a in journey.accessibility_bar()}
    assert (bar["a11y:contrast"].detail, bar["a11y:voice"].detail) == ("activé", "lente")
    journey.handle("a11y:voice")
    bar = {a.id: a for a in journey.accessibility_bar()}
    assert bar["a11y:voice"].detail == "désactivé"
    assert bar["a11y:voice"].icon == "volume-x"
    journey.voice_output_available = False
    bar = {a.id: a for a in journey.accessibility_bar()}
    assert bar["a11y:voice"].detail == "indisponible"


def test_toggles_keep_the_screen(make_journey, catalogue):
    journey = make_journey()
    walk(journey, *path_to_demarche(catalogue, "passeport"), "help:guide", "step:done")
    history = list(journey.session.history)
    for what in ("text", "contrast", "voice", "language", "explore"):
        model = journey.handle(f"a11y:{what}")
        assert model.name == "guide" and journey.session.step == 1
    # toggles are not places: "back" still goes to the previous step
    assert journey.session.history == history
    assert journey.handle("back").name == "guide" and journey.session.step == 0


def test_language_switches_translator_and_words(make_journey, catalogue):
    journey = make_journey()
    walk(journey, "start")
    assert journey.screen().title == "De quoi avez-vous besoin ?"
    assert "Santé" in journey.screen().visible_texts()
    assert _bar_action(journey, "a11y:language").label == "English"
    model = journey.handle("a11y:language")
    assert journey.session.language == "en" and journey.translator.language == "en"
    assert model.title == "What do you need?"
    assert "Health" in model.visible_texts() and "Santé" not in model.visible_texts()
    assert _bar_action(journey, "a11y:language").label == "Français"
    assert _bar_action(journey, "a11y:language").detail == "Langue"
    model = journey.handle("a11y:language")
    assert model.title == "De quoi avez-vous besoin ?"


def test_language_switch_changes_the_demarche_text(make_journey, catalogue):
    journey = make_journey()
    model = walk(journey, *path_to_demarche(catalogue, "passeport"), "help:guide")
    assert catalogue.demarches["passeport"].text("fr").steps[0] in model.visible_texts()
    model = journey.handle("a11y:language")
    assert catalogue.demarches["passeport"].text("en").steps[0] in model.visible_texts()
    assert model.title.startswith("Step 1 of")


def test_single_language_kiosk(catalogue):
    from kiosk.core.i18n import Translator
    from kiosk.core.journey import Journey

    journey = Journey(catalogue, Translator(), languages=("fr",))
    journey.handle("a11y:language")
    assert journey.session.language == "fr"
    with pytest.raises(ValueError):
        journey.set_language("en")


def test_journey_starts_in_the_configured_default_language(make_journey):
    journey = make_journey(default_language="en")
    assert journey.translator.language == "en"
    assert journey.screen().title == "Welcome to France Services"


# ---- bad events ----------------------------------------------------------------------------

@pytest.mark.parametrize("event", ["bogus", "", "theme:nope", "theme:", "demarche:nope", "a11y:nope",
                                   "help:urgent", "help:later", "face:6", "face:0", "face:abc",
                                   "reason:I did not like the lady", "step:maybe", "__init__", "go:home"])
def test_unknown_events_raise_value_error(make_journey, catalogue, event):
    journey = make_journey()
    if event == "step:maybe":
        walk(journey, *path_to_demarche(catalogue, "passeport"), "help:guide")
    else:
        walk(journey, "start")
    before = (journey.screen_name, dataclasses.asdict(journey.session))
    with pytest.raises(ValueError):
        journey.handle(event)
    if event not in ("step:maybe",):
        assert (journey.screen_name, dataclasses.asdict(journey.session)) == before


def test_feedback_offers_low_reasons_for_low_scores(make_journey):
    journey = make_journey()
    model = walk(journey, "start", "end", "face:2")
    assert [a for a in action_ids(model) if a.startswith("reason:")] == [f"reason:{r}" for r, _ in REASONS_LOW]


# ---- finish and wipe -------------------------------------------------------------------------

def test_finish_wipes_every_field_and_the_language(make_journey, catalogue):
    seen = []
    journey = make_journey(default_language="en", on_finish=lambda s: seen.append(dataclasses.asdict(s)))
    walk(journey, "a11y:language", "a11y:text", "a11y:text", "a11y:contrast", "a11y:voice", "a11y:explore",
         *path_to_demarche(catalogue, "impots-paiement"), "help:guide", "step:done", "step:stuck", "call",
         "end", "face:1", "reason:complicated")
    assert dataclasses.asdict(journey.session) == default_session_values("en")
    assert journey.translator.language == "en"
    assert journey.screen_name == "attract"
    assert journey.take_effects() == [SessionWiped()], "the devices are told to forget too"
    assert len(seen) == 1
    before = seen[0]
    assert before["language"] == "fr" and before["text_step"] == 2 and before["high_contrast"]
    assert (before["demarche"], before["outcome"], before["satisfaction"], before["reason"]) == \
        ("impots-paiement", "stuck", 1, "complicated")


def test_finish_from_the_end_screen_without_a_reason(make_journey):
    seen = []
    journey = make_journey(on_finish=lambda s: seen.append(s.satisfaction))
    walk(journey, "start", "end", "face:5", "finish")
    assert seen == [5]
    assert journey.session.satisfaction is None


def test_on_finish_receives_only_closed_list_values(make_journey, catalogue):
    snapshots = []
    journey = make_journey(on_finish=lambda s: snapshots.append(dataclasses.asdict(s)))
    walk(journey, *path_to_demarche(catalogue, "aah"), "help:teach", "understood", "face:3",
         "reason:too-long")
    snap = snapshots[0]
    assert snap["demarche"] in catalogue.demarches
    assert snap["help_level"] in HELP_LEVELS
    assert snap["outcome"] in OUTCOMES
    assert snap["satisfaction"] in range(1, 6)
    assert snap["reason"] in REASON_IDS
    assert snap["language"] in LANGS
    assert snap["theme"] in {t.id for t in catalogue.themes}
    for name, params in snap["history"]:
        assert name in SCREEN_NAMES and set(params) <= {"step", "theme", "demarche", "help_level"}
        assert isinstance(params["step"], int)
        assert params.get("demarche") in (None, *catalogue.demarches)
        assert params.get("theme") in (None, *(t.id for t in catalogue.themes))
    for key, value in snap.items():
        assert value is None or isinstance(value, (bool, int, str, list)), key


def test_finish_without_a_started_session_counts_nothing(make_journey):
    seen = []
    journey = make_journey(on_finish=seen.append)
    journey.handle("a11y:contrast")
    journey.handle("finish")
    assert seen == []
    assert journey.session.high_contrast is False


def test_wipe_timeout_counts_the_session_as_timeout(make_journey, catalogue, tmp_path):
    from kiosk.core.stats import Stats

    stats = Stats(tmp_path / "stats.sqlite3", set(catalogue.demarches), set(LANGS))

    def record(session):
        stats.record_session(demarche=session.demarche, help_level=session.help_level, outcome=session.outcome,
                             satisfaction=session.satisfaction, language=session.language)

    journey = make_journey(on_finish=record)
    walk(journey, *path_to_demarche(catalogue, "passeport"), "help:guide", "step:done")
    journey.wipe("timeout")
    assert stats.totals("outcome") == {"timeout": 1}
    assert stats.totals("demarche") == {"passeport": 1}
    assert stats.totals("help_level") == {"guide": 1}
    assert journey.screen_name == "attract" and journey.farewell is False
    assert dataclasses.asdict(journey.session) == default_session_values()
    # a timeout on the attract screen, nothing started: nothing counted
    journey.wipe("timeout")
    assert stats.totals("outcome") == {"timeout": 1}


def test_wipe_without_outcome_does_not_count(make_journey, catalogue):
    seen = []
    journey = make_journey(on_finish=seen.append)
    walk(journey, *path_to_demarche(catalogue, "passeport"))
    journey.wipe()
    assert seen == []
    assert journey.session.demarche is None


def test_farewell_disappears_on_next_start(make_journey):
    journey = make_journey()
    walk(journey, "start", "finish")
    assert journey.farewell
    assert journey.handle("start").name == "themes"
    assert journey.farewell is False


def _bar_action(journey, action_id):
    return next(a for a in journey.accessibility_bar() if a.id == action_id)


def test_a_spoken_yes_answers_the_print_choice_card_instead_of_closing_it(catalogue):
    from kiosk.core import voice_commands
    from kiosk.core.i18n import Translator
    from kiosk.core.journey import Journey
    journey = Journey(catalogue, Translator(), languages=("fr", "en"))
    assert voice_commands.events_for(journey, "oui", "print-choice") == ["print:bilingual"]
    assert voice_commands.events_for(journey, "non", "print-choice") == ["print:single"]
    assert voice_commands.events_for(journey, "oui", "help-called") == ["dismiss"]
    assert voice_commands.events_for(journey, "oui") == ["dismiss"]


def test_a_site_text_given_only_in_french_is_said_to_be_in_french(catalogue):
    from kiosk.core.i18n import Translator
    from kiosk.core.journey import Journey
    site = {"name": {"fr": "France Services de Lens", "es": "France Services de Lens (oficina)"},
            "opening_hours": "du lundi au vendredi, 9 h à 17 h", "mediator_hours": ""}
    journey = Journey(catalogue, Translator(), site=site, languages=("fr", "en", "es"))

    def site_block():
        return next(b for b in journey.screen().blocks if "France Services de Lens" in " ".join(b.items))
    assert site_block().items == ("France Services de Lens", "du lundi au vendredi, 9 h à 17 h")
    journey.set_language("en")
    assert site_block().items == ("In French:", "France Services de Lens", "du lundi au vendredi, 9 h à 17 h")
    journey.set_language("es")
    assert site_block().items[0] == "En francés:" and site_block().items[1] == "France Services de Lens (oficina)"
