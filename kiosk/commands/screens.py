"""`kiosk screenshots OUT_DIR` and `kiosk audit`: every screen, in every mode, under a real window."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.commands import config_or_exit


def register(sub) -> None:
    shots = sub.add_parser("screenshots", help="render every screen to PNG (normal, high contrast, largest text)")
    shots.add_argument("out_dir", type=Path)
    shots.add_argument("--orientation", choices=("portrait", "landscape", "both"), default="both")
    shots.add_argument("--language", default="fr")
    shots.set_defaults(func=run_screenshots)
    audit = sub.add_parser("audit", help="check every screen against the accessibility numbers; exit 1 on any violation")
    audit.add_argument("--quick", action="store_true", help="only one démarche instead of all of them")
    audit.add_argument("--orientation", choices=("portrait", "landscape", "both"), default="both")
    audit.add_argument("--language", action="append", metavar="LANG",
                       help="only this language (repeatable); default: every language offered")
    audit.set_defaults(func=run_audit)


def start_driver(config, orientation: str = "portrait"):
    from kiosk.ui.bootstrap import ensure_display

    ensure_display()
    from kiosk.app import create_app, window_size
    from kiosk.core.clock import ManualClock

    clock = ManualClock()
    app = create_app(config, fullscreen=False, orientation=orientation, clock=clock, maxfps=0,
                     with_devices=False)
    from kiosk.quality.driver import AppDriver

    driver = AppDriver(app, clock).start()
    driver.resize(*window_size(config, orientation))
    return driver


def _orientations(choice: str) -> list[str]:
    return ["portrait", "landscape"] if choice == "both" else [choice]


def run_screenshots(args) -> int:
    config = config_or_exit(args)
    from kiosk.app import window_size
    from kiosk.quality.tour import MODES, go_to, representative_stops

    args.out_dir.mkdir(parents=True, exist_ok=True)
    driver = None
    count = 0
    for orientation in _orientations(args.orientation):
        if driver is None:
            driver = start_driver(config, orientation)
        driver.resize(*window_size(config, orientation))
        for mode in MODES:
            for name, events in representative_stops():
                go_to(driver, events, mode, args.language)
                driver.screenshot(args.out_dir / f"{orientation}-{mode}-{name}.png")
                count += 1
    print(f"{count} screenshots written to {args.out_dir}")
    return 0


def run_audit(args) -> int:
    config = config_or_exit(args)
    from kiosk.app import window_size
    from kiosk.quality.tour import MODES, every_stop, go_to, representative_stops

    driver = None
    violations: list[str] = []
    checked = 0
    for orientation in _orientations(args.orientation):
        if driver is None:
            driver = start_driver(config, orientation)
            driver.draw = False  # the audit measures the laid-out widgets; painting is not needed
            from kiosk.quality.audit import audit_screen  # Kivy only after create_app()
        driver.resize(*window_size(config, orientation))
        stops = representative_stops() if args.quick else every_stop(driver.app.catalogue)
        for mode in MODES:
            for language in args.language or driver.app.journey.languages:
                for name, events in stops:
                    go_to(driver, events, mode, language)
                    for problem in audit_screen(driver, mode):
                        violations.append(f"{orientation} {mode} {language} {name}: {problem}")
                    checked += 1
                print(f"{orientation} {mode} {language}: {len(stops)} screens checked", file=sys.stderr)
    for line in violations:
        print(line)
    print(f"{checked} screens checked, {len(violations)} violations", file=sys.stderr)
    return 1 if violations else 0
