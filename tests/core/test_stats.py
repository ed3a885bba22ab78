"""Anonymous counters: closed lists only, never free text."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core.stats import HELP_LEVELS, OUTCOMES, Stats, part_of_day

from .conftest import SHIPPED_IDS

WHEN = dt.datetime(2025, 3, 14, 10, 30)


@pytest.fixture
def stats(tmp_path):
    return Stats(tmp_path / "stats.sqlite3", set(SHIPPED_IDS), {"fr", "en"})


def rows(stats):
    with sqlite3.connect(stats.path) as db:
        return db.execute("SELECT * FROM session_counts ORDER BY demarche, help_level").fetchall()


def test_one_row_per_combination_with_a_counter(stats):
    for _ in range(3):
        stats.record_session(demarche="passeport", help_level="guide", outcome="done", satisfaction=5,
                             language="fr", when=WHEN)
    stats.record_session(demarche="rsa", help_level="urgent", outcome="mediator", satisfaction=None,
                         language="en", when=WHEN.replace(hour=15))
    assert rows(stats) == [
        ("2025-03-14", "morning", "passeport", "guide", "done", 5, "fr", 3),
        ("2025-03-14", "afternoon", "rsa", "urgent", "mediator", 0, "en", 1),
    ]


def test_the_table_has_no_column_for_free_text(stats):
    with sqlite3.connect(stats.path) as db:
        columns = [r[1] for r in db.execute("PRAGMA table_info(session_counts)")]
    assert columns == ["day", "part_of_day", "demarche", "help_level", "outcome", "satisfaction",
                       "language", "count"]


def test_totals_by_demarche_and_help_level(stats):
    for demarche, level in [("passeport", "guide"), ("passeport", "teach"), ("rsa", "guide"),
                            (None, None), ("passeport", "guide")]:
        stats.record_session(demarche=demarche, help_level=level, outcome="done", satisfaction=4,
                             language="fr", when=WHEN)
    assert stats.totals("demarche") == {"passeport": 3, "rsa": 1, "none": 1}
    assert stats.totals("help_level") == {"guide": 3, "teach": 1, "none": 1}
    assert stats.totals("satisfaction") == {4: 5}
    assert stats.totals() == stats.totals("demarche")


def test_totals_refuses_other_columns(stats):
    with pytest.raises(ValueError):
        stats.totals("count; DROP TABLE session_counts")


SECRET = "Mme Josiane Dupont 12 rue des Lilas, IBAN FR76 3000"


@pytest.mark.parametrize("field", ["demarche", "help_level", "outcome", "language"])
def test_free_text_is_never_stored(stats, field):
    values = dict(demarche="passeport", help_level="guide", outcome="done", satisfaction=3, language="fr")
    values[field] = SECRET
    stats.record_session(**values, when=WHEN)
    stored = rows(stats)[0]
    assert SECRET not in stored
    expected = {"demarche": "none", "help_level": "none", "outcome": "abandoned", "language": "other"}[field]
    assert expected in stored
    data = open(stats.path, "rb").read()
    assert SECRET.encode() not in data and b"Josiane" not in data


def test_out_of_range_satisfaction_is_zero(stats):
    for bad in (0, 6, -1, "5", 3.5):
        stats.record_session(demarche="rsa", help_level="guide", outcome="done", satisfaction=bad,
                             language="fr", when=WHEN)
    assert stats.totals("satisfaction") == {0: 5}


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(demarche=st.one_of(st.none(), st.sampled_from(SHIPPED_IDS), st.text(min_size=1, max_size=40)),
       help_level=st.one_of(st.none(), st.sampled_from(HELP_LEVELS), st.text(max_size=20)),
       outcome=st.one_of(st.sampled_from(OUTCOMES), st.text(max_size=20)),
       satisfaction=st.one_of(st.none(), st.integers(-10, 10)),
       language=st.one_of(st.sampled_from(["fr", "en"]), st.text(max_size=10)))
def test_every_stored_value_is_from_a_closed_list(tmp_path_factory, demarche, help_level, outcome,
                                                  satisfaction, language):
    stats = Stats(tmp_path_factory.mktemp("s") / "stats.sqlite3", set(SHIPPED_IDS), {"fr", "en"})
    stats.record_session(demarche=demarche, help_level=help_level, outcome=outcome, satisfaction=satisfaction,
                         language=language, when=WHEN)
    (day, part, d, h, o, s, lang, count), = rows(stats)
    assert d in set(SHIPPED_IDS) | {"none"}
    assert h in HELP_LEVELS
    assert o in OUTCOMES
    assert s in range(0, 6)
    assert lang in {"fr", "en", "other"}
    assert count == 1


def test_parts_of_day():
    assert [part_of_day(h) for h in (0, 11, 12, 17, 18, 23)] == \
        ["morning", "morning", "afternoon", "afternoon", "evening", "evening"]


def test_a_broken_database_does_not_raise(tmp_path, caplog):
    path = tmp_path / "stats.sqlite3"
    stats = Stats(path, set(SHIPPED_IDS), {"fr"})
    path.write_bytes(b"this is not a database" * 100)
    stats.record_session(demarche="rsa", help_level="guide", outcome="done", satisfaction=3, language="fr",
                         when=WHEN)
    assert "stats not recorded" in caplog.text
    assert "rsa" not in caplog.text
