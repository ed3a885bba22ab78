"""Eleventh unseen set, all eight languages (tests/data/intents-unseen11.<lang>.tsv), issue 13.

41 lines a language, 6 of them out of scope and sharing words with démarches on purpose (a metro
card, a phone top-up card, a pram, a washing machine, a pharmacy on duty, the tram). Written
before the lexicons were opened in that session, checked against every earlier set for
duplicates and near-duplicates, and measured once before any fix (top-1 / out-of-scope
rejected / wrong "sure"):
  fr 85.4 % / 100 % / 0     en 82.9 % / 67 % / 1     es 95.1 % / 67 % / 1     pt 92.7 % / 67 % / 2
  ar 97.6 % / 100 % / 1     tr 90.2 % / 83 % / 0     ro 90.2 % / 83 % / 1     uk 80.5 % / 67 % / 0
That is the honest figure for phrasings never seen (all languages: 89.3 %, 38 of 48 out-of-scope
lines rejected, 6 wrong "sure"). The general rule of that session, a command id set aside when
more than three content words of the utterance lie outside its phrases (COMMAND_MAX_OTHER),
brought it to 89.9 % before the lexicons were touched. The floors below are what the set meets
after the breadth pass that followed; two lines stay asked (ro, uk: "no income and no more
unemployment benefit" is offered as unemployment benefit first, minimum income second)."""

from __future__ import annotations

import pytest

from kiosk.core.intents import ASK, NONE, SURE
from tests.voice.unseen_sets import check_holds, check_spoken_set, matcher

LANGUAGES = ["fr", "en", "es", "pt", "ar", "tr", "ro", "uk"]
FLOORS = {"fr": 1.0, "en": 1.0, "es": 1.0, "pt": 1.0, "ar": 1.0, "tr": 1.0, "ro": 0.97,
          "uk": 0.97}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_set_is_spoken_style_with_out_of_scope_and_apart_from_the_others(lang):
    # 34 ids or more: nearly every démarche once
    check_spoken_set("unseen11", lang, min_lines=40, min_none=6, min_ids=34)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_top1_floor_every_out_of_scope_line_rejected_and_no_wrong_sure(lang):
    check_holds("unseen11", lang, FLOORS[lang])


@pytest.mark.parametrize("lang, text, command", [
    ("fr", "le médecin arrive pas à lire ma carte verte elle est cassée en deux", "texte-plus-grand"),
    ("en", "can someone help me with my rent i am struggling every month", "aide"),
    ("pt", "chumbei no exame prático duas vezes e quero marcar outra vez", "repeter"),
    ("tr", "direksiyon sınavından iki kez kaldım tekrar girmek istiyorum", "repeter"),
    ("ro", "am plătit dentistul acum o lună și nu mi a venit nimic înapoi", "retour"),
])
def test_a_command_word_inside_a_long_sentence_is_no_command(lang, text, command):
    d = matcher(lang).decide(text)
    assert all(c.id != command for c in d.candidates), d


@pytest.mark.parametrize("lang, text, command", [
    ("fr", "je voudrais parler à quelqu un s il vous plaît", "aide"),
    ("fr", "pouvez vous répéter", "repeter"),
    ("en", "can you say that again please", "repeter"),
    ("en", "i need help", "aide"),
    ("es", "volver al inicio", "accueil"),
])
def test_a_short_command_is_still_a_command(lang, text, command):
    d = matcher(lang).decide(text)
    assert d.status != NONE and d.best.id == command, d


@pytest.mark.parametrize("lang, text", [
    ("en", "do you sell phone top up cards"), ("en", "where do i top up my metro card"),
    ("es", "venden tarjetas para recargar el móvil"), ("uk", "ви продаєте картки поповнення телефону"),
    ("es", "puedo dejar aquí el carrito del bebé"), ("pt", "posso deixar aqui o carrinho do bebé"),
    ("tr", "bebek arabasını burada bırakabilir miyim"), ("ro", "mi s a stricat mașina de spălat"),
    ("uk", "у мене зламалася пральна машина"), ("pt", "onde para o elétrico"),
])
def test_look_alikes_of_a_card_a_baby_a_car_or_electricity_are_out_of_scope(lang, text):
    assert matcher(lang).decide(text).status == NONE


def test_the_portuguese_tram_is_not_electricity_but_the_electricity_bill_still_is():
    assert matcher("pt").decide("a fatura de eletricidade está muito alta").best.id == "cheque-energie"


@pytest.mark.parametrize("lang, text", [
    ("fr", "mon voisin parle toujours de son passeport quand on boit le café au marché"),
    ("es", "mi vecino habla siempre de su pasaporte cuando tomamos café en el mercado"),
    ("en", "my neighbour always talks about his passport when we drink coffee at the market"),
])
def test_one_strong_word_in_a_long_sentence_is_asked_not_sure(lang, text):
    # SURE_FREE_WORDS / SURE_EXTRA: with many words the phrases do not explain, the evidence
    # must be stronger to go straight on; the kiosk shows its guess instead
    d = matcher(lang).decide(text)
    assert d.status == ASK and d.best.id == "passeport"


@pytest.mark.parametrize("lang, text, expected", [
    ("fr", "passeport", "passeport"), ("fr", "mon passeport il est fini", "passeport"),
    ("fr", "précédent", "retour"), ("en", "housing benefit", "aide-logement"),
])
def test_a_short_clear_request_is_still_sure(lang, text, expected):
    d = matcher(lang).decide(text)
    assert d.status == SURE and d.best.id == expected


# The twelfth set (tests/data/intents-unseen12.<lang>.tsv) is kept unfixed, as a yardstick for
# the next round: written at the end of this one, measured once before the rule on sure answers
# (top-1 68.6 % over all languages, 12 wrong sure) and once after it (same top-1, 3 wrong sure).
# Its floors are those figures; a higher one is real generalisation. Its misses were not read.
# Round 21 (fr and en situation pass, misses still not read): fr 80.5 -> 85.4 %, en 82.9 -> 87.8 %;
# their floors are raised to that.
UNSEEN12_MEASURED = {"fr": 0.85, "en": 0.87, "es": 0.73, "pt": 0.75, "ar": 0.58, "tr": 0.58,
                     "ro": 0.60, "uk": 0.58}
UNSEEN12_WRONG_SURE = {"es": 1, "pt": 1, "uk": 1}
UNSEEN12_OUT_OF_SCOPE = {"uk": 0.83}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_twelfth_set_is_a_yardstick_kept_at_its_first_figures(lang):
    check_spoken_set("unseen12", lang, min_lines=40, min_none=6, min_ids=34)
    check_holds("unseen12", lang, UNSEEN12_MEASURED[lang],
                out_of_scope=UNSEEN12_OUT_OF_SCOPE.get(lang, 1.0),
                wrong_sure=UNSEEN12_WRONG_SURE.get(lang, 0))
