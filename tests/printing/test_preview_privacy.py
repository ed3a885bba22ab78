"""Receipt previews (the default `preview:` printer) do not outlive the citizen: private runtime
folder, deleted after a short delay and at exit, and neither a ticket number nor a file name in
the logs."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.devices.printer import PrintService, open_printer
from tests.waiting import eventually




def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_default_previews_live_in_the_runtime_folder(runtime, receipt):
    printer = open_printer("preview:receipts")
    result = printer.print_receipt(receipt, receipt.reference)
    assert result.ok
    assert Path(result.output).parent == runtime / "receipts"
    assert receipt.reference not in Path(result.output).name
    printer.close()
    assert files_in(runtime) == []


def test_a_preview_is_deleted_after_the_delay(runtime, receipt):
    printer = open_printer("preview:receipts", preview_keep_seconds=0.3)
    result = printer.print_receipt(receipt, receipt.reference)
    assert result.ok and Path(result.output).exists()
    assert len(files_in(runtime)) == 2  # PNG and PDF
    assert eventually(lambda: not files_in(runtime), 5), files_in(runtime)


def test_previews_are_deleted_when_the_program_exits(runtime, tmp_path):
    script = (
        "from datetime import datetime\n"
        "from kiosk.core.catalogue import load_catalogue\n"
        "from kiosk.core.config import load_config\n"
        "from kiosk.core.receipt import build_receipt\n"
        "from kiosk.devices.printer import open_printer\n"
        "d = load_catalogue().demarches['carte-vitale']\n"
        "r = build_receipt(d, load_config(None), 'fr', reference='K7P-4MX')\n"
        "res = open_printer('preview:receipts').print_receipt(r, r.reference)\n"
        "print(res.output)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                         env={**__import__("os").environ, "RUNTIME_DIRECTORY": str(runtime)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith(str(runtime))
    assert files_in(runtime) == []


def test_logs_carry_no_ticket_number_and_no_file_name(runtime, receipt, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    service = PrintService(open_printer("preview:receipts"))
    try:
        result = service.submit(receipt).wait(30)
        assert result.ok
        blocked = tmp_path / "not-a-folder"
        blocked.write_text("a file where the folder should be")
        fault = PrintService(open_printer(f"preview:{blocked}")).submit(receipt).wait(30)
        assert not fault.ok
    finally:
        service.close()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "printed" in text and "not printed" in text
    assert receipt.reference not in text
    assert Path(result.output).name not in text and "receipt-" not in text
    for message in (result.mediator_message(), fault.mediator_message()):
        assert receipt.reference not in message and "receipt-" not in message


def test_print_test_keeps_its_page_for_the_admin(runtime, capsys):
    import argparse

    from kiosk.commands import print_test

    args = argparse.Namespace(config=None, printer="preview:receipts", demarche="carte-vitale", lang=None)
    assert print_test.run(args) == 0
    assert len(files_in(runtime / "receipts")) == 2


def test_the_print_history_keeps_no_receipt_once_printed(runtime):
    """The service remembers recent jobs (a double tap prints once), never the receipts: after a
    day of citizens the kiosk would otherwise hold the last 200 receipts in memory."""
    import gc
    import weakref

    service = PrintService(open_printer("preview:receipts", preview_keep_seconds=0.1))
    receipt = build_again("K7P-4MX")
    try:
        job = service.submit(receipt)
        assert job.wait(30).ok
        gone = weakref.ref(receipt)
        del receipt
        gc.collect()
        assert gone() is None
        assert service.job(job.id).state == "done"
        again = service.submit(build_again(job.id))   # the same reference: answered from memory
        assert again is job and job.wait(5).ok
    finally:
        service.close()


def build_again(reference: str):
    from kiosk.core.catalogue import load_catalogue
    from kiosk.core.config import load_config
    from kiosk.core.receipt import build_receipt

    return build_receipt(load_catalogue().demarches["carte-vitale"], load_config(None), "fr",
                         reference=reference)
