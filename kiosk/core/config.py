"""Device configuration: a TOML file, validated in full before the kiosk starts.

A wrong value is never guessed around: `load_config` raises `ConfigError` whose message is one
line per problem, naming the key and what is expected; no input (a deep nesting, control
characters, a malformed address) gives anything else. No file at all gives the demo defaults,
with the documented demo PIN 2468 (hashed at start). A device (a file given) stores only
`mediator.pin_hash`, written by `kiosk set-pin`; `device_problems` says why it cannot start.

Site texts (name, opening hours, mediator hours) are one text (French) or a table with one text
per language, French required: read them with `site_text(config, key, language)`.
"""

from __future__ import annotations

import copy
import reprlib
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from kiosk.core import pin as pins
from kiosk.core.catalogue import LANGUAGES as TEXT_LANGUAGES

# The languages the kiosk can show, say and print: every content language (Arabic drawn right to
# left by kiosk/ui/widgets/text.py).
SUPPORTED_LANGUAGES = tuple(TEXT_LANGUAGES)
MAX_DEPTH = 20
"""Deeper nesting than this is refused before it is even looked at (no recursion error)."""


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
        lambda v: isinstance(v, str) and 0 < len(v.strip()) <= max_len and not has_control_characters(v),
        f"a non-empty text of at most {max_len} characters, without control characters",
    )


def has_control_characters(text: str) -> bool:
    """Line breaks, tabs, escapes, bidi overrides…: nothing a one-line label may hold."""
    return any(unicodedata.category(c) in ("Cc", "Cs", "Co", "Zl", "Zp") or c in _BIDI_CONTROLS for c in text)


_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _site_text(max_len: int) -> tuple[Callable[[Any], bool | str], str]:
    """One text (French), or a table with one text per language, French required."""
    single, _ = _text(max_len)
    langs = ", ".join(TEXT_LANGUAGES)
    expected = (f"a non-empty text of at most {max_len} characters without control characters, "
                f"or a table of such texts by language ({langs}) with fr")

    def check(v: Any) -> bool | str:
        if isinstance(v, str):
            return single(v)
        if not isinstance(v, dict) or "fr" not in v:
            return False
        for lang, text in v.items():
            if lang not in TEXT_LANGUAGES:
                return f"unknown language {lang!r} (expected {langs})"
            if not single(text):
                return f"{lang}: expected {expected.split(', or')[0]}, got {_shown(text)}"
        return True

    return check, expected


def _one_of(*choices: str) -> tuple[Callable[[Any], bool], str]:
    return (lambda v: v in choices, "one of " + ", ".join(repr(c) for c in choices))


def _bool() -> tuple[Callable[[Any], bool], str]:
    return (lambda v: isinstance(v, bool), "true or false")


def _languages() -> tuple[Callable[[Any], bool], str]:
    return (
        lambda v: isinstance(v, list)
        and len(v) > 0
        and all(isinstance(x, str) and x in SUPPORTED_LANGUAGES for x in v)
        and len(set(v)) == len(v),
        "a non-empty list of distinct language codes among " + ", ".join(SUPPORTED_LANGUAGES),
    )


def _url(max_len: int = 300) -> tuple[Callable[[Any], bool], str]:
    """An address a QR code can carry: printable ASCII, short enough to scan from paper."""
    return (
        lambda v: isinstance(v, str) and v.startswith(("https://", "http://")) and len(v) <= max_len
        and all(33 <= ord(c) <= 126 for c in v),
        f"an address starting with https:// (or http://), at most {max_len} plain characters",
    )


def _printer_uri() -> tuple[Callable[[Any], bool | str], str]:
    """Checked by the printer's own parser: one list of schemes, one set of rules."""

    def check(v: Any) -> bool | str:
        from kiosk.devices.printer.uri import PrinterUriError, parse_printer_uri  # noqa: PLC0415

        if not isinstance(v, str):
            return False
        if has_control_characters(v):
            return "expected a printer address without control characters"
        try:
            parse_printer_uri(v)
        except PrinterUriError as exc:
            return str(exc)
        return True

    return check, "a printer address such as preview:receipts or escpos+tcp://192.168.1.50:9100"


def _pin_hash() -> tuple[Callable[[Any], bool | str], str]:
    return (lambda v: v == "" or (pins.pin_hash_problem(v) or True),
            "the text written by `kiosk set-pin`")


def _refused(why: str) -> tuple[Callable[[Any], bool | str], str]:
    return (lambda v: why, why)


def _demo_site() -> dict:
    """The demo site's name and hours, one text per language (assets/demo-site.toml)."""
    from kiosk import paths

    with open(paths.ASSETS / "demo-site.toml", "rb") as f:
        return tomllib.load(f)


DEMO_SITE = _demo_site()


# section -> key -> (default, (check, expected description))
SCHEMA: dict[str, dict[str, tuple[Any, tuple[Callable[[Any], bool], str]]]] = {
    "site": {
        # one text, or one per language ({fr = "…", en = "…"}); the demo's: assets/demo-site.toml
        "name": (DEMO_SITE["name"], _site_text(80)),
        "opening_hours": (DEMO_SITE["opening_hours"], _site_text(160)),
        "mediator_hours": (DEMO_SITE["mediator_hours"], _site_text(160)),
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
        "available": (list(SUPPORTED_LANGUAGES), _languages()),
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
        # seconds a receipt preview file (preview: printer) is kept before it is deleted
        "preview_keep_seconds": (120, _int_between(5, 3600)),
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
        # written by `kiosk set-pin`; "" = none (the demo then uses its PIN 2468; a device refuses to start)
        "pin_hash": ("", _pin_hash()),
        # never in clear: refused with the way to do it. In the values: the demo PIN in the demo, else None
        "pin": (None, _refused("a PIN is never written in clear: remove this line and run "
                                "`kiosk --config FILE set-pin`, which stores mediator.pin_hash")),
    },
}


