"""The hub's kiosk API on a real server (SQLite and PostgreSQL): enrolment, signatures, replays,
idempotency, and bad input that must get a clear 4xx with nothing stored."""

from __future__ import annotations

import json
import time

import pytest
import requests
from sqlalchemy import func, select

from kiosk.hub import signing
from kiosk.hub.models import alerts, event_keys, faults, session_counts
from kiosk.hub.store import add_kiosk, revoke_kiosk
from tests.hub.conftest import enrolled_device, wait_until


def signed_post(hub, device, path, payload=None, *, raw: bytes | None = None, content_type="application/json",
                headers=None, secret=None, now=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    h = signing.signed_headers(device["kiosk_id"], secret or device["secret"], "POST", path, body, now=now)
    h["Content-Type"] = content_type
    h.update(headers or {})
    return requests.post(hub.url + path, data=body, headers=h, timeout=10)


def session_event(key=None, **data):
    base = {"demarche": "carte-identite", "help_level": "guide", "outcome": "done", "satisfaction": 4,
            "language": "fr", "day": "2026-11-30", "hour": 10}
    base.update(data)
    return {"key": key or signing.secrets.token_urlsafe(18), "kind": "session", "at": time.time(), "data": base}


def count_rows(hub, table, **where):
    query = select(func.count()).select_from(table)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    with hub.engine.begin() as conn:
        return conn.execute(query).scalar_one()


@pytest.fixture(scope="module")
def device(hub, tmp_path_factory):
    return enrolled_device(hub, site="fs-api")


def test_healthz_answers_200_with_the_database(hub):
    response = requests.get(hub.url + "/healthz", timeout=5)
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_pairing_code_works_once(hub):
    _, code = add_kiosk(hub.engine, "Accueil 2", "fs-api")
    first = requests.post(hub.url + "/api/v1/enrol", json={"code": code}, timeout=5)
    assert first.status_code == 200
    assert set(first.json()) == {"kiosk_id", "name", "site", "secret", "survey_key"}
    second = requests.post(hub.url + "/api/v1/enrol", json={"code": code}, timeout=5)
    assert second.status_code == 403 and "already used" in second.json()["error"]


def test_expired_pairing_code_is_refused(hub):
    _, code = add_kiosk(hub.engine, "Accueil 3", "fs-api", valid_s=-1)
    response = requests.post(hub.url + "/api/v1/enrol", json={"code": code}, timeout=5)
    assert response.status_code == 403 and "expired" in response.json()["error"]


def test_enrolled_device_file_is_private(hub, tmp_path):
    device = enrolled_device(hub, site="fs-api", path=tmp_path / "kiosk" / "hub-device.json")
    assert (tmp_path / "kiosk" / "hub-device.json").stat().st_mode & 0o777 == 0o600
    assert len(device["secret"]) == 64


def test_signed_batch_is_stored_once_even_when_sent_twice(hub, device):
    event = session_event(count=3)
    first = signed_post(hub, device, "/api/v1/events", {"site": device["site"], "events": [event]})
    assert first.status_code == 200 and first.json() == {"stored": [event["key"]], "duplicates": []}
    again = signed_post(hub, device, "/api/v1/events", {"site": device["site"], "events": [event]})
    assert again.status_code == 200 and again.json() == {"stored": [], "duplicates": [event["key"]]}
    with hub.engine.begin() as conn:
        total = conn.execute(select(func.sum(session_counts.c.count))
                             .where(session_counts.c.kiosk_id == device["kiosk_id"])).scalar_one()
    assert total == 3


def test_replayed_request_is_refused(hub, device):
    body = json.dumps({"site": device["site"], "events": [session_event()]}).encode()
    headers = signing.signed_headers(device["kiosk_id"], device["secret"], "POST", "/api/v1/events", body)
    headers["Content-Type"] = "application/json"
    assert requests.post(hub.url + "/api/v1/events", data=body, headers=headers, timeout=5).status_code == 200
    replay = requests.post(hub.url + "/api/v1/events", data=body, headers=headers, timeout=5)
    assert replay.status_code == 409 and "Replayed" in replay.json()["error"]


def test_wrong_secret_and_stale_timestamp_are_refused(hub, device):
    payload = {"site": device["site"], "events": [session_event()]}
    wrong = signed_post(hub, device, "/api/v1/events", payload, secret="0" * 64)
    assert wrong.status_code == 401 and "Wrong signature" in wrong.json()["error"]
    stale = signed_post(hub, device, "/api/v1/events", payload, now=time.time() - 3600)
    assert stale.status_code == 401 and "clock" in stale.json()["error"]
    unsigned = requests.post(hub.url + "/api/v1/events", json=payload, timeout=5)
    assert unsigned.status_code == 401
    assert count_rows(hub, event_keys, key=payload["events"][0]["key"]) == 0


def test_revoked_kiosk_is_refused(hub, tmp_path):
    device = enrolled_device(hub, site="fs-api", path=tmp_path / "d.json")
    assert revoke_kiosk(hub.engine, device["kiosk_id"])
    # each hub process caches a kiosk's credentials for at most 3 s
    (response,) = wait_until(lambda: (lambda r: (r,) if r.status_code == 403 else None)(
        signed_post(hub, device, "/api/v1/events", {"site": device["site"], "events": [session_event()]})),
        timeout=10, interval=0.5, what="the revocation to reach the hub")
    assert "revoked" in response.json()["error"]


@pytest.mark.parametrize("case", ["oversized", "content_type", "not_json", "unknown_field", "unknown_data_field",
                                  "sql_like", "bad_kind", "other_site", "free_text_language"])
def test_bad_input_gets_a_clear_4xx_and_nothing_is_stored(hub, device, case):
    event = session_event()
    payload = {"site": device["site"], "events": [event]}
    kwargs = {}
    expected = 422
    if case == "oversized":
        kwargs["raw"] = json.dumps({"site": device["site"], "events": [event], "pad": "x" * 300_000}).encode()
        expected = 413
    elif case == "content_type":
        kwargs["content_type"] = "text/plain"
        expected = 415
    elif case == "not_json":
        kwargs["raw"] = b'{"site": "fs-api", "events": [{'
        expected = 400
    elif case == "unknown_field":
        payload["comment"] = "hello"
    elif case == "unknown_data_field":
        event["data"]["name"] = "Jean Dupont"
    elif case == "sql_like":
        event["data"]["demarche"] = "x'); DROP TABLE session_counts; --"
    elif case == "bad_kind":
        event["kind"] = "citizen"
    elif case == "other_site":
        payload["site"] = "fs-elsewhere"
        expected = 403
    elif case == "free_text_language":
        event["data"]["language"] = "je parle français"
    response = signed_post(hub, device, "/api/v1/events", payload, **kwargs)
    assert response.status_code == expected, response.text
    assert response.json()["error"].endswith(".")
    assert count_rows(hub, event_keys, key=event["key"]) == 0
    assert count_rows(hub, session_counts, demarche="x'); DROP TABLE session_counts; --") == 0


def test_fault_and_heartbeat_update_the_fleet(hub, device):
    from kiosk.hub.models import kiosks
    events = [
        {"key": signing.secrets.token_urlsafe(18), "kind": "fault", "at": time.time(), "data": {"fault": "printer-paper"}},
        {"key": signing.secrets.token_urlsafe(18), "kind": "heartbeat", "at": time.time(),
         "data": {"version": "1.2.3", "printer": "fault", "voice": "ok", "microphone": "off", "backlog": 7}},
    ]
    assert signed_post(hub, device, "/api/v1/events", {"site": device["site"], "events": events}).status_code == 200
    assert count_rows(hub, faults, kiosk_id=device["kiosk_id"], fault="printer-paper") == 1
    assert count_rows(hub, alerts, kiosk_id=device["kiosk_id"], reason="fault") == 0
    with hub.engine.begin() as conn:
        row = conn.execute(select(kiosks).where(kiosks.c.id == device["kiosk_id"])).one()
    assert (row.version, row.printer, row.voice, row.microphone, row.backlog) == ("1.2.3", "fault", "ok", "off", 7)


def test_a_fault_marked_alert_reaches_the_mediators(hub, device):
    event = {"key": signing.secrets.token_urlsafe(18), "kind": "fault", "at": time.time(),
             "data": {"fault": "printer-jam", "alert": True}}
    assert signed_post(hub, device, "/api/v1/events", {"site": device["site"], "events": [event]}).status_code == 200
    assert count_rows(hub, alerts, id=event["key"], reason="fault", demarche="printer-jam") == 1


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from kiosk.hub.db import MIGRATIONS
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def test_concurrent_migrations_from_empty_agree(hub, request, tmp_path):
    """Several hub processes starting together on one empty database: all succeed, the schema is at head."""
    import subprocess
    import sys

    from kiosk.hub.db import make_engine
    from tests.hub.conftest import ROOT
    if hub.backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").new_database("hub_concurrent_migrations")
    code = "import sys; from kiosk.hub.db import make_engine, migrate; migrate(make_engine(sys.argv[1]))"
    procs = [subprocess.Popen([sys.executable, "-c", code, url], cwd=ROOT, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    results = [(p.wait(60), p.stderr.read()) for p in procs]
    assert [rc for rc, _ in results] == [0, 0, 0], results
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head_revision()
    finally:
        engine.dispose()


def test_an_overloaded_hub_sheds_event_batches_with_retry_after(tmp_path, device):
    """KIOSK_HUB_MAX_IN_FLIGHT=0: every batch meets a full hub; it says 503 and when to retry, stores
    nothing, and /healthz still answers."""
    from tests.hub.conftest import HubProcess
    busy = HubProcess(f"sqlite:///{tmp_path / 'busy.sqlite3'}", tmp_path, env={"KIOSK_HUB_MAX_IN_FLIGHT": "0"})
    busy.start()
    try:
        response = signed_post(busy, device, "/api/v1/events", {"site": device["site"], "events": [session_event()]})
        assert response.status_code == 503 and response.headers["retry-after"] == "1"
        assert "busy" in response.json()["error"]
        assert requests.get(busy.url + "/healthz", timeout=5).status_code == 200
        # a batch carrying a help request is examined even so (here: this kiosk is unknown to this hub)
        urgent = signed_post(busy, device, "/api/v1/events", {"site": device["site"], "events": [session_event()]},
                             headers={"X-Kiosk-Urgent": "1"})
        assert urgent.status_code == 401
    finally:
        busy.stop()
