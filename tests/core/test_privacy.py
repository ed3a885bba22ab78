"""Nothing of the citizen is left in memory after "finish" or a timeout, and core imports no Kivy."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from kiosk.core.effects import SessionWiped
from kiosk.core.session import Session

from .conftest import LANGS, path_to_demarche, walk

def state_dump(journey) -> str:
    """Every value the journey keeps about the current person (the catalogue and translator are shared)."""
    kept = {k: v for k, v in vars(journey).items() if k not in ("catalogue", "translator", "on_finish")}
    return repr(kept) + repr(vars(journey.session)) + repr(vars(journey.translator))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("demarche_id,ending", [("passeport", "reason"), ("rsa", "finish"),
                                                ("titre-sejour", "timeout")])
def test_nothing_remains_after_the_session(make_journey, catalogue, lang, demarche_id, ending):
    journey = make_journey()
    if lang == "en":
        journey.handle("a11y:language")
    text = catalogue.demarches[demarche_id].text(lang)
    walk(journey, *path_to_demarche(catalogue, demarche_id), "print", "help:guide", "step:stuck", "end",
         "face:2")
    during = state_dump(journey)
    assert demarche_id in during  # the dump does see the session
    if ending == "reason":
        journey.handle("reason:complicated")
    elif ending == "finish":
        journey.handle("finish")
    else:
        journey.wipe("timeout")
    after = state_dump(journey)
    for secret in (demarche_id, text.title, text.steps[0], "complicated", "face", "stuck",
                   catalogue.demarches[demarche_id].theme):
        assert secret not in after, secret
    assert journey.session.satisfaction is None and journey.session.reason is None
    assert journey.session.history == [] and journey.effects == [SessionWiped()]
    assert dataclasses.asdict(journey.session) == dataclasses.asdict(Session())
    # nor on the screen the next person sees
    screen_text = " ".join(journey.screen().visible_texts())
    assert text.title not in screen_text


def test_wipe_keeps_the_same_session_object_but_empties_it(make_journey, catalogue):
    journey = make_journey()
    session = journey.session
    walk(journey, *path_to_demarche(catalogue, "aah"), "help:teach")
    journey.handle("finish")
    assert journey.session is session
    assert session.demarche is None and not session.started


def test_session_wipe_resets_every_field_including_history():
    s = Session(language="en", text_step=2, high_contrast=True, voice_on=False, explore_by_touch=True,
                theme="sante", demarche="carte-vitale", help_level="guide", step=3, outcome="stuck",
                satisfaction=1, reason="complicated", mediator_called=True, history=[("themes", {"step": 0})])
    history = s.history
    s.wipe("fr")
    assert dataclasses.asdict(s) == dataclasses.asdict(Session(language="fr"))
    assert s.history is not history  # the old list is not reused by the next person
    fields = {f.name for f in dataclasses.fields(Session)}
    assert fields == set(dataclasses.asdict(s))


def test_core_imports_no_kivy():
    code = ("import sys, pkgutil, importlib, kiosk.core\n"
            "for m in pkgutil.iter_modules(kiosk.core.__path__): importlib.import_module('kiosk.core.' + m.name)\n"
            "import kiosk.cli, kiosk.commands.content\n"
            "bad = [m for m in sys.modules if m.split('.')[0] == 'kivy']\n"
            "print(len(list(pkgutil.iter_modules(kiosk.core.__path__))), bad)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    count, bad = out.stdout.strip().split(" ", 1)
    assert int(count) >= 10
    assert bad == "[]"

