import pytest

from kiosk.devices.printer import PrinterUriError, open_printer, parse_printer_uri


@pytest.mark.parametrize("uri, scheme, target, extra", [
    ("preview:receipts", "preview", "receipts", {}),
    ("preview:/var/lib/kiosk/receipts?profile=TM-T88V", "preview", "/var/lib/kiosk/receipts", {}),
    ("escpos+tcp://192.168.1.50:9100", "escpos+tcp", "192.168.1.50", {"port": 9100}),
    ("escpos+tcp://printer.local", "escpos+tcp", "printer.local", {"port": 9100}),
    ("escpos+usb://04b8:0e15?profile=TM-T20II", "escpos+usb", "04b8:0e15",
     {"vendor_id": 0x04B8, "product_id": 0x0E15}),
    ("escpos+serial:///dev/ttyUSB0?baud=19200", "escpos+serial", "/dev/ttyUSB0", {}),
    ("escpos+file:///dev/usb/lp0?codepage=CP858", "escpos+file", "/dev/usb/lp0", {}),
    ("cups://Bureau_A4", "cups", "Bureau_A4", {}),
    ("none", "none", "", {}),
])
def test_valid_addresses(uri, scheme, target, extra):
    parsed = parse_printer_uri(uri)
    assert (parsed.scheme, parsed.target) == (scheme, target)
    for key, value in extra.items():
        assert getattr(parsed, key) == value


@pytest.mark.parametrize("uri, words", [
    ("", "empty"),
    ("receipts", "no scheme"),
    ("lpt://x", "unknown scheme 'lpt'"),
    ("escpos+tcp://:9100", "no host"),
    ("escpos+tcp://host:99999", "port"),
    ("escpos+tcp://host?colour=red", "unknown parameter 'colour'"),
    ("escpos+tcp://host?size=3", "'size' must be 1 or 2"),
    ("escpos+tcp://host?profile=NoSuchPrinter", "unknown printer profile"),
    ("escpos+usb://4b8-e15", "VID:PID"),
    ("escpos+serial://dev/ttyUSB0", "three slashes"),
    ("escpos+serial:///dev/ttyUSB0?baud=12345", "baud rate"),
    ("cups://", "queue name"),
    ("cups://bad queue", "queue name"),
    ("preview:", "no folder"),
])
def test_malformed_addresses_give_one_line(uri, words):
    with pytest.raises(PrinterUriError) as err:
        parse_printer_uri(uri)
    message = str(err.value)
    assert "\n" not in message
    assert words in message


def test_code_page_must_be_listed_for_the_profile():
    with pytest.raises(PrinterUriError, match="code page CP858 is not listed for profile TM-T88II"):
        open_printer("escpos+tcp://127.0.0.1?profile=TM-T88II")
    assert open_printer("escpos+tcp://127.0.0.1?profile=TM-T88II&codepage=CP1252").codepage == "CP1252"
