"""The receipt as a thermal-paper-width PNG: what the ESC/POS printer would print, for the preview.

Width is the printer profile's dot width (576 dots for 80 mm paper at 203 dpi). Each block is
drawn in its language's font and direction (kiosk.devices.printer.textimage): Arabic right to
left, right-aligned; a bilingual receipt's « En français : » white on black.
"""

from __future__ import annotations

from .graphics import pictogram_image, qr_pil
from .textimage import BOX, paragraph_image

PAD = 16
SIZES = {"site": 40, "meta": 26, "title": 46, "subtitle": 36, "heading": 40, "text": 34, "hint": 34,
         "item": 34, "caption": 34, "url": 24, "marker": 36}


def render_png(receipt, width: int = 576):
    """A white 'L' PIL image `width` pixels wide with the whole receipt."""
    from PIL import Image, ImageDraw, ImageOps

    # Draw on a tall canvas, then crop to the used height.
    canvas = Image.new("L", (width, 16000), 255)
    draw = ImageDraw.Draw(canvas)
    y = PAD
    inner = width - 2 * PAD
    pictogram_drawn = False

    def text(value: str, size: str, lang: str, bold: bool = False, center: bool = False,
             lead: str = "") -> None:
        nonlocal y
        if y > canvas.height - 400:
            return
        img = paragraph_image(value, lang, SIZES[size], width, bold=bold, pad=PAD, lead=lead,
                              align="center" if center else "start")
        canvas.paste(img, (0, y))
        y += img.height

    for block in receipt.blocks():
        k = block.kind
        lang = block.lang or receipt.language
        if k == "site":
            text(block.text, "site", lang, bold=True, center=True)
        elif k == "meta":
            text(block.text, "meta", lang, center=True)
        elif k == "rule":
            y += 10
            draw.line((PAD, y, width - PAD, y), fill=0, width=3)
            y += 14
        elif k == "marker":  # white on black, as the thermal printer prints it
            y += 12
            band = ImageOps.invert(paragraph_image(block.text, lang, SIZES["marker"], width, bold=True,
                                                   pad=PAD))
            canvas.paste(band, (0, y))
            y += band.height + 10
        elif k == "title":
            pic = None if pictogram_drawn else pictogram_image(receipt.pictogram, 96)
            if pic is not None:
                canvas.paste(pic, ((width - pic.width) // 2, y))
                y += pic.height + 8
                pictogram_drawn = True
            text(block.text, "title", lang, bold=True, center=True)
        elif k == "subtitle":
            text(block.text, "subtitle", lang, center=True)
        elif k == "heading":
            y += 12
            text(block.text, "heading", lang, bold=True)
        elif k in ("text", "hint"):
            text(block.text, k, lang)
        elif k == "checklist":
            for item in block.items:
                text(item, "item", lang, lead=BOX)
                y += 8
        elif k == "steps":
            for n, item in enumerate(block.items, 1):
                text(item, "item", lang, lead=f"{n}.")
                y += 4
        elif k == "qr":
            text(block.text, "caption", lang)
            matrix_img = qr_pil(block.url, 1)
            if matrix_img is not None:
                module = max(1, min(8, inner // matrix_img.width))
                img = qr_pil(block.url, module)
                canvas.paste(img, ((width - img.width) // 2, y))
                y += img.height
            text(block.url, "url", "en", center=True)
        if y > canvas.height - 400:
            break
    y += PAD * 3
    return canvas.crop((0, 0, width, min(y, canvas.height)))
