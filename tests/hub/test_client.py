"""The kiosk's HubLink through its real outbox to the real hub, and HubClient against a hostile hub
(slow, 500, malformed JSON, closing mid-answer, refused connection, wrong secret)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time

import pytest
import requests
from sqlalchemy import func, select

from kiosk.core.outbox import Outbox
from kiosk.devices.hub_client import HubClient, HubLink, HubRefused, HubUnavailable
from kiosk.hub.models import alerts, faults, session_counts
from kiosk.hub.store import answer_alert
from tests.hub.conftest import enrolled_device, free_port, wait_until


class HostileHub:
    """A loopback HTTP server that misbehaves on demand, or passes requests on to the real hub."""

    def __init__(self, real_url: str):
        self.real_url = real_url
        self.mode = "pass"
        self.requests = 0
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def close(self):
        self._stop = True
        self.sock.close()

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    @staticmethod
    def _read_request(conn) -> tuple[str, dict, bytes]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                raise ConnectionError
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        length = int(headers.get("content-length", 0))
        while len(body) < length:
            body += conn.recv(65536)
        return lines[0], headers, body

    def _handle(self, conn):
        with conn:
            try:
                line, headers, body = self._read_request(conn)
            except (ConnectionError, OSError, ValueError):
                return
            self.requests += 1
            mode = self.mode
            if mode == "slow":
                time.sleep(3)
                return
            if mode == "close":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"sto")
                return
            if mode == "500":
                self._reply(conn, 500, b'{"error": "boom"}')
                return
            if mode == "busy":
                self._reply(conn, 503, b'{"error": "busy"}', b"Retry-After: 1\r\n")
                return
            if mode == "malformed":
                self._reply(conn, 200, b'{"stored": [')
                return
            if mode == "no_keys":
                self._reply(conn, 200, b'{"ok": true}')
                return
            method, path, _ = line.split(" ")
            forwarded = {k: v for k, v in headers.items() if k.startswith("x-kiosk") or k == "content-type"}
            answer = requests.request(method, self.real_url + path, data=body, headers=forwarded, timeout=30)
            self._reply(conn, answer.status_code, answer.content)

    @staticmethod
    def _reply(conn, status, body, extra=b""):
        conn.sendall(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                     b"%sConnection: close\r\n\r\n%s" % (status, len(body), extra, body))


@pytest.fixture(scope="module")
def hostile(hub):
    server = HostileHub(hub.url)
    yield server
    server.close()


def total_sessions(hub, kiosk_id):
    with hub.engine.begin() as conn:
        return conn.execute(select(func.coalesce(func.sum(session_counts.c.count), 0))
                            .where(session_counts.c.kiosk_id == kiosk_id)).scalar_one()


def make_link(device, tmp_path, **kw):
    kw.setdefault("heartbeat_s", 0)
    kw.setdefault("backoff_base", 0.05)
    kw.setdefault("backoff_cap", 0.5)
    kw.setdefault("long_poll_s", 5)
    return HubLink(device, Outbox(tmp_path / "outbox.sqlite3"), **kw)


def test_sessions_faults_and_heartbeat_arrive_exactly_once(hub, tmp_path):
    device = enrolled_device(hub, site="fs-client")
    link = make_link(device, tmp_path, heartbeat_s=30, version="9.9.9")
    link.set_device_state(printer="ok", voice="ok", microphone="off")
    link.start()
    try:
        for i in range(25):
            link.record_session("carte-identite", "guide", "done", 1 + i % 5, "fr")
        link.record_session("Jean Dupont", "??", "whatever", 9, "français")  # coerced to closed values
        link.report_fault("printer-paper")
        wait_until(lambda: link.state().backlog == 0 and total_sessions(hub, device["kiosk_id"]) == 26,
                   15, what="the outbox to drain")
    finally:
        link.close()
    assert total_sessions(hub, device["kiosk_id"]) == 26
    with hub.engine.begin() as conn:
        assert conn.execute(select(func.count()).select_from(session_counts)
                            .where(session_counts.c.demarche == "none", session_counts.c.language == "other",
                                   session_counts.c.kiosk_id == device["kiosk_id"])).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(faults)
                            .where(faults.c.kiosk_id == device["kiosk_id"])).scalar_one() == 1
    state = link.state()
    assert state.enrolled and state.connected and state.last_contact and state.last_error == ""


def test_help_request_reaches_the_hub_and_the_answer_comes_back(hub, tmp_path):
    device = enrolled_device(hub, site="fs-client")
    link = make_link(device, tmp_path)
    answered = []
    link.on_help_answered = answered.append
    link.start()
    try:
        alert_id = link.request_help("caf-logement", "urgent")
        assert alert_id and link.help_status(alert_id) in ("queued", "delivered")
        wait_until(lambda: _alert_row(hub, alert_id), 10, what="the alert on the hub")
        wait_until(lambda: link.help_status(alert_id) == "delivered", 10, what="the link to see it delivered")
        row = _alert_row(hub, alert_id)
        assert (row.demarche, row.help_level, row.site) == ("caf-logement", "urgent", "fs-client")
        assert answer_alert(hub.engine, alert_id, "Sam", None)
        started = time.monotonic()
        wait_until(lambda: answered == [alert_id], 10, what="on_help_answered")
        assert time.monotonic() - started < 3
        assert link.help_status(alert_id) == "answered"
    finally:
        link.close()


def test_unanswered_help_repeats_and_the_kiosk_is_told(hub, tmp_path):
    device = enrolled_device(hub, site="fs-client")
    link = make_link(device, tmp_path)
    repeats = []
    link.on_help_unanswered = lambda alert_id, n: repeats.append((alert_id, n))
    link.start()
    try:
        alert_id = link.request_help("retraite", "guide")
        wait_until(lambda: repeats, hub.alert_repeat_s + 10, what="on_help_unanswered")
        assert repeats[0] == (alert_id, 1)
        assert link.help_status(alert_id) == "repeated"
    finally:
        link.close()


def _alert_row(hub, alert_id):
    with hub.engine.begin() as conn:
        return conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()


def test_survey_url_opens_the_survey_and_a_forged_one_does_not(hub, tmp_path):
    device = enrolled_device(hub, site="fs-client")
    link = make_link(device, tmp_path)
    try:
        url = link.survey_url("carte-identite", "en")
        page = requests.get(url, timeout=5)
        assert page.status_code == 200 and "Is your procedure settled?" in page.text
        token = url.rsplit("/", 1)[1]
        payload, mac = token.split(".")
        import base64, json
        fields = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        fields["s"] = "fs-other"
        forged = base64.urlsafe_b64encode(json.dumps(fields).encode()).rstrip(b"=").decode() + "." + mac
        assert requests.get(url.rsplit("/", 1)[0] + "/" + forged, timeout=5).status_code == 404
        assert requests.post(url.rsplit("/", 1)[0] + "/" + forged, timeout=5,
                             data={"solved": "yes", "missing": "nothing", "rating": "5"}).status_code == 404
        done = requests.post(url, data={"solved": "partly", "missing": "appointment", "rating": "4"}, timeout=5)
        assert done.status_code == 200 and "Thank you" in done.text
    finally:
        link.close()


@pytest.mark.parametrize("mode", ["slow", "500", "malformed", "close", "no_keys"])
def test_client_turns_a_misbehaving_hub_into_hub_unavailable(hub, hostile, mode, tmp_path):
    device = enrolled_device(hub, site="fs-client")
    client = HubClient({**device, "hub_url": hostile.url}, timeout=0.5)
    hostile.mode = mode
    try:
        started = time.monotonic()
        with pytest.raises(HubUnavailable):
            client.send_events([{"key": "K" * 20, "kind": "fault", "at": time.time(), "data": {"fault": "x"}}])
        assert time.monotonic() - started < 5
    finally:
        hostile.mode = "pass"
        client.close()


def test_each_request_goes_out_in_one_write_headers_and_body_together(hub, monkeypatch):
    """One write per request (one TCP segment on the wire), not the header block and then the body;
    the hub reads both from it, and the kept-alive connection carries the next request the same way."""
    device = enrolled_device(hub, site="fs-client")
    client = HubClient(device)
    me, writes = threading.current_thread(), []
    send = http.client.HTTPConnection.send

    def recorded(self, data):
        if threading.current_thread() is me:
            writes.append(bytes(data))
        return send(self, data)

    monkeypatch.setattr(http.client.HTTPConnection, "send", recorded)
    try:
        for n in range(2):
            key = f"one-write-{n}".ljust(20, "x")
            stored, _ = client.send_events([{"key": key, "kind": "fault", "at": time.time(), "data": {"fault": "x"}}])
            assert stored == [key]
            assert len(writes) == n + 1
            head, body = writes[n].split(b"\r\n\r\n", 1)
            assert head.startswith(b"POST /api/v1/events HTTP/1.1\r\n")
            assert f"content-length: {len(body)}".encode() in head.lower()
            assert json.loads(body)["events"][0]["key"] == key
    finally:
        client.close()


def test_connection_refused_is_hub_unavailable(hub):
    device = enrolled_device(hub, site="fs-client")
    client = HubClient({**device, "hub_url": f"http://127.0.0.1:{free_port()}"})
    with pytest.raises(HubUnavailable):
        client.alert_status(["A" * 20])


def test_wrong_secret_is_refused_and_reported(hub, tmp_path):
    device = enrolled_device(hub, site="fs-client")
    client = HubClient({**device, "secret": "f" * 64})
    with pytest.raises(HubRefused) as info:
        client.send_events([{"key": "W" * 20, "kind": "fault", "at": time.time(), "data": {"fault": "x"}}])
    assert info.value.status == 401
    link = make_link({**device, "secret": "f" * 64}, tmp_path)
    link.start()
    try:
        link.report_fault("printer-jam")
        wait_until(lambda: "refused" in link.state().last_error, 10, what="the refusal on the panel")
        assert link.state().backlog == 1  # kept until the kiosk is enrolled again
    finally:
        link.close()


def test_link_keeps_everything_through_a_hostile_hub_then_delivers_exactly(hub, hostile, tmp_path):
    device = enrolled_device(hub, site="fs-client")
    link = make_link({**device, "hub_url": hostile.url}, tmp_path)
    link.start()
    try:
        for mode in ("500", "malformed", "close", "slow"):
            hostile.mode = mode
            before = hostile.requests
            for _ in range(5):
                link.record_session("impots", "teach", "done", 5, "en")
            wait_until(lambda: hostile.requests >= before + 2, 20, what=f"retries through '{mode}'")
            assert not link.state().connected and link.state().last_error
        hostile.mode = "pass"
        link.flush()
        wait_until(lambda: link.state().backlog == 0, 30, what="the backlog to drain")
    finally:
        hostile.mode = "pass"
        link.close()
    assert total_sessions(hub, device["kiosk_id"]) == 20


def test_a_second_help_request_is_not_held_up_by_the_first_ones_long_poll(hub, tmp_path):
    device = enrolled_device(hub, site="fs-client")
    link = make_link(device, tmp_path, long_poll_s=25)
    answered = []
    link.on_help_answered = answered.append
    link.start()
    try:
        first = link.request_help("retraite", "guide")
        wait_until(lambda: link.help_status(first) == "delivered", 10, what="the first alert delivered")
        second = link.request_help("retraite", "urgent")  # the watcher is now in a 25 s long poll
        wait_until(lambda: _alert_row(hub, second), 10, what="the second alert on the hub")
        assert answer_alert(hub.engine, second, "Sam", None)
        started = time.monotonic()
        wait_until(lambda: second in answered, 10, what="the answer to the second alert")
        assert time.monotonic() - started < 5
        assert link.help_status(first) == "delivered"
    finally:
        link.close()


def test_a_busy_hub_is_retried_when_it_says_not_with_a_growing_backoff(hub, hostile, tmp_path):
    device = enrolled_device(hub, site="fs-client")
    link = make_link({**device, "hub_url": hostile.url}, tmp_path, backoff_base=5.0, backoff_cap=300.0)
    hostile.mode = "busy"
    link.start()
    try:
        before = hostile.requests
        link.record_session("impots", "guide", "done", 4, "fr")
        # Retry-After: 1 -> a retry every 1-2 s; exponential backoff from 5 s would need > 15 s for 3 tries
        wait_until(lambda: hostile.requests >= before + 4, 9, what="retries paced by Retry-After")
        hostile.mode = "pass"
        wait_until(lambda: link.state().backlog == 0, 10, what="delivery once the hub is free")
    finally:
        hostile.mode = "pass"
        link.close()
    assert total_sessions(hub, device["kiosk_id"]) == 1


def test_a_help_request_does_not_wait_out_a_busy_hubs_backoff(tmp_path):
    """A busy hub sheds counters and says "come back in 30 s"; a help request written meanwhile goes
    at once, ahead of the counters, and the busy hub takes it (a person is waiting)."""
    from sqlalchemy import create_engine

    from tests.hub.conftest import HubProcess
    busy = HubProcess(f"sqlite:///{tmp_path / 'busy.sqlite3'}", tmp_path,
                      env={"KIOSK_HUB_MAX_IN_FLIGHT": "0", "KIOSK_HUB_RETRY_AFTER": "30"})
    busy.start()
    device = enrolled_device(busy, site="fs-busy")
    link = make_link(device, tmp_path)
    link.start()
    try:
        link.record_session("impots", "guide", "done", 4, "fr")
        wait_until(lambda: link.failed_requests >= 1, 10, what="the counters shed with Retry-After: 30")
        alert_id = link.request_help("impots", "urgent")
        wait_until(lambda: link.help_status(alert_id) in ("delivered", "repeated"), 10,
                   what="the help request, well before the 30 s the hub asked for")
        engine = create_engine(f"sqlite:///{tmp_path / 'busy.sqlite3'}")
        with engine.begin() as conn:
            assert conn.execute(select(func.count()).select_from(alerts)).scalar_one() == 1
        engine.dispose()
    finally:
        link.close()
        busy.stop()
