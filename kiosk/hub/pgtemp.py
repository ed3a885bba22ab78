"""A throw-away PostgreSQL cluster on 127.0.0.1 for the hub's tests and benchmark.

`initdb` refuses root, so as root every PostgreSQL command runs as the `postgres` user.
Debian's PostgreSQL 15 binaries live in /usr/lib/postgresql/15/bin (apt-get install postgresql).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, check=True, capture_output=True, text=True)


class TempPostgres:
    def __init__(self, max_connections: int = 300):
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError("PostgreSQL 15 is missing: apt-get install postgresql (deploy/bootstrap.sh does)")
        self.root = Path(tempfile.mkdtemp(prefix="hub-pg-"))
        os.chmod(self.root, 0o755)
        self.data, self.sock = self.root / "data", self.root / "sock"
        self.sock.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.sock, "postgres", "postgres")
        self.port = free_port()
        self.max_connections = max_connections
        self.databases: list[str] = []

    def start(self) -> "TempPostgres":
        _as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", "-l", str(self.root / "log"),
                      "-o", f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 -c fsync=off "
                            f"-c synchronous_commit=off -c max_connections={self.max_connections}", "start"])
        return self

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def new_database(self, name: str) -> str:
        _as_postgres([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                      "-c", f"CREATE DATABASE {name}"])
        self.databases.append(name)
        return self.url(name)

    def stop(self) -> None:
        try:
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"])
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
