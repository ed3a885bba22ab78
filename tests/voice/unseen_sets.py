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
