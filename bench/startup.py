"""Cold start to the first interactive frame: the kiosk against a bare Kivy hello-world.

`python -m bench startup [--runs 10] [--config FILE] [--profile OUT.pstats]` prints one JSON object (ms).

Each run is a fresh `python -m bench._startup_child kiosk|hello` process on the same display
(Xvfb started here when there is no DISPLAY), with the same Kivy settings (both go through
`prepare_kivy()`, same window size) and the same data folder. The two targets alternate, after
one discarded warm-up run of each, so both see the same (warm) page cache and machine load.

Times are from just before the process is spawned (CLOCK_MONOTONIC, passed in BENCH_T0) to:
- `interactive`: the first screen is drawn and flipped and the event loop has nothing left to
  draw (the headline figure, compared with the goal: kiosk ≤ 1.5 × hello-world);
- `first_frame`: the first frame flipped after on_start;
and the kiosk's phases (medians): interpreter up, Kivy configured (= kiosk imports, CLI, config
and content done), App.run() begins, on_start.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_RATIO = 1.5
TIMEOUT_S = 120


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def _summary(values: list[float]) -> dict:
    values = [v for v in values if v is not None and not math.isnan(v)]
    if not values:
        return {"n": 0}
    return {"n": len(values), "median_ms": round(statistics.median(values), 1),
            "p95_ms": round(_p95(values), 1), "min_ms": round(min(values), 1),
            "max_ms": round(max(values), 1)}


def _one_run(target: str, size: tuple[int, int], env: dict) -> dict:
    args = [sys.executable, "-m", "bench._startup_child", target, str(size[0]), str(size[1])]
    env = dict(env, BENCH_T0=repr(time.monotonic()))
    # stderr into a file, not a pipe: a grandchild holding it (the speech worker) cannot hold us
    with tempfile.TemporaryFile("w+") as errors:
        proc = subprocess.run(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors,
                              text=True, timeout=TIMEOUT_S)
        errors.seek(0)
        stderr = errors.read()
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (stderr or proc.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{target} start failed (exit {proc.returncode}): " + " | ".join(tail))
    return json.loads(lines[-1])


def run(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench startup")
    parser.add_argument("--runs", type=int, default=10, help="measured runs of each target")
    parser.add_argument("--config", help="kiosk config file (default: the demo defaults)")
    parser.add_argument("--profile", metavar="OUT", help="also cProfile one more kiosk start (not counted) into OUT")
    args = parser.parse_args(argv)

    from kiosk.app import window_size
    from kiosk.core.config import load_config
    from kiosk.ui.bootstrap import ensure_display

    ensure_display()
    config = load_config(args.config)
    size = window_size(config)
    # ignore_cleanup_errors: the speech worker of the last start may still be writing its bytecode
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-startup-", ignore_cleanup_errors=True) as data_dir:
        # Bytecode cached as on a device (pip byte-compiles what it installs): without it every
        # start would compile the kiosk's modules again, a cost no installed kiosk pays.
        env = dict(os.environ, KIOSK_DATA_DIR=data_dir,
                   PYTHONPYCACHEPREFIX=str(Path(data_dir) / "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if args.config:
            env["KIOSK_BENCH_CONFIG"] = str(Path(args.config).resolve())
        for target in ("hello", "kiosk"):  # warm-up: page cache, Kivy's config.ini, font caches
            _one_run(target, size, env)
        results: dict[str, list[dict]] = {"hello": [], "kiosk": []}
        for _ in range(args.runs):
            for target in ("hello", "kiosk"):
                results[target].append(_one_run(target, size, env))
        if args.profile:
            _one_run("kiosk", size, dict(env, BENCH_PROFILE=str(Path(args.profile).resolve())))

    def column(target: str, key: str) -> list[float]:
        return [r.get(key, float("nan")) for r in results[target]]

    out: dict = {"runs": args.runs, "display": os.environ.get("DISPLAY"),
                 "window": list(size), "python": sys.version.split()[0]}
    for target in ("hello", "kiosk"):
        out[target] = {
            "interactive": _summary(column(target, "interactive")),
            "first_frame": _summary(column(target, "first_frame")),
            "settled_runs": sum(bool(r.get("settled")) for r in results[target]),
        }
    out["kiosk"]["phases_median_ms"] = {
        key: round(statistics.median(column("kiosk", key)), 1)
        for key in ("main", "prepare_kivy", "run_prepare", "on_start", "first_frame", "interactive")
    }
    out["hello"]["phases_median_ms"] = {
        key: round(statistics.median(column("hello", key)), 1)
        for key in ("main", "prepare_kivy", "run_prepare", "on_start", "first_frame", "interactive")
    }
    hello_median = out["hello"]["interactive"]["median_ms"]
    kiosk_median = out["kiosk"]["interactive"]["median_ms"]
    ratio = kiosk_median / hello_median
    out["ratio_median"] = round(ratio, 2)
    out["ratio_p95"] = round(out["kiosk"]["interactive"]["p95_ms"] / out["hello"]["interactive"]["p95_ms"], 2)
    out["goal_ratio"] = GOAL_RATIO
    out["goal_met"] = ratio <= GOAL_RATIO
    return out
