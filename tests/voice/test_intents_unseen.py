"""Phrasings written apart from the lexicons (tests/data/intents-unseen*.<lang>.tsv), and the
matcher rules they led to: function words apart from content words, spoken fillers between a
phrase's words, near words never a certainty, wanting to buy a car is no démarche."""

from __future__ import annotations

import pytest

from kiosk import paths
from kiosk.commands.intents import evaluate, read_eval_tsv
from kiosk.core.intents import ASK, NONE, SURE, read_intent_kinds
from tests.voice.unseen_sets import DATA, check_holds, matcher, misses, rows

LANGUAGES = ["fr", "en", "ar", "es", "pt", "tr", "ro", "uk"]
TOP1_GOAL = {"fr": 0.97}  # others: 0.95
MIN_LINES = {"fr": 60}    # others: 30 (first set), half that for the second

@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name, share", [("unseen", 1.0), ("unseen2", 0.5), ("unseen3", 0.5),
                                         ("unseen4", 0.45), ("unseen5", 0.4),
                                         ("unseen6", 0.66), ("unseen7", 0.66), ("unseen10", 0.66)])
def test_unseen_sets_are_spoken_style_with_out_of_scope_and_apart_from_dev(lang, name, share):
    found = rows(name, lang)
    kinds = read_intent_kinds(paths.INTENTS_TSV)
    assert len(found) >= share * MIN_LINES.get(lang, 30)
    assert sum(e == "none" for _, e in found) >= 3
    assert {e for _, e in found} <= set(kinds) | {"none"}
    for text, _ in found:
        assert text == text.lower() and not any(c in text for c in ",.?!;:؟"), text
    dev = {t for t, _ in read_eval_tsv(DATA / f"intents-dev.{lang}.tsv")}
    assert not {t for t, _ in found} & dev


@pytest.mark.parametrize("lang", LANGUAGES)
def test_first_unseen_set_meets_every_goal(lang):
    check_holds("unseen", lang, TOP1_GOAL.get(lang, 0.95))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name, floor", [("unseen2", None), ("unseen3", 0.93), ("unseen4", None),
                                         ("unseen5", 0.85), ("unseen6", None), ("unseen7", None)])
def test_later_unseen_sets_top1_and_never_sure_of_a_wrong_answer(lang, name, floor):
    """The third set keeps a lower floor: "je veux le français" is a request for a language,
    which the kiosk takes by name before matching (language_request), not the `langue` id.
    The fifth was only partly worked on: its misses are what the lexicons still lack.
    Before any fix the sixth scored fr 98 %, en 97 %, ar 93 % (one wrong "sure"), es 96 %,
    pt 100 %, tr 92 %, ro 96 %, uk 88 %; the seventh, written after those fixes and measured
    once before fixing it, fr 85 % (one wrong "sure", one out-of-scope line taken), en 82 %,
    ar 92 %, es 83 %, pt 82 % (one out-of-scope line taken), tr 82 %, ro 86 %, uk 82 % (one
    wrong "sure"): the honest figure for phrasings never seen. Both meet the goals now."""
    found = rows(name, lang)
    res = evaluate(matcher(lang), found)
    assert res["top1_accuracy"] >= (floor or TOP1_GOAL.get(lang, 0.95)), misses(res)
    assert res["wrong_sure"] == 0, misses(res)
    for text, expected in found:
        if expected == "none":
            assert matcher(lang).decide(text).status != SURE, text


# The tenth set was written last in its round (41 lines a language, 6 out of scope) and kept
# unfixed for one session as a yardstick. Measured when it was written, before any fix: fr 78 %,
# en 87 %, es 85 %, pt 80 % (one wrong "sure": "chumbei no exame prático … outra vez" taken as
# "repeat"), ar 78 %, tr 80 %, ro 80 %, uk 82 %, every out-of-scope line rejected. That is the
# honest figure. Its misses were then fixed (issue 13, with the eleventh set: see
# test_intents_unseen_round11.py); the floors are what it meets after those fixes.
UNSEEN10_FLOOR = {"fr": 0.95, "en": 1.0, "es": 1.0, "pt": 1.0, "ar": 0.97, "tr": 0.95,
                  "ro": 0.97, "uk": 1.0}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_tenth_set_keeps_its_floor_and_rejects_every_out_of_scope_line(lang):
    check_holds("unseen10", lang, UNSEEN10_FLOOR[lang])


