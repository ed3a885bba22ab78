"""A small ESC/POS reader for the tests: turns recorded bytes back into lines, QR codes and cuts.

It knows exactly the commands the kiosk sends; anything else fails loudly, so a new command in
the output is noticed.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Line:
    text: str
    width: int       # character width multiplier
    height: int
    bold: bool
    align: int
    inverted: bool = False   # white on black (GS B 1)


@dataclass
class Decoded:
    lines: list[Line] = field(default_factory=list)
    qr: list[str] = field(default_factory=list)
    qr_sizes: list[int] = field(default_factory=list)
    images: list[tuple[int, int]] = field(default_factory=list)   # (bytes per row, rows)
    rasters: list[bytes] = field(default_factory=list)            # each image's bits, row by row
    order: list[tuple[str, int]] = field(default_factory=list)    # ("line" | "image", index) in print order
    cuts: list[bytes] = field(default_factory=list)
    codepages: list[int] = field(default_factory=list)
    status_queries: int = 0
    init: int = 0

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def widest(self) -> int:
        """Widest printed line in normal-size columns."""
        return max((len(line.text) * line.width for line in self.lines), default=0)


def decode(data: bytes, encoding: str = "cp858") -> Decoded:
    out = Decoded()
    i = 0
    width = height = 1
    bold = False
    align = 0
    inverted = False
    current = bytearray()

    def flush():
        out.order.append(("line", len(out.lines)))
        out.lines.append(Line(bytes(current).decode(encoding), width, height, bold, align, inverted))
        current.clear()

    n = len(data)
    while i < n:
        b = data[i]
        if b == 0x0A:
            flush()
            i += 1
        elif b == 0x1B:
            c = data[i + 1]
            if c == 0x40:
                out.init += 1
                width = height = 1
                bold = inverted = False
                i += 2
            elif c == ord("t"):
                out.codepages.append(data[i + 2])
                i += 3
            elif c == ord("!"):
                width = 2 if data[i + 2] & 0x20 else 1
                height = 2 if data[i + 2] & 0x10 else 1
                i += 3
            elif c == ord("E"):
                bold = bool(data[i + 2])
                i += 3
            elif c == ord("a"):
                align = data[i + 2]
                i += 3
            elif c in (ord("-"), ord("M"), ord("{"), ord("r"), ord("3")):
                i += 3
            elif c == ord("d"):
                for _ in range(data[i + 2]):
                    flush()
                i += 3
            elif c == ord("2"):
                i += 2
            else:
                raise ValueError(f"unknown ESC command {data[i:i + 4]!r} at {i}")
        elif b == 0x1D:
            c = data[i + 1]
            if c == ord("!"):
                width = (data[i + 2] >> 4) + 1
                height = (data[i + 2] & 0x0F) + 1
                i += 3
            elif c == ord("B"):
                inverted = bool(data[i + 2])
                i += 3
            elif c in (ord("b"), ord("|")):
                i += 3
            elif c == ord("V"):
                if data[i + 2] in (0, 1, 48, 49):
                    out.cuts.append(data[i:i + 3])
                    i += 3
                else:
                    out.cuts.append(data[i:i + 4])
                    i += 4
            elif c == ord("(") and data[i + 2] == ord("k"):
                size = data[i + 3] + 256 * data[i + 4]
                body = data[i + 5:i + 5 + size]
                cn, fn = body[0], body[1]
                if cn == ord("1") and fn == 67:
                    out.qr_sizes.append(body[2])
                if cn == ord("1") and fn == 80:
                    out.qr.append(body[3:].decode("utf-8"))
                i += 5 + size
            elif c == ord("v") and data[i + 2] == ord("0"):
                xb = data[i + 4] + 256 * data[i + 5]
                rows = data[i + 6] + 256 * data[i + 7]
                out.order.append(("image", len(out.images)))
                out.images.append((xb, rows))
                out.rasters.append(bytes(data[i + 8:i + 8 + xb * rows]))
                i += 8 + xb * rows
            else:
                raise ValueError(f"unknown GS command {data[i:i + 4]!r} at {i}")
        elif b == 0x10 and data[i + 1] == 0x04:
            out.status_queries += 1
            i += 3
        elif b < 0x20:
            raise ValueError(f"unexpected control byte {b:#04x} at {i}")
        else:
            current.append(b)
            i += 1
    if current:
        flush()
    return out


def raster_image(xb: int, rows: int, bits: bytes):
    """One GS v 0 image as a black-on-white PIL 'L' image."""
    from PIL import Image

    return Image.frombytes("1", (xb * 8, rows), bits, "raw", "1;I").convert("L")


def paper(job: Decoded, width: int = 576):
    """What the thermal printer would put on paper, for people to look at: text lines in a
    monospaced font at their printed size (12 x 24 dots a column), images as sent."""
    from PIL import Image, ImageDraw, ImageFont

    pieces = []
    fonts = {}
    for kind, n in job.order:
        if kind == "image":
            pieces.append(raster_image(*job.images[n], job.rasters[n]))
            continue
        line = job.lines[n]
        size = 20 * line.height
        if size not in fonts:
            fonts[size] = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", size)
        img = Image.new("L", (width, 24 * line.height), 255)
        draw = ImageDraw.Draw(img)
        text_w = len(line.text) * 12 * line.width
        x = {0: 0, 1: (width - text_w) // 2, 2: width - text_w}.get(line.align, 0)
        for k, ch in enumerate(line.text):  # one fixed cell per character, as the printer does
            for dx in ((0, 1) if line.bold else (0,)):
                draw.text((x + k * 12 * line.width + dx, 0), ch, font=fonts[size], fill=0)
        if line.inverted:
            from PIL import ImageOps

            img = ImageOps.invert(img)
        pieces.append(img)
    out = Image.new("L", (width, sum(p.height for p in pieces) or 1), 255)
    y = 0
    for piece in pieces:
        out.paste(piece, (0, y))
        y += piece.height
    return out
