"""Device configuration: a TOML file, validated in full before the kiosk starts.

A wrong value is never guessed around: `load_config` raises `ConfigError` whose message is one
line per problem, naming the key and what is expected. No file at all gives the demo defaults.
"""

from __future__ import annotations

import copy
import difflib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

SUPPORTED_LANGUAGES = ("fr", "en")


class ConfigError(ValueError):
    """One or more invalid settings; str() gives one line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _int_between(low: int, high: int) -> tuple[Callable[[Any], bool], str]:
    return (
        lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high,
        f"a whole number between {low} and {high}",
    )


def _text(max_len: int = 200) -> tuple[Callable[[Any], bool], str]:
    return (
        lambda v: isinstance(v, str) and 0 < len(v.strip()) <= max_len,
        f"a non-empty text of at most {max_len} characters",
    )


def _one_of(*choices: str) -> tuple[Callable[[Any], bool], str]:
    return (lambda v: v in choices, "one of " + ", ".join(repr(c) for c in choices))


def _bool() -> tuple[Callable[[Any], bool], str]:
    return (lambda v: isinstance(v, bool), "true or false")


def _languages() -> tuple[Callable[[Any], bool], str]:
    return (
        lambda v: isinstance(v, list)
        and len(v) > 0
        and len(set(v)) == len(v)
        and all(x in SUPPORTED_LANGUAGES for x in v),
        "a non-empty list of distinct language codes among " + ", ".join(SUPPORTED_LANGUAGES),
    )


def _url() -> tuple[Callable[[Any], bool], str]:
    return (
        lambda v: isinstance(v, str) and v.startswith(("https://", "http://")) and " " not in v,
        "an address starting with https:// (or http://)",
    )


def _printer_uri() -> tuple[Callable[[Any], bool], str]:
    schemes = ("preview:", "escpos+tcp://", "escpos+usb://", "escpos+serial://", "escpos+file://", "cups://", "none")
    return (
        lambda v: isinstance(v, str) and v.startswith(schemes),
        "a printer address starting with preview:, escpos+tcp://, escpos+usb://, "
        "escpos+serial://, escpos+file://, cups:// or 'none'",
    )


# section -> key -> (default, (check, expected description))
SCHEMA: dict[str, dict[str, tuple[Any, tuple[Callable[[Any], bool], str]]]] = {
    "site": {
        "name": ("France Services — démonstration", _text(80)),
        "opening_hours": ("Du lundi au vendredi, de 9 h à 12 h et de 14 h à 17 h", _text(160)),
        "mediator_hours": ("Un médiateur est là pendant les heures d'ouverture", _text(160)),
    },
    "screen": {
        "dpi": (96, _int_between(60, 400)),
        "orientation": ("portrait", _one_of("portrait", "landscape")),
        "fullscreen": (False, _bool()),
        "width": (1080, _int_between(480, 7680)),
        "height": (1920, _int_between(480, 7680)),
    },
    "session": {
        "inactivity_seconds": (90, _int_between(20, 1800)),
        "warning_seconds": (30, _int_between(20, 300)),
        "max_extensions": (10, _int_between(10, 100)),
    },
    "languages": {
        "available": (["fr", "en"], _languages()),
        "default": ("fr", _one_of(*SUPPORTED_LANGUAGES)),
    },
    "devices": {
        "printer": ("preview:receipts", _printer_uri()),
        "voice_output": (True, _bool()),
        "voice_input": (True, _bool()),
        "speech_rate": ("normal", _one_of("slow", "normal")),
        # empty: KIOSK_SPEECH_PLAYER from the environment, else "aplay -q"; "null" = silent sink
        "speech_player": ("", (lambda v: isinstance(v, str) and len(v) <= 200,
                               "a player command such as \"aplay -q\", or \"\" for the default")),
        "headset": (False, _bool()),
    },
    "visio": {
        "base_url": ("https://visio.example.org/france-services", _url()),
    },
    "receipt": {
        "satisfaction_url": ("https://www.france-services.gouv.fr/", _url()),
    },
    "hub": {
        # empty: use the address saved by `kiosk enrol`; no enrolment = no hub, the kiosk works alone
        "url": ("", (lambda v: v == "" or (isinstance(v, str) and v.startswith(("https://", "http://"))
                                          and " " not in v), "\"\" or an address starting with https://")),
        # empty: <data dir>/hub-device.json (written by `kiosk enrol`, rights 0600)
        "device_file": ("", (lambda v: isinstance(v, str) and len(v) <= 400, "a file path, or \"\" for the default")),
    },
    "mediator": {
        "pin": ("2468", (lambda v: isinstance(v, str) and v.isdigit() and 4 <= len(v) <= 8,
                         "a text of 4 to 8 digits, in quotes")),
    },
}


@dataclass(frozen=True)
class Config:
    """Validated settings; read as config.section["key"]."""

    values: dict[str, dict[str, Any]]
    source: str = "demo defaults"

    def __getattr__(self, section: str) -> dict[str, Any]:
        try:
            return self.values[section]
        except KeyError:
            raise AttributeError(section) from None


def defaults() -> dict[str, dict[str, Any]]:
    return {s: {k: copy.deepcopy(d) for k, (d, _) in keys.items()} for s, keys in SCHEMA.items()}


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def validate(raw: dict[str, Any], source: str = "config") -> Config:
    """Check every key of `raw` against SCHEMA; raise ConfigError listing each problem."""
    problems: list[str] = []
    values = defaults()
    for section, body in raw.items():
        if section not in SCHEMA:
            problems.append(f"{source}: [{section}]: unknown section{_did_you_mean(section, SCHEMA)}")
            continue
        if not isinstance(body, dict):
            problems.append(f"{source}: {section}: expected a [{section}] table")
            continue
        for key, value in body.items():
            if key not in SCHEMA[section]:
                problems.append(
                    f"{source}: {section}.{key}: unknown key{_did_you_mean(key, SCHEMA[section])}"
                )
                continue
            check, expected = SCHEMA[section][key][1]
            if not check(value):
                problems.append(f"{source}: {section}.{key}: expected {expected}, got {value!r}")
                continue
            values[section][key] = value
    langs = values["languages"]
    if not problems and langs["default"] not in langs["available"]:
        problems.append(
            f"{source}: languages.default: expected one of the available languages "
            f"{langs['available']}, got {langs['default']!r}"
        )
    if not problems and values["session"]["warning_seconds"] >= values["session"]["inactivity_seconds"]:
        problems.append(
            f"{source}: session.warning_seconds: expected less than session.inactivity_seconds "
            f"({values['session']['inactivity_seconds']}), got {values['session']['warning_seconds']}"
        )
    if problems:
        raise ConfigError(problems)
    return Config(values=values, source=source)


def load_config(path: str | Path | None) -> Config:
    """Read and validate a TOML config file; None means the embedded demo defaults."""
    if path is None:
        return Config(values=defaults())
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"{path}: cannot be read ({exc.strerror or exc})"]) from None
    except UnicodeDecodeError:
        raise ConfigError([f"{path}: not UTF-8 text: save the file with UTF-8 encoding"]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    return validate(raw, source=str(path))
