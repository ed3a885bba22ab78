"""The mediator's PIN as a secret: a salted slow hash, and a lockout that survives restarts.

The config holds only `mediator.pin_hash` (written by `kiosk set-pin`), never the code. The hash
is scrypt (Python's hashlib, OpenSSL): `scrypt$N$r$p$SALT$HASH` with base64 salt and hash, about
50 ms to check, so a stolen config cannot be tried through all 4-to-8-digit codes quickly.

`PinGate` is the keypad's logic (same answers as before: ok, wrong, locked, still-locked). After
three wrong codes it locks for 60 s, then twice as long at each new lock (capped at an hour),
until a right code is typed. The count of wrong codes and the lock are kept in a small 0600 JSON
file (under the data folder) so that restarting the kiosk does not give new tries. Pure Python.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

DEMO_PIN = "2468"
"""The demo's documented PIN (no --config): a device always has its own, set at provisioning."""
MIN_DIGITS, MAX_DIGITS = 4, 8
MAX_TRIES = 3
FIRST_LOCK_SECONDS = 60.0
MAX_LOCK_SECONDS = 3600.0
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
SALT_BYTES = 16
HASH_BYTES = 32
HASH_PATTERN = re.compile(r"scrypt\$(\d{1,7})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9+/=]{16,88})\$([A-Za-z0-9+/=]{16,88})")
STATE_FILE = "mediator-pin-state.json"


class PinError(ValueError):
    """A PIN or a PIN hash that cannot be used; str() is one sentence."""


def pin_problem(pin: object) -> str | None:
    """Why `pin` cannot be a mediator PIN (None when it can): 4 to 8 digits 0-9 only.

    Other scripts' digits ("٢٤٦٨") are refused: the keypad only has 0 to 9.
    """
    if not isinstance(pin, str) or not re.fullmatch(r"[0-9]+", pin):
        return f"a PIN is {MIN_DIGITS} to {MAX_DIGITS} digits from 0 to 9"
    if not MIN_DIGITS <= len(pin) <= MAX_DIGITS:
        return f"a PIN is {MIN_DIGITS} to {MAX_DIGITS} digits from 0 to 9, this one has {len(pin)}"
    return None


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """The text to store as mediator.pin_hash; raises PinError for a PIN that is not 4-8 digits."""
    problem = pin_problem(pin)
    if problem:
        raise PinError(problem)
    import secrets   # here, not at start: it loads OpenSSL, and only a PIN needs it

    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt)}${b64(digest)}"


def pin_hash_problem(text: object) -> str | None:
    """Why `text` is not a PIN hash made by `kiosk set-pin` (None when it is)."""
    if not isinstance(text, str):
        return "expected the text written by `kiosk set-pin`"
    m = HASH_PATTERN.fullmatch(text)
    if not m:
        return "not a PIN hash written by `kiosk set-pin` (scrypt$N$r$p$salt$hash): run it again"
    n, r, p = (int(m.group(i)) for i in (1, 2, 3))
    if n < 2 ** 12 or n > 2 ** 20 or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16:
        return "PIN hash with unusable scrypt settings: run `kiosk set-pin` again"
    try:
        salt, digest = (base64.b64decode(m.group(i), validate=True) for i in (4, 5))
    except ValueError:
        return "PIN hash with damaged base64: run `kiosk set-pin` again"
    if len(salt) < 8 or len(digest) < 16:
        return "PIN hash too short: run `kiosk set-pin` again"
    return None


def verify_pin(pin: str, pin_hash: str | None) -> bool:
    """True when `pin` is the code behind `pin_hash` (constant-time comparison)."""
    if not pin_hash or pin_hash_problem(pin_hash) or pin_problem(pin):
        return False
    _, n, r, p, salt, digest = pin_hash.split("$")
    expected = base64.b64decode(digest)
    actual = _scrypt(pin, base64.b64decode(salt), int(n), int(r), int(p), len(expected))
    import hmac

    return hmac.compare_digest(actual, expected)


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, length: int = HASH_BYTES) -> bytes:
    import hashlib   # OpenSSL's scrypt: loaded when a PIN is checked, not at start

    return hashlib.scrypt(pin.encode("ascii"), salt=salt, n=n, r=r, p=p,
                          maxmem=256 * 1024 * 1024, dklen=length)


def lock_seconds_for(locks: int) -> float:
    """How long the `locks`-th lock in a row lasts: 60 s, 120 s, 240 s… at most an hour."""
    return min(MAX_LOCK_SECONDS, FIRST_LOCK_SECONDS * 2 ** max(0, locks - 1))


