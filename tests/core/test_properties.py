"""Random walks through the journey: any sequence of offered choices works and is fully spoken."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core.i18n import Translator
from kiosk.core.journey import Journey
from kiosk.core.session import Session
from kiosk.core.stats import OUTCOMES

SCREENS = {"attract", "themes", "demarches", "demarche", "guide", "teach", "mediator", "end", "feedback", "search"}
NEEDS_DEMARCHE = {"demarche", "guide", "teach"}

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def offered(journey: Journey, model, exclude: set[str]) -> list[str]:
    ids = [a.id for a in model.actions + model.nav] + [a.id for a in journey.accessibility_bar()]
    return [i for i in ids if i not in exclude]


def check_model(journey: Journey, model) -> None:
    assert model.name in SCREENS
    assert model.name == journey.screen_name
    speech = model.speech()
    for text in model.visible_texts():
        assert text.strip() in speech, (model.name, text)
    assert journey.translator.language == journey.session.language
    if model.name in NEEDS_DEMARCHE:
        assert journey.session.demarche is not None
    if model.name == "guide":
        steps = journey.catalogue.demarches[journey.session.demarche].text(journey.session.language).steps
        assert 0 <= journey.session.step < len(steps)
    assert 0 <= journey.session.text_step <= 2


def random_walk(catalogue, data, exclude: set[str], length: int) -> None:
    finished = []
    journey = Journey(catalogue, Translator(), on_finish=lambda s: finished.append(dataclasses.asdict(s)))
    model = journey.screen()
    check_model(journey, model)
    for _ in range(length):
        choices = offered(journey, model, exclude) + ["<timeout>"]
        event = data.draw(st.sampled_from(choices))
        count_before = len(finished)
        started = journey.session.started
        came_from = model.name
        if event == "<timeout>":
            journey.wipe("timeout")
            model = journey.screen()
        else:
            model = journey.handle(event)
        check_model(journey, model)
        arrived_home = model.name == "attract" and came_from != "attract"
        if event in ("<timeout>", "finish") or event.startswith("reason:") or arrived_home:
            # the welcome screen, reached by any path: the session is counted once (if it had
            # started) and forgotten
            assert len(finished) == count_before + (1 if started else 0)
            if started:
                assert finished[-1]["outcome"] in OUTCOMES + (None,)
            assert dataclasses.asdict(journey.session) == dataclasses.asdict(Session())
            assert model.name == "attract"
        else:
            assert len(finished) == count_before


@SETTINGS
@given(data=st.data(), length=st.integers(1, 60))
def test_random_walk_through_every_choice(catalogue, data, length):
    """Every choice on screen and in the bar, in any order, with timeouts anywhere."""
    random_walk(catalogue, data, set(), length)


@SETTINGS
@given(data=st.data(), length=st.integers(1, 40))
def test_a_preview_changes_nothing_and_shows_what_the_touch_shows(catalogue, data, length):
    """The UI asks what a touch would show (to prepare the page while the citizen reads): the
    journey stays exactly as it was, and the page then shown is the one previewed."""
    journey = Journey(catalogue, Translator())
    model = journey.screen()
    for _ in range(length):
        choices = offered(journey, model, set())
        for choice in choices:
            before = (dataclasses.asdict(journey.session), journey.screen_name, list(journey.effects),
                      journey.farewell, journey.translator.language)
            previewed = journey.preview(choice)
            assert (dataclasses.asdict(journey.session), journey.screen_name, list(journey.effects),
                    journey.farewell, journey.translator.language) == before
            assert (previewed is None) == (not choice.startswith(Journey.PREVIEWABLE))
        event = data.draw(st.sampled_from(choices))
        previewed = journey.preview(event)
        model = journey.handle(event)
        if previewed is not None:
            assert previewed == model
