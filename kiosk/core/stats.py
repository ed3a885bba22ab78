"""Anonymous usage counters in SQLite: never free text, never a session's content.

Each finished session adds one to the counter of its (day, part of day, démarche, help level,
outcome, satisfaction, language) combination; every value is from a closed list.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path

from kiosk.core.session import HELP_LEVELS as _CHOSEN_LEVELS, NO_HELP_LEVEL

log = logging.getLogger(__name__)

HELP_LEVELS = (*_CHOSEN_LEVELS, NO_HELP_LEVEL)
OUTCOMES = ("done", "stuck", "mediator", "abandoned", "timeout", "error")
PARTS_OF_DAY = ("morning", "afternoon", "evening")

SCHEMA = """
CREATE TABLE IF NOT EXISTS session_counts (
    day TEXT NOT NULL,
    part_of_day TEXT NOT NULL,
    demarche TEXT NOT NULL,
    help_level TEXT NOT NULL,
    outcome TEXT NOT NULL,
    satisfaction INTEGER NOT NULL,
    language TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, part_of_day, demarche, help_level, outcome, satisfaction, language)
)
"""


def part_of_day(hour: int) -> str:
    return "morning" if hour < 12 else "afternoon" if hour < 18 else "evening"


class Stats:
    def __init__(self, path: Path | str, known_demarches: set[str], languages: set[str]):
        self.path = str(path)
        self.known_demarches = set(known_demarches)
        self.languages = set(languages)
        with sqlite3.connect(self.path) as db:
            db.execute(SCHEMA)

    def record_session(self, *, demarche: str | None, help_level: str | None, outcome: str,
                       satisfaction: int | None, language: str, when: dt.datetime | None = None) -> None:
        """Count one finished session. Values outside the closed lists are stored as 'other'."""
        when = when or dt.datetime.now()
        row = (
            when.date().isoformat(),
            part_of_day(when.hour),
            demarche if demarche in self.known_demarches else "none",
            help_level if help_level in HELP_LEVELS else NO_HELP_LEVEL,
            outcome if outcome in OUTCOMES else "abandoned",
            satisfaction if satisfaction in (1, 2, 3, 4, 5) else 0,
            language if language in self.languages else "other",
        )
        try:
            with sqlite3.connect(self.path) as db:
                db.execute(
                    "INSERT INTO session_counts VALUES (?, ?, ?, ?, ?, ?, ?, 1) "
                    "ON CONFLICT DO UPDATE SET count = count + 1",
                    row,
                )
        except sqlite3.Error as exc:
            log.error("stats not recorded: %s", exc.__class__.__name__)

    def totals(self, by: str = "demarche") -> dict:
        if by not in ("demarche", "help_level", "outcome", "satisfaction", "language", "part_of_day", "day"):
            raise ValueError(by)
        with sqlite3.connect(self.path) as db:
            return dict(db.execute(f"SELECT {by}, SUM(count) FROM session_counts GROUP BY {by}"))


def today_counts(stats_path: str, day: dt.date | None = None) -> tuple[int, dict[str, int]]:
    """Today's anonymous counters, read-only: (sessions, sessions by help level).
    A missing or unreadable database counts as zero (the mediator panel must always open)."""
    day = day or dt.date.today()
    try:
        with sqlite3.connect(f"file:{stats_path}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT help_level, SUM(count) FROM session_counts WHERE day = ? "
                              "GROUP BY help_level", (day.isoformat(),)).fetchall()
    except sqlite3.Error:
        return 0, {}
    by_level = {level: int(n) for level, n in rows}
    return sum(by_level.values()), by_level
