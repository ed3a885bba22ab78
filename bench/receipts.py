"""Receipt timings: build (with QR codes), "print" to announcement, to the last ESC/POS byte, to the PDF.

`python -m bench receipts [--rounds N] [--cups QUEUE]` — the ESC/POS path prints to the loopback
emulator (kiosk.devices.printer.emulator); with --cups the PDF is also sent to that queue.
Goal: the citizen hears "printing" within 100 ms of touching the button.
`per_language`: for each language (and bilingual, French after each section), the ESC/POS job's
size and render time (scripts the code page lacks are images), the preview PNG's and the PDF's.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime


def _ms(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {"median_ms": round(statistics.median(values) * 1000, 2),
            "max_ms": round(values[-1] * 1000, 2)}


def run(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench receipts")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--cups", metavar="QUEUE", default=None)
    args = parser.parse_args(argv)

    from kiosk.core.catalogue import load_catalogue
    from kiosk.core.config import load_config
    from kiosk.core.receipt import build_receipt, qr_image
    from kiosk.devices.printer import PrintService, open_printer
    from kiosk.devices.printer.emulator import EscposEmulator
    from kiosk.devices.printer.graphics import qr_matrix
    from kiosk.devices.printer.pdf import render_pdf

    config = load_config(None)
    catalogue = load_catalogue()
    demarches = list(catalogue.demarches.values())
    result: dict = {"demarches": len(demarches), "rounds": args.rounds}

    build, build_qr = [], []
    for i in range(args.rounds):
        d = demarches[i % len(demarches)]
        t = time.perf_counter()
        r = build_receipt(d, config, "fr", now=datetime.now())
        build.append(time.perf_counter() - t)
        qr_matrix.cache_clear()
        t = time.perf_counter()
        for _, url in r.qr_codes():
            qr_matrix(url)
            qr_image(url)
        build_qr.append(time.perf_counter() - t + build[-1])
    result["build_receipt"] = _ms(build)
    result["build_receipt_with_qr"] = _ms(build_qr)

    with EscposEmulator("ok", port=0) as emu:
        printer = open_printer(emu.uri + "?timeout=2")
        render, to_last_byte, announce = [], [], []
        service = PrintService(printer)
        try:
            for i in range(args.rounds):
                r = build_receipt(demarches[i % len(demarches)], config, "fr")
                qr_matrix.cache_clear()
                t = time.perf_counter()
                printer.render(r)
                render.append(time.perf_counter() - t)
                qr_matrix.cache_clear()
                before = sum(len(j) for j in emu.jobs)
                t = time.perf_counter()
                job = service.submit(r)
                job.announcement("fr")
                announce.append(time.perf_counter() - t)
                res = job.wait(10)
                expected = before + res.sent_bytes
                emu.wait_for(lambda jobs: sum(len(j) for j in jobs) >= expected, 10)
                to_last_byte.append(time.perf_counter() - t)
                assert res.ok, res.mediator_message()
            result["escpos_bytes"] = res.sent_bytes
        finally:
            service.close()
    result["escpos_render"] = _ms(render)
    result["print_to_announcement"] = _ms(announce)
    result["escpos_print_to_last_byte_received"] = _ms(to_last_byte)

    pdf_times = []
    for i in range(max(3, args.rounds // 4)):
        r = build_receipt(demarches[i % len(demarches)], config, "fr")
        t = time.perf_counter()
        data = render_pdf(r)
        pdf_times.append(time.perf_counter() - t)
    result["cups_print_to_pdf"] = _ms(pdf_times)
    result["pdf_bytes"] = len(data)
    if args.cups:
        cups = open_printer(f"cups://{args.cups}")
        t = time.perf_counter()
        res = cups.print_receipt(build_receipt(demarches[0], config, "fr"), "bench")
        result["cups_print_to_spooled_ms"] = round((time.perf_counter() - t) * 1000, 1)
        result["cups_ok"] = res.ok
    result["per_language"] = _per_language(config, catalogue, printer, max(2, args.rounds // 10))
    result["goal_announcement_under_100ms"] = result["print_to_announcement"]["max_ms"] < 100
    return result


def _per_language(config, catalogue, printer, rounds: int) -> dict:
    from kiosk.core.receipt import build_receipt
    from kiosk.devices.printer.image import render_png
    from kiosk.devices.printer.pdf import render_pdf

    demarche = catalogue.demarches["carte-vitale"]
    out = {}
    for language in ("fr", "en", "ar", "es", "pt", "tr", "ro", "uk"):
        for bilingual in ((False, True) if language != "fr" else (False,)):
            receipt = build_receipt(demarche, config, language, bilingual=bilingual)
            figures = {}
            for name, render in (("escpos", printer.render), ("png", render_png), ("pdf", render_pdf)):
                times = []
                for _ in range(rounds):
                    t = time.perf_counter()
                    data = render(receipt)
                    times.append(time.perf_counter() - t)
                figures[f"{name}_render"] = _ms(times)
                if name == "escpos":
                    figures["escpos_bytes"] = len(data)
                    figures["escpos_images"] = data.count(b"\x1dv0")
            out[language + ("+fr" if bilingual else "")] = figures
    return out
