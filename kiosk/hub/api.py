"""The kiosks' API: enrolment, signed event batches, help-alert status (long-poll)."""

from __future__ import annotations

import asyncio
import logging
import time

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kiosk.hub import signing
from kiosk.hub.protocol import (MAX_BODY_BYTES, ProtocolError, parse_alert_query, parse_batch,
                                parse_config_query, parse_config_report)
from kiosk.hub.store import (CONTACT_WRITE_S, PG_ONE_STATEMENT_KINDS, HubError, KioskAuth, _last_contact_written,
                             alerts_status, cached_kiosk_auth, config_for, content_for, enrol, forget_kiosk_auth,
                             ingest, ingest_pg_batch, kiosk_auth, pg_one_statement, remember_nonce, report_config,
                             report_content)

log = logging.getLogger(__name__)
router = APIRouter()


def refuse(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def read_json(request: Request) -> tuple[bytes, object]:
    """The body (at most MAX_BODY_BYTES, JSON only) and its parsed value, or HubError."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise HubError(415, "Send the body as application/json.")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        raise HubError(413, f"The body is larger than {MAX_BODY_BYTES} bytes: send fewer events at a time.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise HubError(413, f"The body is larger than {MAX_BODY_BYTES} bytes: send fewer events at a time.")
        chunks.append(chunk)
    body = b"".join(chunks)
    try:
        return body, orjson.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise HubError(400, "The body is not valid JSON.") from None


def authenticate(request: Request, body: bytes) -> KioskAuth:
    return authenticate_headers(request.app.state.engine, request.headers, request.method, request.url.path, body)


def authenticate_headers(engine, h, method: str, path: str, body: bytes) -> KioskAuth:
    """The kiosk that signed this request (headers: any mapping with .get, lower-case names), or HubError."""
    kiosk_id = h.get(signing.HEADER_KIOSK, "")
    timestamp = h.get(signing.HEADER_TIMESTAMP, "")
    nonce = h.get(signing.HEADER_NONCE, "")
    given = h.get(signing.HEADER_SIGNATURE, "")
    if not (kiosk_id and timestamp and given) or not (16 <= len(nonce) <= 64) or len(kiosk_id) > 32:
        raise HubError(401, "This request is not signed: enrol the kiosk with `kiosk enrol`.")
    if not signing.timestamp_fresh(timestamp):
        raise HubError(401, "The kiosk's clock is more than 5 minutes off: set the time (NTP) and retry.")
    kiosk = kiosk_auth(engine, kiosk_id)
    if kiosk is None or not signing.check_signature(kiosk.secret, method, path, timestamp, nonce, body, given):
        raise HubError(401, "Wrong signature: this kiosk is unknown or its secret is wrong; enrol it again.")
    if kiosk.revoked:
        raise HubError(403, "This kiosk was revoked on the hub.")
    return kiosk


def batch_for(kiosk: KioskAuth, data) -> list[dict]:
    """The events of a batch this kiosk may send (its own site), or HubError 422/403."""
    try:
        site, events = parse_batch(data)
    except ProtocolError as exc:
        raise HubError(422, f"Refused, nothing stored: {exc}.") from None
    if site != kiosk.site:
        raise HubError(403, "This kiosk belongs to another site: nothing stored.")
    return events


# the group writer's statement checks each kiosk's row itself: its cached secret may be this old
GROUP_AUTH_CACHE_S = 600.0


async def store_events_grouped(writer, engine, headers, path: str, body: bytes, data) -> tuple[list[str], list[str]]:
    """`store_events` for a batch of counters and heartbeats on PostgreSQL: checked here in the event
    loop with the cached credentials, stored by the process's group writer (kiosk/hub/pg_group.py).
    Anything else (an unknown or changed kiosk, a help request, a fault) takes the careful path."""
    from kiosk.hub.pg_group import KioskMismatch, Replayed

    kiosk = cached_kiosk_auth(headers.get(signing.HEADER_KIOSK, ""), GROUP_AUTH_CACHE_S)
    events = data.get("events") if isinstance(data, dict) else None
    if kiosk is None or kiosk.revoked or not isinstance(events, list) \
            or not all(isinstance(e, dict) and e.get("kind") in PG_ONE_STATEMENT_KINDS for e in events):
        return await run_in_threadpool(store_events, engine, headers, "POST", path, body, data)
    timestamp = headers.get(signing.HEADER_TIMESTAMP, "")
    nonce = headers.get(signing.HEADER_NONCE, "")
    if not (timestamp and 16 <= len(nonce) <= 64) or not signing.timestamp_fresh(timestamp) \
            or not signing.check_signature(kiosk.secret, "POST", path, timestamp, nonce, body,
                                           headers.get(signing.HEADER_SIGNATURE, "")):
        return await run_in_threadpool(store_events, engine, headers, "POST", path, body, data)
    events = batch_for(kiosk, data)
    write_contact = any(e["kind"] == "heartbeat" for e in events) \
        or time.time() - _last_contact_written.get(kiosk.id, 0) > CONTACT_WRITE_S
    try:
        stored, duplicates, contacted = await writer.store(kiosk, nonce, events, write_contact)
    except Replayed:
        raise HubError(409, "Replayed request refused.") from None
    except KioskMismatch:  # revoked, re-enrolled or moved since it was cached: look again
        forget_kiosk_auth(kiosk.id)
        return await run_in_threadpool(store_events, engine, headers, "POST", path, body, data)
    if contacted:
        _last_contact_written[kiosk.id] = time.time()
    return stored, duplicates


def store_events(engine, headers, method: str, path: str, body: bytes, data) -> tuple[list[str], list[str]]:
    """Authenticate, validate and store one batch in one transaction: (stored keys, duplicate keys)."""
    kiosk = authenticate_headers(engine, headers, method, path, body)
    events = batch_for(kiosk, data)
    if pg_one_statement(engine, events):
        return ingest_pg_batch(engine, kiosk, headers.get(signing.HEADER_NONCE, ""), events)
    with engine.begin() as conn:
        if not remember_nonce(conn, engine, kiosk.id, headers.get(signing.HEADER_NONCE, "")):
            raise HubError(409, "Replayed request refused.")
        return ingest(conn, engine, kiosk, events)


@router.get("/healthz")
async def healthz(request: Request):
    def probe() -> bool:
        try:
            with request.app.state.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            return True
        except Exception:  # noqa: BLE001 — any failure means "not healthy"
            return False
    ok = await run_in_threadpool(probe)
    return JSONResponse({"status": "ok" if ok else "database unreachable"}, status_code=200 if ok else 503)


@router.post("/api/v1/enrol")
async def api_enrol(request: Request):
    try:
        _, data = await read_json(request)
        if not isinstance(data, dict) or set(data) != {"code"} or not isinstance(data["code"], str) \
                or not 0 < len(data["code"]) <= 40:
            raise HubError(422, "Send {\"code\": \"XXXX-XXXX-XXXX\"}.")
        result = await run_in_threadpool(enrol, request.app.state.engine, data["code"])
    except HubError as exc:
        return refuse(exc.status, exc.message)
    result["survey_key"] = signing.site_survey_key(request.app.state.master_secret, result["site"])
    return result


@router.post("/api/v1/events")
async def api_events(request: Request):
    """Served by `events_endpoint` below (bare ASGI); this route is the same code through FastAPI."""
    try:
        body, data = await read_json(request)
        stored, duplicates = await run_in_threadpool(store_events, request.app.state.engine, request.headers,
                                                     request.method, request.url.path, body, data)
    except HubError as exc:
        return refuse(exc.status, exc.message)
    return JSONResponse({"stored": stored, "duplicates": duplicates})


class _Headers(dict):
    """An ASGI scope's headers as a lower-case str mapping (the last value of a repeated name wins)."""

    def __init__(self, raw):
        super().__init__((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in raw)

    def get(self, name: str, default=None):
        return super().get(name.lower(), default)

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())


async def events_endpoint(scope, receive, send, engine, writer=None) -> None:
    """POST /api/v1/events without FastAPI's routing and middleware stack: this is what every kiosk
    calls all day, so it is kept to the work itself (body limit, JSON, signature, one transaction)."""
    headers = _Headers(scope["headers"])
    try:
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise HubError(415, "Send the body as application/json.")
        declared = headers.get("content-length")
        too_big = f"The body is larger than {MAX_BODY_BYTES} bytes: send fewer events at a time."
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
            raise HubError(413, too_big)
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise HubError(413, too_big)
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            data = orjson.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise HubError(400, "The body is not valid JSON.") from None
        path = scope.get("root_path", "") + scope["path"]
        if writer is not None:
            stored, duplicates = await store_events_grouped(writer, engine, headers, path, body, data)
        else:
            stored, duplicates = await run_in_threadpool(store_events, engine, headers, "POST", path, body, data)
        status, answer = 200, {"stored": stored, "duplicates": duplicates}
    except HubError as exc:
        status, answer = exc.status, {"error": exc.message}
    except Exception:  # noqa: BLE001 — the database failed mid-way: nothing was stored, the kiosk retries
        log.exception("events: the batch could not be stored")
        status, answer = 503, {"error": "The hub cannot store this now: it will be tried again later."}
    payload = orjson.dumps(answer)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(payload))]})
    await send({"type": "http.response.body", "body": payload})


