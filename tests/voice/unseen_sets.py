"""Shared by the tests of the unseen sets (tests/data/intents-unseen*.<lang>.tsv): one matcher
per language for the whole run, the rows of a set, its misses in a readable form."""

from __future__ import annotations

from pathlib import Path

from kiosk.commands.intents import read_eval_tsv
from kiosk.core.intents import IntentMatcher

DATA = Path(__file__).resolve().parent.parent / "data"

_MATCHERS: dict[str, IntentMatcher] = {}


def matcher(lang: str) -> IntentMatcher:
    if lang not in _MATCHERS:
        _MATCHERS[lang] = IntentMatcher.load(lang)
    return _MATCHERS[lang]


def rows(name: str, lang: str) -> list[tuple[str, str]]:
    return read_eval_tsv(DATA / f"intents-{name}.{lang}.tsv")


def misses(res: dict) -> list[tuple[str, str, str, str]]:
    return [(m["text"], m["expected"], m["got"], m["status"]) for m in res["misses"]]


def check_holds(name: str, lang: str, floor: float, *, out_of_scope: float = 1.0,
                wrong_sure: int = 0) -> dict:
    """A set meets its top-1 floor, rejects its out-of-scope lines (every one by default) and is
    wrongly "sure" no more than `wrong_sure` times (never by default); returns the figures for
    further checks."""
    from kiosk.commands.intents import evaluate

    res = evaluate(matcher(lang), rows(name, lang))
    assert res["top1_accuracy"] >= floor, misses(res)
    assert res["out_of_scope_rejection"] >= out_of_scope, misses(res)
    assert res["wrong_sure"] <= wrong_sure, misses(res)
    return res


def check_spoken_set(name: str, lang: str, *, min_lines: int, min_none: int, min_ids: int,
                     punctuation: str = ",.?!;:؟،") -> None:
    """A set is spoken style (lowercase, none of `punctuation`), has enough lines, out-of-scope
    lines and different ids, only ids of intents.tsv, no line twice, and no line of any other set
    of its language."""
    from kiosk import paths
    from kiosk.core.intents import read_intent_kinds

    found = rows(name, lang)
    kinds = read_intent_kinds(paths.INTENTS_TSV)
    assert len(found) >= min_lines
    assert sum(e == "none" for _, e in found) >= min_none
    assert len({e for _, e in found} - {"none"}) >= min_ids
    assert {e for _, e in found} <= set(kinds) | {"none"}
    for text, _ in found:
        assert text == text.lower() and not any(c in text for c in punctuation), text
    texts = [t for t, _ in found]
    assert len(texts) == len(set(texts))
    others: set[str] = set()
    for path in DATA.glob(f"intents-*.{lang}.tsv"):
        if path.name != f"intents-{name}.{lang}.tsv":
            others |= {t for t, _ in read_eval_tsv(path)}
    assert not set(texts) & others
