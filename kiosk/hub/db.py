"""Database engine (embedded SQLite in WAL mode, or PostgreSQL by URL) and Alembic migrations."""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
from pathlib import Path

logging.getLogger("alembic").setLevel(logging.WARNING)  # before alembic is imported: its plugins log at import

from alembic import command  # noqa: E402
from alembic.config import Config as AlembicConfig  # noqa: E402
from sqlalchemy import Engine, create_engine, event, insert, select  # noqa: E402
from sqlalchemy.exc import IntegrityError  # noqa: E402

from kiosk.hub.models import hub_meta  # noqa: E402

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kiosk-hub"


def database_url(data_dir: str | Path | None, url: str | None) -> str:
    """The URL given, else an SQLite file hub.sqlite3 under the data folder (made if missing)."""
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    folder = Path(data_dir) if data_dir else default_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'hub.sqlite3'}"


def make_engine(url: str, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    # No ping before each checkout (a round trip per request): a connection broken by a database
    # restart fails its request once (the kiosk retries: its outbox keeps the batch), and SQLAlchemy
    # then drops every pooled connection of that database.
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=600)


def migrate(engine: Engine) -> None:
    """Apply every Alembic migration not yet applied (from an empty database too)."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if database and database != ":memory:":
        # SQLite DDL is not transactional under Alembic: processes starting together take turns
        with open(f"{database}.migrate-lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            _upgrade(engine, cfg)
        return
    _upgrade(engine, cfg)


def _upgrade(engine: Engine, cfg: AlembicConfig) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # several hub machines starting at once: one migrates, the others wait, then find nothing to do
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7308411)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def master_secret(engine: Engine) -> str:
    """The hub-wide secret (cookies, CSRF, survey keys), made once and shared by every process."""
    with engine.begin() as conn:
        value = conn.execute(select(hub_meta.c.value).where(hub_meta.c.key == "master_secret")).scalar()
    if value:
        return value
    try:
        with engine.begin() as conn:
            conn.execute(insert(hub_meta).values(key="master_secret", value=secrets.token_hex(32)))
    except IntegrityError:
        pass  # another process made it first
    with engine.begin() as conn:
        return conn.execute(select(hub_meta.c.value).where(hub_meta.c.key == "master_secret")).scalar_one()
