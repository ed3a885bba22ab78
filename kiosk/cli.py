"""The `kiosk` command. Each sub-command lives in its own module under kiosk/commands/.

A command module defines `register(subparsers)`, adding its parser(s) with
`set_defaults(func=callable)`; the callable takes the parsed args and returns an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

import kiosk.commands


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser for every command, or, when `argv` names a command whose module has the
    same name (`run`, `print-test`…), for that command alone: `kiosk run` then imports no
    other command's module (a faster start)."""
    names = sorted(m.name for m in pkgutil.iter_modules(kiosk.commands.__path__))
    command = _command_word(argv)
    if command is not None and command.replace("-", "_") in names:
        parser, sub = _bare_parser()
        importlib.import_module(f"kiosk.commands.{command.replace('-', '_')}").register(sub)
        if command in sub.choices:
            return parser
    parser, sub = _bare_parser()
    for name in names:
        importlib.import_module(f"kiosk.commands.{name}").register(sub)
    return parser


def _bare_parser():
    parser = argparse.ArgumentParser(prog="kiosk", description="France Services kiosk")
    parser.add_argument("--config", metavar="FILE", help="device config (TOML); none = demo defaults")
    parser.add_argument("-v", "--verbose", action="store_true", help="more log lines")
    return parser, parser.add_subparsers(dest="command", metavar="COMMAND")


def _command_word(argv: list[str] | None) -> str | None:
    """The command named in `argv` (after the global options), if any."""
    words = iter(sys.argv[1:] if argv is None else argv)
    for word in words:
        if word == "--config":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
