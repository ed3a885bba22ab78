"""Sub-commands of `kiosk`, one module each (see kiosk/cli.py)."""

from __future__ import annotations

import sys

from kiosk.core.config import Config, ConfigError, load_config


def config_or_exit(args) -> Config:
    """The validated config named by --config, or exit 1 with one line per problem."""
    try:
        return load_config(getattr(args, "config", None))
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        print("The kiosk did not start: correct the settings above.", file=sys.stderr)
        raise SystemExit(1) from None