DEMO_SOURCE = "demo defaults"


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
    import difflib   # only for a mistyped setting

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


_repr = reprlib.Repr()
_repr.maxlevel, _repr.maxstring, _repr.maxother, _repr.maxlist, _repr.maxdict = 3, 80, 80, 6, 6


def _shown(value: Any) -> str:
    """A short, recursion-safe repr of a wrong value for the one-line message."""
    text = _repr.repr(value)
    return text if len(text) <= 120 else text[:100] + "…"


def _name(word: str) -> str:
    """A section or key name as typed when it is plain, else quoted (no line break can leak)."""
    plain = word.replace("_", "").replace("-", "").isalnum() and word.isascii() and len(word) <= 40
    return word if plain else _shown(word)


def _depth_exceeds(value: Any, limit: int) -> bool:
    """True if `value` nests lists/tables deeper than `limit` (iterative: no recursion)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend((v, depth + 1) for v in item)
    return False


DEMO_PIN_HASH = "scrypt$16384$8$1$eWwxjR6tZcxSYdubnaQhNA==$fgOZt+u2tqga//nva1uZiu/FZE/8Yqc/rYLe9xFV728="
"""hash_pin(DEMO_PIN), made once: the demo PIN is public (documented), and hashing it at every
start of the demo cost 0.1 s (scrypt is slow on purpose)."""


def demo_pin_hash() -> str:
    """The hash of the demo PIN."""
    return DEMO_PIN_HASH


def validate(raw: dict[str, Any], source: str = "config", *, demo: bool = False) -> Config:
    """Check every key of `raw` against SCHEMA; raise ConfigError listing each problem.

    demo=True (no file): without a pin_hash, the documented demo PIN opens the mediator mode.
    """
    problems: list[str] = []
    values = defaults()
    if not isinstance(raw, dict):
        raise ConfigError([f"{source}: expected a TOML document of [sections]"])
    if _depth_exceeds(raw, MAX_DEPTH):
        raise ConfigError([f"{source}: values nested more than {MAX_DEPTH} levels deep: "
                           "a config file only holds sections of simple values"])
    for section, body in raw.items():
        if not isinstance(section, str):
            problems.append(f"{source}: {_shown(section)}: unknown section")
            continue
        if section not in SCHEMA:
            problems.append(f"{source}: [{_name(section)}]: unknown section{_did_you_mean(section, SCHEMA)}")
            continue
        if not isinstance(body, dict):
            problems.append(f"{source}: {section}: expected a [{section}] table")
            continue
        for key, value in body.items():
            if not isinstance(key, str):
                problems.append(f"{source}: {section}.{_shown(key)}: unknown key")
                continue
            if key not in SCHEMA[section]:
                problems.append(
                    f"{source}: {section}.{_name(key)}: unknown key{_did_you_mean(key, SCHEMA[section])}"
                )
                continue
            check, expected = SCHEMA[section][key][1]
            verdict = check(value)
            if isinstance(verdict, str):
                problems.append(f"{source}: {section}.{key}: {verdict}")
                continue
            if verdict is not True:
                problems.append(f"{source}: {section}.{key}: expected {expected}, got {_shown(value)}")
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
    mediator = values["mediator"]
    if demo and not mediator["pin_hash"]:
        mediator["pin_hash"], mediator["pin"] = demo_pin_hash(), pins.DEMO_PIN
    return Config(values=values, source=source)


def device_problems(config: Config) -> list[str]:
    """Why a device (a config file given) must not start: today, no mediator PIN set."""
    if config.source == DEMO_SOURCE or config.mediator.get("pin_hash"):
        return []
    return [f"{config.source}: mediator.pin_hash: missing: a kiosk needs a mediator PIN set at "
            f"provisioning; run `kiosk --config {config.source} set-pin`"]


def site_text(config: Config, key: str, language: str) -> tuple[str, bool]:
    """The site text `key` (name, opening_hours, mediator_hours) in `language`.

    Returns (text, is_fallback): is_fallback is True when the French text stands in for a
    language the config does not give (the screen may mark it, the speaker says it in French).
    """
    value = config.site[key]
    if isinstance(value, dict):
        if language in value:
            return value[language], False
        return value["fr"], language != "fr"
    return value, language != "fr"


def load_config(path: str | Path | None) -> Config:
    """Read and validate a TOML config file; None means the embedded demo defaults."""
    if path is None:
        return validate({}, source=DEMO_SOURCE, demo=True)
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"{path}: cannot be read ({exc.strerror or exc})"]) from None
    except UnicodeDecodeError:
        raise ConfigError([f"{path}: not UTF-8 text: save the file with UTF-8 encoding"]) from None
    if text.startswith("\ufeff"):  # a byte order mark, as some Windows editors write: harmless
        text = text[1:]
    if "\x00" in text:
        raise ConfigError([f"{path}: not a text file (it holds NUL bytes): write the config as UTF-8 text"])
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {_one_line(str(exc))}"]) from None
    except RecursionError:
        raise ConfigError([f"{path}: values nested too deeply: a config file only holds sections "
                           "of simple values"]) from None
    return validate(raw, source=str(path))


def _one_line(text: str) -> str:
    return " ".join(text.split())
