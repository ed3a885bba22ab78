"""Eight languages understood: each lexicon covers every id, each language's development set meets
its goals, the normaliser follows each language's rules, the CLI works in every language, and a
request to switch language is recognised by the language's name."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import paths
from kiosk.commands.intents import evaluate, read_eval_tsv
from kiosk.core.intents import NONE, SURE, IntentMatcher, language_request, read_intent_kinds

HERE = Path(__file__).parent
DATA = HERE.parent / "data"
LANGUAGES = ["fr", "en", "ar", "es", "pt", "tr", "ro", "uk"]
TOP1_GOAL = {"fr": 0.97}  # others: 0.95

_MATCHERS: dict[str, IntentMatcher] = {}


def matcher(lang: str) -> IntentMatcher:
    if lang not in _MATCHERS:
        _MATCHERS[lang] = IntentMatcher.load(lang)
    return _MATCHERS[lang]


def dev_rows(lang: str) -> list[tuple[str, str]]:
    return read_eval_tsv(DATA / f"intents-dev.{lang}.tsv")


# ── development sets ──────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("lang", LANGUAGES)
def test_dev_set_is_spoken_style_and_has_out_of_scope(lang):
    rows = dev_rows(lang)
    kinds = read_intent_kinds(paths.INTENTS_TSV)
    assert len(rows) >= 120
    assert sum(e == "none" for _, e in rows) >= 0.2 * len(rows)
    assert {e for _, e in rows} <= set(kinds) | {"none"}
    assert {e for _, e in rows} >= set(kinds), "every id has at least one phrasing"
    for text, _ in rows:
        assert text == text.lower() and not any(c in text for c in ",.?!;:"), text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_dev_set_meets_the_goals(lang):
    res = evaluate(matcher(lang), dev_rows(lang))
    misses = [(m["text"], m["expected"], m["got"], m["status"]) for m in res["misses"]]
    assert res["top1_accuracy"] >= TOP1_GOAL.get(lang, 0.95), misses
    assert res["out_of_scope_rejection"] == 1.0, misses
    assert res["wrong_sure"] == 0, [m for m in misses if m[3] == SURE]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_heldout_set_is_apart_from_the_dev_set(lang):
    """The held-out phrasings are only reported (bench), never tuned to; here only their shape."""
    rows = read_eval_tsv(HERE / "data" / f"intents-heldout.{lang}.tsv")
    kinds = read_intent_kinds(paths.INTENTS_TSV)
    assert len(rows) >= 80
    assert {e for _, e in rows} <= set(kinds) | {"none"}
    shared = {t for t, _ in rows} & {t for t, _ in dev_rows(lang)}
    assert len(shared) <= 0.1 * len(rows), sorted(shared)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_lexicon_covers_every_id(lang):
    m = matcher(lang)
    assert set(m.kinds) == set(read_intent_kinds(paths.INTENTS_TSV))
    assert {p.intent for p in m.phrases if p.weight > 0} == set(m.kinds)


# ── the official French names work in every language ─────────────────────────────────────────

@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("text, expected", [
    ("carte vitale", "carte-vitale"), ("titre de séjour", "titre-sejour"), ("rsa", "rsa"),
    ("apl", "aide-logement"), ("france travail", "inscription-france-travail"),
    ("attestation employeur", "allocation-chomage"), ("casier judiciaire", "casier-judiciaire"),
    ("franceconnect", "franceconnect"), ("msa", "msa"), ("mdph", "aah"), ("aspa", "minimum-vieillesse"),
])
def test_official_names(lang, text, expected):
    d = matcher(lang).decide(text)
    assert d.status != NONE and d.best.id == expected, (lang, d)


# ── normalisation per language ────────────────────────────────────────────────────────────────

def stems(lang: str, text: str) -> list[str]:
    return [t.stem for t in matcher(lang).normaliser.tokens(text)]


def test_letters_of_every_script_are_kept():
    assert stems("ar", "بطاقة الإقامة") and stems("uk", "посвідка на проживання")
    assert matcher("ar").decide("بطاقة الإقامة").best.id == "titre-sejour"
    assert matcher("uk").decide("посвідка на проживання").best.id == "titre-sejour"


def test_turkish_dotted_and_dotless_i():
    base = stems("tr", "kimlik kartı")
    for variant in ("KİMLİK KARTI", "KIMLIK KARTI", "kimlik karti", "Kimlik Kartı"):
        assert stems("tr", variant) == base, variant
    assert matcher("tr").decide("İŞSİZLİK PARASI").best.id == "allocation-chomage"
    # suffixes stacked and softened consonants: "kimliğimi" is "kimlik"
    assert stems("tr", "kimliğimi") == stems("tr", "kimlik")


def test_romanian_comma_and_cedilla_letters_are_one():
    forms = ["ajutor de șomaj", "ajutor de şomaj", "ajutor de somaj", "AJUTOR DE ȘOMAJ"]
    assert len({tuple(stems("ro", f)) for f in forms}) == 1
    assert stems("ro", "țară") == stems("ro", "ţară") == stems("ro", "tara")


def test_ukrainian_apostrophes_are_one_and_letters_keep_their_marks():
    forms = ["сім'я", "сімʼя", "сім’я", "сім‘я"]
    assert len({tuple(stems("uk", f)) for f in forms}) == 1
    assert stems("uk", "їжа") != stems("uk", "іжа")  # ї is a letter of its own
    assert matcher("uk").decide("реєстрація в pôle emploi").best.id == "inscription-france-travail"


def test_arabic_marks_letters_digits_and_prefixes():
    plain = stems("ar", "بطاقة الاقامة")
    assert stems("ar", "بِطَاقَةُ الإِقَامَةِ") == plain           # harakat
    assert stems("ar", "بطـــاقة الإقامة") == plain               # tatweel, alef with hamza
    assert stems("ar", "بطاقة ٱلاقامة") == plain                  # alef wasla
    assert stems("ar", "بطاقه الاقامه") == plain                  # ة → ه
    assert stems("ar", "مستشفى") == stems("ar", "مستشفي")         # ى → ي
    assert stems("ar", "٣") == stems("ar", "3") == ["3"]           # Arabic-Indic digits
    assert stems("ar", "والاقامة") == stems("ar", "بالاقامة") == stems("ar", "الاقامة") == stems("ar", "اقامة")
    assert stems("ar", "بطاقتي") == stems("ar", "البطاقات") == stems("ar", "بطاقة")


def test_suffixes_and_numbers_are_per_language():
    words = {lang: matcher(lang).normaliser.words for lang in LANGUAGES}
    assert words["fr"]("62") == ["soixante", "deux"] and words["en"]("3") == ["three"]
    assert stems("tr", "3") == ["3"] and stems("uk", "3") == ["3"]
    assert stems("en", "housing") == stems("en", "house")
    assert stems("es", "tarjetas") == stems("es", "tarjeta")
    assert stems("pt", "impostos") == stems("pt", "imposto")
    assert stems("uk", "пенсію") == stems("uk", "пенсія")


@pytest.mark.parametrize("lang, text, expected", [
    ("en", "housing benefit", "aide-logement"),
    ("en", "i lost my carte vitale", "carte-vitale"),
    ("es", "perdí mi pasaporte", "passeport"),
    ("pt", "preciso de uma certidão de nascimento", "acte-etat-civil"),
    ("tr", "emekli olmak istiyorum", "demande-retraite"),
    ("ro", "am nevoie de cazier judiciar", "casier-judiciaire"),
    ("uk", "допомога по безробіттю", "allocation-chomage"),
    ("ar", "بغيت نسجل في فرانس ترافاي", "inscription-france-travail"),
])
def test_everyday_phrasings(lang, text, expected):
    d = matcher(lang).decide(text)
    assert d.status != NONE and d.best.id == expected, d


@pytest.mark.parametrize("lang, yes, no", [
    ("fr", "oui", "non"), ("en", "yes", "no"), ("ar", "نعم", "لا"), ("es", "sí", "no"),
    ("pt", "sim", "não"), ("tr", "evet", "hayır"), ("ro", "da", "nu"), ("uk", "так", "ні"),
])
def test_yes_and_no_only_as_the_whole_answer(lang, yes, no):
    m = matcher(lang)
    assert m.decide(yes, only={"oui", "non"}).best.id == "oui"
    assert m.decide(no, only={"oui", "non"}).best.id == "non"


# ── the language switch ───────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("text, code", [
    ("english", "en"), ("in english please", "en"), ("anglais", "en"), ("je veux parler anglais", "en"),
    ("español", "es"), ("espagnol", "es"), ("en español por favor", "es"),
    ("العربية", "ar"), ("بالعربية", "ar"), ("عربي", "ar"), ("arabe", "ar"),
    ("türkçe", "tr"), ("TÜRKÇE LÜTFEN", "tr"), ("turc", "tr"),
    ("українська", "uk"), ("українською будь ласка", "uk"), ("ukrainien", "uk"),
    ("română", "ro"), ("romana", "ro"), ("roumain", "ro"),
    ("português", "pt"), ("portugais", "pt"), ("em português", "pt"),
    ("français", "fr"), ("en français s'il vous plaît", "fr"), ("french", "fr"),
])
def test_language_request_by_name(text, code):
    assert language_request(text) == code


@pytest.mark.parametrize("text", [
    "", "bonjour", "je ne parle pas français", "i don't speak english", "permis français",
    "échanger mon permis étranger contre un permis français", "français ou anglais",
    "nationalité française", "la carte vitale en arabe", "no hablo español", "carte vitale",
])
def test_no_language_request(text):
    assert language_request(text) is None


# ── command line ──────────────────────────────────────────────────────────────────────────────

def kiosk(*args):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True,
                          timeout=60)


def test_cli_match_in_english_no_traceback():
    r = kiosk("intents", "match", "--lang", "en", "housing benefit")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["candidates"][0]["id"] == "aide-logement"
    assert out["decision"] in ("sure", "ask")


def test_cli_match_reports_a_language_request():
    r = kiosk("intents", "match", "--lang", "fr", "english please")
    assert r.returncode == 0 and json.loads(r.stdout)["language_request"] == "en"


def test_cli_unknown_language_is_one_line():
    r = kiosk("intents", "match", "--lang", "xx", "bonjour")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "fr" in r.stderr and "uk" in r.stderr


def test_cli_eval_per_language():
    r = kiosk("intents", "eval", "--lang", "ar", str(DATA / "intents-dev.ar.tsv"))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"top1_accuracy", "out_of_scope_rejection", "sure_rate", "wrong_sure", "misses"} <= set(out)
    assert out["language"] == "ar" and out["utterances"] == len(dev_rows("ar"))
    assert all({"text", "expected", "got", "status"} <= set(m) for m in out["misses"])
