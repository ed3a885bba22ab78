"""The hub's web application (FastAPI). `create_app(settings)`; uvicorn workers use `app_from_env`."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from kiosk.hub import api, dashboard, web
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

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return JSONResponse({"error": "The request is malformed: check its fields."}, status_code=422)

    @app.middleware("http")
    async def _security_headers(request: Request, call_next):
        if app.state.master_secret is None and request.url.path != "/healthz":
            try:
                app.state.master_secret = await run_in_threadpool(master_secret, engine)
            except Exception:  # noqa: BLE001
                return JSONResponse({"error": "The hub's database is unreachable: try again later."},
                                    status_code=503)
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                    "script-src 'self'; frame-ancestors 'none'")
        return response

    return app


def app_from_env() -> FastAPI:
    """For `uvicorn --factory`: settings from KIOSK_HUB_* variables; `kiosk hub serve` migrated already."""
    return create_app(HubSettings.from_env(), run_migrations=False)
