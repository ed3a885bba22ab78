"""`kiosk intents eval FILE.tsv` and `kiosk intents match "TEXT"`: the intent matcher from the shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kiosk.core.intents import IntentMatcher, evaluate, read_eval_tsv


def register(sub) -> None:
    intents = sub.add_parser("intents", help="match text to démarches and commands")
    isub = intents.add_subparsers(dest="intents_command", metavar="ACTION", required=True)

    ev = isub.add_parser("eval", help="accuracy on a TSV file with columns `text` and `intent`; prints JSON")
    ev.add_argument("file", type=Path)
    ev.add_argument("--lang", default="fr")
    ev.set_defaults(func=run_eval)

    m = isub.add_parser("match", help="the best ids for a text, with confidences; prints JSON")
    m.add_argument("text")
    m.add_argument("--lang", default="fr")
    m.add_argument("--limit", type=int, default=3)
    m.set_defaults(func=run_match)


def run_eval(args) -> int:
    try:
        rows = read_eval_tsv(args.file)
    except (OSError, ValueError) as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    matcher = IntentMatcher.load(args.lang)
    print(json.dumps(evaluate(matcher, rows), ensure_ascii=False))
    return 0


def run_match(args) -> int:
    matcher = IntentMatcher.load(args.lang)
    decision = matcher.decide(args.text)
    out = {
        "text": args.text,
        "decision": decision.status,
        "candidates": [{"id": c.id, "confidence": c.confidence, "score": c.score, "kind": c.kind}
                       for c in matcher.match(args.text, limit=args.limit)],
    }
    print(json.dumps(out, ensure_ascii=False))
    return 0
