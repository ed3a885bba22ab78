"""The hub's pages: sign-in, the mediator's live alerts, the cold survey (dashboard: dashboard.py)."""

from __future__ import annotations

import asyncio
import json
import threading
import time

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from kiosk.hub import signing, store
from kiosk.hub.store import MISSING, SOLVED, HubError, add_survey_answer, answer_alert, login, open_alerts
from kiosk.hub.survey_text import survey_language, survey_words
from kiosk.hub.web_auth import (PRE_COOKIE, SESSION_COOKIE, SESSION_S, cookie_flags, csrf_ok, csrf_token,
                                make_session, new_pre_cookie, session_user)

router = APIRouter()
PAGE_ROLES = {"mediator": ("admin", "mediator"), "dashboard": ("admin",)}


def render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    templates = request.app.state.templates
    return templates.TemplateResponse(request, name, {"csrf": csrf_token(request), **context},
                                      status_code=status)


async def current_user(request: Request, page: str):
    user = await run_in_threadpool(session_user, request)
    if user is None or user.role not in PAGE_ROLES[page]:
        return None
    return user


@router.get("/", include_in_schema=False)
async def home(request: Request):
    return RedirectResponse("/mediator", status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/mediator"):
    response = None
    if not request.cookies.get(PRE_COOKIE):
        pre = new_pre_cookie()
        request.cookies[PRE_COOKIE] = pre  # so that the token below is bound to it
        response = render(request, "login.html", next=_safe_next(next))
        response.set_cookie(PRE_COOKIE, pre, max_age=3600, **cookie_flags(request))
        return response
    return render(request, "login.html", next=_safe_next(next))


def _safe_next(target: str) -> str:
    return target if target in ("/mediator", "/dashboard", "/visio/console") else "/mediator"


@router.post("/login")
async def login_submit(request: Request, name: str = Form(""), password: str = Form(""),
                       csrf_token_field: str = Form("", alias="csrf_token"), next: str = Form("/mediator")):
    if not csrf_ok(request, csrf_token_field):
        return render(request, "login.html", status=403, next=_safe_next(next),
                      error="This form has expired. Reload the page, then sign in again.")
    client = request.client.host if request.client else "?"
    try:
        user = await run_in_threadpool(login, request.app.state.engine, name[:64], password[:200], client)
    except HubError as exc:
        return render(request, "login.html", status=exc.status, next=_safe_next(next), error=exc.message)
    if user is None:
        return render(request, "login.html", status=401, next=_safe_next(next),
                      error="Wrong name or password. Check them and try again.")
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, make_session(request.app.state.master_secret, user),
                        max_age=SESSION_S, **cookie_flags(request))
    return response


@router.post("/logout")
async def logout(request: Request, csrf_token_field: str = Form("", alias="csrf_token")):
    response = RedirectResponse("/login", status_code=303)
    if csrf_ok(request, csrf_token_field):
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# ---- mediator ----------------------------------------------------------------------------------

@router.get("/mediator", response_class=HTMLResponse)
async def mediator_page(request: Request):
    user = await current_user(request, "mediator")
    if user is None:
        return RedirectResponse("/login?next=/mediator", status_code=303)
    return render(request, "mediator.html", user=user,
                  repeat_s=int(request.app.state.settings.alert_repeat_s))


