"""The mediator's PIN as a secret: salted slow hash, lockout that survives restarts with a
growing delay, and `kiosk set-pin` writing only the hash, atomically, with private rights."""

from __future__ import annotations

import argparse
import io
import json
import os
import stat
import time

import pytest

from kiosk.commands import set_pin
from kiosk.core import pin as pins
from kiosk.core.clock import ManualClock
from kiosk.core.config import load_config, validate
from kiosk.core.pin import PinGate, hash_pin, pin_problem, verify_pin

PIN = "7305"
HASH = hash_pin(PIN)


class Wall:
    """A wall clock the test moves by hand (dates the lock in the state file)."""

    def __init__(self, t: float = 1_800_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def type_code(gate: PinGate, code: str) -> str:
    for d in code:
        gate.press(d)
    return gate.submit()


# ---- the hash ----

def test_hash_is_salted_slow_and_verifies():
    again = hash_pin(PIN)
    assert HASH != again, "a fresh salt each time"
    assert HASH.startswith("scrypt$16384$8$1$") and PIN not in HASH
    assert verify_pin(PIN, HASH) and verify_pin(PIN, again)
    assert not verify_pin("7306", HASH) and not verify_pin("", HASH) and not verify_pin(PIN, None)
    started = time.perf_counter()
    verify_pin(PIN, HASH)
    assert time.perf_counter() - started > 0.005, "a slow hash: brute force must cost"


@pytest.mark.parametrize("bad", ["٢٤٦٨", "２４６８", "12", "123456789", "12a4", " 1234", "", None, 1234])
def test_only_4_to_8_ascii_digits_make_a_pin(bad):
    assert pin_problem(bad)
    with pytest.raises(pins.PinError):
        hash_pin(bad)


def test_non_ascii_digits_never_match():
    assert not verify_pin("٧٣٠٥", HASH)


@pytest.mark.parametrize("bad", ["", "scrypt$16384$8$1$abc$def", "scrypt$3$8$1$" + "A" * 24 + "$" + "A" * 44,
                                 "md5$" + "a" * 32, HASH + "x", HASH.replace("$8$", "$99$")])
def test_damaged_hashes_are_reported(bad):
    assert pins.pin_hash_problem(bad)
    assert not verify_pin(PIN, bad)


# ---- the gate (same answers as before) ----

def test_gate_answers_ok_wrong_locked_still_locked():
    clock = ManualClock()
    gate = PinGate(HASH, None, clock=clock, wall_clock=Wall())
    assert type_code(gate, PIN) == "ok"
    assert type_code(gate, "1111") == "wrong"
    assert gate.submit() == "wrong", "an empty code is a wrong code"
    assert type_code(gate, "2222") == "locked"
    assert gate.locked() and not gate.press("1")
    assert type_code(gate, PIN) == "still-locked"
    clock.advance(60)
    assert not gate.locked()
    assert type_code(gate, PIN) == "ok"


def test_gate_counts_digits_up_to_eight_and_refuses_other_keys():
    gate = PinGate(HASH, None, clock=ManualClock(), wall_clock=Wall())
    assert not gate.press("a") and not gate.press("12") and not gate.press("٣")
    for _ in range(10):
        gate.press("1")
    assert gate.count == 8
    gate.erase()
    assert gate.count == 7
    gate.clear()
    assert gate.count == 0


def test_without_a_hash_nothing_opens():
    for h in (None, "", "not-a-hash"):
        gate = PinGate(h, None, clock=ManualClock(), wall_clock=Wall())
        assert type_code(gate, PIN) == "wrong"


def test_each_new_lock_lasts_longer():
    clock = ManualClock()
    gate = PinGate(HASH, None, clock=clock, wall_clock=Wall())
    lengths = []
    for _ in range(4):
        for code in ("1111", "2222", "3333"):
            answer = type_code(gate, code)
        assert answer == "locked"
        lengths.append(gate.seconds_locked())
        clock.advance(gate.seconds_locked())
    assert lengths == [60, 120, 240, 480]
    assert type_code(gate, PIN) == "ok"
    for code in ("1111", "2222", "3333"):
        type_code(gate, code)
    assert gate.seconds_locked() == 60, "a right code starts the delays again"


# ---- the lockout survives a restart ----

def test_lock_survives_a_restart(tmp_path):
    state = tmp_path / "state.json"
    wall = Wall()
    gate = PinGate(HASH, state, clock=ManualClock(), wall_clock=wall)
    for code in ("1111", "2222", "3333"):
        type_code(gate, code)
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert PIN not in state.read_text() and "1111" not in state.read_text()

    wall.t += 20  # the kiosk restarts 20 s later: a fresh process, a fresh monotonic clock
    restarted = PinGate(HASH, state, clock=ManualClock(), wall_clock=wall)
    assert restarted.locked()
    assert 39 <= restarted.seconds_locked() <= 40
    assert type_code(restarted, PIN) == "still-locked"
    restarted.clock.advance(40)
    assert type_code(restarted, PIN) == "ok"


def test_wrong_codes_before_a_restart_still_count(tmp_path):
    state = tmp_path / "state.json"
    wall = Wall()
    gate = PinGate(HASH, state, clock=ManualClock(), wall_clock=wall)
    type_code(gate, "1111")
    type_code(gate, "2222")
    again = PinGate(HASH, state, clock=ManualClock(), wall_clock=wall)
    assert type_code(again, "3333") == "locked"


def test_the_growing_delay_survives_a_restart(tmp_path):
    state = tmp_path / "state.json"
    wall = Wall()
    clock = ManualClock()
    gate = PinGate(HASH, state, clock=clock, wall_clock=wall)
    for code in ("1111", "2222", "3333"):
        type_code(gate, code)
    wall.t += 61
    second = PinGate(HASH, state, clock=ManualClock(), wall_clock=wall)
    assert not second.locked()
    for code in ("1111", "2222", "3333"):
        type_code(second, code)
    assert second.seconds_locked() == 120


def test_a_clock_set_far_forward_in_the_file_is_capped(tmp_path):
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"wrong": 0, "locks": 1, "locked_until": 1e12}))
    gate = PinGate(HASH, state, clock=ManualClock(), wall_clock=Wall())
    assert gate.seconds_locked() == 60


