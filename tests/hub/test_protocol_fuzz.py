"""Hypothesis fuzz of the hub's request parsing: any JSON value is either a valid batch or a
ProtocolError with a sentence — never another exception; and the live hub never answers 5xx."""

from __future__ import annotations

import json

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.hub import signing
from kiosk.hub.protocol import ProtocolError, parse_alert_query, parse_batch

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20)

field_names = st.sampled_from(["key", "kind", "at", "data", "site", "events", "demarche", "help_level",
                               "outcome", "satisfaction", "language", "day", "hour", "count", "fault",
                               "version", "printer", "voice", "microphone", "backlog", "extra"])
near_valid_event = st.fixed_dictionaries({
    "key": st.one_of(st.just("A" * 20), st.text(max_size=70)),
    "kind": st.sampled_from(["session", "fault", "heartbeat", "help", "other"]),
    "at": st.one_of(st.floats(allow_nan=False), st.integers(), st.text(max_size=3)),
    "data": st.dictionaries(field_names, json_values, max_size=8),
})
near_valid_batch = st.fixed_dictionaries({"site": st.sampled_from(["fs-api", "", "FS", 3]),
                                          "events": st.lists(near_valid_event, max_size=3)})


@given(st.one_of(json_values, near_valid_batch))
@settings(max_examples=600, deadline=None)
def test_parse_batch_accepts_or_explains(raw):
    try:
        site, events = parse_batch(raw)
    except ProtocolError as exc:
        assert str(exc)
        return
    assert isinstance(site, str) and events


@given(json_values)
@settings(max_examples=300, deadline=None)
def test_parse_alert_query_accepts_or_explains(raw):
    try:
        parse_alert_query(raw)
    except ProtocolError as exc:
        assert str(exc)


def not_json_constants(body: bytes) -> bool:
    found = []
    json.loads(body, parse_constant=found.append)
    return bool(found)


def test_the_live_hub_never_answers_5xx_to_fuzzed_batches(hub):
    from tests.hub.conftest import enrolled_device
    device = enrolled_device(hub, site="fs-api")
    session = requests.Session()

    @given(st.one_of(json_values, near_valid_batch))
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    def post(raw):
        body = json.dumps(raw).encode()
        headers = signing.signed_headers(device["kiosk_id"], device["secret"], "POST", "/api/v1/events", body)
        headers["Content-Type"] = "application/json"
        response = session.post(hub.url + "/api/v1/events", data=body, headers=headers, timeout=10)
        assert response.status_code < 500, response.text
        if not_json_constants(body):  # Python writes Infinity and NaN; they are not JSON (RFC 8259)
            assert response.status_code == 400 and "not valid JSON" in response.json()["error"]
        else:
            assert response.status_code in (200, 403, 422)

    post()
