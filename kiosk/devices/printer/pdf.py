"""The receipt as an A4 PDF (fpdf2, Atkinson Hyperlegible, large print) for CUPS and the preview."""

from __future__ import annotations

import logging
import unicodedata

from .graphics import atkinson, pictogram_image, qr_pil

# Sizes in points: body 16 pt gives a capital about 4 mm tall, as the kiosk's screen text.
SIZES = {"site": 20, "meta": 14, "title": 28, "subtitle": 18, "heading": 20, "text": 16, "hint": 16,
         "item": 16, "caption": 15, "url": 12}
MARGIN = 18  # mm
BOX = 6.5    # mm, side of a box to tick


def _clean(text: str) -> str:
    """Drop control and format characters that would only show as holes."""
    return "".join(" " if unicodedata.category(c) in ("Zl", "Zp") or c in "\t\r\n" else c
                   for c in unicodedata.normalize("NFC", text)
                   if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn") or c in "\t\r\n")


def render_pdf(receipt) -> bytes:
    """The complete A4 document as PDF bytes."""
    from fpdf import FPDF

    logging.getLogger("fpdf").setLevel(logging.ERROR)  # missing glyphs are reported per character
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting chatter
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.add_font("Atkinson", "", str(atkinson(False)))
    pdf.add_font("Atkinson", "B", str(atkinson(True)))
    pdf.set_title(receipt.label("receipt"))
    pdf.set_creator("kiosk")
    pdf.add_page()
    width = pdf.w - 2 * MARGIN

    def write(text: str, size: str, bold: bool = False, align: str = "L", indent: float = 0.0,
              gap: float = 1.0) -> None:
        pdf.set_font("Atkinson", "B" if bold else "", SIZES[size])
        pdf.set_x(MARGIN + indent)
        pdf.multi_cell(width - indent, SIZES[size] * 0.5, _clean(text), align=align,
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    for block in receipt.blocks():
        k = block.kind
        if k == "site":
            write(block.text, "site", bold=True, align="C")
        elif k == "meta":
            write(block.text, "meta", align="C", gap=0.5)
        elif k == "rule":
            pdf.ln(2)
            pdf.set_line_width(0.4)
            pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
            pdf.ln(4)
        elif k == "title":
            pic = pictogram_image(receipt.pictogram, 160)
            if pic is not None:
                pdf.image(pic, x=(pdf.w - 22) / 2, w=22, h=22)
                pdf.ln(2)
            write(block.text, "title", bold=True, align="C")
        elif k == "subtitle":
            write(block.text, "subtitle", align="C")
        elif k == "heading":
            pdf.ln(2)
            write(block.text, "heading", bold=True)
        elif k in ("text", "hint"):
            write(block.text, k)
        elif k == "checklist":
            for item in block.items:
                if pdf.get_y() + 12 > pdf.h - MARGIN:
                    pdf.add_page()
                y = pdf.get_y()
                pdf.set_line_width(0.6)
                pdf.rect(MARGIN, y + 0.5, BOX, BOX)
                write(item, "item", indent=BOX + 4, gap=2.5)
        elif k == "steps":
            for n, item in enumerate(block.items, 1):
                y = pdf.get_y()
                pdf.set_font("Atkinson", "B", SIZES["item"])
                pdf.set_xy(MARGIN, y)
                pdf.cell(10, SIZES["item"] * 0.5, f"{n}.")
                pdf.set_xy(MARGIN, y)
                write(item, "item", indent=10, gap=1.5)
        elif k == "qr":
            image = qr_pil(block.url, 8)
            if pdf.get_y() + 60 > pdf.h - MARGIN:
                pdf.add_page()
            y = pdf.get_y()
            side = 42
            if image is not None:
                pdf.image(image, x=MARGIN, y=y, w=side, h=side)
            pdf.set_xy(MARGIN + side + 6, y + 4)
            pdf.set_font("Atkinson", "", SIZES["caption"])
            pdf.multi_cell(width - side - 6, SIZES["caption"] * 0.5, _clean(block.text), align="L",
                           new_x="LMARGIN", new_y="NEXT")
            pdf.set_xy(MARGIN + side + 6, pdf.get_y() + 2)
            pdf.set_font("Atkinson", "", SIZES["url"])
            pdf.multi_cell(width - side - 6, SIZES["url"] * 0.5, _clean(block.url), align="L",
                           new_x="LMARGIN", new_y="NEXT")
            pdf.set_y(max(pdf.get_y(), y + side) + 3)
    return bytes(pdf.output())
