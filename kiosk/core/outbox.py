"""The kiosk's outbox: what it must tell the hub, kept in SQLite (WAL) until the hub confirms.

Each item gets a random idempotency key when it is written; the hub stores each key once, so
an item sent twice (a lost answer, a crash after sending) never counts twice. Items go out in
the order they were written, except help requests and faults, which go before the counters
waiting with them: a person is waiting for a mediator, and counters can wait a few seconds. The outbox holds only anonymous values (closed lists, counts).

It is bounded: when `max_items` are waiting, identical session counters that were never sent
are merged (their counts added), a pending heartbeat is always replaced by the newer one, and
if that is not enough the new item is refused and counted in `refused` (logged, shown on the
mediator panel) — never dropped silently. Pure Python; thread-safe.
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    at REAL NOT NULL,
    data TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS outbox_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS outbox_by_kind ON outbox (kind, seq);
"""
MERGEABLE = ("session",)
URGENT = ("help", "fault")
REPLACEABLE = ("heartbeat",)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT (ROLLBACK on an exception) on one connection."""

    __slots__ = ("db",)

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *_) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")


_URGENT_MARKS = ", ".join("?" * len(URGENT))
_PEEK_SQL = f"""
UPDATE outbox SET attempts = attempts + 1 WHERE seq IN (
    SELECT seq FROM (
        SELECT seq, u FROM (SELECT seq, 0 AS u FROM outbox WHERE kind IN ({_URGENT_MARKS}) ORDER BY seq LIMIT ?)
        UNION ALL
        SELECT seq, u FROM (SELECT seq, 1 AS u FROM outbox WHERE kind NOT IN ({_URGENT_MARKS}) ORDER BY seq LIMIT ?)
    ) ORDER BY u, seq LIMIT ?
) RETURNING seq, key, kind, at, data
"""


def new_key() -> str:
    return secrets.token_urlsafe(18)  # 24 characters, 144 random bits


class Outbox:
    def __init__(self, path: str | Path, max_items: int = 10_000):
        self.path = str(path)
        self.max_items = max_items
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        # the small sorts of `peek` (at most twice its limit of rows) in memory: by default SQLite
        # opens a temporary file for each, which cost more than the rest of the query
        self._db.execute("PRAGMA temp_store=MEMORY")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ---- writing ----

    def put(self, kind: str, data: dict, at: float | None = None) -> str | None:
        """Queue one item; its idempotency key, or None when it could not be kept (counted in `refused`)."""
        key = new_key()
        body = json.dumps(data, sort_keys=True, separators=(",", ":"))
        at = at if at is not None else time.time()
        try:
            if kind not in REPLACEABLE:
                # the common case, one statement (atomic on its own): a new item while there is room
                with self._lock:
                    if self._db.execute("INSERT INTO outbox (key, kind, at, data) SELECT ?, ?, ?, ? "
                                        "WHERE (SELECT COUNT(*) FROM outbox) < ?",
                                        (key, kind, at, body, self.max_items)).rowcount == 1:
                        return key
            with self._lock, self._transaction():
                if kind in REPLACEABLE:
                    self._db.execute("DELETE FROM outbox WHERE kind = ? AND attempts = 0", (kind,))
                if self._size() >= self.max_items:
                    self._merge_counters()
                    merged_into = self._merge_into_existing(kind, data) if kind in MERGEABLE else None
                    if merged_into:
                        self._bump("merged")
                        return merged_into
                    if self._size() >= self.max_items:
                        self._bump("refused")
                        log.warning("outbox full (%d items): one %s item refused", self.max_items, kind)
                        return None
                self._db.execute("INSERT INTO outbox (key, kind, at, data) VALUES (?, ?, ?, ?)",
                                 (key, kind, at, body))
            return key
        except sqlite3.Error as exc:  # disk full, read-only, corrupt: count it, keep the kiosk running
            self._refused_in_memory += 1
            log.error("outbox: one %s item not kept (%s)", kind, exc.__class__.__name__)
            return None

    _refused_in_memory = 0

    def _transaction(self) -> "_Transaction":
        return _Transaction(self._db)

    def _size(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]

    def _bump(self, name: str, by: int = 1) -> None:
        self._db.execute("INSERT INTO outbox_counters VALUES (?, ?) "
                         "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value", (name, by))

    def _merge_counters(self) -> None:
        """Add up never-sent session counters with the same values into the oldest of them."""
        rows = self._db.execute("SELECT seq, data FROM outbox WHERE kind IN (%s) AND attempts = 0 ORDER BY seq"
                                % ",".join("?" * len(MERGEABLE)), MERGEABLE).fetchall()
        groups: dict[str, list[tuple[int, dict]]] = {}
        for seq, body in rows:
            data = json.loads(body)
            same = json.dumps({k: v for k, v in data.items() if k != "count"}, sort_keys=True)
            groups.setdefault(same, []).append((seq, data))
        merged = 0
        for items in groups.values():
            if len(items) < 2:
                continue
            first_seq, first = items[0]
            first["count"] = sum(d.get("count", 1) for _, d in items)
            self._db.execute("UPDATE outbox SET data = ? WHERE seq = ?",
                             (json.dumps(first, sort_keys=True, separators=(",", ":")), first_seq))
            self._db.executemany("DELETE FROM outbox WHERE seq = ?", [(s,) for s, _ in items[1:]])
            merged += len(items) - 1
        if merged:
            self._bump("merged", merged)

    def _merge_into_existing(self, kind: str, data: dict) -> str | None:
        same = {k: v for k, v in data.items() if k != "count"}
        for seq, key, body in self._db.execute("SELECT seq, key, data FROM outbox WHERE kind = ? "
                                               "AND attempts = 0 ORDER BY seq", (kind,)).fetchall():
            old = json.loads(body)
            if {k: v for k, v in old.items() if k != "count"} == same:
                old["count"] = old.get("count", 1) + data.get("count", 1)
                self._db.execute("UPDATE outbox SET data = ? WHERE seq = ?",
                                 (json.dumps(old, sort_keys=True, separators=(",", ":")), seq))
                return key
        return None

    # ---- sending ----

    def peek(self, limit: int = 100) -> list[dict]:
        """The oldest items (urgent kinds first), marked as attempted (they may reach the hub from now on).
        Two index walks, never a sort of the whole backlog: the urgent kinds by (kind, seq), then the
        rest by seq; both picked and marked by one statement, atomic on its own."""
        with self._lock:
            # an empty outbox (what the sender finds after most sends) is one read, no write lock
            if not self._db.execute("SELECT EXISTS (SELECT 1 FROM outbox)").fetchone()[0]:
                return []
            rows = self._db.execute(_PEEK_SQL, (*URGENT, limit, *URGENT, limit, limit)).fetchall()
        rows.sort(key=lambda row: (row[2] not in URGENT, row[0]))
        return [{"key": k, "kind": kind, "at": at, "data": json.loads(d)} for _, k, kind, at, d in rows]

    def ack(self, keys: list[str]) -> None:
        """Forget items the hub confirmed (stored now or before)."""
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                self._db.execute(f"DELETE FROM outbox WHERE key IN ({', '.join('?' * len(chunk))})", chunk)

    def reject(self, key: str) -> None:
        """Drop one item the hub refuses for good (counted in `rejected`, logged)."""
        with self._lock, self._transaction():
            self._db.execute("DELETE FROM outbox WHERE key = ?", (key,))
            self._bump("rejected")
        log.warning("outbox: one item refused by the hub was dropped")

    def size(self) -> int:
        with self._lock:
            return self._size()

    def counters(self) -> dict[str, int]:
        with self._lock:
            values = dict(self._db.execute("SELECT name, value FROM outbox_counters").fetchall())
        values["refused"] = values.get("refused", 0) + self._refused_in_memory
        return {name: values.get(name, 0) for name in ("merged", "refused", "rejected")}
