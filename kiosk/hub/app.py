"""The hub's web application (FastAPI). `create_app(settings)`; uvicorn workers use `app_from_env`."""

from __future__ import annotations

import gc
import logging
import os
import time
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from kiosk.hub import api, dashboard, visio, web
from kiosk.hub.db import make_engine, master_secret, migrate
from kiosk.hub.settings import HubSettings

HERE = Path(__file__).resolve().parent
log = logging.getLogger(__name__)


def create_app(settings: HubSettings, run_migrations: bool = True) -> FastAPI:
    engine = make_engine(settings.database_url, settings.pool_size)
    if run_migrations:
        migrate(engine)
    app = FastAPI(title="kiosk hub", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.engine = engine
    try:
        app.state.master_secret = master_secret(engine)
    except Exception:  # noqa: BLE001 — database down at start: /healthz says 503, pages retry
        log.error("hub: database unreachable at start")
        app.state.master_secret = None
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(api.router)
    app.include_router(web.router)
    app.include_router(dashboard.router)
    app.include_router(visio.router)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return JSONResponse({"error": "The request is malformed: check its fields."}, status_code=422)

    return app


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                 b"script-src 'self'; frame-ancestors 'none'"),
]


class HubMiddleware:
    """In front of FastAPI's own stack (pure ASGI, as uvicorn runs the hub): security headers on every
    answer, 503 while the database that holds the hub's master secret cannot be reached (except
    /healthz, which says so), a busy hub sheds batches of counters, and the kiosks' POST
    /api/v1/events goes straight to its handler. `.state` and the rest are the FastAPI app's."""

    def __init__(self, app: FastAPI):
        self.app = app
        self.in_flight = 0
        self.max_in_flight = int(os.environ.get("KIOSK_HUB_MAX_IN_FLIGHT", "64"))
        self.retry_after = os.environ.get("KIOSK_HUB_RETRY_AFTER", "1")
        # on PostgreSQL the kiosks' event batches are stored in groups by one async connection
        self.writer = None
        if app.state.engine.dialect.name == "postgresql" and os.environ.get("KIOSK_HUB_GROUP_COMMIT", "1") != "0":
            from kiosk.hub.pg_group import GroupWriter, libpq_dsn
            self.writer = GroupWriter(libpq_dsn(app.state.engine))

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["path"].startswith("/api/v1/events") and self.in_flight >= self.max_in_flight \
                and (b"x-kiosk-urgent", b"1") not in scope["headers"]:
            # overloaded: answer at once so kiosks back off (their outbox keeps everything) rather
            # than queue here and make every request slow; a batch carrying a help request or a fault
            # is never shed: a person is waiting
            response = JSONResponse({"error": "The hub is busy: try again shortly."}, status_code=503,
                                    headers={"Retry-After": self.retry_after})
            return await response(scope, receive, send)
        self.in_flight += 1
        try:
            await self._handle(scope, receive, send)
        finally:
            self.in_flight -= 1

    def __getattr__(self, name):
        return getattr(self.app, name)

    async def _handle(self, scope, receive, send):
        state = self.app.state
        if state.master_secret is None and scope["path"] != "/healthz":
            try:
                state.master_secret = await run_in_threadpool(master_secret, state.engine)
            except Exception:  # noqa: BLE001
                response = JSONResponse({"error": "The hub's database is unreachable: try again later."},
                                        status_code=503)
                return await response(scope, receive, send)

        started = time.perf_counter()

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in names] + [
                    (b"server-timing", b"app;dur=%.1f" % ((time.perf_counter() - started) * 1000))]
            await send(message)

        if scope["path"] == "/api/v1/events" and scope["method"] == "POST":
            return await api.events_endpoint(scope, receive, send_with_headers, state.engine, self.writer)
        await self.app(scope, receive, send_with_headers)


def app_from_env() -> HubMiddleware:
    """For `uvicorn --factory`: settings from KIOSK_HUB_* variables; `kiosk hub serve` migrated already."""
    app = HubMiddleware(create_app(HubSettings.from_env(), run_migrations=False))
    gc.freeze()
    return app
