"""Visio dispatch on a real SQLite database (migrated): queue per partner and language, position and
estimated wait, taking a call into a fresh room, ending, sweeping silent calls, counters."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from kiosk.hub import visio_dispatch as d
from kiosk.hub.db import make_engine, migrate
from kiosk.hub.store import HubError, add_user


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """One migrated database with the accounts (migrations and password hashing are slow), copied per test."""
    path = tmp_path_factory.mktemp("template") / "hub.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    add_user(engine, "conseil-caf", "advisor", "correct horse battery")
    add_user(engine, "conseil-caf-en", "advisor", "correct horse battery")
    add_user(engine, "med", "mediator", "correct horse battery")
    d.set_advisor(engine, "conseil-caf", "CAF", "fr")
    d.set_advisor(engine, "conseil-caf-en", "CAF", "en,fr")
    engine.dispose()
    return path


@pytest.fixture()
def engine(template, tmp_path):
    shutil.copy(template, tmp_path / "hub.sqlite3")
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    yield engine
    engine.dispose()


class User:
    def __init__(self, engine, name):
        from kiosk.hub.models import users
        from sqlalchemy import select
        with engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        self.id, self.name = row.id, row.name


def advisor(engine, name="conseil-caf"):
    return d.advisor_for(engine, User(engine, name))


def queued(engine, language="fr", partner="CAF"):
    call_id, token = d.create_call(engine, "k1", "fs-a", partner, "caf-prime-activite", "urgent", language)
    assert d.queue_call(engine, call_id)
    return call_id


def rooms():
    made, dropped = [], []

    def make():
        made.append((len(made) + 1000, "pin"))
        return made[-1]
    return make, lambda room, pin: dropped.append(room), made, dropped


def test_only_advisor_accounts_can_be_attached_to_a_partner(engine):
    with pytest.raises(HubError):
        d.set_advisor(engine, "med", "CAF", "fr")
    with pytest.raises(HubError):
        d.set_advisor(engine, "conseil-caf", "CAF", "")


def test_position_and_wait_follow_the_queue_and_the_advisors_on_duty(engine):
    first, second = queued(engine), queued(engine)
    status = d.call_status(engine, second)
    assert status["position"] == 2 and status["wait_s"] is None and status["on_duty"] == 0
    d.advisor_seen(engine, advisor(engine))
    status = d.call_status(engine, second)
    assert status["on_duty"] == 1
    assert d.call_status(engine, first)["wait_s"] == d.FREE_ADVISOR_WAIT_S  # a free advisor: next
    assert status["wait_s"] == round(0.5 * d.DEFAULT_CALL_S)  # then half a call on average
    d.advisor_seen(engine, advisor(engine, "conseil-caf-en"))
    assert d.call_status(engine, second)["wait_s"] == d.FREE_ADVISOR_WAIT_S
    assert d.call_status(engine, first)["position"] == 1


def test_the_estimate_counts_advisors_already_in_a_call():
    assert d.estimated_wait_s(1, 0, 0, 300) is None
    assert d.estimated_wait_s(1, 1, 1, 300) == 150
    assert d.estimated_wait_s(3, 2, 1, 300) == 150  # one free takes n°1; n°2 and n°3 wait half a call
    assert d.estimated_wait_s(4, 2, 2, 300) == 450


def test_languages_make_separate_queues(engine):
    queued(engine, "fr")
    english = queued(engine, "en")
    assert d.call_status(engine, english)["position"] == 1
    assert [c["language"] for c in d.queue_for(engine, advisor(engine))] == ["fr"]
    assert [c["language"] for c in d.queue_for(engine, advisor(engine, "conseil-caf-en"))] == ["fr", "en"]


def test_taking_gives_the_oldest_call_in_a_fresh_room_and_one_call_at_a_time(engine):
    first, second = queued(engine), queued(engine)
    make, drop, made, dropped = rooms()
    me = advisor(engine)
    taken = d.take_next(engine, me, make, drop)
    assert taken["id"] == first and taken["room"] == 1000
    assert d.call_status(engine, first)["state"] == "taken"
    assert d.call_status(engine, second)["position"] == 1
    with pytest.raises(HubError):
        d.take_next(engine, me, make, drop)
    row = d.end_call(engine, first, "advisor", "solved")
    assert row.room == 1000  # the caller destroys this room
    assert d.end_call(engine, first, "citizen") is None  # first ending wins


def test_ends_are_counted_by_what_happened(engine):
    make, drop, _, _ = rooms()
    declined, _ = d.create_call(engine, "k1", "fs-a", "CAF", "caf-prime-activite", "urgent", "fr")
    d.end_call(engine, declined, "citizen")
    abandoned = queued(engine)
    d.end_call(engine, abandoned, "citizen")
    talked = queued(engine)
    d.take_next(engine, advisor(engine), make, drop)
    d.end_call(engine, talked, "citizen")
    assert d.set_outcome(engine, talked, advisor(engine), "follow_up")
    counts = d.counters(engine, "CAF")
    assert (counts["calls"], counts["taken"], counts["declined"], counts["abandoned"], counts["citizen"]) == \
        (3, 1, 1, 1, 1)
    assert counts["outcomes"]["follow_up"] == 1


def test_a_call_nobody_watches_is_dropped(engine):
    silent = queued(engine)
    assert d.sweep(engine, now=time.time() + 5) == []
    ended = d.sweep(engine, now=time.time() + d.SILENT_CALL_S + 1)
    assert [r.id for r in ended] == [silent]
    assert d.call_status(engine, silent, seen=False)["end_reason"] == "dropped"
    assert d.counters(engine)["dropped"] == 1


def test_recent_calls_set_the_estimate(engine):
    make, drop, _, _ = rooms()
    call = queued(engine)
    d.take_next(engine, advisor(engine), make, drop)
    d.end_call(engine, call, "advisor")
    assert d.recent_call_s(engine, "CAF") < 5  # a call of a few milliseconds replaces the default
