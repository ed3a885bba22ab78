"""`kiosk run`: start the kiosk (demo defaults when no --config is given)."""

from __future__ import annotations

import sys

from kiosk.commands import config_or_exit


def register(sub) -> None:
    run = sub.add_parser("run", help="start the kiosk; without --config it runs the demo")
    run.add_argument("--fullscreen", action="store_true", help="full screen, for a real device")
    run.add_argument("--orientation", choices=("portrait", "landscape"), help="override the config")
    run.set_defaults(func=run_kiosk)


def run_kiosk(args) -> int:
    config = config_or_exit(args)
    from kiosk.app import create_app, fit_to_desktop
    from kiosk.core.config import ConfigError, device_problems
    from kiosk.ui.bootstrap import desktop_size

    problems = device_problems(config)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print("The kiosk did not start: correct the settings above.", file=sys.stderr)
        return 1

    fullscreen = args.fullscreen or config.screen["fullscreen"]
    desktop = None if fullscreen else desktop_size()
    if desktop:
        config = fit_to_desktop(config, desktop, args.orientation)

    try:
        app = create_app(config, fullscreen=args.fullscreen or None, orientation=args.orientation)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        print("The kiosk did not start: correct the settings above.", file=sys.stderr)
        return 1
    app.run()
    return 0