@router.post("/api/v1/alerts/status")
async def api_alert_status(request: Request):
    engine = request.app.state.engine
    repeat_s = request.app.state.settings.alert_repeat_s
    try:
        body, data = await read_json(request)
        kiosk = await run_in_threadpool(authenticate, request, body)
        try:
            ids, wait = parse_alert_query(data)
        except ProtocolError as exc:
            raise HubError(422, f"{exc}.") from None
        nonce = request.headers[signing.HEADER_NONCE]

        def check_nonce():
            with engine.begin() as conn:
                if not remember_nonce(conn, engine, kiosk.id, nonce):
                    raise HubError(409, "Replayed request refused.")
        await run_in_threadpool(check_nonce)
    except HubError as exc:
        return refuse(exc.status, exc.message)
    started = time.time()
    first = await run_in_threadpool(alerts_status, engine, kiosk, ids, repeat_s)
    deadline = time.monotonic() + wait
    current = first
    while current == first and time.monotonic() < deadline:
        if await request.is_disconnected():
            break
        await asyncio.sleep(0.25)
        current = await run_in_threadpool(alerts_status, engine, kiosk, ids, repeat_s, started)
    return JSONResponse({"alerts": current, "repeat_seconds": repeat_s})


async def _signed(request: Request, parse):
    """(kiosk, parsed body) of a signed request whose nonce is new, or HubError."""
    engine = request.app.state.engine
    body, data = await read_json(request)

    def check():
        kiosk = authenticate(request, body)
        try:
            parsed = parse(data)
        except ProtocolError as exc:
            raise HubError(422, f"{exc}.") from None
        with engine.begin() as conn:
            if not remember_nonce(conn, engine, kiosk.id, request.headers[signing.HEADER_NONCE]):
                raise HubError(409, "Replayed request refused.")
        return kiosk, parsed
    return await run_in_threadpool(check)