@pytest.mark.parametrize("content", ["{", "[]", '{"wrong": "x"}', "\x00\x01"])
def test_a_damaged_state_file_fails_closed(tmp_path, content):
    state = tmp_path / "state.json"
    state.write_text(content)
    gate = PinGate(HASH, state, clock=ManualClock(), wall_clock=Wall())
    assert gate.locked(), "unreadable lock state: locked rather than open to guessing"


# ---- kiosk set-pin ----

def run_set_pin(path, stdin_text: str, monkeypatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin_text))
    return set_pin.run(argparse.Namespace(config=str(path), stdin=True))


def test_set_pin_writes_only_the_hash(tmp_path, monkeypatch, capsys):
    path = tmp_path / "config.toml"
    path.write_text('[site]\nname = "Brioude"\n\n[mediator]\n# the code\npin = "2468"\n\n[screen]\ndpi = 100\n')
    path.chmod(0o644)
    assert run_set_pin(path, "7305\n", monkeypatch) == 0
    text = path.read_text()
    assert "7305" not in text and "2468" not in text and 'pin_hash = "scrypt$' in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o640, "no rights for other users"
    config = load_config(path)
    assert verify_pin("7305", config.mediator["pin_hash"])
    assert config.site["name"] == "Brioude" and config.screen["dpi"] == 100
    assert "7305" not in capsys.readouterr().out

    assert run_set_pin(path, "1357\n", monkeypatch) == 0  # a second time replaces it
    assert path.read_text().count("pin_hash") == 1
    assert verify_pin("1357", load_config(path).mediator["pin_hash"])


def test_set_pin_creates_a_private_file(tmp_path, monkeypatch):
    path = tmp_path / "new.toml"
    assert run_set_pin(path, "12345678\n", monkeypatch) == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert verify_pin("12345678", validate(__import__("tomllib").loads(path.read_text())).mediator["pin_hash"])


def test_set_pin_appends_the_section_when_missing(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text("\ufeff[screen]\ndpi = 100\n")
    assert run_set_pin(path, "2580\n", monkeypatch) == 0
    assert verify_pin("2580", load_config(path).mediator["pin_hash"])


@pytest.mark.parametrize("bad", ["٢٤٦٨", "12", "abcd", "", "2468"])
def test_set_pin_refuses_a_bad_pin_and_writes_nothing(tmp_path, monkeypatch, capsys, bad):
    path = tmp_path / "config.toml"
    path.write_text("[screen]\ndpi = 100\n")
    assert run_set_pin(path, bad + "\n", monkeypatch) == 1
    assert path.read_text() == "[screen]\ndpi = 100\n"
    err = capsys.readouterr().err
    assert err.startswith(("error: a PIN is 4 to 8 digits", "error: 2468 is the demo's")) and len(err.splitlines()) == 1


def test_set_pin_twice_interactively_must_match(tmp_path, monkeypatch, capsys):
    path = tmp_path / "config.toml"
    answers = iter(["7305", "7350"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert set_pin.run(argparse.Namespace(config=str(path), stdin=False)) == 1
    assert not path.exists()
    assert "differ" in capsys.readouterr().err
    answers = iter(["7305", "7305"])
    assert set_pin.run(argparse.Namespace(config=str(path), stdin=False)) == 0
    assert verify_pin("7305", load_config(path).mediator["pin_hash"])


def test_set_pin_refuses_a_file_it_cannot_edit(tmp_path, monkeypatch, capsys):
    path = tmp_path / "config.toml"
    path.write_text('mediator = { pin = "2468" }\n')
    assert run_set_pin(path, "7305\n", monkeypatch) == 1
    assert path.read_text() == 'mediator = { pin = "2468" }\n'
    assert "cannot edit" in capsys.readouterr().err


def test_set_pin_needs_a_config_file(capsys):
    assert set_pin.run(argparse.Namespace(config=None, stdin=True)) == 2
    assert "--config" in capsys.readouterr().err


def test_set_pin_through_the_kiosk_command(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "config.toml"
    out = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(path), "set-pin", "--stdin"],
                         input="9753\n", capture_output=True, text=True, timeout=60,
                         env={**os.environ, "KIOSK_DATA_DIR": str(tmp_path / "data")})
    assert out.returncode == 0, out.stderr
    assert verify_pin("9753", load_config(path).mediator["pin_hash"])
