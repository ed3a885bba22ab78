"""Thermal receipt printers through python-escpos: network (9100), USB, serial, device file.

Text is printed as text in a confirmed code page (CP858 by default: é è à ç €; œ becomes "oe").
A paragraph with a letter the code page lacks (Arabic, Cyrillic, Turkish ş, Romanian ț…) is
printed as an image of the text instead (GS v 0), drawn in a font that has its letters and as
big as printed text, never as question marks. Other images: the pictogram and, on printers
without native QR, the QR codes.
The whole job is first rendered into bytes with python-escpos' Dummy printer (fast, and a
rendering problem never leaves half a ticket), then sent in one write through the real
python-escpos transport. Before and after the job the printer is asked for its real-time
status (DLE EOT) where the connection can read it back.
"""

from __future__ import annotations

import errno
import logging
import socket
import time

from PIL import ImageOps
from escpos.capabilities import get_profile
from escpos.codepages import CodePages
from escpos.constants import QR_ECLEVEL_M
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Dummy

from .graphics import pictogram_image, qr_matrix
from .job import PrintFault, PrintResult, PrinterStatus
from .text import prints_as_text, to_codepage, wrap
from .textimage import BOX, paragraph_image
from .uri import DEFAULT_CODEPAGE, DEFAULT_PROFILE, PrinterUri, PrinterUriError

log = logging.getLogger(__name__)

DLE_EOT = b"\x10\x04"
# Real-time status bytes: bits 1 and 4 are always 1, bits 0 and 7 always 0.
ONLINE_OFFLINE = 0x08          # n=1: printer offline
OFFLINE_COVER_OPEN = 0x04      # n=2: cover open
OFFLINE_PAPER_END = 0x20       # n=2: printing stopped because of paper end
OFFLINE_ERROR = 0x40           # n=2: an error occurred
PAPER_NEAR_END = 0x0C          # n=4: paper roll near end
PAPER_END = 0x60               # n=4: paper roll end


# Letters drawn as an image are as tall as printed ones: font A is 12 x 24 dots, double size 24 x 48.
IMAGE_PX = {1: 24, 2: 44}


def _status_byte_valid(b: int) -> bool:
    return b & 0x93 == 0x12