@router.post("/api/v1/config")
async def api_config(request: Request):
    """The kiosk's newer config if there is one: {"version": n, "toml": "..."}; else {"version": have}."""
    try:
        kiosk, have = await _signed(request, parse_config_query)
    except HubError as exc:
        return refuse(exc.status, exc.message)
    current = await run_in_threadpool(config_for, request.app.state.engine, kiosk.id)
    if current is None or current[0] <= have:
        return JSONResponse({"version": have})
    return JSONResponse({"version": current[0], "toml": current[1]})


@router.post("/api/v1/config/report")
async def api_config_report(request: Request):
    try:
        kiosk, (version, applied, reasons) = await _signed(request, parse_config_report)
    except HubError as exc:
        return refuse(exc.status, exc.message)
    await run_in_threadpool(report_config, request.app.state.engine, kiosk.id, version, applied, reasons)
    return JSONResponse({"recorded": True})


@router.post("/api/v1/content")
async def api_content(request: Request):
    """The newest démarches content for this kiosk: {"version": n, "files": {...}}; else {"version": have}."""
    try:
        kiosk, have = await _signed(request, parse_config_query)
    except HubError as exc:
        return refuse(exc.status, exc.message)
    offer = await run_in_threadpool(content_for, request.app.state.engine, kiosk, have)
    if offer is None:
        return JSONResponse({"version": have})
    return JSONResponse({"version": offer[0], "files": offer[1]})


@router.post("/api/v1/content/report")
async def api_content_report(request: Request):
    try:
        kiosk, (version, applied, reasons) = await _signed(request, parse_config_report)
    except HubError as exc:
        return refuse(exc.status, exc.message)
    await run_in_threadpool(report_content, request.app.state.engine, kiosk.id, version, applied, reasons)
    return JSONResponse({"recorded": True})
