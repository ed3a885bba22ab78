"""Any title, any length, any Unicode (right-to-left included): never a crash, never wider than the paper."""

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.devices.printer import open_printer
from kiosk.devices.printer.text import to_codepage, wrap

from .escpos_decode import decode

RTL = st.text(alphabet=st.characters(min_codepoint=0x0590, max_codepoint=0x06FF), max_size=80)
ANY = st.text(max_size=300)
MIXED = st.one_of(ANY, RTL, st.builds(lambda a, b: a + "\u202e" + b + "\u200f", ANY, RTL),
                  st.text(alphabet="éèàçœ€’“”« »—…\u00a0\u202f\tAZ az\n\x1b\x10\x00", max_size=200))

printers = [open_printer("escpos+tcp://127.0.0.1?profile=TM-T20II"),
            open_printer("escpos+tcp://127.0.0.1?profile=RP-F10-58mm&size=1"),
            open_printer("escpos+tcp://127.0.0.1?profile=TM-T88II&codepage=CP1252")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=MIXED, partner=MIXED, docs=st.lists(MIXED, min_size=0, max_size=6), steps=st.lists(MIXED, max_size=5),
       which=st.integers(0, len(printers) - 1))
def test_escpos_encoder_never_crashes_nor_overflows(receipt, title, partner, docs, steps, which):
    printer = printers[which]
    r = replace(receipt, title=title, partner=partner, documents=tuple(docs), steps=tuple(steps),
                cost=title[::-1], online=partner)
    data = printer.render(r)
    job = decode(data, printer.python_encoding)          # only known commands, no stray control byte
    assert job.widest() <= printer.columns
    assert job.cuts
    assert len(job.qr) == 2


@given(text=MIXED, width=st.integers(1, 64))
def test_to_codepage_and_wrap(text, width):
    safe = to_codepage(text, "cp858")
    safe.encode("cp858")                                   # always encodable
    assert all(ord(c) >= 0x20 for c in safe)
    for line in wrap(safe, width, indent="    ", first="[ ] "):
        assert len(line) <= max(width, 5)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=MIXED, docs=st.lists(MIXED, max_size=4))
def test_png_and_pdf_renderers_never_crash(receipt, title, docs):
    from kiosk.devices.printer.image import render_png
    from kiosk.devices.printer.pdf import render_pdf

    r = replace(receipt, title=title, documents=tuple(docs))
    img = render_png(r, 576)
    assert img.width == 576
    assert render_pdf(r).startswith(b"%PDF")
