"""The receipt as a thermal-paper-width PNG: what the ESC/POS printer would print, for the preview.

Width is the printer profile's dot width (576 dots for 80 mm paper at 203 dpi); text sizes
match the thermal output (double size body text: a 48-dot cell, about 6 mm).
"""

from __future__ import annotations

from functools import lru_cache

from .graphics import atkinson, pictogram_image, qr_pil

PAD = 16
SIZES = {"site": 40, "meta": 26, "title": 46, "subtitle": 36, "heading": 40, "text": 34, "hint": 34,
         "item": 34, "caption": 34, "url": 24}


@lru_cache(maxsize=32)
def _font(size: int, bold: bool):
    from PIL import ImageFont

    return ImageFont.truetype(str(atkinson(bold)), size)


def _wrap(draw, text: str, font, width: int) -> list[str]:
    words = " ".join(text.split()).split(" ")
    lines: list[str] = []
    line = ""
    for word in words:
        trial = f"{line} {word}" if line else word
        if draw.textlength(trial, font=font) <= width:
            line = trial
            continue
        if line:
            lines.append(line)
        line = ""
        while draw.textlength(word, font=font) > width and len(word) > 1:  # cut a too-long word
            cut = len(word)
            while cut > 1 and draw.textlength(word[:cut], font=font) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def render_png(receipt, width: int = 576):
    """A white 'L' PIL image `width` pixels wide with the whole receipt."""
    from PIL import Image, ImageDraw

    # Draw on a tall canvas, then crop to the used height.
    canvas = Image.new("L", (width, 12000), 255)
    draw = ImageDraw.Draw(canvas)
    y = PAD
    inner = width - 2 * PAD

    def text(value: str, size: str, bold: bool = False, center: bool = False, x0: int = PAD,
             first: str = "") -> None:
        nonlocal y
        font = _font(SIZES[size], bold)
        lead = 0
        if first:
            draw.text((x0, y), first, font=font, fill=0)
            lead = int(draw.textlength(first + " ", font=font))
        avail = max(width - PAD - x0 - lead, 20)
        for line in _wrap(draw, value, font, avail):
            if y > canvas.height - 200:
                return
            w = draw.textlength(line, font=font)
            x = (width - w) / 2 if center else x0 + lead
            draw.text((x, y), line, font=font, fill=0)
            y += int(SIZES[size] * 1.25)

    for block in receipt.blocks():
        k = block.kind
        if k == "site":
            text(block.text, "site", bold=True, center=True)
        elif k == "meta":
            text(block.text, "meta", center=True)
        elif k == "rule":
            y += 10
            draw.line((PAD, y, width - PAD, y), fill=0, width=3)
            y += 14
        elif k == "title":
            pic = pictogram_image(receipt.pictogram, 96)
            if pic is not None:
                canvas.paste(pic, ((width - pic.width) // 2, y))
                y += pic.height + 8
            text(block.text, "title", bold=True, center=True)
        elif k == "subtitle":
            text(block.text, "subtitle", center=True)
        elif k == "heading":
            y += 12
            text(block.text, "heading", bold=True)
        elif k in ("text", "hint"):
            text(block.text, k)
        elif k == "checklist":
            box = SIZES["item"]
            for item in block.items:
                draw.rectangle((PAD, y + 4, PAD + box - 4, y + box), outline=0, width=4)
                text(item, "item", x0=PAD + box + 12)
                y += 8
        elif k == "steps":
            for n, item in enumerate(block.items, 1):
                text(item, "item", first=f"{n}.")
                y += 4
        elif k == "qr":
            text(block.text, "caption")
            matrix_img = qr_pil(block.url, 1)
            if matrix_img is not None:
                module = max(1, min(8, inner // matrix_img.width))
                img = qr_pil(block.url, module)
                canvas.paste(img, ((width - img.width) // 2, y))
                y += img.height
            text(block.url, "url", center=True)
        if y > canvas.height - 200:
            break
    y += PAD * 3
    return canvas.crop((0, 0, width, min(y, canvas.height)))
