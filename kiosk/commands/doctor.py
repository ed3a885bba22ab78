"""`kiosk doctor [--json]`: every health check, one line each; exit 0 when nothing fails, else 1.

The same checks as the mediator panel (kiosk/devices/health.py). `--json` is for the hub's fleet
view and scripts: a list of {name, status, en, fr}.
"""

from __future__ import annotations

import json
import sys

MARKS = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}


def register(sub) -> None:
    doctor = sub.add_parser("doctor", help="check the screen, touch, sound, printer, models, clock, "
                                           "config… one line each; exit code 1 if something fails")
    doctor.add_argument("--json", action="store_true", help="machine-readable output (a JSON list)")
    doctor.add_argument("--lang", choices=("en", "fr"), default="en",
                        help="language of the sentences (default: en)")
    doctor.add_argument("--only", metavar="NAMES",
                        help="only these checks, comma-separated (e.g. config: validate a config file)")
    doctor.set_defaults(func=run_doctor)


def run_doctor(args) -> int:
    from kiosk.devices import health

    only = {n.strip() for n in args.only.split(",") if n.strip()} if args.only else None
    checks = health.run_checks(config_path=getattr(args, "config", None), only=only)
    if not checks:
        print("No check has these names.", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([c.as_dict() for c in checks], ensure_ascii=False, indent=1))
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            print(f"{MARKS[c.status]}  {c.name:<{width}}  {c.text(args.lang)}")
        failed = sum(c.status == "fail" for c in checks)
        print(f"{len(checks)} checks, {failed} failed." if failed else f"{len(checks)} checks, none failed.")
    return 0 if health.all_ok(checks) else 1
