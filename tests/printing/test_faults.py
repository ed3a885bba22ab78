"""Faults on a real socket: refused, closed mid-job, stalled, no paper, cover open — reported, then recovered."""

import socket
import threading
import time

from kiosk.devices.printer import PrintService, open_printer
from kiosk.devices.printer.emulator import EscposEmulator


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_nothing_listening_is_refused(receipt):
    result = open_printer(f"escpos+tcp://127.0.0.1:{_closed_port()}?timeout=1").print_receipt(receipt, "a")
    assert (result.ok, result.reason, result.maybe_printed) == (False, "refused", False)
    assert "photographier le code QR" in result.citizen_message("fr")
    assert "refused" in result.mediator_message()


def test_printer_that_hangs_up_at_once_is_refused(printer_emulator, receipt):
    result = open_printer(printer_emulator("refuse").uri + "?timeout=1").print_receipt(receipt, "a")
    assert (result.reason, result.maybe_printed) == ("refused", False)


def test_connection_closed_mid_job_is_interrupted_and_may_be_printed(printer_emulator, receipt):
    emu = printer_emulator("close_mid_job", close_after=3000)
    result = open_printer(emu.uri + "?timeout=1").print_receipt(receipt, "a")
    assert (result.ok, result.reason, result.maybe_printed) == (False, "interrupted", True)
    assert "partly printed" in result.mediator_message()


def test_silent_printer_times_out_quickly_and_nothing_is_sent(printer_emulator, receipt):
    emu = printer_emulator("silent")
    started = time.monotonic()
    result = open_printer(emu.uri + "?timeout=0.5").print_receipt(receipt, "a")
    assert time.monotonic() - started < 2
    assert (result.reason, result.maybe_printed, result.sent_bytes) == ("timeout", False, 0)
    assert "ne répond pas" in result.citizen_message("fr")
    assert "does not answer" in result.citizen_message("en")


def test_printer_stalling_during_the_job_times_out(printer_emulator, receipt):
    emu = printer_emulator("stall_after", close_after=1000)
    result = open_printer(emu.uri + "?timeout=0.5").print_receipt(receipt, "a")
    assert (result.reason, result.maybe_printed) == ("timeout", True)


def test_paper_out_and_cover_open_stop_before_printing(printer_emulator, receipt):
    for mode in ("paper_out", "cover_open", "offline"):
        emu = printer_emulator(mode)
        result = open_printer(emu.uri + "?timeout=1").print_receipt(receipt, "a")
        assert (result.reason, result.maybe_printed, result.sent_bytes) == (mode, False, 0)
        assert b"\x1dV" not in emu.jobs[0]             # no job bytes, only status queries


def test_service_never_blocks_reports_and_recovers(printer_emulator, receipt):
    emu = printer_emulator("paper_out")
    service = PrintService(open_printer(emu.uri + "?timeout=1"), on_fault=lambda r: faults.append(r))
    faults, results = [], []
    threads = []
    try:
        started = time.perf_counter()
        job = service.submit(receipt, lambda r: (results.append(r), threads.append(threading.current_thread())))
        assert time.perf_counter() - started < 0.05           # the UI can say "printing" at once
        assert job.announcement("fr").startswith("Impression en cours")
        assert job.wait(5).reason == "paper_out"
        assert faults and faults[0].reason == "paper_out"
        assert threads[0] is not threading.main_thread()
        # the mediator puts paper in: the same job (never printed) may be retried, and prints once
        emu.mode = "ok"
        again = service.submit(receipt, results.append)
        assert again is job and job.wait(5) and _settle(lambda: len(results) == 2)
        assert results[1].ok and not results[1].duplicate
        # a third tap: answered from memory, never printed twice
        service.submit(receipt, results.append)
        assert _settle(lambda: len(results) == 3)
        assert results[2].ok and results[2].duplicate
        time.sleep(0.2)
        printed = [j for j in emu.jobs if b"\x1dV" in j]
        assert len(printed) == 1
        # a copy is an explicit, different job
        copy = service.reprint(receipt)
        assert copy.id != job.id and copy.wait(5).ok
    finally:
        service.close()


def test_job_cut_short_is_not_resent_by_a_retry(receipt):
    emu = EscposEmulator("close_mid_job", port=0, close_after=2000)
    service = PrintService(open_printer(emu.uri + "?timeout=1"))
    try:
        first = service.submit(receipt).wait(5)
        assert first.reason == "interrupted" and first.maybe_printed
        emu.mode = "ok"
        results = []
        service.submit(receipt, results.append)
        assert _settle(lambda: results)
        assert results[0].duplicate and results[0].reason == "interrupted"
        assert emu.connections == 1
    finally:
        service.close()
        emu.close()


def test_double_tap_while_printing_prints_once(printer_emulator, receipt):
    emu = printer_emulator("ok")
    service = PrintService(open_printer(emu.uri + "?timeout=1"))
    try:
        results = []
        jobs = [service.submit(receipt, results.append) for _ in range(5)]
        assert all(j is jobs[0] for j in jobs)
        assert _settle(lambda: len(results) == 5)
        assert all(r.ok for r in results)
        time.sleep(0.2)
        assert emu.connections == 1
    finally:
        service.close()


def _settle(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False
