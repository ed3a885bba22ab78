"""Eighth and ninth unseen sets in Arabic, Turkish, Romanian and Ukrainian
(tests/data/intents-unseen8.<lang>.tsv, intents-unseen9.<lang>.tsv), issue 13.

Measured before any fix they led to (top-1 / out-of-scope rejected / wrong "sure"):
  unseen8: ar 50.0 % / 80 % / 0, tr 89.1 % / 60 % / 1, ro 82.6 % / 60 % / 2, uk 71.7 % / 60 % / 1
  unseen9 (written after the unseen8 fixes and a private probe round, evaluated once: the honest
  figure for phrasings never seen): ar 60.6 % / 100 % / 2, tr 66.7 % / 100 % / 2,
  ro 66.7 % / 100 % / 1, uk 51.5 % / 100 % / 3.
Most misses were life situations said without the démarche's name (a child grown up, a partner in
prison, deafness, an operation, a company closed), everyday words that are also command words
("acasă", "început", "كبر" grew up / make bigger, "маю право" / driving licence "права"), and
out-of-scope lines about a car (parking, renting, a mechanic).
The floors below are what the sets meet after the fixes; three unseen9 lines stay asked or
unanswered (a vehicle's address after a move is also a change of address; retiring said as "my
contract ended at sixty")."""

from __future__ import annotations

import pytest

from kiosk.commands.intents import evaluate
from kiosk.core.intents import SURE
from tests.voice.unseen_sets import check_spoken_set, matcher, misses, rows

LANGUAGES = ["ar", "tr", "ro", "uk"]
FLOORS = {
    "unseen8": {"ar": 0.97, "tr": 0.97, "ro": 0.97, "uk": 0.97},
    "unseen9": {"ar": 0.93, "tr": 0.96, "ro": 0.96, "uk": 0.96},
}
MIN_LINES = {"unseen8": 30, "unseen9": 25}

@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["unseen8", "unseen9"])
def test_sets_are_spoken_style_with_out_of_scope_and_apart_from_the_others(lang, name):
    check_spoken_set(name, lang, min_lines=MIN_LINES[name], min_none=4, min_ids=20)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["unseen8", "unseen9"])
def test_top1_floor_no_wrong_sure_and_out_of_scope_never_sure(lang, name):
    found = rows(name, lang)
    res = evaluate(matcher(lang), found)
    assert res["top1_accuracy"] >= FLOORS[name][lang], misses(res)
    assert res["wrong_sure"] == 0, misses(res)
    assert res["out_of_scope_rejection"] == 1.0, misses(res)
    for text, expected in found:
        if expected == "none":
            assert matcher(lang).decide(text).status != SURE, text


@pytest.mark.parametrize("lang, text", [
    ("ar", "فين نقدر نوقف الطوموبيل"), ("tr", "arabamı nereye park edebilirim"),
    ("ro", "unde pot parca mașina"), ("uk", "де можна припаркувати машину"),
    ("tr", "araba kiralamak istiyorum"), ("ro", "vreau să închiriez o mașină"),
    ("uk", "хочу взяти машину напрокат"), ("ar", "الطوموبيل ديالي خسرات خاصني ميكانيسيان"),
])
def test_parking_renting_or_repairing_a_car_is_no_registration(lang, text):
    assert matcher(lang).decide(text).best is None or matcher(lang).decide(text).best.id != "carte-grise"


@pytest.mark.parametrize("lang, text", [
    ("ro", "am stat bolnav acasă trei săptămâni"),       # "acasă" (home) in a sentence
    ("ro", "am început un loc de muncă nou"),            # "început" (started)
    ("uk", "спочатку я працював на заводі"),             # "спочатку" (at first)
])
def test_an_everyday_word_inside_a_sentence_is_no_return_to_the_start(lang, text):
    d = matcher(lang).decide(text)
    assert not (d.status == SURE and d.best.id == "accueil"), d


@pytest.mark.parametrize("lang, text", [
    ("ro", "acasă"), ("ro", "de la început"), ("uk", "спочатку"), ("tr", "baştan"),
])
def test_the_same_word_alone_is_still_the_start(lang, text):
    d = matcher(lang).decide(text)
    assert d.status == SURE and d.best.id == "accueil", d


@pytest.mark.parametrize("lang, text", [
    ("ar", "ولدي عندو التوحد"), ("tr", "oğlum otizmli"), ("ro", "fiul meu are autism"),
    ("uk", "у сина аутизм"),
])
def test_a_child_with_autism_is_disability_not_family_benefits(lang, text):
    d = matcher(lang).decide(text)
    assert d.best is not None and d.best.id == "aah", d
