"""Eighth and ninth unseen sets in French, English, Spanish and Portuguese
(tests/data/intents-unseen8.<lang>.tsv, intents-unseen9.<lang>.tsv), and the rules they led to.

unseen8 was written before touching the lexicons and measured before any fix: top-1 fr 87.3 %
(one wrong "sure": a contract that ended and "will I get something" taken as registering),
en 85.7 % (one wrong "sure": "baby born need birth paper" taken as family benefits), es 100 %,
pt 84.6 %; out-of-scope lines all rejected.
unseen9 was written after the breadth work, without looking at any failure, and measured once
before fixing what it showed — the honest figure for phrasings never seen: fr 83.7 %, en 84.6 %,
es 83.3 % (one wrong "sure" and one out-of-scope line taken: an electric bike read as the energy
cheque), pt 69.4 % (the same electric bike). Both sets meet the goals now."""

from __future__ import annotations

import pytest

from kiosk.core.intents import NONE, SURE
from tests.voice.unseen_sets import check_holds, check_spoken_set, matcher, rows

LANGUAGES = ["fr", "en", "es", "pt"]
TOP1_GOAL = {"fr": 0.97}  # others: 0.95
MIN_LINES = {("unseen8", "fr"): 40, ("unseen9", "fr"): 30, ("unseen8", None): 30,
             ("unseen9", None): 25}

@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["unseen8", "unseen9"])
def test_sets_are_spoken_style_with_out_of_scope_and_apart_from_the_others(lang, name):
    check_spoken_set(name, lang, min_lines=MIN_LINES.get((name, lang), MIN_LINES[(name, None)]),
                     min_none=4, min_ids=20, punctuation=",.?!;:'-")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["unseen8", "unseen9"])
def test_sets_meet_the_goals_and_are_never_sure_of_a_wrong_answer(lang, name):
    check_holds(name, lang, TOP1_GOAL.get(lang, 0.95))
    for text, expected in rows(name, lang):
        if expected == "none":
            assert matcher(lang).decide(text).status != SURE, text


# ── the rules ─────────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("lang, word, infinitive", [
    ("pt", "mudámos", "mudar"), ("pt", "recebeu", "receber"), ("pt", "renovaram", "renovar"),
    ("pt", "trabalhava", "trabalhar"), ("es", "renové", "renovar"), ("es", "perdieron", "perder"),
    ("es", "mudarse", "mudar"), ("es", "divorciamos", "divorciar"),
])
def test_a_conjugated_verb_unknown_to_the_lexicon_is_read_as_its_infinitive(lang, word, infinitive):
    n = matcher(lang).normaliser
    assert n._stem(n.fold(word)) not in n.vocab and n.tokens(infinitive)[0].stem in n.vocab
    assert n.tokens(word)[0].stem == n.tokens(infinitive)[0].stem


def test_an_ending_is_rewritten_only_into_a_word_the_lexicon_knows():
    n = matcher("pt").normaliser
    assert n.tokens("zorbamos")[0].stem == n._stem("zorbamos")  # no "zorbar" in the lexicon
    assert n.tokens("casa")[0].stem != n.tokens("casar")[0].stem


@pytest.mark.parametrize("lang, text", [
    ("es", "quiero comprar una bici eléctrica"), ("pt", "quero comprar uma bicicleta elétrica"),
    ("fr", "je voudrais louer une voiture pour le week end"), ("en", "my car broke down"),
    ("es", "mi coche está averiado"), ("pt", "o meu carro está avariado"),
    ("es", "dónde está la parada del autobús"), ("fr", "je vais chercher mon fils à l école"),
    ("es", "voy a buscar a mi hijo al colegio"),
])
def test_look_alikes_of_a_demarche_are_no_demarche(lang, text):
    assert matcher(lang).decide(text).status == NONE


def test_a_partner_who_left_is_no_end_of_the_session():
    d = matcher("fr").decide("ma femme m a quitté")
    assert d.status != NONE and d.best.id == "changement-situation"


def test_that_is_fine_is_a_yes_and_a_fine_is_still_a_fine():
    assert matcher("en").decide("thats fine thanks").best.id == "oui"
    assert matcher("en").decide("i want to contest a fine").best.id == "amende"


def test_at_home_is_no_start_screen():
    d = matcher("en").decide("i have three little ones at home")
    assert d.status != NONE and d.best.id == "allocations-familiales"


def test_portuguese_income_is_not_rent():
    n = matcher("pt").normaliser
    assert n.tokens("rendimento")[0].stem != n.tokens("renda")[0].stem


@pytest.mark.parametrize("lang, text", [
    ("fr", "je comprends pas pourquoi la caf me demande de l argent"),
    ("en", "i dont understand why the caf is asking me for money"),
    ("es", "no entiendo por qué la caf me pide dinero"),
    ("pt", "não percebo porque é que a caf me pede dinheiro"),
])
def test_not_understanding_the_caf_is_no_request_to_repeat(lang, text):
    d = matcher(lang).decide(text)
    assert d.status != NONE and d.best.id == "changement-situation"
