"""Request signatures shared by the kiosk (signs) and the hub (checks), and survey tokens.

A kiosk request carries its id, a Unix timestamp, a random nonce and an HMAC-SHA256 of
method, path, timestamp, nonce and the body's SHA-256, keyed with the device secret. The hub
refuses a stale timestamp and a nonce it has already seen, so a captured request cannot be
replayed. Pure Python: no third-party import.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time

HEADER_KIOSK = "X-Kiosk-Id"
HEADER_TIMESTAMP = "X-Kiosk-Timestamp"
HEADER_NONCE = "X-Kiosk-Nonce"
HEADER_SIGNATURE = "X-Kiosk-Signature"
MAX_CLOCK_SKEW_S = 300


def _message(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join((method.upper(), path, timestamp, nonce, digest)).encode()


def signature(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    return hmac.new(secret.encode(), _message(method, path, timestamp, nonce, body), hashlib.sha256).hexdigest()


def signed_headers(kiosk_id: str, secret: str, method: str, path: str, body: bytes,
                   now: float | None = None) -> dict[str, str]:
    """Headers that authenticate one request (a fresh nonce each call)."""
    timestamp = str(int(now if now is not None else time.time()))
    nonce = secrets.token_hex(16)
    return {
        HEADER_KIOSK: kiosk_id,
        HEADER_TIMESTAMP: timestamp,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: signature(secret, method, path, timestamp, nonce, body),
    }


def check_signature(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes,
                    given: str) -> bool:
    return hmac.compare_digest(signature(secret, method, path, timestamp, nonce, body), given or "")


def timestamp_fresh(timestamp: str, now: float | None = None) -> bool:
    try:
        value = int(timestamp)
    except (TypeError, ValueError):
        return False
    return abs((now if now is not None else time.time()) - value) <= MAX_CLOCK_SKEW_S


# ---- survey tokens: site, démarche, day and language only, signed with the site's survey key ----

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def site_survey_key(master_secret: str, site: str) -> str:
    """The key a site's kiosks sign survey links with (given to each kiosk at enrolment)."""
    return hmac.new(master_secret.encode(), b"survey-site:" + site.encode(), hashlib.sha256).hexdigest()


def make_survey_token(survey_key: str, site: str, demarche: str, day: str, language: str) -> str:
    payload = json.dumps({"s": site, "d": demarche, "t": day, "l": language},
                         separators=(",", ":"), ensure_ascii=False).encode()
    mac = hmac.new(survey_key.encode(), payload, hashlib.sha256).digest()[:16]
    return f"{_b64(payload)}.{_b64(mac)}"


def read_survey_token(token: str) -> dict[str, str] | None:
    """The token's fields, NOT yet checked (the site's key is needed: see check_survey_token)."""
    try:
        payload_part, _ = token.split(".", 1)
        data = json.loads(_unb64(payload_part))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or set(data) != {"s", "d", "t", "l"}:
        return None
    if not all(isinstance(v, str) and 0 < len(v) <= 80 for v in data.values()):
        return None
    return {"site": data["s"], "demarche": data["d"], "day": data["t"], "language": data["l"]}


def check_survey_token(survey_key: str, token: str) -> bool:
    try:
        payload_part, mac_part = token.split(".", 1)
        payload = _unb64(payload_part)
        given = _unb64(mac_part)
    except (ValueError, UnicodeDecodeError):
        return False
    expected = hmac.new(survey_key.encode(), payload, hashlib.sha256).digest()[:16]
    return hmac.compare_digest(expected, given)


def survey_url(hub_url: str, survey_key: str, site: str, demarche: str, day: str, language: str) -> str:
    """The address printed as the receipt's QR code: the hub's survey page for this visit."""
    return f"{hub_url.rstrip('/')}/s/{make_survey_token(survey_key, site, demarche, day, language)}"
