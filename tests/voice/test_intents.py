"""The intent matcher: accuracy on the dev set and on phrasings written apart from it,
normalisation, decisions, speed, robustness."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.commands.intents import evaluate, read_eval_tsv
from kiosk.core.intents import ASK, NONE, SURE, IntentMatcher, read_intent_kinds
from kiosk import paths

HERE = Path(__file__).parent
DEV = HERE.parent / "data" / "intents-dev.tsv"
HELDOUT = [HERE / "data" / "intents-heldout.tsv", HERE / "data" / "intents-heldout2.tsv"]


@pytest.fixture(scope="module")
def matcher():
    return IntentMatcher.load("fr")


def test_dev_set(matcher):
    res = evaluate(matcher, read_eval_tsv(DEV))
    assert res["top1_accuracy"] >= 0.95, res["misses"]
    assert res["out_of_scope_rejection"] == 1.0, res["misses"]


@pytest.mark.parametrize("path", HELDOUT, ids=lambda p: p.name)
def test_phrasings_not_in_the_dev_set(matcher, path):
    rows = read_eval_tsv(path)
    dev_texts = {t for t, _ in read_eval_tsv(DEV)}
    # written apart from the dev set; only bare names ("accueil", "msa"…) may coincide
    shared = dev_texts & {t for t, _ in rows}
    assert len(shared) <= 0.2 * len(rows), sorted(shared)
    res = evaluate(matcher, rows)
    assert res["top1_accuracy"] >= 0.95, res["misses"]
    assert res["out_of_scope_rejection"] == 1.0, res["misses"]


def test_every_id_of_intents_tsv_is_reachable(matcher):
    kinds = read_intent_kinds(paths.INTENTS_TSV)
    assert set(matcher.kinds) == set(kinds)
    reached = {c.id for t, _ in read_eval_tsv(DEV) for c in matcher.match(t, limit=1)}
    assert reached >= set(kinds)


@pytest.mark.parametrize("text, expected", [
    ("J’AI PERDU MA CARTE VITALE !", "carte-vitale"),
    ("jai perdu ma carte vitale", "carte-vitale"),
    ("carte vital", "carte-vitale"),          # recogniser drops the final e
    ("pasport", "passeport"),                 # typed on the on-screen keyboard
    ("alocations familliales", "allocations-familiales"),
    ("le r s a", "rsa"),                      # letters spelled one by one
    ("l'a p l", "aide-logement"),
    ("bulletin n°3 du casier", "casier-judiciaire"),
    ("bulletin numéro 3", "casier-judiciaire"),
    ("pôle emploi inscription", "inscription-france-travail"),
    ("la sécu me rembourse pas", "remboursement-soins"),
    ("les allocs", "allocations-familiales"),
    ("e-mail", "adresse-email"),
    ("Carte-Grise", "carte-grise"),
])
def test_normalisation_and_colloquial_names(matcher, text, expected):
    d = matcher.decide(text)
    assert d.status != NONE and d.best.id == expected, d


def test_commands_only_when_they_are_the_whole_answer(matcher):
    assert matcher.decide("aide").best.id == "aide"
    assert matcher.decide("aide au logement").best.id == "aide-logement"
    assert matcher.decide("oui d'accord").best.id == "oui"
    assert matcher.decide("oui je veux ma carte vitale").best.id == "carte-vitale"
    assert matcher.decide("non").best.id == "non"
    assert matcher.decide("avis de non imposition").best.id == "avis-imposition"


def test_vague_request_asks_with_two_or_three_guesses(matcher):
    d = matcher.decide("j'ai perdu ma carte")
    assert d.status == ASK
    assert 2 <= len(d.candidates) <= 3
    assert {"carte-identite", "carte-vitale"} <= {c.id for c in d.candidates}
    d = matcher.decide("les impôts")
    assert d.status == ASK and {"declaration-revenus", "impots-paiement"} <= {c.id for c in d.candidates}


def test_clear_request_is_sure(matcher):
    d = matcher.decide("j'ai perdu ma carte vitale")
    assert d.status == SURE and d.candidates[0].id == "carte-vitale"
    assert d.candidates[0].kind == "demarche"
    assert matcher.decide("retour").candidates[0].kind == "command"


@pytest.mark.parametrize("text", [
    "", "   ", "euh", "bonjour", "quel temps fait-il", "le match de football ce soir",
    "je voudrais acheter une baguette", "ma carte bleue ne marche plus", "lunettes de soleil",
    "permis de construire une véranda", "zzzz qqqq", "12345", "!!!???",
])
def test_out_of_scope_is_rejected(matcher, text):
    assert matcher.decide(text).status == NONE


def test_only_restricts_to_a_screens_answers(matcher):
    only = {"oui", "non"}
    assert matcher.decide("d'accord", only=only).best.id == "oui"
    assert matcher.decide("carte vitale", only=only).status == NONE


def test_under_a_millisecond_per_utterance(matcher):
    """Cold caches each pass; the best of five passes, so that other processes sharing the CPU
    (a loaded test machine) do not count as the matcher's time."""
    rows = read_eval_tsv(DEV)
    passes = []
    for _ in range(5):
        matcher.normaliser._stem.cache_clear()
        matcher._similar.cache_clear()
        t = time.perf_counter()
        for text, _ in rows:
            matcher.decide(text)
        passes.append((time.perf_counter() - t) / len(rows))
    assert min(passes) < 0.001, passes


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_valid_answer(text):
    m = _shared()
    cands = m.match(text)
    assert all(0.0 <= c.confidence <= 1.0 for c in cands)
    assert [c.score for c in cands] == sorted((c.score for c in cands), reverse=True)
    d = m.decide(text)
    assert d.status in (SURE, ASK, NONE)
    assert (d.status == NONE) == (not d.candidates)
    assert len(d.candidates) <= 3


_M = []


def _shared():
    if not _M:
        _M.append(IntentMatcher.load("fr"))
    return _M[0]


def test_lexicon_ids_must_match_intents_tsv(tmp_path):
    lex = (paths.ASSETS / "intents-lexicon.fr.toml").read_text()
    bad = tmp_path / "lex.toml"
    bad.write_text(lex + '\n[intents.not-an-id]\n"x" = 1\n')
    with pytest.raises(ValueError, match="not-an-id"):
        IntentMatcher.load("fr", lexicon_path=bad)


def kiosk(*args):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=60)


def test_cli_eval_and_match(tmp_path):
    r = kiosk("intents", "eval", str(DEV))
    assert r.returncode == 0
    out = json.loads(r.stdout)
    assert {"top1_accuracy", "out_of_scope_rejection", "ms_per_utterance", "misses"} <= set(out)
    assert out["utterances"] == len(read_eval_tsv(DEV))

    r = kiosk("intents", "match", "je veux m'inscrire sur les listes électorales")
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["candidates"][0]["id"] == "listes-electorales"
    assert out["decision"] == "sure"

    bad = tmp_path / "bad.tsv"
    bad.write_text("phrase\tlabel\nbonjour\tnone\n")
    r = kiosk("intents", "eval", str(bad))
    assert r.returncode == 1 and "text" in r.stderr
