"""What a kiosk may send the hub, checked strictly (pure Python, shared by kiosk and hub).

Every value is from a closed list or a short id; free text is refused, so nothing personal can
travel. `parse_batch` returns the events or raises `ProtocolError` with a sentence naming the
first problem; the hub answers it as a 4xx and stores nothing of the batch.
"""

from __future__ import annotations

import re
from typing import Any

from kiosk.core.stats import HELP_LEVELS, OUTCOMES  # noqa: F401 (one list: the kiosk's own)

DEVICE_STATES = ("ok", "fault", "off", "unknown")
ALERT_STATES = ("pending", "answered", "repeated", "unknown")
KINDS = ("session", "fault", "heartbeat", "help")
MAX_EVENTS_PER_BATCH = 200
MAX_BODY_BYTES = 256 * 1024

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_DAY = re.compile(r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
_LANG = re.compile(r"^([a-z]{2,3}|other)$")
_VERSION = re.compile(r"^[A-Za-z0-9_.+-]{1,32}$")


class ProtocolError(ValueError):
    """The request breaks the protocol; str() says what is wrong."""


def _int(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _fields(where: str, data: Any, required: dict, optional: dict | None = None) -> dict:
    if not isinstance(data, dict):
        raise ProtocolError(f"{where}: expected an object")
    optional = optional or {}
    for name in data:
        if name not in required and name not in optional:
            unknown = sorted(set(data) - set(required) - set(optional))
            raise ProtocolError(f"{where}: unknown field {unknown[0]!r}")
    out = {}
    for name, (check, expected) in required.items():
        if name not in data:
            raise ProtocolError(f"{where}.{name}: missing")
        if not check(data[name]):
            raise ProtocolError(f"{where}.{name}: expected {expected}")
        out[name] = data[name]
    for name, (check, expected) in optional.items():
        if name in data:
            if not check(data[name]):
                raise ProtocolError(f"{where}.{name}: expected {expected}")
            out[name] = data[name]
    return out


_ident = (lambda v: isinstance(v, str) and bool(_ID.match(v)), "a short lowercase id")
_day = (lambda v: isinstance(v, str) and bool(_DAY.match(v)), "a day YYYY-MM-DD")
_lang = (lambda v: isinstance(v, str) and bool(_LANG.match(v)), "a language code")
_state = (lambda v: v in DEVICE_STATES, "one of " + ", ".join(DEVICE_STATES))

SCHEMAS: dict[str, tuple[dict, dict]] = {
    # one finished session (or `count` merged identical ones); satisfaction = hot satisfaction 0..5
    "session": ({
        "demarche": _ident,
        "help_level": (lambda v: v in HELP_LEVELS, "one of " + ", ".join(HELP_LEVELS)),
        "outcome": (lambda v: v in OUTCOMES, "one of " + ", ".join(OUTCOMES)),
        "satisfaction": (lambda v: _int(v, 0, 5), "a whole number 0 to 5 (0 = not given)"),
        "language": _lang,
        "day": _day,
        "hour": (lambda v: _int(v, 0, 23), "an hour 0 to 23"),
    }, {"count": (lambda v: _int(v, 1, 1_000_000), "a whole number of sessions")}),
    # alert: also show it to the site's mediators as a live alert (printer out of paper, ...)
    "fault": ({"fault": _ident}, {"day": _day, "alert": (lambda v: isinstance(v, bool), "true or false")}),
    "heartbeat": ({
        "version": (lambda v: isinstance(v, str) and bool(_VERSION.match(v)), "a version such as 1.2.3"),
        "printer": _state, "voice": _state, "microphone": _state,
        "backlog": (lambda v: _int(v, 0, 10_000_000), "a whole number of waiting items"),
    }, {}),
    "help": ({
        "demarche": _ident,
        "help_level": (lambda v: v in HELP_LEVELS, "one of " + ", ".join(HELP_LEVELS)),
    }, {"reason": (lambda v: v in ("help", "urgent", "fault"), "help, urgent or fault")}),
}


def parse_event(where: str, raw: Any) -> dict:
    head = _fields(where, raw, {
        "key": (lambda v: isinstance(v, str) and bool(_KEY.match(v)), "an idempotency key of 16-64 letters"),
        "kind": (lambda v: v in KINDS, "one of " + ", ".join(KINDS)),
        "at": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < 1e11,
               "a Unix time"),
        "data": (lambda v: isinstance(v, dict), "an object"),
    })
    required, optional = SCHEMAS[head["kind"]]
    head["data"] = _fields(f"{where}.data", raw["data"], required, optional)
    return head


def parse_batch(raw: Any) -> tuple[str, list[dict]]:
    """(site, events) of a POST /api/v1/events body, or ProtocolError."""
    body = _fields("body", raw, {
        "site": _ident,
        "events": (lambda v: isinstance(v, list) and 0 < len(v) <= MAX_EVENTS_PER_BATCH,
                   f"a list of 1 to {MAX_EVENTS_PER_BATCH} events"),
    })
    events = [parse_event(f"events[{i}]", e) for i, e in enumerate(body["events"])]
    keys = [e["key"] for e in events]
    if len(set(keys)) != len(keys):
        raise ProtocolError("events: the same key twice in one batch")
    return body["site"], events


def parse_alert_query(raw: Any) -> tuple[list[str], float]:
    """(alert ids, seconds to wait) of a POST /api/v1/alerts/status body."""
    body = _fields("body", raw, {
        "ids": (lambda v: isinstance(v, list) and 0 < len(v) <= 50
                and all(isinstance(x, str) and _KEY.match(x) for x in v), "a list of 1 to 50 alert ids"),
    }, {"wait": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 30,
                 "seconds to wait, 0 to 30")})
    return body["ids"], float(body.get("wait", 0))


def is_ident(value: Any) -> bool:
    return isinstance(value, str) and bool(_ID.match(value))


def parse_config_query(raw: Any) -> int:
    """The config version a kiosk has (POST /api/v1/config)."""
    body = _fields("body", raw, {"have": (lambda v: _int(v, 0, 10**9), "the version the kiosk has (0: none)")})
    return body["have"]


def parse_config_report(raw: Any) -> tuple[int, bool, list[str]]:
    """(version, applied, reasons) of POST /api/v1/config/report; reasons are the validator's lines."""
    body = _fields("body", raw, {
        "version": (lambda v: _int(v, 1, 10**9), "a config version"),
        "applied": (lambda v: isinstance(v, bool), "true or false"),
        "reasons": (lambda v: isinstance(v, list) and len(v) <= 50
                    and all(isinstance(x, str) and len(x) <= 300 for x in v), "a list of at most 50 short lines"),
    })
    return body["version"], body["applied"], body["reasons"]
