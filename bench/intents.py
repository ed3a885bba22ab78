"""`python -m bench intents [LANG ...]`: per language, top-1 accuracy, out-of-scope rejection, sure
rate, wrong answers given as "sure", and time per utterance of the intent matcher, on that
language's development set (tests/data/intents-dev.<lang>.tsv) and its held-out set
(tests/voice/data/intents-heldout.<lang>.tsv, never used for tuning). Default: every language
with a lexicon."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from kiosk.commands.intents import evaluate, read_eval_tsv
from kiosk.core.intents import IntentMatcher, available_languages

ROOT = Path(__file__).resolve().parent.parent


def sets_for(lang: str) -> dict[str, Path]:
    found = {
        "dev": ROOT / "tests" / "data" / f"intents-dev.{lang}.tsv",
        "heldout": ROOT / "tests" / "voice" / "data" / f"intents-heldout.{lang}.tsv",
        # written apart from the lexicons, then used to find what they lacked (issue 13)
        "unseen": ROOT / "tests" / "data" / f"intents-unseen.{lang}.tsv",
        "unseen2": ROOT / "tests" / "data" / f"intents-unseen2.{lang}.tsv",
        "unseen3": ROOT / "tests" / "data" / f"intents-unseen3.{lang}.tsv",
        "unseen4": ROOT / "tests" / "data" / f"intents-unseen4.{lang}.tsv",
        "unseen5": ROOT / "tests" / "data" / f"intents-unseen5.{lang}.tsv",
    }
    if lang == "fr":  # the first French sets, kept as they were
        found["dev-first"] = ROOT / "tests" / "data" / "intents-dev.tsv"
        found["heldout-first"] = ROOT / "tests" / "voice" / "data" / "intents-heldout.tsv"
        found["heldout-second"] = ROOT / "tests" / "voice" / "data" / "intents-heldout2.tsv"
    return {name: path for name, path in found.items() if path.is_file()}


def measure(matcher: IntentMatcher, rows: list[tuple[str, str]]) -> dict:
    res = evaluate(matcher, rows)  # first pass also warms the caches
    cold = []  # time per utterance with cold per-token caches is what a new phrasing costs
    for text, _ in rows:
        matcher._similar.cache_clear()
        matcher.normaliser._stem.cache_clear()
        t = time.perf_counter()
        matcher.decide(text)
        cold.append(1000 * (time.perf_counter() - t))
    cold.sort()
    return {
        "utterances": res["utterances"],
        "top1_accuracy": res["top1_accuracy"],
        "out_of_scope": res["out_of_scope"],
        "out_of_scope_rejection": res["out_of_scope_rejection"],
        "sure_rate": res["sure_rate"],
        "wrong_sure": res["wrong_sure"],
        "ms_per_utterance_cold_mean": round(statistics.fmean(cold), 4),
        "ms_per_utterance_cold_p95": round(cold[int(0.95 * (len(cold) - 1))], 4),
        "misses": [{k: m[k] for k in ("text", "expected", "got", "status")} for m in res["misses"]],
    }


def run(argv: list[str]) -> dict:
    out: dict = {"languages": {}}
    for lang in argv or available_languages():
        t0 = time.perf_counter()
        matcher = IntentMatcher.load(lang)
        entry: dict = {"load_ms": round(1000 * (time.perf_counter() - t0), 1),
                       "phrases": len(matcher.phrases), "sets": {}}
        for name, path in sets_for(lang).items():
            entry["sets"][name] = measure(matcher, read_eval_tsv(path))
        out["languages"][lang] = entry
    out["summary"] = {
        lang: {name: {k: s[k] for k in ("top1_accuracy", "out_of_scope_rejection", "sure_rate",
                                         "wrong_sure")}
               for name, s in entry["sets"].items()}
        for lang, entry in out["languages"].items()
    }
    return out
