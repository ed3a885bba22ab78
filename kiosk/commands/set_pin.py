"""`kiosk --config FILE set-pin [--stdin]`: store the mediator's PIN as a salted hash.

Interactively the PIN is asked twice without echo; with --stdin one line is read (provisioning
scripts, Ansible). The config file gets `pin_hash = "scrypt$..."` in its [mediator] section (a
clear `pin = ...` line there is removed), written atomically; a new file is 0600, an existing
one keeps its owner and group and loses any rights for other users.
"""

from __future__ import annotations

import getpass
import os
import re
import sys
import tomllib
from pathlib import Path

from kiosk.core.pin import DEMO_PIN, hash_pin, pin_problem, write_private

SECTION = re.compile(r"^\s*\[\s*mediator\s*\]\s*(#.*)?$")
ANY_SECTION = re.compile(r"^\s*\[")
PIN_LINE = re.compile(r"^\s*(pin|pin_hash)\s*=")


class SetPinError(Exception):
    """A one-line reason the PIN was not stored."""


def register(sub) -> None:
    p = sub.add_parser("set-pin", help="store the mediator's PIN (as a salted hash) in the --config file")
    p.add_argument("--stdin", action="store_true", help="read the PIN once from standard input (no prompt)")
    p.set_defaults(func=run)


def run(args) -> int:
    path = getattr(args, "config", None)
    if not path:
        print("error: give the device config file: kiosk --config /etc/kiosk/config.toml set-pin "
              "(the demo's PIN is always 2468)", file=sys.stderr)
        return 2
    try:
        pin = read_pin(args.stdin)
        set_pin_hash(Path(path), hash_pin(pin))
    except SetPinError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nerror: cancelled, nothing written", file=sys.stderr)
        return 1
    print(f"{path}: mediator.pin_hash written; restart the kiosk to use the new PIN")
    return 0


def read_pin(from_stdin: bool) -> str:
    if from_stdin:
        pin = sys.stdin.readline().rstrip("\r\n")
    else:
        pin = getpass.getpass("New mediator PIN (4 to 8 digits): ")
        problem = pin_problem(pin)
        if problem:
            raise SetPinError(problem + "; nothing written")
        if getpass.getpass("The same PIN again: ") != pin:
            raise SetPinError("the two PINs differ; nothing written")
    problem = pin_problem(pin)
    if problem:
        raise SetPinError(problem + "; nothing written")
    if pin == DEMO_PIN:
        raise SetPinError(f"{DEMO_PIN} is the demo's published code: choose another; nothing written")
    return pin


def with_pin_hash(text: str, pin_hash: str) -> str:
    """`text` (a TOML config) with mediator.pin_hash set and any clear mediator.pin removed."""
    lines = text.splitlines()
    new_line = f'pin_hash = "{pin_hash}"'
    start = next((i for i, line in enumerate(lines) if SECTION.match(line)), None)
    if start is None:
        body = text.rstrip("\n")
        return (body + "\n\n" if body else "") + f"[mediator]\n{new_line}\n"
    end = next((i for i in range(start + 1, len(lines)) if ANY_SECTION.match(lines[i])), len(lines))
    kept = [line for line in lines[start + 1:end] if not PIN_LINE.match(line)]
    out = lines[:start + 1] + [new_line] + kept + lines[end:]
    return "\n".join(out) + "\n"


def set_pin_hash(path: Path, pin_hash: str) -> None:
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise SetPinError(f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    text = text.removeprefix("\ufeff")
    try:
        tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        raise SetPinError(f"{path}: not valid TOML; correct it first (kiosk doctor shows where)") from None
    new_text = with_pin_hash(text, pin_hash)
    try:
        mediator = tomllib.loads(new_text).get("mediator")
    except (tomllib.TOMLDecodeError, RecursionError):
        mediator = None
    if not isinstance(mediator, dict) or mediator.get("pin_hash") != pin_hash or "pin" in mediator:
        raise SetPinError(f"{path}: the [mediator] section is written in a form this command cannot "
                          "edit; write it as a plain [mediator] section and run set-pin again")
    info = path.stat() if path.exists() else None
    try:
        write_private(path, new_text)
        if info is not None:
            if os.geteuid() == 0:
                os.chown(path, info.st_uid, info.st_gid)
            os.chmod(path, info.st_mode & 0o660)
    except OSError as exc:
        raise SetPinError(f"{path}: cannot be written ({exc.strerror or exc})") from None