# ── the rules ─────────────────────────────────────────────────────────────────────────────────

def test_a_function_word_is_never_a_content_word():
    # "as" (tu as) folds like "ASS" (a benefit whose doubled letter goes): no evidence
    assert matcher("fr").decide("tu as du feu").status == NONE
    assert matcher("fr").decide("t as pas une cigarette").status == NONE
    assert matcher("fr").decide("l ass de france travail").best.id == "allocation-chomage"


def test_spoken_function_words_between_a_phrases_words_are_skipped():
    d = matcher("fr").decide("ma retraite elle est trop petite")
    assert d.status != NONE and d.best.id == "minimum-vieillesse"


def test_near_words_alone_may_be_asked_but_never_sure():
    d = matcher("fr").decide("passeprot")  # two letters swapped
    assert d.status == ASK and d.best.id == "passeport" and not d.best.exact
    d = matcher("uk").decide("я голодний")  # "hungry", one letter from "головний" (main)
    assert d.status != SURE
    assert matcher("fr").decide("passeport").status == SURE


@pytest.mark.parametrize("lang, text", [
    ("fr", "je veux acheter une voiture"), ("en", "i want to buy a car"),
    ("es", "quiero comprar un coche"), ("pt", "quero comprar um carro"),
    ("tr", "araba almak istiyorum"), ("ro", "vreau să cumpăr o mașină"),
    ("uk", "хочу купити машину"), ("ar", "بغيت نشري طوموبيل"),
])
def test_wanting_to_buy_a_car_is_no_demarche(lang, text):
    assert matcher(lang).decide(text).status == NONE


@pytest.mark.parametrize("lang, text", [
    ("fr", "j ai vendu ma voiture il faut faire la carte grise"),
    ("en", "i sold my car what about the registration"),
    ("es", "vendí el coche y tengo que cambiar los papeles del coche"),
])
def test_a_car_sold_is_still_the_registration(lang, text):
    d = matcher(lang).decide(text)
    assert d.status != NONE and d.best.id == "carte-grise"


@pytest.mark.parametrize("lang, text", [
    ("fr", "où est la sortie"), ("en", "where is the exit"), ("ar", "فين الخروج"),
    ("uk", "де вихід"), ("es", "dónde está la salida"),
])
def test_asking_for_the_exit_is_no_goodbye(lang, text):
    assert matcher(lang).decide(text).status == NONE


def test_turkish_buffer_letters_follow_a_vowel():
    stem = lambda w: matcher("tr").normaliser.tokens(w)[0].stem  # noqa: E731
    assert stem("arabası") == stem("araba")
    assert stem("kartı") == stem("kart") == stem("kartımı")


def test_maghrebi_negation_is_taken_off_a_known_word_only():
    d = matcher("ar").decide("ما رجعوليش الفلوس ديال الطبيب")  # "they did not give me back"
    assert d.status != NONE and d.best.id == "remboursement-soins"
    assert matcher("ar").normaliser.tokens("عيش")[0].stem == "عيش"  # no known word under it


@pytest.mark.parametrize("lang, text", [
    ("fr", "vous savez où je peux garer ma voiture"), ("pt", "onde posso estacionar o carro"),
    ("es", "dónde puedo aparcar el coche"), ("en", "where can i park my car"),
])
def test_parking_a_car_is_no_registration(lang, text):
    assert matcher(lang).decide(text).status == NONE


def test_at_eighty_a_tiny_income_is_the_old_age_minimum_not_the_rsa():
    d = matcher("fr").decide("mon père a quatre vingt ans et touche presque rien")
    assert d.status != NONE and d.best.id == "minimum-vieillesse"
