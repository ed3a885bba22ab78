"""Nothing shown and not spoken: every visible text of every screen is in its speech."""

from __future__ import annotations

import pytest

from kiosk.core import overlays
from kiosk.core.catalogue import LANGUAGES
from kiosk.core.screen import Action, Block, ScreenModel

from .conftest import LANGS, SHIPPED_IDS
from .screens import demarche_screens, fresh, general_screens

YOU_CAN = {"fr": "Vous pouvez toucher :", "en": "You can touch:"}


def assert_speech_covers(label, model):
    speech = model.speech()
    missing = [t for t in model.visible_texts() if t.strip() not in speech]
    assert missing == [], f"{label}: shown but not spoken: {missing}"
    assert speech.startswith(model.title.strip())
    if model.actions or model.nav:
        assert model.you_can in speech


@pytest.mark.parametrize("lang", LANGUAGES)   # every language, Arabic included
@pytest.mark.parametrize("demarche_id", SHIPPED_IDS)
def test_every_demarche_screen_speaks_all_it_shows(catalogue, demarche_id, lang):
    labels = []
    for label, model in demarche_screens(catalogue, demarche_id, lang):
        assert_speech_covers(f"{demarche_id}/{label}", model)
        labels.append(label)
    steps = len(catalogue.demarches[demarche_id].text(lang).steps)
    assert len(labels) == steps + 7


@pytest.mark.parametrize("lang", LANGUAGES)
def test_general_screens_and_overlays_speak_all_they_show(catalogue, lang):
    labels = []
    for label, model in general_screens(catalogue, lang):
        assert_speech_covers(label, model)
        labels.append(label)
    assert {"attract", "themes", "timeout", "help", "attract-farewell"} <= set(labels)
    assert sum(label.startswith("demarches-") for label in labels) == 8


@pytest.mark.parametrize("lang", LANGS)
def test_timeout_warning_speaks_the_seconds_left(catalogue, lang):
    journey = fresh(catalogue, lang)
    model = overlays.timeout_warning(journey.translator.gettext, 17, True)
    assert "17" in model.speech()
    assert [a.id for a in model.actions] == ["more-time"]
    assert overlays.timeout_warning(journey.translator.gettext, 17, False).actions == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_choices_are_introduced_in_the_screen_language(catalogue, lang):
    for label, model in general_screens(catalogue, lang):
        if label == "attract-farewell":
            assert YOU_CAN["fr"] in model.speech()  # after the wipe: the default language
            continue
        if model.actions or model.nav:
            assert YOU_CAN[lang] in model.speech(), label


@pytest.mark.parametrize("overlay", ["timeout", "help", "message"])
def test_overlays_introduce_the_choices_in_french(catalogue, overlay):
    _ = fresh(catalogue, "fr").translator.gettext
    model = {"timeout": lambda: overlays.timeout_warning(_, 20, True),
             "help": lambda: overlays.help_called(_, True),
             "message": lambda: overlays.message(_, "Imprimante", "L'imprimante ne répond pas.")}[overlay]()
    assert "You can touch" not in model.speech()
    assert YOU_CAN["fr"] in model.speech()


def test_steps_are_spoken_with_their_number(catalogue):
    journey = fresh(catalogue, "fr")
    for event in ("start", "theme:papiers", "demarche:passeport"):
        model = journey.handle(event)
    steps = catalogue.demarches["passeport"].text("fr").steps
    for i, step in enumerate(steps, 1):
        assert f"{i}. {step}" in model.speech()


def test_speech_is_one_sentence_per_line():
    model = ScreenModel("x", "Titre", [Block("list", "Liste", ("un", "deux."))],
                        [Action("a", "Oui", detail="Tout de suite")], you_can="Vous pouvez toucher :")
    assert model.speech().splitlines() == ["Titre.", "Liste.", "un.", "deux.",
                                           "Vous pouvez toucher : Oui. Tout de suite."]
    assert model.visible_texts() == ["Titre", "Liste", "un", "deux.", "Oui", "Tout de suite"]


@pytest.mark.parametrize("lang", LANGS)
def test_accessibility_bar_labels_are_speakable(catalogue, lang):
    journey = fresh(catalogue, lang)
    for state in range(3):
        bar = journey.accessibility_bar()
        assert [a.id for a in bar] == ["a11y:text", "a11y:contrast", "a11y:voice", "repeat", "a11y:explore",
                                       "a11y:language", "call"]
        for action in bar:
            assert action.label.strip() and action.detail.strip(), action
            spoken = action.speech()
            assert action.label in spoken and action.detail in spoken
        journey.handle("a11y:text")
        journey.handle("a11y:contrast")
    labels = [a.label for a in journey.accessibility_bar()]
    assert len(set(labels)) == len(labels)
