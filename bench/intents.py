"""`python -m bench intents [LANG ...]`: per language, top-1 accuracy, out-of-scope rejection, sure
rate, wrong answers given as "sure", and time per utterance of the intent matcher, on that
language's development set (tests/data/intents-dev.<lang>.tsv) and its held-out set
(tests/voice/data/intents-heldout.<lang>.tsv, never used for tuning). Default: every language
with a lexicon.

Each set is measured twice: `lexicon`, the word lists alone, and `understanding`, the lexicon
with the nearest examples (kiosk/core/understanding.py) as the kiosk decides, the set's own lines
left out of the examples (leave one set out), so both are figures on phrasings never seen.

`python -m bench intents --yardstick [LANG ...]`: the same two figures on the twelfth and thirteenth
unseen sets, which neither the lexicons nor the examples have read. Figures only, never the lines.

`python -m bench intents --before-fix [LANG ...]`: how the matcher's code does on phrasings its
lexicon has never seen. Each unseen set of BEFORE_FIX_SETS is matched with the lexicon as it was
in the commit that added the set, before any phrase was added for it (read from git), and today's
code, alone and with the examples less that set's lines (leave one set out). About 2,900 lines, so a change to the code (a rule, a second opinion) can be tuned
and cross-checked there without spending the yardstick sets. Figures only, no lines."""

from __future__ import annotations

import statistics
import subprocess
import time
import tomllib
from pathlib import Path

from kiosk.commands.intents import evaluate, read_eval_tsv
from kiosk.core.intents import IntentMatcher, available_languages, read_intent_kinds
from kiosk.core.understanding import Understanding, example_index

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


# Unseen sets committed on their own before the lexicons were fixed for them (issue 13). Not the
# twelfth and thirteenth: they are the yardsticks, measured a few times only, their misses unread.
BEFORE_FIX_SETS = ("unseen", "unseen2", "unseen3", "unseen4", "unseen5", "unseen6", "unseen7",
                   "unseen8", "unseen9", "unseen10", "unseen11", "unseen14")


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                          check=True).stdout


def matcher_before_fix(name: str, lang: str) -> tuple[str, IntentMatcher] | None:
    """The commit that added the set `name` in `lang`, and the matcher of today's code with the
    lexicon of that commit; None when the set does not exist for that language."""
    rel = f"tests/data/intents-{name}.{lang}.tsv"
    if not (ROOT / rel).is_file():
        return None
    added = _git("log", "--diff-filter=A", "--format=%H", "--", rel).split()
    if not added:
        return None
    commit = added[-1]
    lexicon = tomllib.loads(_git("show", f"{commit}:assets/intents-lexicon.{lang}.toml"))
    # the ids and kinds of intents.tsv have not changed since the first set
    return commit, IntentMatcher(lexicon, read_intent_kinds(ROOT / "assets" / "intents.tsv"))


class _Totals:
    """Figures summed over sets, per language and in all."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {}

    def add(self, lang: str, res: dict) -> None:
        oos = res["out_of_scope"]
        rejected = oos - sum(m["expected"] == "none" for m in res["misses"])
        sure = round(res["sure_rate"] * res["utterances"])
        for key in (lang, "all"):
            c = self.counts.setdefault(key, dict.fromkeys(
                ("utterances", "correct", "out_of_scope", "rejected", "wrong_sure", "sure"), 0))
            for k, v in (("utterances", res["utterances"]),
                         ("correct", res["utterances"] - len(res["misses"])),
                         ("out_of_scope", oos), ("rejected", rejected),
                         ("wrong_sure", res["wrong_sure"]), ("sure", sure)):
                c[k] += v

    def figures(self) -> dict:
        return {key: {"utterances": c["utterances"],
                      "top1_accuracy": round(c["correct"] / c["utterances"], 4),
                      "out_of_scope_rejected": f"{c['rejected']}/{c['out_of_scope']}",
                      "wrong_sure": c["wrong_sure"],
                      "sure_rate": round(c["sure"] / c["utterances"], 4)}
                for key, c in self.counts.items() if c["utterances"]}


def _short(res: dict) -> dict:
    return {k: res[k] for k in ("utterances", "top1_accuracy", "out_of_scope_rejection",
                                "sure_rate", "wrong_sure")}


def run_before_fix(langs: list[str]) -> dict:
    out: dict = {"sets": {}}
    index = example_index()
    lexicon_totals, understanding_totals = _Totals(), _Totals()
    for name in BEFORE_FIX_SETS:
        for lang in langs or available_languages():
            found = matcher_before_fix(name, lang)
            if found is None:
                continue
            commit, matcher = found
            rows = read_eval_tsv(ROOT / "tests" / "data" / f"intents-{name}.{lang}.tsv")
            res = evaluate(matcher, rows)
            lexicon_totals.add(lang, res)
            entry = {"lexicon_of": commit[:10], "lexicon": _short(res)}
            if index is not None:
                both = evaluate(Understanding(matcher, index.without(name)), rows)
                understanding_totals.add(lang, both)
                entry["understanding"] = _short(both)
            out["sets"][f"{name}.{lang}"] = entry
    out["total"] = {"lexicon": lexicon_totals.figures(),
                    "understanding": understanding_totals.figures() if index is not None else None}
    return out


YARDSTICKS = ("unseen12", "unseen13")


def run_yardstick(langs: list[str]) -> dict:
    index = example_index()
    lexicon_totals, understanding_totals = _Totals(), _Totals()
    for name in YARDSTICKS:
        for lang in langs or available_languages():
            path = ROOT / "tests" / "data" / f"intents-{name}.{lang}.tsv"
            if not path.is_file():
                continue
            rows = read_eval_tsv(path)
            matcher = IntentMatcher.load(lang)
            lexicon_totals.add(lang, evaluate(matcher, rows))
            if index is not None:
                understanding_totals.add(lang, evaluate(Understanding(matcher, index), rows))
    return {"sets": list(YARDSTICKS), "lexicon": lexicon_totals.figures(),
            "understanding": understanding_totals.figures() if index is not None else None}


def run(argv: list[str]) -> dict:
    if argv[:1] == ["--before-fix"]:
        return run_before_fix(argv[1:])
    if argv[:1] == ["--yardstick"]:
        return run_yardstick(argv[1:])
    out: dict = {"languages": {}}
    for lang in argv or available_languages():
        t0 = time.perf_counter()
        matcher = IntentMatcher.load(lang)
        entry: dict = {"load_ms": round(1000 * (time.perf_counter() - t0), 1),
                       "phrases": len(matcher.phrases), "sets": {}}
        index = example_index()
        for name, path in sets_for(lang).items():
            rows = read_eval_tsv(path)
            entry["sets"][name] = measure(matcher, rows)
            if index is not None:  # the set's own lines left out of the examples
                source = {"dev-first": "dev"}.get(name, name)
                entry["sets"][name]["understanding"] = _short(evaluate(
                    Understanding(matcher, index.without(source)), rows))
        out["languages"][lang] = entry
    out["summary"] = {
        lang: {name: {**{k: s[k] for k in ("top1_accuracy", "out_of_scope_rejection", "sure_rate",
                                            "wrong_sure")},
                      "understanding": s.get("understanding")}
               for name, s in entry["sets"].items()}
        for lang, entry in out["languages"].items()
    }
    return out