class AlertFeed:
    """One poller per app process: every mediator stream of the process shares one query (instead of
    one per stream), and each stream keeps only its site's alerts. The query runs when an alert is
    stored or answered (woken by this process, or by PostgreSQL's NOTIFY from another), and every
    POLL_S anyway (repeats are a matter of time)."""

    POLL_S = 0.25

    def __init__(self, engine, repeat_s: float):
        self.engine, self.repeat_s = engine, repeat_s
        self.items: list[dict] = []
        self.version = 0
        self.listeners = 0
        self._changed = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._notify_thread: threading.Thread | None = None

    def subscribe(self) -> None:
        self.listeners += 1
        if self._task is None or self._task.done():
            self._loop = asyncio.get_running_loop()
            self._task = self._loop.create_task(self._poll())
            store.alert_wakers.add(self.wake_threadsafe)
            if self.engine.dialect.name == "postgresql" and self._notify_thread is None:
                self._notify_thread = threading.Thread(target=self._listen, name="hub-alert-notify", daemon=True)
                self._notify_thread.start()

    def unsubscribe(self) -> None:
        self.listeners -= 1

    def wake_threadsafe(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    def _listen(self) -> None:
        """LISTEN on a connection of its own; each NOTIFY from any app process wakes the poller."""
        import psycopg  # noqa: PLC0415 — only on PostgreSQL

        dsn = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while True:
            try:
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {store.ALERTS_CHANNEL}")
                    for _ in conn.notifies():
                        self.wake_threadsafe()
            except Exception:  # noqa: BLE001 — database restart: the POLL_S poll covers the gap
                time.sleep(1.0)

    async def _poll(self) -> None:
        last = None
        while self.listeners > 0:
            self._wake.clear()
            try:
                items = await run_in_threadpool(open_alerts, self.engine, None, self.repeat_s, 300, 5000)
            except Exception:  # noqa: BLE001 — database hiccup: keep the last list, try again
                items = self.items
            digest = [(a["id"], a["state"], a["repeats"]) for a in items]
            if digest != last:
                last, self.items = digest, items
                self.version += 1
                self._changed.set()
                self._changed = asyncio.Event()
            try:
                await asyncio.wait_for(self._wake.wait(), self.POLL_S)
            except asyncio.TimeoutError:
                pass
        store.alert_wakers.discard(self.wake_threadsafe)

    async def wait_change(self, version: int, timeout: float) -> None:
        if self.version == version:
            try:
                await asyncio.wait_for(self._changed.wait(), timeout)
            except asyncio.TimeoutError:
                pass


def _feed(request: Request) -> AlertFeed:
    state = request.app.state
    if getattr(state, "alert_feed", None) is None:
        state.alert_feed = AlertFeed(state.engine, state.settings.alert_repeat_s)
    return state.alert_feed


@router.get("/mediator/events")
async def mediator_events(request: Request):
    """Server-sent events: the whole list of the mediator's open alerts each time it changes."""
    user = await current_user(request, "mediator")
    if user is None:
        return JSONResponse({"error": "Sign in as a mediator."}, status_code=401)
    feed = _feed(request)
    site = user.site

    async def stream():
        feed.subscribe()
        try:
            last, version = None, -1
            yield "retry: 2000\n\n"
            while not await request.is_disconnected():
                if feed.version != version:
                    version = feed.version
                    items = [a for a in feed.items if site is None or a["site"] == site][:100]
                    digest = [(a["id"], a["state"], a["repeats"]) for a in items]
                    if digest != last:
                        last = digest
                        yield f"event: alerts\ndata: {json.dumps(items, ensure_ascii=False)}\n\n"
                        continue
                await feed.wait_change(version, 15)
                if feed.version == version:
                    yield ": keep-alive\n\n"
        finally:
            feed.unsubscribe()

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.post("/mediator/alerts/{alert_id}/answer")
async def mediator_answer(request: Request, alert_id: str):
    user = await current_user(request, "mediator")
    if user is None:
        return JSONResponse({"error": "Sign in as a mediator."}, status_code=401)
    if not csrf_ok(request, request.headers.get("x-csrf-token")):
        return JSONResponse({"error": "Reload the page, then try again."}, status_code=403)
    done = await run_in_threadpool(answer_alert, request.app.state.engine, alert_id[:64], user.name, user.site)
    if not done:
        return JSONResponse({"error": "This alert is already answered or unknown."}, status_code=409)
    return {"answered": alert_id}


# ---- cold survey -------------------------------------------------------------------------------

def _check_token(request: Request, token: str) -> dict | None:
    fields = signing.read_survey_token(token)
    if fields is None:
        return None
    key = signing.site_survey_key(request.app.state.master_secret, fields["site"])
    return fields if signing.check_survey_token(key, token) else None


@router.get("/s/{token}", response_class=HTMLResponse)
async def survey_page(request: Request, token: str):
    fields = _check_token(request, token)
    if fields is None:
        return render(request, "survey_invalid.html", status=404, t=survey_words("fr"))
    lang = survey_language(fields["language"])
    return render(request, "survey.html", t=survey_words(lang), lang=lang, token=token,
                  solved_choices=SOLVED, missing_choices=MISSING)


@router.post("/s/{token}", response_class=HTMLResponse)
async def survey_submit(request: Request, token: str, solved: str = Form(""), missing: str = Form(""),
                        rating: str = Form("")):
    fields = _check_token(request, token)
    if fields is None:
        return render(request, "survey_invalid.html", status=404, t=survey_words("fr"))
    lang = survey_language(fields["language"])
    try:
        score = int(rating) if rating.isdigit() else 0
        await run_in_threadpool(add_survey_answer, request.app.state.engine, fields, solved, missing, score)
    except HubError:
        return render(request, "survey.html", status=422, t=survey_words(lang), lang=lang, token=token,
                      solved_choices=SOLVED, missing_choices=MISSING, error=survey_words(lang)["error"],
                      chosen={"solved": solved, "missing": missing, "rating": rating})
    return render(request, "survey_done.html", t=survey_words(lang), lang=lang)


@router.get("/favicon.ico", include_in_schema=False)
async def favicon():
    return Response(status_code=204)
