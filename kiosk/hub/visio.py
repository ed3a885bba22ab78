"""Visio routes: the kiosks' signed API (offer, create, watch, end a call), the citizen's call page
(consent, waiting, call — shown by Chromium on the kiosk), and the advisors' console.

Janus carries the media (visio_janus.py: one fresh room per call); the queue and counters live in
visio_dispatch.py. The pages open a WebSocket to Janus, so their CSP names its address.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from kiosk.hub import visio_dispatch as dispatch
from kiosk.hub import visio_janus as janus
from kiosk.hub.visio_external import external_url, frame_origins
from kiosk.hub.visio_text import visio_words
from kiosk.hub.api import _signed, refuse
from kiosk.hub.protocol import ProtocolError, is_ident
from kiosk.hub.store import HubError
from kiosk.hub.web import render
from kiosk.hub.web_auth import csrf_ok, session_user

router = APIRouter()
log = logging.getLogger(__name__)
JANUS_JS = Path("/usr/share/javascript/janus-gateway/janus.js")  # Debian's libjs-janus-gateway
POLL_MS = 500  # how often the call page and the console read the call's state


def page_headers() -> dict:
    """The hub's CSP, plus the WebSocket to Janus and the camera preview (blob:/mediastream)."""
    ws = janus.janus_ws_url()
    return {"content-security-policy":
            f"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"connect-src 'self' {ws}; media-src 'self' blob: mediastream:; frame-ancestors 'none'"
            + (f"; frame-src {' '.join(frame_origins())}" if frame_origins() else ""),
            "cache-control": "no-store"}


def free_room(row) -> None:
    """Destroy an ended call's Janus room (Janus down: it dies with Janus anyway)."""
    if row is not None and row.room is not None:
        try:
            janus.destroy_room(row.room, row.room_pin)
        except janus.JanusUnavailable:
            log.warning("visio: a room could not be destroyed (Janus unreachable)")


def sweep_and_free(engine) -> None:
    for row in dispatch.sweep(engine):
        free_room(row)


# ---- the kiosks' API (signed) --------------------------------------------------------------------

def _parse_offer(data) -> tuple[str, str]:
    if not isinstance(data, dict) or not is_ident(str(data.get("partner", "")).lower().replace(" ", "-")):
        raise ProtocolError("give the partner's code")
    language = str(data.get("language", "fr"))
    if not language.isalpha() or len(language) > 8:
        raise ProtocolError("give a language code such as fr")
    return str(data["partner"])[:32], language


def _parse_call(data) -> dict:
    partner, language = _parse_offer(data)
    demarche, help_level = str(data.get("demarche", "")), str(data.get("help_level", ""))
    if not is_ident(demarche) or help_level not in ("urgent", "guide", "teach"):
        raise ProtocolError("give the démarche id and the help level (urgent, guide or teach)")
    return {"partner": partner, "language": language, "demarche": demarche, "help_level": help_level}


def _parse_call_id(data) -> str:
    if not isinstance(data, dict) or not str(data.get("call", "")).isalnum() or len(str(data["call"])) > 32:
        raise ProtocolError("give the call id")
    return str(data["call"])


def _parse_status_query(data) -> tuple[str, str, float]:
    """(call id, the state the kiosk knows, how long it may wait for a change: at most 5 s)."""
    call_id = _parse_call_id(data)
    known, wait = str(data.get("known", ""))[:16], data.get("wait", 0)
    if not isinstance(wait, (int, float)) or not 0 <= wait <= 5:
        raise ProtocolError("wait must be 0 to 5 seconds")
    return call_id, known, float(wait)


@router.post("/api/v1/visio/offer")
async def api_offer(request: Request):
    """Can a call be offered now? Advisors on duty for the partner and language, Janus alive, the wait."""
    try:
        _, (partner, language) = await _signed(request, _parse_offer)
    except HubError as exc:
        return refuse(exc.status, exc.message)
    engine = request.app.state.engine
    if external_url(partner, "x"):  # the partner's own service: its page says whether someone answers
        return {"on_duty": 1, "media_server": True, "available": True, "external": True}
    on_duty = await run_in_threadpool(dispatch.advisors_on_duty, engine, partner, language)
    alive = await run_in_threadpool(janus.janus_alive)
    return {"on_duty": on_duty, "media_server": alive, "available": bool(on_duty and alive)}


@router.post("/api/v1/visio/calls")
async def api_create_call(request: Request):
    """A new call waiting for the citizen's consent: its id (to watch it) and its page's address."""
    try:
        kiosk, fields = await _signed(request, _parse_call)
    except HubError as exc:
        return refuse(exc.status, exc.message)
    call_id, token = await run_in_threadpool(dispatch.create_call, request.app.state.engine, kiosk.id, kiosk.site,
                                             **fields)
    return {"call": call_id, "page": f"/visio/c/{token}"}


