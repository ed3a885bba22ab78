"""Mediator mode in pure Python: the PIN and its lockout, the five title taps, the panel's
health sentences, today's counts, and no digit of the PIN ever in a speech text."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from kiosk.core import mediator as m
from kiosk.core.clock import ManualClock
from kiosk.core.i18n import Translator
from kiosk.core.stats import Stats

PIN = "2468"
DIGITS = re.compile(r"[0-9]")


class FakeJourney:
    """The part of Journey the mediator mode touches: a screen name, effects, the a11y event."""

    def __init__(self, screen_name="demarche"):
        self.screen_name = screen_name
        self.effects = []
        self.session = SimpleNamespace(explore_by_touch=False, demarche="carte-vitale")

    def _on_a11y(self, what):
        assert what == "explore"
        self.session.explore_by_touch = not self.session.explore_by_touch
        self.effects.append(("a11y", what))


def mode_and_journey(screen="demarche"):
    clock = ManualClock()
    return m.MediatorMode(PIN, clock), FakeJourney(screen), clock


def type_pin(mode, journey, pin):
    for d in pin:
        mode.handle(journey, f"digit:{d}")
    mode.handle(journey, "ok")


# ---- the PIN gate ----

def test_right_pin_opens_and_wrong_pin_does_not():
    gate = m.PinGate(PIN, ManualClock())
    for d in PIN:
        assert gate.press(d)
    assert gate.count == 4
    assert gate.submit() == "ok" and gate.count == 0
    for d in "1357":
        gate.press(d)
    assert gate.submit() == "wrong"
    assert gate.submit() == "wrong", "an empty code is a wrong code"


def test_three_wrong_codes_lock_for_sixty_seconds():
    clock = ManualClock()
    gate = m.PinGate(PIN, clock)
    for answer in ("wrong", "wrong", "locked"):
        for d in "0000":
            gate.press(d)
        assert gate.submit() == answer
    assert gate.locked()
    assert not gate.press("2"), "digits are refused while locked"
    clock.advance(59)
    for d in PIN:
        gate.press(d)
    assert gate.submit() == "still-locked", "even the right code waits for the minute"
    clock.advance(1.5)
    assert not gate.locked()
    for d in PIN:
        assert gate.press(d)
    assert gate.submit() == "ok"


def test_no_configured_pin_opens_nothing_and_digits_only():
    gate = m.PinGate(None, ManualClock())
    assert not gate.press("a") and not gate.press("12")
    gate.press("1")
    assert gate.submit() == "wrong"
    full = m.PinGate(PIN, ManualClock())
    assert all(full.press("1") for _ in range(m.MAX_DIGITS))
    assert not full.press("1")


def test_five_title_taps_within_three_seconds():
    clock = ManualClock()
    quick = m.TitleTaps(clock)
    results = []
    for _ in range(5):
        results.append(quick.tap())
        clock.advance(0.7)                      # five taps over 2.8 s
    assert results == [False, False, False, False, True]
    assert not quick.tap(), "the count starts again after opening"
    slow = m.TitleTaps(clock)
    results = []
    for _ in range(8):
        clock.advance(1.0)                      # one a second: never five within 3 s
        results.append(slow.tap())
    assert not any(results)


# ---- the mode in the journey ----

def test_open_wrong_right_close_returns_to_the_citizen_screen():
    mode, journey, _ = mode_and_journey("guide")
    mode.handle(journey, "open")
    assert journey.screen_name == m.PIN_SCREEN
    type_pin(mode, journey, "1111")
    assert journey.screen_name == m.PIN_SCREEN
    model = mode.pin_screen(str)
    assert model.speech() == "Wrong code. Try again."
    assert "Wrong code. Try again." in model.visible_texts()
    type_pin(mode, journey, PIN)
    assert journey.screen_name == m.PANEL_SCREEN and mode.unlocked
    assert ("staff", "panel") in journey.effects
    mode.handle(journey, "close")
    assert journey.screen_name == "guide" and not mode.unlocked
    assert journey.session.demarche == "carte-vitale", "the session is untouched"


def test_panel_events_need_the_pin_and_make_effects():
    mode, journey, _ = mode_and_journey("themes")
    journey.screen_name = m.PANEL_SCREEN            # e.g. a stale screen name: not unlocked
    with pytest.raises(ValueError):
        mode.handle(journey, "restart")
    mode.handle(journey, "open")
    type_pin(mode, journey, PIN)
    mode.handle(journey, "restart")
    mode.handle(journey, "print-test")
    mode.handle(journey, "explore")
    assert ("staff", "restart") in journey.effects and ("staff", "print-test") in journey.effects
    assert journey.session.explore_by_touch
    label = next(a.label for a in mode.panel_screen(str, True).actions if a.id == "staff:explore")
    assert label == "Explore by touch: on"


def test_lockout_survives_cancel_and_reset_but_digits_do_not():
    mode, journey, clock = mode_and_journey()
    mode.handle(journey, "open")
    for _ in range(3):
        type_pin(mode, journey, "9999")
    assert "locked" in mode.pin_screen(str).speech()
    mode.handle(journey, "cancel")
    mode.reset()
    mode.handle(journey, "open")
    model = mode.pin_screen(str)
    assert model.locked and any("locked" in t for t in model.visible_texts())
    mode.handle(journey, "digit:2")
    assert mode.gate.count == 0
    clock.advance(61)
    mode.handle(journey, "digit:2")
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

    mode.handle(journey, "open")
    look()
    for d in PIN:
        mode.handle(journey, f"digit:{d}")
        look()
    mode.handle(journey, "erase")
    look()
    for _try in range(3):
        for d in "12345678" + "9":
            mode.handle(journey, f"digit:{d}")
            look()
        mode.handle(journey, "ok")
        look()
    mode.handle(journey, "ok")
    look()
    clock.advance(61)
    type_pin(mode, journey, PIN)
    assert journey.screen_name == m.PANEL_SCREEN
    assert speeches and all(not DIGITS.search(s) for s in speeches), \
        [s for s in speeches if DIGITS.search(s)]
    assert _("Digit entered.") in speeches
    panel = mode.panel_screen(_)
    assert PIN not in panel.speech() and PIN not in " ".join(panel.visible_texts())


# ---- the health model ----

def test_every_problem_is_a_sentence_with_a_marker():
    faults = [f"printer: fault {i}" for i in range(12)]
    h = m.Health(speech_available=False, speech_reason="espeak-ng is not installed.",
                 listen_state="off", model_installed=False, printer=(False, "paper_out", ""),
                 demarches=35, content_problems=2, faults=faults, sessions_today=7,
                 by_help_level={"urgent": 2, "guide": 4, "none": 1})
    mode = m.MediatorMode(PIN, ManualClock())
    mode.health = h
    model = mode.panel_screen(str)
    lines = {line.what: line for line in model.lines}
    assert set(lines) == {"speech", "voice", "printer", "content"}
    assert all(line.status == m.PROBLEM for line in lines.values())
    assert lines["speech"].sentence == "Speech: not available. espeak-ng is not installed."
    assert "No voice model is installed" in lines["voice"].sentence
    assert lines["printer"].sentence == "Printer: the paper roll is empty. Put in a new roll."
    assert "2 content problems" in lines["content"].sentence
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


def test_everything_working_says_ok_and_checking_while_waiting():
    h = m.Health(speech_available=True, listen_state="on", model_installed=True, printer=None,
                 demarches=35)
    lines = m.health_lines(str, h)
    assert [(l.what, l.status) for l in lines] == [("speech", m.OK), ("voice", m.OK),
                                                   ("printer", m.CHECKING), ("content", m.OK)]
    assert lines[2].sentence == "Printer: checking…"
    h.printer = (True, "", "")
    assert m.health_lines(str, h)[2] == m.HealthLine(m.OK, "Printer: ready.", "printer")
    h.printer_configured = False
    assert m.health_lines(str, h)[2].status == m.PROBLEM
    h.test_print = (m.PROBLEM, "Test page: not printed.")
    assert m.health_lines(str, h)[3].what == "test"


def test_today_counts_reads_only_today(tmp_path):
    stats = Stats(tmp_path / "s.sqlite3", {"carte-vitale"}, {"fr"})
    today = dt.datetime(2026, 3, 2, 10)
    for level in ("guide", "guide", "urgent", None):
        stats.record_session(demarche="carte-vitale", help_level=level, outcome="done",
                             satisfaction=None, language="fr", when=today)
    stats.record_session(demarche=None, help_level="teach", outcome="done", satisfaction=None,
                         language="fr", when=today - dt.timedelta(days=1))
    assert m.today_counts(stats.path, today.date()) == (4, {"guide": 2, "urgent": 1, "none": 1})
    assert m.today_counts(str(tmp_path / "missing.sqlite3")) == (0, {})


# ---- translations ----

def test_the_journey_goes_to_the_panel_and_back(make_journey):
    journey = make_journey()
    journey.mediator.configure(PIN, ManualClock())
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
