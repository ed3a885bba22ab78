"""Real counterparts for the printer tests.

- a loopback ESC/POS printer on 127.0.0.1:9100 (another port if 9100 is taken) that records
  the bytes and answers status queries, or misbehaves on purpose (kiosk.devices.printer.emulator);
- a real cupsd started in a temporary directory with a cups-pdf queue; the PDFs it produces
  land in the folder cups-pdf.conf names (`Out`).
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.core.catalogue import load_catalogue
from kiosk.core.config import load_config
from kiosk.core.receipt import build_receipt
from kiosk.devices.printer.emulator import EscposEmulator

CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
CUPS_PDF_BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
CUPS_PDF_CONF = Path("/etc/cups/cups-pdf.conf")


@pytest.fixture(scope="session")
def config():
    return load_config(None)


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture
def receipt(config, catalogue):
    return build_receipt(catalogue.demarches["carte-vitale"], config, "fr",
                         now=datetime(2025, 3, 4, 14, 5), reference="K7P-4MX")


@pytest.fixture
def printer_emulator():
    """A factory: printer_emulator(mode, **kw) -> a running EscposEmulator, closed after the test."""
    started: list[EscposEmulator] = []

    def start(mode: str = "ok", **kw) -> EscposEmulator:
        emu = EscposEmulator(mode, **kw)
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.close()


def _cups_pdf_out_dir() -> Path:
    """Where cups-pdf writes jobs submitted by the current user (Out in cups-pdf.conf)."""
    out = "/var/spool/cups-pdf/${USER}"
    for line in CUPS_PDF_CONF.read_text(encoding="utf-8", errors="replace").splitlines():
        m = re.match(r"\s*Out\s+(\S.*)$", line)
        if m:
            out = m.group(1).strip()
    user = pwd.getpwuid(os.getuid())
    return Path(out.replace("${HOME}", user.pw_dir).replace("${USER}", user.pw_name))


class CupsServer:
    def __init__(self, socket_path: str, queue: str, out_dir: Path):
        self.socket = socket_path
        self.queue = queue
        self.out_dir = out_dir
        self.started = time.time()

    @property
    def uri(self) -> str:
        return f"cups://{self.queue}?server={self.socket}"

    def env(self) -> dict[str, str]:
        return {**os.environ, "CUPS_SERVER": self.socket, "LC_ALL": "C"}

    def wait_for_pdf(self, request_id: str, timeout: float = 30.0) -> Path:
        """The PDF cups-pdf wrote for a request id such as `kiosk-test-7`."""
        number = request_id.rsplit("-", 1)[-1]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = sorted(p for p in self.out_dir.glob(f"*job_{number}.pdf")
                           if p.stat().st_mtime >= self.started - 1)
            done = subprocess.run(["lpstat", "-W", "completed", "-o", self.queue], capture_output=True,
                                  text=True, env=self.env()).stdout
            if found and request_id in done and found[0].stat().st_size > 0:
                return found[0]
            time.sleep(0.2)
        log = Path(self.socket).parent / "log" / "error_log"
        raise AssertionError(f"no PDF for {request_id} in {self.out_dir} after {timeout} s; "
                             f"cupsd log: {log.read_text()[-2000:] if log.exists() else 'none'}")


@pytest.fixture(scope="session")
def cups_server():
    """A private cupsd (our own config in a temporary folder) with a cups-pdf queue."""
    missing = [p for p in ("cupsd", "lpadmin", "lp", "lpstat") if shutil.which(p) is None]
    missing += [str(p) for p in (CUPS_PDF_PPD, CUPS_PDF_BACKEND, CUPS_PDF_CONF) if not p.exists()]
    if missing:
        pytest.skip("CUPS is not installed (missing: " + ", ".join(missing) +
                    "); .ci/run installs cups, cups-client, cups-bsd and printer-driver-cups-pdf")
    if os.geteuid() != 0:
        pytest.skip("starting a private cupsd with the cups-pdf backend needs root (the CI runs as root)")
    root = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
    for sub in ("spool/tmp", "cache", "state", "log"):
        (root / sub).mkdir(parents=True)
    os.chmod(root, 0o755)
    sock = str(root / "cups.sock")
    (root / "cupsd.conf").write_text(
        f"Listen {sock}\nLogLevel warn\nWebInterface No\nBrowsing No\nMaxJobs 0\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n")
    (root / "cups-files.conf").write_text(
        f"ServerRoot {root}\nRequestRoot {root}/spool\nTempDir {root}/spool/tmp\nCacheDir {root}/cache\n"
        f"StateDir {root}/state\nDataDir /usr/share/cups\nServerBin /usr/lib/cups\n"
        f"AccessLog {root}/log/access_log\nErrorLog {root}/log/error_log\nPageLog {root}/log/page_log\n"
        "SystemGroup root\nUser lp\nGroup lp\n")
    proc = subprocess.Popen(["cupsd", "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    env = {**os.environ, "CUPS_SERVER": sock, "LC_ALL": "C"}
    queue = f"kiosk-test-{os.getpid()}"
    try:
        deadline = time.monotonic() + 15
        while not os.path.exists(sock):
            if proc.poll() is not None:
                raise RuntimeError(f"cupsd exited: {proc.stderr.read().decode(errors='replace')}")
            if time.monotonic() > deadline:
                raise RuntimeError("cupsd did not create its socket within 15 s")
            time.sleep(0.05)
        for _ in range(50):
            added = subprocess.run(["lpadmin", "-p", queue, "-v", "cups-pdf:/", "-P", str(CUPS_PDF_PPD), "-E"],
                                   capture_output=True, text=True, env=env)
            if added.returncode == 0:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"lpadmin failed: {added.stderr}")
        out_dir = _cups_pdf_out_dir()
        out_dir.mkdir(parents=True, exist_ok=True)
        before = set(out_dir.glob("*.pdf"))
        server = CupsServer(sock, queue, out_dir)
        yield server
        for pdf in set(out_dir.glob("*.pdf")) - before:
            pdf.unlink(missing_ok=True)
        subprocess.run(["lpadmin", "-x", queue], capture_output=True, env=env)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)
