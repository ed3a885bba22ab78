"""`kiosk intents eval [--lang LANG] FILE.tsv`, `kiosk intents match [--lang LANG] TEXT`: what the
kiosk understands, from the shell (the lexicon with the nearest examples, as the kiosk decides;
`--lexicon-only`: the word lists alone); `kiosk intents vectors`: store the examples' vectors after
a change to assets/intents-examples.tsv. Also the evaluation helpers of the tests and the bench."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from kiosk.core.intents import (NONE, SURE, IntentMatcher, available_languages, language_request,
                                read_intent_kinds)


def register(sub) -> None:
    intents = sub.add_parser("intents", help="match text to démarches and commands")
    isub = intents.add_subparsers(dest="intents_command", metavar="ACTION", required=True)

    ev = isub.add_parser("eval", help="accuracy on a TSV file with columns `text` and `intent`; prints JSON")
    ev.add_argument("file", type=Path)
    ev.add_argument("--lang", default="fr")
    ev.add_argument("--lexicon-only", action="store_true", help="the word lists alone")
    ev.set_defaults(func=run_eval)

    m = isub.add_parser("match", help="the best ids for a text, with confidences; prints JSON")
    m.add_argument("text")
    m.add_argument("--lang", default="fr")
    m.add_argument("--limit", type=int, default=3)
    m.add_argument("--lexicon-only", action="store_true", help="the word lists alone")
    m.set_defaults(func=run_match)

    v = isub.add_parser("vectors", help="compute and store the vectors of assets/intents-examples.tsv")
    v.add_argument("--all", action="store_true",
                   help="compute every vector again (default: only texts the store lacks)")
    v.set_defaults(func=run_vectors)


# ── evaluation ───────────────────────────────────────────────────────────────────────────────

def read_eval_tsv(path: Path) -> list[tuple[str, str]]:
    """(text, intent) rows of a file shaped like the dev set (header with `text` and `intent`)."""
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        if "text" not in header or "intent" not in header:
            raise ValueError(f"{path}: the first line must name the columns `text` and `intent`")
        i_text, i_intent = header.index("text"), header.index("intent")
        for n, line in enumerate(f, start=2):
            if not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) <= max(i_text, i_intent):
                raise ValueError(f"{path}:{n}: expected {len(header)} tab-separated columns")
            rows.append((cols[i_text], cols[i_intent].strip()))
    return rows


def evaluate(matcher: IntentMatcher, rows: list[tuple[str, str]]) -> dict:
    """Top-1 accuracy (an utterance decided `none` predicts `none`), out-of-scope rejection,
    how often the matcher was sure, how often it was sure and wrong, time per utterance, misses."""
    misses = []
    correct = in_scope = in_scope_ok = oos = oos_rejected = sure = wrong_sure = 0
    elapsed = 0.0
    for text, expected in rows:
        t0 = time.perf_counter()
        decision = matcher.decide(text)
        elapsed += time.perf_counter() - t0
        predicted = decision.best.id if decision.status != NONE else "none"
        if decision.status == SURE:
            sure += 1
        if predicted == expected:
            correct += 1
        else:
            wrong_sure += decision.status == SURE
            misses.append({"text": text, "expected": expected, "got": predicted,
                           "status": decision.status,
                           "candidates": [[c.id, c.confidence] for c in decision.candidates]})
        if expected == "none":
            oos += 1
            oos_rejected += decision.status == NONE
        else:
            in_scope += 1
            in_scope_ok += predicted == expected
    n = len(rows)
    return {
        "language": matcher.language.code,
        "utterances": n,
        "top1_accuracy": round(correct / n, 4) if n else None,
        "in_scope_top1": round(in_scope_ok / in_scope, 4) if in_scope else None,
        "out_of_scope": oos,
        "out_of_scope_rejection": round(oos_rejected / oos, 4) if oos else None,
        "sure_rate": round(sure / n, 4) if n else None,
        "wrong_sure": wrong_sure,
        "ms_per_utterance": round(1000 * elapsed / n, 4) if n else None,
        "misses": misses,
    }


# ── commands ─────────────────────────────────────────────────────────────────────────────────

def _load(lang: str, lexicon_only: bool = False):
    """What decides for `lang`: the Understanding (lexicon and examples), or the lexicon alone."""
    try:
        lexicon = IntentMatcher.load(lang)
        if lexicon_only:
            return lexicon
        from kiosk.core.understanding import Understanding, example_index
        return Understanding(lexicon, example_index())
    except FileNotFoundError:
        print(f"No word list for the language {lang!r}. Choose one of: "
              f"{', '.join(available_languages())}.", file=sys.stderr)
    except (OSError, ValueError) as exc:
        print(f"The word list for {lang!r} cannot be used: {exc}", file=sys.stderr)
    return None


def run_eval(args) -> int:
    try:
        rows = read_eval_tsv(args.file)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    matcher = _load(args.lang, args.lexicon_only)
    if matcher is None:
        return 2
    print(json.dumps(evaluate(matcher, rows), ensure_ascii=False))
    return 0


def run_match(args) -> int:
    matcher = _load(args.lang, args.lexicon_only)
    if matcher is None:
        return 2
    decision = matcher.decide(args.text)
    out = {
        "text": args.text,
        "language": args.lang,
        "decision": decision.status,
        "candidates": [{"id": c.id, "confidence": c.confidence, "score": c.score, "kind": c.kind}
                       for c in matcher.match(args.text, limit=max(1, args.limit))],
        "language_request": language_request(args.text),
    }
    print(json.dumps(out, ensure_ascii=False))
    return 0


def run_vectors(args) -> int:
    from kiosk.core import understanding as u

    model = u.SentenceModel(threads=2)  # the kiosk uses one thread; this is a one-off
    if not model.available:
        print(f"the sentence model cannot be loaded: {model.failed}", file=sys.stderr)
        return 2
    examples = u.read_examples(u.EXAMPLES_TSV, set(read_intent_kinds(u.paths.INTENTS_TSV)))
    t0 = time.perf_counter()
    known = {} if getattr(args, "all", False) else u.stored_vectors(u.VECTORS, model.name)
    computed = sum(u.text_key(e.text) not in known for e in examples)
    vectors = u.compute_vectors(examples, model, known=known)
    u.save_vectors(u.VECTORS, examples, vectors, model.name)
    print(json.dumps({"examples": len(examples), "computed": computed,
                      "reused": len(examples) - computed, "model": model.name,
                      "file": str(u.VECTORS), "seconds": round(time.perf_counter() - t0, 1)}))
    return 0
