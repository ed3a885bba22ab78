"""CUPS (a real cupsd with cups-pdf), the preview files, and `kiosk print-test`."""

import subprocess

import pytest
from PIL import Image

from kiosk.cli import main as kiosk_main
from kiosk.devices.printer import open_printer


def test_cups_prints_an_a4_pdf_with_the_text(cups_server, receipt, tmp_path):
    printer = open_printer(cups_server.uri)
    status = printer.status()
    assert status.ok, status
    result = printer.print_receipt(receipt, receipt.reference)
    assert result.ok, result.mediator_message()
    pdf = cups_server.wait_for_pdf(result.output)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    for piece in ("Carte Vitale", "Les papiers à préparer", "Une photo d'identité récente",
                  "Ouvrez votre compte ameli", "Environ 2 à 3 semaines", "Ticket n° K7P-4MX",
                  "Besoin d'aide ?", "Votre avis"):
        assert piece in flat, piece
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "595" in info and "842" in info                     # A4 in points
    # keep a picture of page 1 for people to look at
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    assert list(tmp_path.glob("page*.png"))


def test_cups_unknown_queue_and_disabled_queue(cups_server, receipt):
    absent = open_printer(f"cups://no-such-queue?server={cups_server.socket}").print_receipt(receipt, "x")
    assert (absent.ok, absent.reason) == (False, "absent")
    env = cups_server.env()
    subprocess.run(["cupsdisable", cups_server.queue], check=True, env=env)
    try:
        result = open_printer(cups_server.uri).print_receipt(receipt, "y")
        assert (result.reason, result.maybe_printed) == ("offline", False)
    finally:
        subprocess.run(["cupsenable", cups_server.queue], check=True, env=env)
    assert open_printer(cups_server.uri).status().ok


def test_preview_png_is_printer_wide_and_not_blank(tmp_path, receipt):
    printer = open_printer(f"preview:{tmp_path}?profile=TM-T20II")
    assert printer.status().ok
    result = printer.print_receipt(receipt, receipt.reference)
    assert result.ok
    png = Image.open(result.output)
    assert png.width == 576                                        # TM-T20II: 576 dots
    assert png.height > 1500
    lo, hi = png.convert("L").getextrema()
    assert (lo, hi) == (0, 255)
    dark = sum(1 for v in png.convert("L").getdata() if v < 128) / (png.width * png.height)
    assert 0.03 < dark < 0.5
    assert (tmp_path / (result.output.rsplit("/", 1)[1][:-4] + ".pdf")).stat().st_size > 5000
    narrow = open_printer(f"preview:{tmp_path}?profile=RP-F10-58mm").print_receipt(receipt, "58")
    assert Image.open(narrow.output).width == 432


def test_print_test_command(printer_emulator, capsys):
    emu = printer_emulator("ok")
    assert kiosk_main(["print-test", "--printer", emu.uri + "?timeout=1", "--demarche", "carte-vitale"]) == 0
    out = capsys.readouterr().out
    assert "status before: ready" in out and "printed: carte-vitale" in out
    assert any(b"\x1dV" in job for job in emu.jobs)

    emu_out = printer_emulator("paper_out")
    assert kiosk_main(["print-test", "--printer", emu_out.uri + "?timeout=1"]) == 1
    assert "failed: paper_out" in capsys.readouterr().out

    assert kiosk_main(["print-test", "--printer", "escpos+tcp://?x"]) == 1
    out = capsys.readouterr().out.strip()
    assert out.startswith("error: printer address") and "\n" not in out

    assert kiosk_main(["print-test", "--printer", emu.uri, "--demarche", "nope"]) == 1
    assert "unknown démarche" in capsys.readouterr().out

    # an admin checks Arabic (with French) on the real printer: the Arabic goes as raster images
    emu_ar = printer_emulator("ok")
    assert kiosk_main(["print-test", "--printer", emu_ar.uri + "?timeout=1", "--demarche", "carte-vitale",
                       "--lang", "ar", "--bilingual"]) == 0
    job = b"".join(emu_ar.jobs)
    assert job.count(b"\x1dv0") > 5 and "Carte Vitale".encode() in job


def test_none_printer_is_a_fault_with_the_qr_alternative(receipt):
    result = open_printer("none").print_receipt(receipt, "z")
    assert result.reason == "absent" and "code QR" in result.citizen_message("fr")


@pytest.mark.parametrize("mode", ["ok"])
def test_print_test_uses_config_printer(tmp_path, mode, printer_emulator, capsys):
    emu = printer_emulator(mode)
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'[devices]\nprinter = "{emu.uri}?timeout=1"\n', encoding="utf-8")
    assert kiosk_main(["--config", str(cfg), "print-test"]) == 0
    assert emu.uri in capsys.readouterr().out