class EscposPrinter:
    kind = "escpos"

    def __init__(self, uri: PrinterUri):
        self.uri = uri
        self.profile_name = uri.params.get("profile", DEFAULT_PROFILE)
        self.profile = get_profile(self.profile_name)
        self.codepage = uri.params.get("codepage", DEFAULT_CODEPAGE).upper()
        pages = self.profile.get_code_pages()
        if self.codepage not in pages:
            raise PrinterUriError(
                f"printer address {uri.text!r}: code page {self.codepage} is not listed for profile "
                f"{self.profile_name} (listed: {', '.join(sorted(pages)) or 'none'})")
        try:
            self.python_encoding = CodePages.get_encoding(self.codepage)["python_encode"]
        except KeyError:
            raise PrinterUriError(f"printer address {uri.text!r}: code page {self.codepage} "
                                  "has no known character table") from None
        self.columns = self.profile.get_columns("a")
        pixels = self.profile.profile_data.get("media", {}).get("width", {}).get("pixels")
        self.width_known = isinstance(pixels, int)
        self.width_px = pixels if self.width_known else 384  # unknown width: assume 58 mm paper
        self.scale = int(uri.params.get("size", "2"))
        self.can_print_images = self.width_known and self.profile.supports("bitImageRaster")
        self._warned_no_images = False
        self.cut_mode = uri.params.get("cut", "full")
        self.timeout = uri.number("timeout", 5.0)
        # A device file is write-only for most drivers: no status unless asked for.
        self.ask_status = uri.flag("status", uri.transport != "file")
        if uri.transport == "usb":
            from escpos.printer import Usb
            if not Usb.is_usable():
                raise PrinterUriError(f"printer address {uri.text!r}: USB printing needs the pyusb "
                                      "package (pip install pyusb) and libusb")
        if uri.transport == "serial":
            from escpos.printer import Serial
            if not Serial.is_usable():
                raise PrinterUriError(f"printer address {uri.text!r}: serial printing needs the "
                                      "pyserial package (pip install pyserial)")

    # ---- rendering -------------------------------------------------------------------------
    def _text(self, p, text: str, size: int = 1, bold: bool = False, align: str = "left",
              first: str = "", indent: str = "", language: str = "fr", lead: str = "",
              invert: bool = False) -> None:
        """Text as text where the code page has every letter, else as an image of the text."""
        size = max(1, min(size, self.scale)) if size > 1 else 1
        if not prints_as_text(text + first, self.python_encoding):
            if self.can_print_images:
                self._text_image(p, text, size, bold, align, language, lead, invert)
                return
            if not self._warned_no_images:
                self._warned_no_images = True
                log.warning("printer profile %s cannot print images: letters code page %s lacks are "
                            "printed as '?' (choose the printer's real profile)", self.profile_name,
                            self.codepage)
        cols = self.columns // size
        # GS ! n for every size, normal included, so no earlier size can linger.
        p.set(custom_size=True, width=size, height=size, bold=bold, align=align,
              invert=True if invert else None)
        safe = to_codepage(text, self.python_encoding)
        for line in wrap(safe, cols, indent=indent, first=first):
            p.text(line + "\n")
        if invert:
            p.set(invert=False)

    def _text_image(self, p, text: str, size: int, bold: bool, align: str, language: str,
                    lead: str, invert: bool) -> None:
        """A paragraph the code page cannot print (Arabic, Cyrillic, Turkish ş…), drawn in a font
        that has its letters and sent as a raster image (GS v 0), as big as the text would be."""
        px = IMAGE_PX[size]
        img = paragraph_image(text, language, px, self.width_px, bold=bold, pad=4, lead=lead,
                              align="center" if align == "center" else "start")
        if invert:
            img = ImageOps.invert(img)
        p.set(normal_textsize=True, bold=False, align="left")
        p.image(img.point(lambda v: 0 if v < 150 else 255).convert("1"), impl="bitImageRaster")

    def _qr(self, p, url: str) -> None:
        matrix = qr_matrix(url)
        if matrix is None:
            return
        modules = len(matrix) + 8  # with the quiet zone
        module_px = max(1, min(8, self.width_px // modules))
        p.set(normal_textsize=True, align="center")
        if self.profile.supports("qrCode"):
            p.qr(url, ec=QR_ECLEVEL_M, size=module_px, native=True)
            p.text("\n")
        else:
            p.qr(url, ec=QR_ECLEVEL_M, size=module_px, native=False, center=True)

    def render(self, receipt) -> bytes:
        """The complete job as ESC/POS bytes for this printer's profile and code page."""
        p = Dummy(profile=self.profile_name)
        p.hw("INIT")
        p.charcode(self.codepage)  # emits ESC t n once, then encodes everything in this page
        big = self.scale
        pictogram_printed = False
        for block in receipt.blocks():
            k = block.kind
            lang = block.lang or receipt.language
            if k == "site":
                self._text(p, block.text, big, bold=True, align="center", language=lang)
            elif k == "meta":
                self._text(p, block.text, 1, align="center", language=lang)
            elif k == "rule":
                p.set(normal_textsize=True, bold=False, align="left")
                p.text("-" * self.columns + "\n")
            elif k == "marker":
                p.text("\n")
                self._text(p, block.text, big, bold=True, language=lang, invert=True)
            elif k == "title":
                pic = pictogram_image(receipt.pictogram, 96) if (
                    self.can_print_images and not pictogram_printed) else None
                if pic is not None:
                    p.set(align="center")
                    p.image(pic.convert("1"), center=True)
                    pictogram_printed = True
                self._text(p, block.text, big, bold=True, align="center", language=lang)
            elif k == "subtitle":
                self._text(p, block.text, big, align="center", language=lang)
            elif k == "heading":
                p.text("\n")
                self._text(p, block.text, big, bold=True, language=lang)
            elif k in ("text", "hint"):
                self._text(p, block.text, big, language=lang)
            elif k == "checklist":
                for item in block.items:
                    self._text(p, item, big, first="[ ] ", indent="    ", language=lang, lead=BOX)
            elif k == "steps":
                for n, item in enumerate(block.items, 1):
                    num = f"{n}. "
                    self._text(p, item, big, first=num, indent=" " * len(num), language=lang,
                               lead=num.strip())
            elif k == "qr":
                self._text(p, block.text, big, language=lang)
                self._qr(p, block.url)
                self._text(p, block.url, 1, align="center", language=lang)
        p.set(normal_textsize=True, bold=False, align="left")
        if self.cut_mode != "none":
            p.cut(mode="PART" if self.cut_mode == "part" else "FULL")
        else:
            p.print_and_feed(6)
        return p.output

    # ---- transport -------------------------------------------------------------------------
    def _device(self):
        u = self.uri
        if u.transport == "tcp":
            from escpos.printer import Network
            return Network(host=u.target, port=u.port, timeout=self.timeout, profile=self.profile_name)
        if u.transport == "usb":
            from escpos.printer import Usb
            kw = {}
            if "in_ep" in u.params:
                kw["in_ep"] = int(u.params["in_ep"], 16)
            if "out_ep" in u.params:
                kw["out_ep"] = int(u.params["out_ep"], 16)
            return Usb(u.vendor_id, u.product_id, timeout=int(self.timeout * 1000),
                       profile=self.profile_name, **kw)
        if u.transport == "serial":
            from escpos.printer import Serial
            return Serial(devfile=u.target, baudrate=int(u.params.get("baud", "9600")),
                          timeout=self.timeout, profile=self.profile_name)
        from escpos.printer import File
        return File(devfile=u.target, profile=self.profile_name)

    def _open(self):
        dev = self._device()
        try:
            dev.open()
        except DeviceNotFoundError as exc:
            raise _connection_fault(exc.__context__ or exc, str(exc).replace("\n", " ")) from None
        except OSError as exc:
            raise _connection_fault(exc, str(exc)) from None
        return dev

    @staticmethod
    def _close(dev) -> None:
        try:
            dev.close()
        except Exception:  # closing a broken connection must not hide the real fault
            pass

    def _drain(self, dev) -> None:
        """Discard bytes the printer sent on its own (so a stale byte is not read as an answer)."""
        if self.uri.transport != "tcp":
            return
        sock = dev.device
        sock.setblocking(False)
        try:
            while sock.recv(256):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as exc:
            raise PrintFault("interrupted", f"connection lost: {exc}", maybe_printed=True) from None
        finally:
            sock.settimeout(self.timeout)

    def _ask(self, dev, n: int, timeout: float, after_job: bool = False) -> int | None:
        """One DLE EOT n real-time status byte, or None if the printer does not answer in time.

        A connection closed before the job means the printer turned us away (refused); after
        the job it means the job was cut short (interrupted).
        """
        closed = "interrupted" if after_job else "refused"
        t = self.uri.transport
        dev._raw(DLE_EOT + bytes([n]))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                if t == "tcp":
                    dev.device.settimeout(left)
                    data = dev.device.recv(16)
                    if not data:
                        raise PrintFault(closed, "the printer closed the connection", after_job)
                elif t == "serial":
                    dev.device.timeout = left
                    data = dev.device.read(16)
                elif t == "usb":
                    data = bytes(dev.device.read(dev.in_ep, 16, int(left * 1000)))
                else:
                    return None
            except (socket.timeout, TimeoutError):
                return None
            except PrintFault:
                raise
            except OSError as exc:
                if t == "tcp":
                    raise PrintFault(closed, f"connection lost while asking status: {exc}", after_job) from None
                return None
            except Exception as exc:  # pyusb timeout / pipe errors
                log.debug("status read failed: %s", exc)
                return None
            valid = [b for b in data if _status_byte_valid(b)]
            if valid:
                return valid[-1]

    def _check(self, dev, timeout: float, maybe_printed: bool) -> str:
        """Raise PrintFault for a printer that cannot print; return a detail line otherwise."""
        s1 = self._ask(dev, 1, timeout, maybe_printed)
        if s1 is None:
            raise PrintFault("timeout", f"no answer to the status query (DLE EOT 1) within {timeout:g} s",
                             maybe_printed=maybe_printed)
        s2 = self._ask(dev, 2, timeout, maybe_printed)
        s4 = self._ask(dev, 4, timeout, maybe_printed)
        codes = f"DLE EOT 1/2/4 = {s1:#04x}/{_hex(s2)}/{_hex(s4)}"
        if s2 is not None and s2 & OFFLINE_COVER_OPEN:
            raise PrintFault("cover_open", codes, maybe_printed)
        if (s4 is not None and s4 & PAPER_END == PAPER_END) or (s2 is not None and s2 & OFFLINE_PAPER_END):
            raise PrintFault("paper_out", codes, maybe_printed)
        if s1 & ONLINE_OFFLINE or (s2 is not None and s2 & OFFLINE_ERROR):
            raise PrintFault("offline", codes, maybe_printed)
        if s4 is not None and s4 & PAPER_NEAR_END == PAPER_NEAR_END:
            return "paper low; " + codes
        return codes

    def status(self) -> PrinterStatus:
        if not self.ask_status:
            return PrinterStatus(True, checked=False, detail=f"{self.uri.transport} connection, status=no")
        dev = None
        try:
            dev = self._open()
            detail = self._check(dev, min(self.timeout, 2.0), maybe_printed=False)
            return PrinterStatus(True, detail=detail)
        except PrintFault as fault:
            return PrinterStatus(False, fault.reason, fault.detail)
        finally:
            if dev is not None:
                self._close(dev)

    def print_receipt(self, receipt, job_id: str) -> PrintResult:
        started = time.perf_counter()
        sent = 0
        dev = None
        try:
            data = self.render(receipt)
            dev = self._open()
            if self.ask_status:
                self._check(dev, min(self.timeout, 2.0), maybe_printed=False)
            try:
                dev._raw(data)
                if self.uri.transport == "file":
                    dev.flush()
            except (socket.timeout, TimeoutError) as exc:
                raise PrintFault("timeout", f"sending stalled: {exc}", maybe_printed=True) from None
            except OSError as exc:
                raise PrintFault("interrupted", f"connection lost while sending: {exc}",
                                 maybe_printed=True) from None
            except Exception as exc:  # pyusb/pyserial write errors
                raise PrintFault("interrupted", f"write failed: {exc}", maybe_printed=True) from None
            sent = len(data)
            detail = ""
            if self.ask_status:
                self._drain(dev)
                detail = self._check(dev, self.timeout, maybe_printed=True)
            return PrintResult(job_id, True, printer=self.uri.text, output=f"{sent} bytes", detail=detail,
                               sent_bytes=sent, maybe_printed=True,
                               duration=time.perf_counter() - started)
        except PrintFault as fault:
            return PrintResult(job_id, False, fault.reason, fault.detail, self.uri.text, sent_bytes=sent,
                               maybe_printed=fault.maybe_printed, duration=time.perf_counter() - started)
        finally:
            if dev is not None:
                self._close(dev)


def _hex(b: int | None) -> str:
    return "none" if b is None else f"{b:#04x}"


def _connection_fault(exc: BaseException, text: str) -> PrintFault:
    if isinstance(exc, ConnectionRefusedError):
        return PrintFault("refused", text)
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return PrintFault("timeout", text)
    if isinstance(exc, socket.gaierror):
        return PrintFault("absent", f"unknown host: {text}")
    if isinstance(exc, PermissionError):
        return PrintFault("refused", f"permission denied (is the kiosk user in the lp group?): {text}")
    if isinstance(exc, OSError) and exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ENOENT,
                                                  errno.ENODEV, errno.ENXIO):
        return PrintFault("absent", text)
    if isinstance(exc, OSError) and exc.errno == errno.EBUSY:
        return PrintFault("refused", f"device busy (usblp or another program holds it): {text}")
    return PrintFault("absent", text)
