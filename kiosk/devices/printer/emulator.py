"""A loopback ESC/POS network printer (port 9100) that records what it receives.

It answers real-time status queries (DLE EOT 1, 2, 4) like a printer in the chosen state, and
can misbehave on purpose. Used by the tests, the benchmark, and for trying `kiosk print-test`
without hardware. Listens on 127.0.0.1 only.

modes: ok, paper_out, cover_open, offline, paper_low,
       silent       - accepts, never answers, never reads (a stalled printer)
       refuse       - accepts and closes at once
       close_mid_job- closes after `close_after` bytes of job data
       stall_after  - answers until `close_after` bytes of job data arrived, then stops reading
"""

from __future__ import annotations

import socket
import threading
import time

STATUS = {  # mode -> (DLE EOT 1, 2, 4) answers
    "ok": (0x12, 0x12, 0x12),
    "paper_low": (0x12, 0x12, 0x1E),
    "paper_out": (0x1A, 0x32, 0x72),
    "cover_open": (0x1A, 0x16, 0x12),
    "offline": (0x1A, 0x12, 0x12),
}


class EscposEmulator:
    def __init__(self, mode: str = "ok", port: int = 9100, close_after: int = 2000):
        self.mode = mode
        self.close_after = close_after
        self.jobs: list[bytes] = []          # bytes of each connection, as received
        self.connections = 0
        self.received = threading.Condition()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._sock.bind(("127.0.0.1", port))
        except OSError:
            self._sock.bind(("127.0.0.1", 0))  # 9100 taken: any free port
        self._sock.listen(8)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._clients: list[socket.socket] = []
        t = threading.Thread(target=self._accept, name="escpos-emulator", daemon=True)
        t.start()
        self._threads.append(t)

    @property
    def uri(self) -> str:
        return f"escpos+tcp://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        self._sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (socket.timeout, TimeoutError):
                continue
            except OSError:
                return
            self.connections += 1
            if self.mode == "refuse":
                conn.close()
                continue
            self._clients.append(conn)
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn: socket.socket) -> None:
        buf = bytearray()
        index = len(self.jobs)
        self.jobs.append(b"")
        scan = 0
        job_bytes = 0
        conn.settimeout(0.1)
        try:
            while not self._stop.is_set():
                if self.mode == "silent" or (self.mode == "stall_after" and job_bytes >= self.close_after):
                    time.sleep(0.05)
                    continue
                try:
                    data = conn.recv(65536)
                except (socket.timeout, TimeoutError):
                    continue
                if not data:
                    break
                buf.extend(data)
                with self.received:
                    self.jobs[index] = bytes(buf)
                    self.received.notify_all()
                while True:
                    at = buf.find(b"\x10\x04", scan)
                    if at < 0 or at + 2 >= len(buf):
                        scan = max(scan, len(buf) - 2)
                        break
                    n = buf[at + 2]
                    scan = at + 3
                    if n in (1, 2, 3, 4):
                        answers = STATUS.get(self.mode, STATUS["ok"])
                        conn.sendall(bytes([{1: answers[0], 2: answers[1], 3: 0x12, 4: answers[2]}[n]]))
                job_bytes = len(buf) - 3 * buf.count(b"\x10\x04")
                if self.mode == "close_mid_job" and job_bytes >= self.close_after:
                    conn.shutdown(socket.SHUT_RDWR)
                    break
        except OSError:
            pass
        finally:
            conn.close()

    def wait_for(self, predicate, timeout: float = 5.0) -> bool:
        """Wait until predicate(self.jobs) is true."""
        with self.received:
            return self.received.wait_for(lambda: predicate(self.jobs), timeout)

    def close(self) -> None:
        self._stop.set()
        try:
            self._sock.close()
        except OSError:
            pass
        for c in self._clients:
            try:
                c.close()
            except OSError:
                pass
        for t in self._threads:
            t.join(2)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
