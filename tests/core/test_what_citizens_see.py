"""What a new user saw on screen (the robustness pass): each case failed before its fix."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.core import overlays
from kiosk.core.config import load_config
from kiosk.core.partners import PARTNER_NAMES
from kiosk.core.screen import calls_or_erases
from kiosk.core.session import Session

from .conftest import action_ids, path_to_demarche, walk


def test_the_welcome_screen_reached_by_back_wipes_the_session(make_journey):
    counted = []
    journey = make_journey(on_finish=lambda s: counted.append(s.outcome))
    walk(journey, "a11y:text", "a11y:contrast", "a11y:language", "start", "theme:sante")
    assert journey.session.text_step == 1 and journey.session.language == "en"
    model = walk(journey, "back", "back")
    assert model.name == "attract"
    assert dataclasses.asdict(journey.session) == dataclasses.asdict(Session())
    assert journey.translator.language == "fr"
    assert counted == ["abandoned"], "the session that had started is counted once"


def test_settings_chosen_on_the_welcome_screen_are_kept_for_the_citizen(make_journey):
    journey = make_journey()
    walk(journey, "a11y:text", "a11y:text")
    assert journey.session.text_step == 2, "choosing large text on the first screen is not a wipe"
    walk(journey, "start")
    assert journey.session.text_step == 2


def test_agency_codes_are_shown_by_their_common_name(make_journey, catalogue):
    codes = {d.partner for d in catalogue.demarches.values()}
    assert codes <= set(PARTNER_NAMES), codes - set(PARTNER_NAMES)
    for lang in ("fr", "en"):
        journey = make_journey()
        journey.set_language(lang)
        model = walk(journey, *path_to_demarche(catalogue, "titre-sejour"))
        notice = next(b for b in model.blocks if b.kind == "notice").items[0]
        assert "Interieur" not in notice and "préfecture" in notice.lower() or "prefecture" in notice


@pytest.mark.parametrize("events", [["end"], ["end", "face:2"], ["end", "face:5"]])
def test_recap_and_thanks_screens_have_back(make_journey, catalogue, events):
    journey = make_journey()
    model = walk(journey, *path_to_demarche(catalogue, "rsa"), *events)
    assert "back" in action_ids(model)


def test_read_aloud_is_offered_only_when_the_kiosk_can_speak():
    assert "read-receipt" in [a.id for a in overlays.printed(str, True).actions]
    assert "read-receipt" not in [a.id for a in overlays.printed(str, False).actions]


def test_site_name_and_hours_follow_the_language(make_journey):
    config = load_config(None)
    journey = make_journey(site=dict(config.site))
    journey.set_language("en")
    texts = " ".join(journey.screen().visible_texts())
    assert "France Services — demonstration" in texts and "Monday to Friday" in texts
    journey.set_language("fr")
    assert "Du lundi au vendredi" in " ".join(journey.screen().visible_texts())


def test_help_is_honest_about_who_was_told(make_journey, catalogue):
    journey = make_journey()
    alone = walk(journey, *path_to_demarche(catalogue, "rsa"), "help:urgent")
    assert "Nous avons appelé le médiateur." not in alone.visible_texts()
    journey = make_journey()
    journey.mediator_reachable = True
    linked = walk(journey, *path_to_demarche(catalogue, "rsa"), "help:urgent")
    assert "Nous avons appelé le médiateur." in linked.visible_texts()


def test_what_calls_or_erases_is_known():
    for action_id in ("help:urgent", "call", "dont-know", "step:stuck", "finish", "reason:clear",
                      "staff:restart"):
        assert calls_or_erases(action_id)
    for action_id in ("help:guide", "back", "end", "face:3", "start", "print"):
        assert not calls_or_erases(action_id)