def default_state_path() -> Path:
    from kiosk.paths import data_dir  # noqa: PLC0415

    return data_dir() / STATE_FILE


class PinGate:
    """The typed digits, the check against the PIN hash, and the lockout.

    `submit()` answers "ok", "wrong", "locked" (this wrong code locked the keypad) or
    "still-locked" (the keypad was locked already: the code is not even compared).
    `pin_hash` None or empty: nothing opens. `state_path` None: the lockout lives in memory only
    (tests); otherwise it is kept in that file across restarts. `clock` measures the lock inside
    this process; `wall_clock` dates it in the file so a restart (or reboot) honours it.
    """

    def __init__(self, pin_hash: str | None, state_path: Path | None = None,
                 clock: Callable[[], float] = time.monotonic, wall_clock: Callable[[], float] = time.time):
        self._hash = pin_hash if pin_hash and not pin_hash_problem(pin_hash) else None
        if pin_hash and self._hash is None:
            log.warning("mediator PIN hash unusable: the mediator mode cannot open")
        self.state_path = Path(state_path) if state_path else None
        self.clock = clock
        self.wall_clock = wall_clock
        self.max_tries = MAX_TRIES
        self._entered = ""
        self.wrong = 0
        self.locks = 0                       # locks in a row since the last right code
        self.locked_until: float | None = None   # on `clock`
        self._load()

    # ---- what the keypad shows and does ----
    @property
    def count(self) -> int:
        """How many digits are typed (the screen draws that many dots)."""
        return len(self._entered)

    @property
    def lock_seconds(self) -> float:
        """The length of the current lock (or of the next one, when not locked)."""
        return lock_seconds_for(self.locks if self.locked_until is not None else self.locks + 1)

    def locked(self) -> bool:
        if self.locked_until is None:
            return False
        if self.clock() >= self.locked_until:
            self.locked_until, self.wrong = None, 0   # the lock is over: three new tries
            self._save()
            return False
        return True

    def seconds_locked(self) -> float:
        return max(0.0, self.locked_until - self.clock()) if self.locked() else 0.0

    def press(self, digit: str) -> bool:
        """Add one digit; False (ignored) while locked, when full, or for anything but 0-9."""
        if self.locked() or len(digit) != 1 or digit not in "0123456789" or \
                len(self._entered) >= MAX_DIGITS:
            return False
        self._entered += digit
        return True

    def erase(self) -> None:
        self._entered = self._entered[:-1]

    def clear(self) -> None:
        self._entered = ""

    def submit(self) -> str:
        if self.locked():
            self._entered = ""
            return "still-locked"
        entered, self._entered = self._entered, ""
        if self._hash is not None and entered and verify_pin(entered, self._hash):
            self.wrong, self.locks = 0, 0
            self._save()
            return "ok"
        self.wrong += 1
        if self.wrong >= self.max_tries:
            self.locks += 1
            self.locked_until = self.clock() + lock_seconds_for(self.locks)
            self._save()
            return "locked"
        self._save()
        return "wrong"

    # ---- the state file ----
    def _load(self) -> None:
        if self.state_path is None:
            return
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
            wrong, locks = int(data.get("wrong", 0)), int(data.get("locks", 0))
            until = data.get("locked_until")
        except FileNotFoundError:
            return
        except (OSError, ValueError, TypeError, AttributeError):
            # unreadable or edited by hand: fail closed, as if the keypad had just locked
            log.warning("mediator PIN lock state unreadable: keypad locked for the first delay")
            self.locks, self.wrong = 1, 0
            self.locked_until = self.clock() + lock_seconds_for(1)
            self._save()
            return
        self.wrong = max(0, min(wrong, self.max_tries))
        self.locks = max(0, min(locks, 64))
        if isinstance(until, (int, float)):
            remaining = min(float(until) - self.wall_clock(), lock_seconds_for(max(1, self.locks)))
            if remaining > 0:
                self.locked_until = self.clock() + remaining
            elif self.wrong >= self.max_tries:
                self.wrong = 0

    def _save(self) -> None:
        if self.state_path is None:
            return
        until = None
        if self.locked_until is not None:
            until = self.wall_clock() + max(0.0, self.locked_until - self.clock())
        data = {"wrong": self.wrong, "locks": self.locks, "locked_until": until}
        try:
            write_private(self.state_path, json.dumps(data) + "\n")
        except OSError as exc:
            log.warning("mediator PIN lock state not saved: %s", exc.strerror or type(exc).__name__)


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` atomically, readable by this user only (0600)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            os.fchmod(f.fileno(), 0o600)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
