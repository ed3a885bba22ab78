"""The kiosk's outbox on real SQLite files: order, acknowledgement, persistence, bounds, full disk."""

from __future__ import annotations

import sqlite3
import threading

from kiosk.core.outbox import Outbox

SESSION = {"demarche": "carte-identite", "help_level": "guide", "outcome": "done", "satisfaction": 4,
           "language": "fr", "day": "2026-11-30", "hour": 10, "count": 1}


def test_items_come_out_in_order_and_leave_when_acknowledged(tmp_path):
    box = Outbox(tmp_path / "o.sqlite3")
    keys = [box.put("fault", {"fault": f"f{i}"}) for i in range(5)]
    assert len(set(keys)) == 5 and all(len(k) >= 16 for k in keys)
    first = box.peek(3)
    assert [i["key"] for i in first] == keys[:3]
    box.ack(keys[:2])
    assert [i["key"] for i in box.peek(10)] == keys[2:]
    assert box.size() == 3


def test_a_help_request_goes_before_the_counters_waiting_with_it(tmp_path):
    """A person waits for a mediator: the help request jumps a backlog of counters, the rest keep order."""
    box = Outbox(tmp_path / "o.sqlite3")
    counters = [box.put("session", {**SESSION, "hour": h % 24, "satisfaction": 1 + h % 5}) for h in range(300)]
    help_key = box.put("help", {"demarche": "carte-identite", "help_level": "urgent"})
    batch = box.peek(100)
    assert batch[0]["key"] == help_key
    assert [i["key"] for i in batch[1:]] == counters[:99]
    box.ack([i["key"] for i in batch])
    assert [i["key"] for i in box.peek(5)] == counters[99:104]


def test_items_survive_a_reopen_with_the_same_keys(tmp_path):
    box = Outbox(tmp_path / "o.sqlite3")
    key = box.put("session", SESSION)
    box.close()
    again = Outbox(tmp_path / "o.sqlite3")
    assert [i["key"] for i in again.peek()] == [key]
    assert again._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_full_outbox_merges_unsent_counters_and_counts_what_it_refuses(tmp_path):
    box = Outbox(tmp_path / "o.sqlite3", max_items=4)
    for _ in range(10):
        assert box.put("session", SESSION)
    other = dict(SESSION, demarche="retraite")
    assert box.put("session", other)
    assert box.size() <= 4
    total = sum(i["data"]["count"] for i in box.peek() if i["data"]["demarche"] == "carte-identite")
    assert total == 10
    for i in range(5):
        box.put("fault", {"fault": f"f{i}"})
    counters = box.counters()
    assert counters["refused"] >= 1 and counters["merged"] >= 1
    assert box.size() == 4


def test_counters_already_sent_once_are_never_merged(tmp_path):
    """An item that may have reached the hub keeps its key and its count (no double counting)."""
    box = Outbox(tmp_path / "o.sqlite3", max_items=2)
    sent = box.put("session", SESSION)
    box.peek()  # attempted: the hub may have stored it
    box.put("session", SESSION)
    box.put("session", SESSION)
    items = {i["key"]: i["data"]["count"] for i in box.peek()}
    assert items[sent] == 1 and sum(items.values()) == 3


def test_only_the_newest_unsent_heartbeat_is_kept(tmp_path):
    box = Outbox(tmp_path / "o.sqlite3")
    for n in range(3):
        box.put("heartbeat", {"backlog": n})
    assert [i["data"]["backlog"] for i in box.peek()] == [2]


def test_a_full_disk_refuses_and_counts_without_raising(tmp_path):
    box = Outbox(tmp_path / "o.sqlite3")
    kept = [box.put("fault", {"fault": "x" * 50}) for _ in range(3)]
    pages = box._db.execute("PRAGMA page_count").fetchone()[0]
    box._db.execute(f"PRAGMA max_page_count = {pages}")  # the file cannot grow any more: SQLITE_FULL
    results = [box.put("fault", {"fault": "y" * 3000}) for _ in range(20)]
    assert None in results
    assert box.counters()["refused"] >= 1
    assert all(k in {i["key"] for i in box.peek(100)} for k in kept)


def test_writers_on_several_threads(tmp_path):
    box = Outbox(tmp_path / "o.sqlite3")
    threads = [threading.Thread(target=lambda: [box.put("fault", {"fault": "t"}) for _ in range(50)])
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert box.size() == 200
    assert sqlite3.connect(tmp_path / "o.sqlite3").execute("SELECT COUNT(DISTINCT key) FROM outbox").fetchone()[0] == 200
