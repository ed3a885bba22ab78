"""The intent matcher survives any input: no exception, and bounded work per call whatever the
text's length or script. Work is counted by the matcher itself (`cost()`), not timed."""

from __future__ import annotations

import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core.intents import (ASK, MAX_TEXT, NONE, SURE, IntentMatcher, available_languages,
                                language_request)

LANGUAGES = ["fr", "en", "ar", "es", "pt", "tr", "ro", "uk"]
# Steps one call may take (characters folded + fuzzy candidates + phrase positions scanned).
# The densest real inputs (500 characters of lexicon phrases) take about 4 000.
WORK_BOUND = 60_000

_MATCHERS: dict[str, IntentMatcher] = {}


def matcher(lang: str) -> IntentMatcher:
    if lang not in _MATCHERS:
        _MATCHERS[lang] = IntentMatcher.load(lang)
    return _MATCHERS[lang]


def test_every_language_has_a_lexicon():
    assert sorted(available_languages()) == sorted(LANGUAGES)
    for lang in LANGUAGES:
        assert matcher(lang).language.code == lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_100_kb_word_is_cheap(lang):
    m = matcher(lang)
    word = "abcdefghij" * 10_000
    tracemalloc.start()
    try:
        decision = m.decide(word)
        cost = m.cost(word)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert decision.status == NONE
    assert cost <= MAX_TEXT + 10
    assert peak < 2_000_000, peak


@pytest.mark.parametrize("lang", LANGUAGES)
def test_long_text_is_cut(lang):
    m = matcher(lang)
    name = "carte vitale"  # the official name, understood in every language
    assert m.decide(name).best.id == "carte-vitale"
    padding = "x " * (MAX_TEXT // 2 + 10)
    assert m.decide(padding + name).status == NONE  # beyond the first MAX_TEXT characters
    many = (name + " ") * 2000
    assert m.cost(many) <= WORK_BOUND
    assert m.decide(many).best.id == "carte-vitale"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_dense_phrases_and_spelled_letters_stay_bounded(lang):
    m = matcher(lang)
    phrases = " ".join(" ".join(p.tokens) for p in m.phrases)
    for text in (phrases, phrases[::-1], "r s a " * 400, "1 " * 2000, "٣ " * 2000,
                 " ".join(f"{w}{w}" for w in m.normaliser.known)):
        assert m.cost(text) <= WORK_BOUND, (lang, text[:40])
        m.decide(text)


_scripts = st.sampled_from([
    st.text(max_size=700),                                              # any Unicode
    st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), max_size=700),
    st.text(alphabet=st.characters(min_codepoint=0x0400, max_codepoint=0x04FF), max_size=700),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzçğışöüăâîșțéèàù '’ʼ-", max_size=700),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=30, max_size=45).map(
        lambda w: " ".join([w] * 15)),                                  # long unknown words
]).flatmap(lambda s: s)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lang=st.sampled_from(LANGUAGES), text=_scripts, only=st.sampled_from([None, {"oui", "non"}]))
def test_any_text_in_any_language(lang, text, only):
    m = matcher(lang)
    assert m.cost(text, only) <= WORK_BOUND
    cands = m.match(text, only=only)
    assert all(0.0 <= c.confidence <= 1.0 for c in cands)
    assert [c.score for c in cands] == sorted((c.score for c in cands), reverse=True)
    if only is not None:
        assert {c.id for c in cands} <= only
    d = m.decide(text, only=only)
    assert d.status in (SURE, ASK, NONE)
    assert (d.status == NONE) == (not d.candidates)
    assert len(d.candidates) <= 3
    code = language_request(text)
    assert code is None or code in LANGUAGES
