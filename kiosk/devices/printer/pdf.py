"""The receipt as an A4 PDF (fpdf2, large print) for CUPS and the preview.

Atkinson Hyperlegible where it has every letter, DejaVu Sans for Arabic, Cyrillic and Turkish
(and any text Atkinson cannot draw). Arabic is wrapped in reading order, then each line is
shaped and ordered for display and set right-aligned (kiosk.devices.printer.textimage).
"""

from __future__ import annotations

import logging
import unicodedata

from .graphics import font_for, pictogram_image, qr_pil
from .textimage import display_line, is_rtl, wrap

# Sizes in points: body 16 pt gives a capital about 4 mm tall, as the kiosk's screen text.
SIZES = {"site": 20, "meta": 14, "title": 28, "subtitle": 18, "heading": 20, "text": 16, "hint": 16,
         "item": 16, "caption": 15, "url": 12, "marker": 17}
MARGIN = 18  # mm
BOX = 6.5    # mm, side of a box to tick
NUMBER = 10  # mm, room for a step's number


def _clean(text: str) -> str:
    """Drop control and format characters that would only show as holes."""
    return "".join(" " if unicodedata.category(c) in ("Zl", "Zp") or c in "\t\r\n" else c
                   for c in unicodedata.normalize("NFC", text)
                   if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn") or c in "\t\r\n")


class _Writer:
    """Paragraphs in the right font and direction, at the current position of an FPDF page."""

    def __init__(self, pdf, language: str):
        self.pdf = pdf
        self.language = language
        self.families: dict[str, str] = {}

    def font(self, text: str, lang: str, size: str, bold: bool = False) -> None:
        path = font_for(text, lang, bold)
        family = "DejaVu" if path.name.startswith("DejaVu") else "Atkinson"
        style = "B" if bold else ""
        if (family, style) not in self.families:
            self.pdf.add_font(family, style, str(path))
            self.families[(family, style)] = str(path)
        self.pdf.set_font(family, style, SIZES[size])

    def write(self, text: str, size: str, lang: str, bold: bool = False, center: bool = False,
              indent: float = 0.0, gap: float = 1.0, x0: float | None = None,
              width: float | None = None, fill: bool = False) -> None:
        """A paragraph from the start side (left, or right in Arabic) `indent` mm in."""
        pdf = self.pdf
        text = _clean(text)
        self.font(text, lang, size, bold)
        x0 = pdf.l_margin if x0 is None else x0
        width = (pdf.w - pdf.r_margin - x0) if width is None else width
        height = SIZES[size] * 0.5
        rtl = is_rtl(lang)
        if not rtl:
            pdf.set_x(x0 + indent)
            pdf.multi_cell(width - indent, height, text, align="C" if center else "L",
                           new_x="LMARGIN", new_y="NEXT", fill=fill)
        else:
            lines = wrap(text, width - indent - 1, pdf.get_string_width) or [""]
            for line in lines:
                pdf.set_x(x0)
                pdf.cell(width - indent, height, display_line(line, True), align="C" if center else "R",
                         new_x="LMARGIN", new_y="NEXT", fill=fill)
        pdf.ln(gap)


def render_pdf(receipt) -> bytes:
    """The complete A4 document as PDF bytes."""
    from fpdf import FPDF

    logging.getLogger("fpdf").setLevel(logging.ERROR)  # missing glyphs are reported per character
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting chatter
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.set_title(receipt.label("receipt"))
    pdf.set_creator("kiosk")
    pdf.add_page()
    width = pdf.w - 2 * MARGIN
    out = _Writer(pdf, receipt.language)
    write = out.write
    pictogram_drawn = False

    for block in receipt.blocks():
        k = block.kind
        lang = block.lang or receipt.language
        rtl = is_rtl(lang)
        if k == "site":
            write(block.text, "site", lang, bold=True, center=True)
        elif k == "meta":
            write(block.text, "meta", lang, center=True, gap=0.5)
        elif k == "rule":
            pdf.ln(2)
            pdf.set_line_width(0.4)
            pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
            pdf.ln(4)
        elif k == "marker":
            if pdf.get_y() + 40 > pdf.h - MARGIN:
                pdf.add_page()
            pdf.ln(2)
            pdf.set_fill_color(0, 0, 0)
            pdf.set_text_color(255, 255, 255)
            write(f" {block.text} ", "marker", lang, bold=True, fill=True, gap=3)
            pdf.set_text_color(0, 0, 0)
        elif k == "title":
            pic = None if pictogram_drawn else pictogram_image(receipt.pictogram, 160)
            if pic is not None:
                pdf.image(pic, x=(pdf.w - 22) / 2, w=22, h=22)
                pdf.ln(2)
                pictogram_drawn = True
            write(block.text, "title", lang, bold=True, center=True)
        elif k == "subtitle":
            write(block.text, "subtitle", lang, center=True)
        elif k == "heading":
            pdf.ln(2)
            write(block.text, "heading", lang, bold=True)
        elif k in ("text", "hint"):
            write(block.text, k, lang)
        elif k == "checklist":
            for item in block.items:
                if pdf.get_y() + 12 > pdf.h - MARGIN:
                    pdf.add_page()
                y = pdf.get_y()
                pdf.set_line_width(0.6)
                pdf.rect(pdf.w - MARGIN - BOX if rtl else MARGIN, y + 0.5, BOX, BOX)
                write(item, "item", lang, indent=BOX + 4, gap=2.5)
        elif k == "steps":
            for n, item in enumerate(block.items, 1):
                if pdf.get_y() + 10 > pdf.h - MARGIN:
                    pdf.add_page()
                y = pdf.get_y()
                out.font(f"{n}.", lang, "item", bold=True)
                pdf.set_xy(pdf.w - MARGIN - NUMBER if rtl else MARGIN, y)
                pdf.cell(NUMBER, SIZES["item"] * 0.5, display_line(f"{n}.", rtl), align="R" if rtl else "L")
                pdf.set_xy(MARGIN, y)
                write(item, "item", lang, indent=NUMBER, gap=1.5)
        elif k == "qr":
            image = qr_pil(block.url, 8)
            if pdf.get_y() + 60 > pdf.h - MARGIN:
                pdf.add_page()
            y = pdf.get_y()
            side = 42
            if image is not None:
                pdf.image(image, x=MARGIN, y=y, w=side, h=side)
            pdf.set_y(y + 4)
            write(block.text, "caption", lang, x0=MARGIN + side + 6, width=width - side - 6, gap=2)
            write(block.url, "url", "en", x0=MARGIN + side + 6, width=width - side - 6, gap=0)
            pdf.set_y(max(pdf.get_y(), y + side) + 3)
    return bytes(pdf.output())
