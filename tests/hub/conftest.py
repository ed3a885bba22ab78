"""Real counterparts for the hub tests: a PostgreSQL 15 started here (as the postgres user, on a
loopback port), and the hub itself as a uvicorn process on 127.0.0.1, once per test module and
database backend. Migrations run from an empty database each time."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from kiosk.hub.pgtemp import TempPostgres
from tests.waiting import wait_until  # noqa: F401 (used by the tests importing it from here)

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]



@pytest.fixture(scope="session")
def postgres():
    """A throw-away PostgreSQL 15 cluster on 127.0.0.1 (trust auth, loopback only), started as `postgres`."""
    pg = TempPostgres().start()
    try:
        yield pg
    finally:
        pg.stop()


class HubProcess:
    """`uvicorn kiosk.hub.app:app_from_env` on 127.0.0.1 in its own process (can be killed and restarted)."""

    def __init__(self, database_url: str, data_dir: Path, alert_repeat_s: float = 3.0, workers: int = 1,
                 env: dict | None = None):
        self.extra_env = env or {}
        self.database_url = database_url
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.alert_repeat_s = alert_repeat_s
        self.workers = workers
        self.proc: subprocess.Popen | None = None
        from kiosk.hub.db import make_engine, migrate
        self.engine = make_engine(database_url)
        migrate(self.engine)

    def start(self) -> "HubProcess":
        env = {**os.environ, "KIOSK_HUB_DATABASE_URL": self.database_url,
               "KIOSK_HUB_ALERT_REPEAT_SECONDS": str(self.alert_repeat_s), **self.extra_env}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "kiosk.hub.app:app_from_env", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(self.workers), "--log-level", "warning", "--no-access-log"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(self.data_dir / "hub.log", "ab"),
            start_new_session=True)
        wait_until(self._healthy, 30, what="the hub to answer /healthz")
        return self

    def _healthy(self) -> bool:
        assert self.proc.poll() is None, (self.data_dir / "hub.log").read_text()[-3000:]
        try:
            return requests.get(self.url + "/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.engine.dispose()


def make_hub(request, postgres_fixture_name: str, tmp_path_factory, backend: str, **kw) -> HubProcess:
    data_dir = tmp_path_factory.mktemp(f"hub-{backend}")
    if backend == "sqlite":
        url = f"sqlite:///{data_dir / 'hub.sqlite3'}"
    else:
        pg = request.getfixturevalue(postgres_fixture_name)
        name = f"hub_{request.module.__name__.split('.')[-1]}_{len(pg.databases)}".lower()
        url = pg.new_database(name)
    return HubProcess(url, data_dir, **kw)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hub(request, tmp_path_factory):
    """A running hub per test module, on embedded SQLite and on PostgreSQL."""
    server = make_hub(request, "postgres", tmp_path_factory, request.param).start()
    server.backend = request.param
    yield server
    server.stop()


def enrolled_device(hub: HubProcess, site: str = "fs-test", name: str = "Accueil 1", path: Path | None = None) -> dict:
    """Add a kiosk in the hub (as `kiosk hub add-kiosk` does) and enrol it over HTTP."""
    from kiosk.devices.hub_client import enrol
    from kiosk.hub.store import add_kiosk
    _, code = add_kiosk(hub.engine, name, site)
    target = path or (hub.data_dir / f"device-{time.monotonic_ns()}.json")
    return enrol(hub.url, code, target)
