"""`python -m bench intents [FILE.tsv ...]`: top-1 accuracy, out-of-scope rejection and time per
utterance of the intent matcher on the dev set (default) or the given files."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from kiosk.core.intents import IntentMatcher, evaluate, read_eval_tsv

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = [ROOT / "tests" / "data" / "intents-dev.tsv"]


def run(argv: list[str]) -> dict:
    files = [Path(a) for a in argv] or DEFAULT
    t0 = time.perf_counter()
    matcher = IntentMatcher.load("fr")
    load_ms = 1000 * (time.perf_counter() - t0)
    out: dict = {"load_ms": round(load_ms, 1), "phrases": len(matcher.phrases), "sets": {}}
    for path in files:
        rows = read_eval_tsv(path)
        res = evaluate(matcher, rows)  # first pass also warms the caches
        # time per utterance with cold per-token caches is what a new phrasing costs
        cold = []
        for text, _ in rows:
            matcher._similar.cache_clear()
            matcher.normaliser._stem.cache_clear()
            t = time.perf_counter()
            matcher.decide(text)
            cold.append(1000 * (time.perf_counter() - t))
        warm = []
        for _ in range(5):
            for text, _ in rows:
                t = time.perf_counter()
                matcher.decide(text)
                warm.append(1000 * (time.perf_counter() - t))
        cold.sort()
        out["sets"][path.name] = {
            "utterances": res["utterances"],
            "top1_accuracy": res["top1_accuracy"],
            "out_of_scope": res["out_of_scope"],
            "out_of_scope_rejection": res["out_of_scope_rejection"],
            "sure_rate": res["sure_rate"],
            "ms_per_utterance_cold_mean": round(statistics.fmean(cold), 4),
            "ms_per_utterance_cold_p95": round(cold[int(0.95 * (len(cold) - 1))], 4),
            "ms_per_utterance_warm_mean": round(statistics.fmean(warm), 4),
            "misses": res["misses"],
        }
    first = out["sets"][files[0].name]
    out.update({k: first[k] for k in ("top1_accuracy", "out_of_scope_rejection",
                                      "ms_per_utterance_cold_mean")})
    return out
