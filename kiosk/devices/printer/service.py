"""Printing off the UI thread, with a guarantee: a job id is never printed twice by a retry.

    service = PrintService(open_printer(config.devices["printer"]))
    job = service.submit(receipt, on_done)      # returns at once; say job.announcement(lang)
    # on_done(result) runs on the worker thread: re-schedule it with Kivy's Clock.schedule_once

A job id (the receipt reference by default) that printed, or may have partly printed, is
answered from memory (`result.duplicate` is True) instead of being sent again; a job that
failed before any byte left (no paper, printer absent, refused…) may be retried and prints once.
`reprint()` is the explicit way, for the mediator, to print a new copy.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Callable

from .job import PrintResult, PrinterStatus, announcement

log = logging.getLogger(__name__)

Callback = Callable[[PrintResult], None]


@dataclass
class PrintJob:
    id: str
    receipt: object
    state: str = "queued"                # queued, printing, done, fault
    result: PrintResult | None = None
    attempts: int = 0
    submitted_at: float = field(default_factory=time.monotonic)
    callbacks: list[Callback] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    def announcement(self, language: str = "fr") -> str:
        """The sentence to show and say right away ("printing…")."""
        return announcement(language)

    def wait(self, timeout: float | None = None) -> PrintResult | None:
        """Block until finished (for tests and the command line, never on the UI thread)."""
        self.done.wait(timeout)
        return self.result


class PrintService:
    def __init__(self, printer, on_fault: Callable[[PrintResult], None] | None = None, history: int = 200):
        self.printer = printer
        self.on_fault = on_fault             # the mediator's hook; called on the worker thread
        self.faults: deque[PrintResult] = deque(maxlen=50)
        self._jobs: dict[str, PrintJob] = {}
        self._order: deque[str] = deque()
        self._history = history
        self._lock = threading.Lock()
        self._queue: queue.Queue = queue.Queue()
        self._copies = itertools.count(2)
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="kiosk-printer", daemon=True)
        self._thread.start()

    # ---- API for the UI ------------------------------------------------------------------
    def submit(self, receipt, on_done: Callback | None = None, job_id: str | None = None) -> PrintJob:
        """Queue `receipt` for printing and return at once. Safe to call again for a retry."""
        job_id = job_id or receipt.reference
        with self._lock:
            if self._closed:
                raise RuntimeError("print service is closed")
            job = self._jobs.get(job_id)
            if job is not None and job.state in ("queued", "printing"):
                if on_done:
                    job.callbacks.append(on_done)
                return job
            if job is not None and job.result is not None and job.result.maybe_printed:
                # printed (or maybe partly): never send it again; answer from memory
                dup = replace(job.result, duplicate=True)
                if on_done:
                    self._queue.put(("notify", on_done, dup))
                return job
            if job is None:
                job = PrintJob(job_id, receipt)
                self._jobs[job_id] = job
                self._order.append(job_id)
                self._forget_old()
            job.state = "queued"
            job.receipt = receipt
            job.done.clear()
            job.callbacks = [on_done] if on_done else []
            self._queue.put(("print", job))
            return job

    def reprint(self, receipt, on_done: Callback | None = None) -> PrintJob:
        """Print a new copy on purpose (mediator action): a new job id."""
        return self.submit(receipt, on_done, job_id=f"{receipt.reference}/copy{next(self._copies)}")

    def job(self, job_id: str) -> PrintJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def status(self) -> PrinterStatus:
        """Ask the printer (blocking: call it off the UI thread, e.g. from the health check)."""
        return self.printer.status()

    def close(self, timeout: float = 5.0) -> None:
        with self._lock:
            self._closed = True
        self._queue.put(("stop",))
        self._thread.join(timeout)

    # ---- worker --------------------------------------------------------------------------
    def _forget_old(self) -> None:
        while len(self._order) > self._history:
            old = self._order.popleft()
            if self._jobs.get(old) and self._jobs[old].state in ("done", "fault"):
                del self._jobs[old]
            else:
                self._order.append(old)
                break

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item[0] == "stop":
                return
            if item[0] == "notify":
                _call(item[1], item[2])
                continue
            job: PrintJob = item[1]
            with self._lock:
                job.state = "printing"
                job.attempts += 1
            try:
                result = self.printer.print_receipt(job.receipt, job.id)
            except Exception as exc:  # a backend bug must not kill the worker
                log.exception("printer backend failed")
                result = PrintResult(job.id, False, "error", f"{type(exc).__name__}: {exc}",
                                     getattr(getattr(self.printer, "uri", None), "text", ""),
                                     maybe_printed=True)
            with self._lock:
                job.result = result
                job.state = "done" if result.ok else "fault"
                callbacks, job.callbacks = job.callbacks, []
                # the history keeps what a double tap or a retry needs (the id and the result),
                # not the citizen's receipt: a retry brings its receipt again (submit)
                job.receipt = None
            if result.ok:
                log.info("%s", result.mediator_message())
            else:
                log.warning("%s", result.mediator_message())
                self.faults.append(result)
                if self.on_fault:
                    _call(self.on_fault, result)
            job.done.set()
            for cb in callbacks:
                _call(cb, result)


def _call(cb: Callback, result: PrintResult) -> None:
    try:
        cb(result)
    except Exception:
        log.exception("print callback failed")
