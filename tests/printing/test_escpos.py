"""ESC/POS over the network: python-escpos talks TCP to a loopback printer that records the bytes."""

from kiosk.devices.printer import open_printer

from .escpos_decode import decode


def test_receipt_reaches_the_printer_as_text_with_accents_qr_and_cut(printer_emulator, receipt):
    emu = printer_emulator("ok")
    printer = open_printer(emu.uri + "?profile=TM-T20II&codepage=CP858&timeout=2")
    result = printer.print_receipt(receipt, receipt.reference)
    assert result.ok, result.mediator_message()
    assert emu.wait_for(lambda jobs: jobs and len(jobs[0]) >= result.sent_bytes)
    data = emu.jobs[0]
    job = decode(data, "cp858")
    assert job.codepages == [19]                       # ESC t 19 = CP858 on this profile
    text = " ".join(job.text.split())  # lines are wrapped to the paper: compare words
    for piece in ("Carte Vitale", "Les papiers à préparer", "[ ] Une photo d'identité",
                  "Délai habituel", "Coût : Gratuit.", "Ticket n° K7P-4MX", "Besoin d'aide ?",
                  "Scannez ce code"):
        assert piece in text, piece
    # typographic punctuation normalised to what the code page has (« » exist in CP858)
    assert "« Commander une carte" in text
    assert "\u2019" not in text
    # two native QR codes with the exact URLs, then a cut at the very end
    assert job.qr == [receipt.official_url, receipt.satisfaction_url]
    assert job.cuts and data.rstrip(b"\x10\x04\x01\x02\x04").endswith(job.cuts[-1])
    # text as text: the only images are the pictogram
    assert len(job.images) == 1 and job.images[0][0] <= 576 // 8
    # big print: body text in double size, nothing wider than the 48 columns
    assert any(line.width == 2 and "Une photo" in line.text for line in job.lines)
    assert job.widest() <= 48
    # status asked before and after the job
    assert job.status_queries == 6


def test_euro_and_oe_on_cp858_and_cp1252(printer_emulator, config, catalogue):
    from dataclasses import replace

    from kiosk.core.receipt import build_receipt

    base = build_receipt(catalogue.demarches["carte-vitale"], config, "fr", reference="AAA-AAA")
    r = replace(base, cost="25 € — œuvre “sociale”…", title="Sœur à l’école")
    emu = printer_emulator("ok")
    assert open_printer(emu.uri + "?timeout=2").print_receipt(r, "j1").ok
    emu.wait_for(lambda jobs: jobs and b"\x1dV" in jobs[0])
    text = " ".join(decode(emu.jobs[0], "cp858").text.split())
    assert "25 € - oeuvre \"sociale\"..." in text
    assert "Soeur à l'école" in text
    emu2 = printer_emulator("ok")
    assert open_printer(emu2.uri + "?timeout=2&codepage=CP1252").print_receipt(r, "j2").ok
    emu2.wait_for(lambda jobs: jobs and b"\x1dV" in jobs[0])
    job = decode(emu2.jobs[0], "cp1252")
    assert job.codepages == [16]
    flat = " ".join(job.text.split())
    assert "Sœur à l’école" in flat and "25 € — œuvre “sociale”…" in flat


def test_small_paper_profile_stays_within_width(printer_emulator, receipt):
    emu = printer_emulator("ok")
    printer = open_printer(emu.uri + "?profile=RP-F10-58mm&timeout=2")
    assert printer.print_receipt(receipt, "58mm").ok
    emu.wait_for(lambda jobs: jobs and b"\x1dV" in jobs[0])
    job = decode(emu.jobs[0])
    assert job.widest() <= printer.columns == 36
    qr_modules = 41 + 8  # version 6 at most for these URLs, with the quiet zone
    assert all(size * qr_modules <= 432 for size in job.qr_sizes)


def test_status_is_read_from_the_printer(printer_emulator):
    for mode, ok, reason in [("ok", True, None), ("paper_low", True, None), ("paper_out", False, "paper_out"),
                             ("cover_open", False, "cover_open"), ("offline", False, "offline")]:
        emu = printer_emulator(mode)
        status = open_printer(emu.uri + "?timeout=1").status()
        assert (status.ok, status.reason) == (ok, reason), (mode, status)
    assert "paper low" in open_printer(printer_emulator("paper_low").uri).status().detail
