"""`kiosk content check`: validate every démarche content file."""

from __future__ import annotations

import logging

from kiosk.core.catalogue import load_catalogue


def register(sub) -> None:
    content = sub.add_parser("content", help="work with the démarches content")
    csub = content.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    check = csub.add_parser("check", help="validate every content file; exit 1 on any problem")
    check.set_defaults(func=run_check)


def run_check(args) -> int:
    logging.getLogger("kiosk.core.catalogue").setLevel(logging.ERROR)
    catalogue = load_catalogue()
    for problem in catalogue.problems:
        print(problem)
    # how far each language is translated (missing ones fall back to French; not a problem)
    print("translated: " + ", ".join(f"{lang}: {done}/{total}"
                                     for lang, (done, total) in catalogue.completeness().items()))
    print(f"{len(catalogue.demarches)} démarches valid, {len(catalogue.problems)} problems")
    return 1 if catalogue.problems else 0