async def _kiosk_call(request: Request, parse=_parse_call_id):
    kiosk, parsed = await _signed(request, parse)
    call_id = parsed if isinstance(parsed, str) else parsed[0]
    row = await run_in_threadpool(dispatch.call_by_id, request.app.state.engine, call_id)
    if row is None or row.kiosk_id != kiosk.id:
        raise HubError(404, "This call is unknown.")
    return row, parsed


@router.post("/api/v1/visio/calls/status")
async def api_call_status(request: Request):
    """The call's state; held up to `wait` seconds while it is still the state the kiosk `known`s,
    so that the kiosk sees the end (and the advisor taking the call) at once."""
    try:
        row, (_, known, wait) = await _kiosk_call(request, _parse_status_query)
        engine = request.app.state.engine
        await run_in_threadpool(sweep_and_free, engine)
        status = await run_in_threadpool(dispatch.call_status, engine, row.id)
        deadline = time.monotonic() + wait
        while status["state"] == known and time.monotonic() < deadline and not await request.is_disconnected():
            await asyncio.sleep(0.1)
            status = await run_in_threadpool(dispatch.call_status, engine, row.id, False)
        return status
    except HubError as exc:
        return refuse(exc.status, exc.message)


@router.post("/api/v1/visio/calls/end")
async def api_call_end(request: Request):
    """The kiosk ends the call (its browser closed, the citizen left): abandoned if still waiting."""
    try:
        row, _ = await _kiosk_call(request)
    except HubError as exc:
        return refuse(exc.status, exc.message)
    ended = await run_in_threadpool(dispatch.end_call, request.app.state.engine, row.id, "citizen")
    await run_in_threadpool(free_room, ended)
    return {"ended": True}


# ---- the citizen's call page (its address is the capability) --------------------------------------

async def _page_call(request: Request, token: str):
    if not 20 <= len(token) <= 64:
        return None
    return await run_in_threadpool(dispatch.call_by_token, request.app.state.engine, token)


@router.get("/visio/janus.js", include_in_schema=False)
async def janus_js():
    if not JANUS_JS.exists():
        return JSONResponse({"error": "Install the Debian package libjs-janus-gateway on the hub."}, status_code=503)
    return FileResponse(JANUS_JS, media_type="text/javascript", headers={"cache-control": "max-age=3600"})


@router.get("/visio/c/{token}", response_class=HTMLResponse)
async def call_page(request: Request, token: str):
    row = await _page_call(request, token)
    if row is None or row.state == "ended":
        words = visio_words(row.language if row is not None else "fr")
        return render(request, "visio_gone.html", status=404, lang=words["lang"], t=words)
    response = render(request, "visio_call.html", t=visio_words(row.language), partner=row.partner, token=token,
                      janus_ws=janus.janus_ws_url(), poll_ms=POLL_MS)
    response.headers.update(page_headers())
    return response


@router.post("/visio/c/{token}/start")
async def call_start(request: Request, token: str):
    row = await _page_call(request, token)
    if row is None:
        return JSONResponse({"error": "This call is over."}, status_code=404)
    if external_url(row.partner, row.id):
        await run_in_threadpool(dispatch.connect_external, request.app.state.engine, row.id)
        return {"external": True}
    await run_in_threadpool(dispatch.queue_call, request.app.state.engine, row.id)
    return {"queued": True}


@router.get("/visio/c/{token}/state")
async def call_state(request: Request, token: str):
    row = await _page_call(request, token)
    if row is None:
        return JSONResponse({"state": "ended", "end_reason": "unknown"}, status_code=404)
    engine = request.app.state.engine
    await run_in_threadpool(sweep_and_free, engine)
    status = await run_in_threadpool(dispatch.call_status, engine, row.id)
    if status["state"] == "taken" and external_url(row.partner, row.id):
        status.update(external=external_url(row.partner, row.id))
    elif status["state"] == "taken":
        row = await run_in_threadpool(dispatch.call_by_id, engine, row.id)
        status.update(room=row.room, pin=row.room_pin, server=janus.janus_ws_url())
    return JSONResponse(status, headers={"cache-control": "no-store"})


@router.post("/visio/c/{token}/end")
async def call_end(request: Request, token: str, reason: str = "citizen"):
    row = await _page_call(request, token)
    if row is None:
        return {"ended": True}
    if reason not in ("citizen", "dropped", "no_media", "declined"):
        reason = "citizen"
    ended = await run_in_threadpool(dispatch.end_call, request.app.state.engine, row.id, reason)
    await run_in_threadpool(free_room, ended)
    return {"ended": True}


