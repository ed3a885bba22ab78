"""Mediator mode in pure Python: the PIN and its lockout, the five title taps, the panel's
health sentences, today's counts, and no digit of the PIN ever in a speech text."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from kiosk.core import device_health, mediator as m
from kiosk.core.effects import PanelOpened, PrintTestPage, RestartJourney
from kiosk.core.gestures import TitleTaps
from kiosk.core.mediator_screens import PANEL_SCREEN, PIN_SCREEN
from kiosk.core.clock import ManualClock
from kiosk.core.i18n import Translator
from kiosk.core.pin import hash_pin
from kiosk.core.stats import Stats, today_counts

PIN = "2468"
PIN_HASH = hash_pin(PIN)   # hashed once: scrypt is slow on purpose
DIGITS = re.compile(r"[0-9]")


class Staff:
    """Applies the mode's outcomes like the journey does: the screen on show, effects, events."""

    def __init__(self, screen_name="demarche"):
        self.screen_name = screen_name
        self.effects = []
        self.events = []

    def apply(self, outcome):
        if outcome.screen is not None:
            self.screen_name = outcome.screen
        self.effects += outcome.effects
        if outcome.event:
            self.events.append(outcome.event)


def mode_and_journey(screen="demarche"):
    clock = ManualClock()
    return m.MediatorMode(PIN_HASH, clock), Staff(screen), clock


def send(mode, staff, what):
    staff.apply(mode.handle(what, staff.screen_name))


def type_pin(mode, journey, pin):
    for d in pin:
        send(mode, journey, f"digit:{d}")
    send(mode, journey, "ok")


# ---- the five title taps (the PIN gate itself: tests/core/test_pin.py) ----

def test_five_title_taps_within_three_seconds():
    clock = ManualClock()
    quick = TitleTaps(clock)
    results = []
    for _ in range(5):
        results.append(quick.tap())
        clock.advance(0.7)                      # five taps over 2.8 s
    assert results == [False, False, False, False, True]
    assert not quick.tap(), "the count starts again after opening"
    slow = TitleTaps(clock)
    results = []
    for _ in range(8):
        clock.advance(1.0)                      # one a second: never five within 3 s
        results.append(slow.tap())
    assert not any(results)


# ---- the mode in the journey ----

def test_open_wrong_right_close_returns_to_the_citizen_screen():
    mode, journey, _ = mode_and_journey("guide")
    send(mode, journey, "open")
    assert journey.screen_name == PIN_SCREEN
    type_pin(mode, journey, "1111")
    assert journey.screen_name == PIN_SCREEN
    model = mode.pin_screen(str)
    assert model.speech() == "Wrong code. Try again."
    assert "Wrong code. Try again." in model.visible_texts()
    type_pin(mode, journey, PIN)
    assert journey.screen_name == PANEL_SCREEN and mode.unlocked
    assert PanelOpened() in journey.effects
    send(mode, journey, "close")
    assert journey.screen_name == "guide" and not mode.unlocked


def test_panel_events_need_the_pin_and_make_effects():
    mode, journey, _ = mode_and_journey("themes")
    journey.screen_name = PANEL_SCREEN            # e.g. a stale screen name: not unlocked
    with pytest.raises(ValueError):
        send(mode, journey, "restart")
    send(mode, journey, "open")
    type_pin(mode, journey, PIN)
    send(mode, journey, "restart")
    send(mode, journey, "print-test")
    send(mode, journey, "explore")
    assert RestartJourney() in journey.effects and PrintTestPage() in journey.effects
    assert journey.events == ["a11y:explore"]
    mode.health_source = lambda: device_health.Health(explore_by_touch=True)
    label = next(a.label for a in mode.panel_screen(str).actions if a.id == "staff:explore")
    assert label == "Explore by touch: on"


def test_lockout_survives_cancel_and_reset_but_digits_do_not():
    mode, journey, clock = mode_and_journey()
    send(mode, journey, "open")
    for _ in range(3):
        type_pin(mode, journey, "9999")
    assert "locked" in mode.pin_screen(str).speech()
    send(mode, journey, "cancel")
    mode.reset()
    send(mode, journey, "open")
    model = mode.pin_screen(str)
    assert model.locked and any("locked" in t for t in model.visible_texts())
    send(mode, journey, "digit:2")
    assert mode.gate.count == 0
    clock.advance(61)
    send(mode, journey, "digit:2")
    assert mode.gate.count == 1
    mode.reset()
    assert mode.gate.count == 0


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_digit_of_the_pin_is_ever_spoken(lang):
    translator = Translator(lang)
    _ = translator.gettext
    mode, journey, clock = mode_and_journey()
    speeches = []

    def look():
        model = mode.pin_screen(_)
        speeches.append(model.speech())
        speeches.extend(k.speech() for row in model.keys for k in row)
        speeches.extend(a.speech() for a in model.nav)
        assert model.entered == mode.gate.count
        assert not any(d in t for t in model.visible_texts() if len(t) > 1 for d in PIN), \
            "the typed digits are never written"

    send(mode, journey, "open")
    look()
    for d in PIN:
        send(mode, journey, f"digit:{d}")
        look()
    send(mode, journey, "erase")
    look()
    for _try in range(3):
        for d in "12345678" + "9":
            send(mode, journey, f"digit:{d}")
            look()
        send(mode, journey, "ok")
        look()
    send(mode, journey, "ok")
    look()
    clock.advance(61)
    type_pin(mode, journey, PIN)
    assert journey.screen_name == PANEL_SCREEN
    assert speeches and all(not DIGITS.search(s) for s in speeches), \
        [s for s in speeches if DIGITS.search(s)]
    assert _("Digit entered.") in speeches
    panel = mode.panel_screen(_)
    assert PIN not in panel.speech() and PIN not in " ".join(panel.visible_texts())


