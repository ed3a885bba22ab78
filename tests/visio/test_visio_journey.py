"""The call offered in the journey (pure core): only where the démarche's partner takes calls now,
from "do it for me now" and from "parler à un conseiller"; back on the recap asking how the call went."""

from __future__ import annotations

import pytest

from kiosk.core.catalogue import load_catalogue
from kiosk.core.effects import CallMediator, StartVisio
from kiosk.core.i18n import Translator
from kiosk.core.journey import Journey
from kiosk.core.voice_commands import COMMAND_EVENTS


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def journey_on(catalogue, demarche_id: str, partners=frozenset()) -> Journey:
    journey = Journey(catalogue, Translator())
    journey.visio_partners = frozenset(partners)
    journey.handle("start")
    journey.handle(f"demarche:{demarche_id}")
    journey.take_effects()
    return journey


def action_ids(model) -> list[str]:
    return [a.id for a in model.actions]


def test_urgent_help_offers_the_call_when_the_partner_takes_calls(catalogue):
    assert catalogue.demarches["aide-logement"].video_partner == "CAF"
    journey = journey_on(catalogue, "aide-logement", {"CAF"})
    model = journey.handle("help:urgent")
    assert model.name == "mediator" and action_ids(model)[0] == "visio"
    assert CallMediator(urgent=True) in journey.take_effects()
    model = journey.handle("visio")
    assert model.name == "visio"
    assert journey.take_effects() == [StartVisio("aide-logement", "CAF", "urgent", "fr")]
    model = journey.handle("visio-ended:advisor")
    assert model.name == "end"
    texts = " ".join(model.visible_texts())
    assert "How did the call go?" in texts or "Comment s'est passé l'appel" in texts
    journey.handle("face:5")
    assert journey.session.satisfaction == 5


def test_no_call_offered_when_the_partner_takes_no_calls_now(catalogue):
    journey = journey_on(catalogue, "aide-logement", {"ANTS"})
    model = journey.handle("help:urgent")
    assert "visio" not in action_ids(model)
    with pytest.raises(ValueError):
        journey.handle("visio")


def test_parler_a_un_conseiller_calls_by_video_or_else_the_mediator(catalogue):
    assert COMMAND_EVENTS["conseiller"] == "advisor"
    journey = journey_on(catalogue, "aide-logement", {"CAF"})
    assert journey.handle("advisor").name == "visio"
    assert any(isinstance(e, StartVisio) for e in journey.take_effects())
    journey = journey_on(catalogue, "aide-logement")
    journey.handle("advisor")
    assert any(isinstance(e, CallMediator) for e in journey.take_effects())


def test_a_late_end_of_call_after_the_session_was_wiped_changes_nothing(catalogue):
    journey = journey_on(catalogue, "aide-logement", {"CAF"})
    journey.handle("visio")
    journey.wipe("abandoned")
    assert journey.handle("visio-ended:browser").name == "attract"
    assert journey.after_visio is False