# ---- the advisors' console -------------------------------------------------------------------------

async def _advisor(request: Request):
    user = await run_in_threadpool(session_user, request)
    if user is None or user.role != "advisor":
        return None, None
    return user, await run_in_threadpool(dispatch.advisor_for, request.app.state.engine, user)


def _refuse_api(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


@router.get("/visio/console", response_class=HTMLResponse)
async def console_page(request: Request):
    user, advisor = await _advisor(request)
    if user is None:
        return RedirectResponse("/login?next=/visio/console", status_code=303)
    response = render(request, "visio_console.html", user=user, advisor=advisor, poll_ms=POLL_MS,
                      outcomes=OUTCOME_LABELS, help_labels=HELP_LABELS)
    response.headers.update(page_headers())
    return response


def _midnight() -> float:
    now = time.localtime()
    return time.mktime((now.tm_year, now.tm_mon, now.tm_mday, 0, 0, 0, 0, 0, -1))


HELP_LABELS = {"urgent": "Urgent : faire pour la personne", "guide": "Faire avec la personne",
               "teach": "Apprendre à faire seul"}
OUTCOME_LABELS = {"solved": "Réglé", "follow_up": "Suite à donner", "redirected": "Réorienté",
                  "not_solved": "Non réglé"}


@router.get("/visio/console/state")
async def console_state(request: Request):
    user, advisor = await _advisor(request)
    if advisor is None:
        return _refuse_api("Sign in with an advisor account attached to a partner.", 401)
    engine = request.app.state.engine

    def read() -> dict:
        dispatch.advisor_seen(engine, advisor)
        sweep_and_free(engine)
        current = dispatch.current_call(engine, advisor)
        call = None
        if current is not None:
            call = {"id": current.id, "site": current.site, "demarche": current.demarche,
                    "help_level": current.help_level, "help_label": HELP_LABELS.get(current.help_level, ""),
                    "room": current.room, "pin": current.room_pin, "server": janus.janus_ws_url()}
        return {"queue": [{**item, "help_label": HELP_LABELS.get(item["help_level"], "")}
                          for item in dispatch.queue_for(engine, advisor)],
                "call": call, "on_duty": dispatch.advisors_on_duty(engine, advisor.partner),
                "counters": dispatch.counters(engine, advisor.partner, since=_midnight())}
    return JSONResponse(await run_in_threadpool(read), headers={"cache-control": "no-store"})


@router.post("/visio/console/take")
async def console_take(request: Request):
    user, advisor = await _advisor(request)
    if advisor is None:
        return _refuse_api("Sign in with an advisor account attached to a partner.", 401)
    if not csrf_ok(request, request.headers.get("x-csrf-token")):
        return _refuse_api("Reload the page, then try again.", 403)
    engine = request.app.state.engine
    try:
        taken = await run_in_threadpool(dispatch.take_next, engine, advisor, janus.create_room,
                                        lambda room, pin: janus.destroy_room(room, pin))
    except janus.JanusUnavailable:
        return _refuse_api("Le serveur vidéo ne répond pas : l'appel reste dans la file. Réessayez dans "
                           "une minute, ou prévenez l'administrateur.", 503)
    except HubError as exc:
        return _refuse_api(exc.message, exc.status)
    if taken is None:
        return _refuse_api("Personne n'attend pour le moment.", 409)
    return {"taken": taken["id"]}


@router.post("/visio/console/calls/{call_id}/end")
async def console_end(request: Request, call_id: str, outcome: str = ""):
    user, advisor = await _advisor(request)
    if advisor is None:
        return _refuse_api("Sign in with an advisor account attached to a partner.", 401)
    if not csrf_ok(request, request.headers.get("x-csrf-token")):
        return _refuse_api("Reload the page, then try again.", 403)
    engine = request.app.state.engine
    row = await run_in_threadpool(dispatch.call_by_id, engine, call_id[:32])
    if row is None or row.advisor_id != advisor.user_id:
        return _refuse_api("This call is not yours.", 404)
    try:
        if row.state == "ended":
            if outcome:
                await run_in_threadpool(dispatch.set_outcome, engine, row.id, advisor, outcome)
            return {"ended": True}
        ended = await run_in_threadpool(dispatch.end_call, engine, row.id, "advisor", outcome or None)
    except HubError as exc:
        return _refuse_api(exc.message, exc.status)
    await run_in_threadpool(free_room, ended)
    return {"ended": True}
