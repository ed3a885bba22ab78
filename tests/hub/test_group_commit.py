"""Batches stored together (group commit on PostgreSQL; one by one on SQLite): under concurrent
load, with replays and retries racing their originals inside one group, every key is stored once,
every replay is refused, the counts are exact, and a kiosk revoked after its secret was cached is
refused at once."""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests
from sqlalchemy import func, select

from kiosk.hub import signing
from kiosk.hub.models import event_keys, kiosks, session_counts
from kiosk.hub.store import revoke_kiosk
from tests.hub.conftest import enrolled_device
from tests.hub.test_api import session_event, signed_post


def heartbeat_event(backlog: int) -> dict:
    return {"key": signing.secrets.token_urlsafe(18), "kind": "heartbeat", "at": time.time(),
            "data": {"version": "9.9.9", "printer": "ok", "voice": "off", "microphone": "fault", "backlog": backlog}}


def test_concurrent_batches_replays_and_retries_count_exactly_once(hub, tmp_path):
    devices = [enrolled_device(hub, site=f"fs-group-{n % 3}", path=tmp_path / f"d{n}.json") for n in range(12)]
    # each kiosk: 6 batches of 1-3 counters (count 2 each), a heartbeat in the last one
    plans = []
    for n, device in enumerate(devices):
        batches = [[session_event(count=2) for _ in range(1 + (n + b) % 3)] for b in range(6)]
        batches[-1].append(heartbeat_event(backlog=n))
        plans.append((device, batches))
    expected = {d["kiosk_id"]: 2 * sum(len([e for e in b if e["kind"] == "session"]) for b in batches)
                for d, batches in plans}
    stored_keys: list[str] = []
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(len(devices) * 3)

    def post(device, body: bytes, headers: dict) -> requests.Response:
        return requests.post(hub.url + "/api/v1/events", data=body, headers=headers, timeout=30)

    def retrier(device, batches):
        """The same events under new signatures (a kiosk that gave up waiting and sent them again)."""
        results = []
        start.wait()
        for batch in batches:
            results.append(signed_post(hub, device, "/api/v1/events", {"site": device["site"], "events": batch}))
        with lock:
            for response in results:
                statuses.append(response.status_code)
                if response.status_code == 200:
                    stored_keys.extend(response.json()["stored"])

    # two threads send the very same signed requests at once (one of each pair is a replay): built
    # once per kiosk, in order
    threads = []
    for device, batches in plans:
        shared = []
        for batch in batches:
            body = json.dumps({"site": device["site"], "events": batch}).encode()
            headers = signing.signed_headers(device["kiosk_id"], device["secret"], "POST", "/api/v1/events", body)
            headers["Content-Type"] = "application/json"
            shared.append((body, headers))

        def same_requests(device=device, shared=shared):
            results = []
            start.wait()
            for body, headers in shared:
                results.append(post(device, body, headers))
            with lock:
                for response in results:
                    statuses.append(response.status_code)
                    if response.status_code == 200:
                        stored_keys.extend(response.json()["stored"])

        threads += [threading.Thread(target=same_requests), threading.Thread(target=same_requests),
                    threading.Thread(target=retrier, args=(device, batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    all_keys = [e["key"] for _, batches in plans for batch in batches for e in batch]
    assert sorted(stored_keys) == sorted(all_keys), "every key stored exactly once, by one of the three senders"
    assert set(statuses) <= {200, 409} and statuses.count(409) >= 1
    assert statuses.count(200) + statuses.count(409) == 3 * sum(len(b) for _, b in plans)
    with hub.engine.begin() as conn:
        totals = dict(conn.execute(select(session_counts.c.kiosk_id, func.sum(session_counts.c.count))
                                   .group_by(session_counts.c.kiosk_id)).all())
        ledger = conn.execute(select(func.count()).select_from(event_keys)
                              .where(event_keys.c.key.in_(all_keys))).scalar_one()
        states = {r.id: r for r in conn.execute(select(kiosks).where(kiosks.c.id.in_(list(expected))))}
    assert {k: int(totals.get(k, 0)) for k in expected} == expected
    assert ledger == len(all_keys)
    for n, (device, _) in enumerate(plans):
        state = states[device["kiosk_id"]]
        assert (state.version, state.printer, state.voice, state.microphone, state.backlog) == \
            ("9.9.9", "ok", "off", "fault", n)
        assert state.last_contact is not None


def test_a_kiosk_revoked_after_its_secret_was_cached_is_refused(hub, tmp_path):
    device = enrolled_device(hub, site="fs-group-r", path=tmp_path / "r.json")
    payload = lambda: {"site": device["site"], "events": [session_event()]}  # noqa: E731
    for _ in range(3):  # the hub process now holds this kiosk's secret in its cache
        assert signed_post(hub, device, "/api/v1/events", payload()).status_code == 200
    assert revoke_kiosk(hub.engine, device["kiosk_id"])
    if hub.backend == "postgresql":
        # the group statement checks the kiosk's row itself: refused at the very next request
        response = signed_post(hub, device, "/api/v1/events", payload())
    else:  # one by one on SQLite: within the few seconds of the credentials cache
        deadline = time.time() + 10
        while (response := signed_post(hub, device, "/api/v1/events", payload())).status_code != 403 \
                and time.time() < deadline:
            time.sleep(0.5)
    assert response.status_code == 403 and "revoked" in response.json()["error"]


@pytest.mark.parametrize("case", ["wrong_secret", "other_site", "bad_event"])
def test_refusals_on_the_cached_path_store_nothing(hub, tmp_path, case):
    device = enrolled_device(hub, site="fs-group-x", path=tmp_path / f"{case}.json")
    assert signed_post(hub, device, "/api/v1/events",
                       {"site": device["site"], "events": [session_event()]}).status_code == 200
    event = session_event()
    if case == "wrong_secret":
        response = signed_post(hub, device, "/api/v1/events", {"site": device["site"], "events": [event]},
                               secret="0" * 64)
        assert response.status_code == 401
    elif case == "other_site":
        response = signed_post(hub, device, "/api/v1/events", {"site": "fs-elsewhere", "events": [event]})
        assert response.status_code == 403
    else:
        event["data"]["language"] = "Jean Dupont"
        response = signed_post(hub, device, "/api/v1/events", {"site": device["site"], "events": [event]})
        assert response.status_code == 422
    with hub.engine.begin() as conn:
        assert conn.execute(select(func.count()).select_from(event_keys)
                            .where(event_keys.c.key == event["key"])).scalar_one() == 0


@pytest.mark.parametrize("hub", ["postgresql"], indirect=True)   # the group writer is PostgreSQL's
def test_database_connections_cut_mid_load_lose_nothing_and_count_nothing_twice(hub, tmp_path):
    """Every connection of the hub to PostgreSQL is cut again and again while a kiosk sends: groups
    fail (503, sent again by the kiosk) or commit without an answer (the retry is a duplicate);
    in the end every session is counted once."""
    assert hub.backend == "postgresql"
    from kiosk.core.outbox import Outbox
    from kiosk.devices.hub_client import HubLink

    device = enrolled_device(hub, site="fs-group-cut", path=tmp_path / "cut.json")
    link = HubLink(device, Outbox(tmp_path / "cut.sqlite3"), heartbeat_s=0, backoff_base=0.05, backoff_cap=0.5)
    link.start()
    try:
        for n in range(300):
            link.record_session("carte-identite", "guide", "done", 1 + n % 5, "fr")
            if n % 25 == 0:
                with hub.engine.begin() as conn:
                    conn.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                         "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            time.sleep(0.005)
        deadline = time.time() + 60
        while link.state().backlog and time.time() < deadline:
            time.sleep(0.2)
        assert link.state().backlog == 0
        assert link.failed_requests > 0, "the cuts were felt: some batches were answered 503 and sent again"
    finally:
        link.close()
    with hub.engine.begin() as conn:
        total = conn.execute(select(func.sum(session_counts.c.count))
                             .where(session_counts.c.kiosk_id == device["kiosk_id"])).scalar_one()
        keys = conn.execute(select(func.count()).select_from(event_keys)
                            .where(event_keys.c.kiosk_id == device["kiosk_id"])).scalar_one()
    assert (total, keys) == (300, 300)


def _writer_with_a_fake_database(interval_s: float):
    """A GroupWriter whose statement is replaced by a stand-in that records each group and waits
    for `release` (no database: this is about when groups form, not what they store)."""
    import asyncio

    from kiosk.hub.pg_group import GroupWriter

    writer = GroupWriter("postgresql://unused", min_interval_s=interval_s)
    groups: list[tuple[float, list[str]]] = []
    release = asyncio.Event()
    release.set()

    async def store_group(group):
        groups.append((time.monotonic(), [r.nonce for r in group]))
        await release.wait()
        return [([], [], False) for _ in group]
    writer._store_group = store_group
    return writer, groups, release


def test_statements_are_paced_so_that_requests_arriving_together_share_one():
    """A lone request goes at once; the requests that arrive within the interval after a statement
    started wait for the next one and share it."""
    import asyncio

    from kiosk.hub.store import KioskAuth

    async def scenario():
        writer, groups, _ = _writer_with_a_fake_database(0.2)
        kiosks = [KioskAuth(id=f"k{n}", secret="s", site="fs", revoked=False) for n in range(4)]
        started = time.monotonic()
        first = asyncio.ensure_future(writer.store(kiosks[0], "n0", [], False))
        await asyncio.sleep(0.02)
        later = [asyncio.ensure_future(writer.store(k, f"n{i + 1}", [], False)) for i, k in enumerate(kiosks[1:])]
        await asyncio.gather(first, *later)
        return started, groups

    started, groups = asyncio.run(scenario())
    assert [nonces for _, nonces in groups] == [["n0"], ["n1", "n2", "n3"]]
    assert groups[0][0] - started < 0.1          # the lone request did not wait
    assert groups[1][0] - groups[0][0] >= 0.19   # the next statement waited for the interval

