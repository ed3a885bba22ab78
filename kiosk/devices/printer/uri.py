"""Printer addresses an admin can type, parsed into a `PrinterUri`.

    preview:DIR                          PNG + PDF files in DIR (relative to the runtime folder; no ..)
    escpos+tcp://HOST[:PORT]             network thermal printer (port 9100 by default)
    escpos+usb://VID:PID                 USB thermal printer, ids in hexadecimal (04b8:0e15)
    escpos+serial:///dev/ttyUSB0?baud=19200
    escpos+file:///dev/usb/lp0           device file (usblp)
    cups://QUEUE                         office printer through CUPS, A4 page
    none                                 no printer: the kiosk offers the QR code on screen only

Query parameters: escpos accepts profile=, codepage=, size=1|2, timeout=SECONDS, status=yes|no,
cut=full|part (usb also in_ep=, out_ep=; serial baud=); preview accepts profile=; cups accepts
server= (a CUPS server or socket path) and media=. Anything wrong gives `PrinterUriError`, one
line naming the address and what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

DEFAULT_PROFILE = "TM-T20II"  # 80 mm Epson-compatible, 576 dots, 48 columns, CP858 listed
DEFAULT_CODEPAGE = "CP858"    # é è à ç € (œ is printed as "oe")

COMMON_ESCPOS = {"profile", "codepage", "size", "timeout", "status", "cut"}
ALLOWED = {
    "preview": {"profile"},
    "escpos+tcp": COMMON_ESCPOS,
    "escpos+usb": COMMON_ESCPOS | {"in_ep", "out_ep"},
    "escpos+serial": COMMON_ESCPOS | {"baud"},
    "escpos+file": COMMON_ESCPOS,
    "cups": {"server", "media", "timeout"},
    "none": set(),
}


class PrinterUriError(ValueError):
    """A printer address that cannot be used; str() is one line."""


@dataclass(frozen=True)
class PrinterUri:
    text: str
    scheme: str                 # preview, escpos+tcp, escpos+usb, escpos+serial, escpos+file, cups, none
    target: str = ""            # folder, host, device path or queue
    port: int = 0
    vendor_id: int = 0
    product_id: int = 0
    params: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """escpos, cups, preview or none."""
        return self.scheme.split("+")[0]

    @property
    def transport(self) -> str:
        return self.scheme.split("+")[1] if "+" in self.scheme else ""

    def number(self, name: str, default: float) -> float:
        return float(self.params[name]) if name in self.params else default

    def flag(self, name: str, default: bool) -> bool:
        return self.params[name] in ("yes", "true", "1", "on") if name in self.params else default


def _fail(uri: str, what: str) -> PrinterUriError:
    shown = repr(uri) if len(uri) <= 120 else repr(uri[:100]) + f"… ({len(uri)} characters)"
    return PrinterUriError(f"printer address {shown}: {what}")


def _params(uri: str, scheme: str, query: str) -> dict[str, str]:
    params: dict[str, str] = {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise _fail(uri, f"the part after '?' must look like name=value&name=value, got {query!r}") from None
    for name, value in pairs:
        if name not in ALLOWED[scheme]:
            accepted = ", ".join(sorted(ALLOWED[scheme])) or "none"
            raise _fail(uri, f"unknown parameter {name!r} for {scheme} (accepted: {accepted})")
        if not value:
            raise _fail(uri, f"parameter {name!r} has no value")
        params[name] = value
    _check_values(uri, params)
    return params


def _check_values(uri: str, params: dict[str, str]) -> None:
    checks = {
        "size": (lambda v: v in ("1", "2"), "1 or 2"),
        "timeout": (lambda v: re.fullmatch(r"\d+(\.\d+)?", v) is not None and 0 < float(v) <= 120,
                    "a number of seconds between 0 and 120"),
        "status": (lambda v: v in ("yes", "no", "true", "false", "1", "0", "on", "off"), "yes or no"),
        "cut": (lambda v: v in ("full", "part", "none"), "full, part or none"),
        "baud": (lambda v: v in ("1200", "2400", "4800", "9600", "19200", "38400", "57600", "115200"),
                 "a standard baud rate such as 9600 or 19200"),
        "in_ep": (lambda v: re.fullmatch(r"(0x)?[0-9a-fA-F]{1,2}", v) is not None, "an endpoint such as 0x82"),
        "out_ep": (lambda v: re.fullmatch(r"(0x)?[0-9a-fA-F]{1,2}", v) is not None, "an endpoint such as 0x01"),
        "media": (lambda v: re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", v) is not None, "a media name such as A4"),
    }
    for name, value in params.items():
        if name in checks and not checks[name][0](value):
            raise _fail(uri, f"parameter {name!r} must be {checks[name][1]}, got {value!r}")
    if "profile" in params:
        from escpos.capabilities import get_profile

        try:
            get_profile(params["profile"])
        except Exception:
            raise _fail(uri, f"unknown printer profile {params['profile']!r} "
                             "(see `python -m escpos.cli` or python-escpos capabilities)") from None


def parse_printer_uri(text: str) -> PrinterUri:
    """Parse and check a printer address; raise PrinterUriError naming what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise PrinterUriError("printer address is empty: expected e.g. preview:receipts or escpos+tcp://192.168.1.50:9100")
    uri = text.strip()
    if uri == "none":
        return PrinterUri(uri, "none")
    if ":" not in uri:
        raise _fail(uri, "no scheme: start with preview:, escpos+tcp://, escpos+usb://, "
                         "escpos+serial://, escpos+file://, cups:// or write none")
    scheme = uri.split(":", 1)[0].lower()
    if scheme not in ALLOWED:
        raise _fail(uri, f"unknown scheme {scheme!r} (expected preview, escpos+tcp, escpos+usb, "
                         "escpos+serial, escpos+file, cups or none)")
    if scheme == "preview":
        rest = uri.split(":", 1)[1]
        folder, _, query = rest.partition("?")
        folder = unquote(folder)
        if folder.startswith("//"):
            folder = folder[2:]
        if not folder:
            raise _fail(uri, "no folder: write preview:receipts or preview:/path/to/folder")
        if ".." in folder.replace("\\", "/").split("/"):
            raise _fail(uri, "'..' is not allowed in the folder: write a plain name such as "
                             "preview:receipts or a full path such as preview:/var/lib/kiosk/receipts")
        if any(ord(c) < 32 or ord(c) == 127 for c in folder):
            raise _fail(uri, "control characters are not allowed in the folder")
        return PrinterUri(uri, scheme, folder, params=_params(uri, scheme, query))
    if "://" not in uri:
        raise _fail(uri, f"expected {scheme}:// followed by the address")
    try:
        parts = urlsplit(uri)
        hostname, port = (parts.hostname, parts.port) if scheme == "escpos+tcp" else ("", None)
    except ValueError as exc:  # "[::1" or "[zz]": a broken IPv6 address, or a port out of range
        if "port" in str(exc).lower():
            raise _fail(uri, "the port must be a number between 1 and 65535") from None
        raise _fail(uri, f"malformed address ({exc}); an IPv6 host is written in brackets, "
                         "e.g. escpos+tcp://[2001:db8::5]:9100") from None
    params = _params(uri, scheme, parts.query)
    if parts.fragment:
        raise _fail(uri, f"unexpected '#{parts.fragment}'")
    if scheme == "escpos+tcp":
        host = hostname or ""
        if not host:
            raise _fail(uri, "no host: write escpos+tcp://HOST:9100")
        if parts.path not in ("", "/"):
            raise _fail(uri, f"unexpected path {parts.path!r} after the host")
        if port is None:
            if parts.netloc.endswith(":"):
                raise _fail(uri, "no port after ':': write escpos+tcp://HOST:9100 or leave out ':'")
            port = 9100
        elif not 1 <= port <= 65535:
            raise _fail(uri, f"the port must be a number between 1 and 65535, got {port}")
        return PrinterUri(uri, scheme, host, port=port, params=params)
    if scheme == "escpos+usb":
        ids = parts.netloc + parts.path.rstrip("/")
        m = re.fullmatch(r"(?:0x)?([0-9a-fA-F]{4}):(?:0x)?([0-9a-fA-F]{4})", ids)
        if not m:
            raise _fail(uri, f"expected USB ids VID:PID in hexadecimal such as 04b8:0e15, got {ids!r}")
        return PrinterUri(uri, scheme, ids, vendor_id=int(m.group(1), 16), product_id=int(m.group(2), 16),
                          params=params)
    if scheme in ("escpos+serial", "escpos+file"):
        if parts.netloc:
            raise _fail(uri, f"expected three slashes and a device path, e.g. {scheme}:///dev/ttyUSB0")
        path = unquote(parts.path)
        if not path.startswith("/") or path == "/":
            raise _fail(uri, f"expected a device path such as /dev/usb/lp0, got {path!r}")
        return PrinterUri(uri, scheme, path, params=params)
    # cups
    queue = unquote(parts.netloc or parts.path.strip("/"))
    if not queue or not re.fullmatch(r"[A-Za-z0-9_.@+-]{1,127}", queue):
        raise _fail(uri, f"expected a CUPS queue name (letters, digits, - _ .), got {queue!r}")
    return PrinterUri(uri, scheme, queue, params=params)
