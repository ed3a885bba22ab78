"""Inactivity warning, extensions and the repeated-tap filter, on a fake clock."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.gestures import TapFilter
from kiosk.core.inactivity import ACTIVE, EXPIRED, WARNING, InactivityTimer


def timer(start=1000.0, **kwargs) -> InactivityTimer:
    t = InactivityTimer(**{"inactivity_seconds": 90, "warning_seconds": 30, "max_extensions": 10, **kwargs})
    t.start(start)
    return t


def test_warning_after_inactivity_then_expiry_after_warning():
    t = timer()
    assert t.state(1000.0) == ACTIVE
    assert t.state(1089.9) == ACTIVE
    assert t.state(1090.0) == WARNING
    assert t.state(1119.9) == WARNING
    assert t.state(1120.0) == EXPIRED
    assert t.state(5000.0) == EXPIRED


def test_activity_before_the_warning_postpones_it():
    t = timer()
    t.activity(1080.0)
    assert t.state(1100.0) == ACTIVE
    assert t.state(1170.0) == WARNING


def test_activity_during_the_warning_does_not_cancel_it():
    t = timer()
    assert t.state(1095.0) == WARNING
    t.activity(1096.0)
    t.activity(1110.0)
    assert t.state(1111.0) == WARNING
    assert t.state(1120.0) == EXPIRED


def test_more_time_at_least_ten_times_then_refused():
    t = timer()
    now = 1000.0
    for i in range(10):
        now += 90
        assert t.state(now) == WARNING
        assert t.can_extend
        assert t.extend(now + 5) is True
        now += 5
        assert t.state(now + 1) == ACTIVE
        assert t.extensions == i + 1
    now += 90
    assert t.state(now) == WARNING
    assert not t.can_extend
    assert t.extend(now + 1) is False
    assert t.state(now + 1) == WARNING
    assert t.state(now + 30) == EXPIRED


def test_the_warning_leaves_at_least_20_seconds_with_the_shortest_allowed_config():
    t = timer(inactivity_seconds=20, warning_seconds=20)
    assert t.state(1020.0) == WARNING
    assert t.state(1039.0) == WARNING


def test_start_resets_the_extensions():
    t = timer(max_extensions=10)
    for _ in range(10):
        t.extend(1000.0)
    assert not t.can_extend
    t.start(2000.0)
    assert t.can_extend and t.extensions == 0
    assert t.state(2010.0) == ACTIVE


def test_seconds_left_counts_down():
    t = timer()
    assert t.seconds_left(1000.0) == 30  # no warning yet
    assert t.state(1090.0) == WARNING
    left = [t.seconds_left(1090.0 + s) for s in range(0, 35, 5)]
    assert left == [30, 25, 20, 15, 10, 5, 0]
    assert t.seconds_left(1200.0) == 0


@given(st.floats(min_value=0.1, max_value=1799), st.floats(min_value=0.1, max_value=300),
       st.floats(min_value=0, max_value=4000))
def test_state_depends_only_on_elapsed_time(inactivity, warning, elapsed):
    t = InactivityTimer(inactivity, warning)
    t.start(0.0)
    state = t.state(elapsed)
    if elapsed < inactivity:
        assert state == ACTIVE
    elif elapsed < inactivity + warning:
        assert state == WARNING
    else:
        assert state == EXPIRED


def test_second_tap_within_half_a_second_counts_once():
    f = TapFilter()
    assert f.accept(10.0) is True
    assert f.accept(10.2) is False
    assert f.accept(10.49) is False
    assert f.accept(10.5) is True
    assert f.accept(11.2) is True


def test_refused_taps_do_not_extend_the_window():
    f = TapFilter()
    assert f.accept(0.0)
    assert not f.accept(0.3)
    assert f.accept(0.6)


@given(st.lists(st.floats(min_value=0, max_value=0.1), min_size=2, max_size=30))
def test_accepted_taps_are_at_least_half_a_second_apart(gaps):
    f = TapFilter()
    now, accepted = 100.0, []
    for gap in gaps:
        now += gap * 10
        if f.accept(now):
            accepted.append(now)
    assert accepted[0] == 100.0 + gaps[0] * 10
    assert all(b - a >= 0.5 for a, b in zip(accepted, accepted[1:]))
