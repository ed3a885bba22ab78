"""Every screen model the journey can produce, for one démarche and one language."""

from __future__ import annotations

from kiosk.core.i18n import Translator
from kiosk.core import overlays
from kiosk.core.journey import Journey

SITE = {"name": "France Services de Test", "opening_hours": "9 h à 17 h",
        "mediator_hours": "Un médiateur est là le matin"}


def fresh(catalogue, lang: str, site=SITE) -> Journey:
    # French and English as in the other core tests, plus the language under test
    journey = Journey(catalogue, Translator(), site=site, languages=tuple(dict.fromkeys(("fr", "en", lang))))
    if lang != journey.session.language:
        journey.set_language(lang)
    return journey


def demarche_screens(catalogue, demarche_id: str, lang: str):
    """(label, model) for the démarche page, each guide step, teach, mediator, end, feedback."""
    d = catalogue.demarches[demarche_id]
    journey = fresh(catalogue, lang)
    for event in ("start", f"theme:{d.theme}"):
        journey.handle(event)
    yield "demarche", journey.handle(f"demarche:{demarche_id}")
    model = journey.handle("help:guide")
    for i in range(len(d.text(lang).steps)):
        yield f"guide-{i + 1}", model
        model = journey.handle("step:done")
    yield "end", model
    yield "feedback-high", journey.handle("face:5")
    journey.handle("back")
    yield "feedback-low", journey.handle("face:1")

    journey = fresh(catalogue, lang)
    for event in ("start", f"theme:{d.theme}", f"demarche:{demarche_id}"):
        journey.handle(event)
    yield "teach", journey.handle("help:teach")
    journey.handle("back")
    yield "mediator-urgent", journey.handle("help:urgent")
    journey.handle("back")
    journey.handle("help:guide")
    yield "mediator-stuck", journey.handle("step:stuck")


def general_screens(catalogue, lang: str):
    """(label, model) for the screens that do not depend on a démarche, overlays included."""
    journey = fresh(catalogue, lang)
    yield "attract", journey.screen()
    yield "themes", journey.handle("start")
    for theme in catalogue.themes:
        yield f"demarches-{theme.id}", journey.handle(f"theme:{theme.id}")
        journey.handle("back")
    yield "mediator-dont-know", journey.handle("dont-know")
    journey.mediator_reachable = True
    yield "mediator-dont-know-hub", journey.screen()
    journey.mediator_reachable = False
    yield "end-no-demarche", journey.handle("end")
    yield "timeout", overlays.timeout_warning(journey.translator.gettext, 25, True)
    yield "timeout-last", overlays.timeout_warning(journey.translator.gettext, 3, False)
    _ = journey.translator.gettext
    yield "help", overlays.help_called(_, True)
    yield "help-nobody-told", overlays.help_called(_, False)
    yield "mediator-coming", overlays.mediator_coming(_)
    yield "help-unanswered", overlays.help_unanswered(_, "9 h à 17 h")
    yield "print-choice", overlays.print_choice(_)
    yield "attract-farewell", journey.handle("finish")
    if lang != journey.session.language:
        journey.set_language(lang)
    yield "attract-farewell-lang", journey.screen()
    yield "attract-no-site", fresh(catalogue, lang, site={}).screen()


def all_screens(catalogue, lang: str):
    yield from general_screens(catalogue, lang)
    for demarche_id in catalogue.demarches:
        for label, model in demarche_screens(catalogue, demarche_id, lang):
            yield f"{demarche_id}/{label}", model