# ---- the health model ----

def test_every_problem_is_a_sentence_with_a_marker():
    faults = [f"printer: fault {i}" for i in range(12)]
    doctor = [device_health.HealthLine(device_health.PROBLEM,
                                       "Printer: the paper roll is empty. Put in a new roll.", "printer"),
              device_health.HealthLine(device_health.PROBLEM,
                                       "Content: 35 procedures loaded, 2 problems. Run the check.", "content")]
    h = device_health.Health(speech_available=False, speech_reason="espeak-ng is not installed.",
                             listen_state="off", model_installed=False, device_checks=doctor,
                             faults=faults, sessions_today=7,
                             by_help_level={"urgent": 2, "guide": 4, "none": 1})
    mode = m.MediatorMode(PIN_HASH, ManualClock())
    mode.health_source = lambda: h
    model = mode.panel_screen(str)
    lines = {line.what: line for line in model.lines}
    assert set(lines) == {"speech", "voice", "printer", "content"}
    assert all(line.status == device_health.PROBLEM for line in lines.values())
    assert lines["speech"].sentence == "Speech: not available. espeak-ng is not installed."
    assert "No voice model is installed" in lines["voice"].sentence
    assert lines["printer"].sentence == "Printer: the paper roll is empty. Put in a new roll."
    assert "2 problems" in lines["content"].sentence
    for line in model.lines:
        assert line.sentence[0].isupper() and line.sentence.endswith((".", "…"))
        assert f"Problem : {line.sentence}" in model.speech(), "the marker word is said too"
    fault_block = next(b for b in model.blocks if b.kind == "list" and "fault" in b.title)
    assert fault_block.items == tuple(reversed(faults))[:10], "last ten, newest first"
    counts = next(b for b in model.blocks if "anonymous" in b.title)
    assert counts.items == ("Sessions today: 7", "Do it for me now: 2", "Guide me: 4",
                            "Teach me: 0", "No help level chosen: 1")
    assert [a.id for a in model.actions] == ["staff:close", "staff:restart", "staff:explore",
                                             "staff:print-test"]
    missing = [t for t in model.visible_texts() if t.strip() not in model.speech()]
    assert missing == []


def test_devices_are_checking_until_the_doctor_answers():
    h = device_health.Health(speech_available=True, listen_state="on", model_installed=True)
    lines = device_health.health_lines(str, h)
    assert [(l.what, l.status) for l in lines] == [("speech", device_health.OK), ("voice", device_health.OK),
                                                   ("devices", device_health.CHECKING)]
    assert lines[2].sentence == "Devices: checking…"
    h.device_checks = [device_health.HealthLine(device_health.OK, "Printer: ready.", "printer")]
    assert device_health.health_lines(str, h)[2] == device_health.HealthLine(device_health.OK, "Printer: ready.", "printer")
    h.test_print = (device_health.PROBLEM, "Test page: not printed.")
    assert device_health.health_lines(str, h)[3].what == "test"


def test_today_counts_reads_only_today(tmp_path):
    stats = Stats(tmp_path / "s.sqlite3", {"carte-vitale"}, {"fr"})
    today = dt.datetime(2026, 3, 2, 10)
    for level in ("guide", "guide", "urgent", None):
        stats.record_session(demarche="carte-vitale", help_level=level, outcome="done",
                             satisfaction=None, language="fr", when=today)
    stats.record_session(demarche=None, help_level="teach", outcome="done", satisfaction=None,
                         language="fr", when=today - dt.timedelta(days=1))
    assert today_counts(stats.path, today.date()) == (4, {"guide": 2, "urgent": 1, "none": 1})
    assert today_counts(str(tmp_path / "missing.sqlite3")) == (0, {})


# ---- translations ----

def test_the_journey_goes_to_the_panel_and_back(make_journey):
    journey = make_journey()
    journey.mediator.configure(PIN_HASH, ManualClock())
    for event in ("start", "theme:sante", "demarche:carte-vitale"):
        journey.handle(event)
    history = list(journey.session.history)
    assert journey.handle("staff:open").name == "pin"
    for d in PIN:
        journey.handle(f"staff:digit:{d}")
    assert journey.handle("staff:ok").name == "mediator_panel"
    assert journey.handle("staff:close").name == "demarche"
    assert journey.session.history == history
    journey.handle("staff:open")
    assert journey.handle("back").name == "demarche", "back on the PIN screen cancels"
