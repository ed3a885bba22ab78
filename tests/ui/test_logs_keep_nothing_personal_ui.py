"""What reaches the journal: the log lines of a whole journey carry nothing of the citizen.

On a device everything the kiosk logs goes to journald (deploy/systemd/kiosk.service); here the
same log records are captured while a citizen types a name in the search, prints a recap (with
its reference), calls for help and finishes, and the mediator types the PIN."""

from __future__ import annotations

import logging
import time

import pytest

from kiosk.ui.keys import MEDIATOR as F12

pytestmark = [pytest.mark.ui]


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


def test_a_full_journey_logs_nothing_personal(kiosk):
    app = kiosk.app
    capture = Capture()
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)      # what journald keeps on a device (LogLevelMax=info)
    root.addHandler(capture)
    try:
        deadline = time.monotonic() + 20
        while app.receipts.service is None and time.monotonic() < deadline:
            kiosk.pump(1)
        kiosk.tap("start")
        kiosk.tap("search")
        kiosk.type("dupont jeanne")
        kiosk.tap("home")
        kiosk.tap("theme:famille")
        kiosk.tap("demarche:rsa")
        kiosk.tap("print")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "Votre résumé est imprimé" not in kiosk.visible_texts():
            kiosk.pump(1)
        reference = app.receipts._last_receipt.reference if app.receipts._last_receipt else None
        kiosk.tap("dismiss")
        kiosk.tap("call")
        kiosk.tap("dismiss")
        kiosk.key(F12)
        for digit in app.kiosk_config.mediator["pin"]:
            kiosk.tap(f"staff:digit:{digit}")
        kiosk.tap("staff:ok")
        kiosk.tap("staff:close")
        kiosk.tap("end")
        kiosk.tap("face:2")
        kiosk.tap("reason:complicated")
    finally:
        root.removeHandler(capture)
        root.setLevel(level)
    journal = "\n".join(capture.lines).lower()
    assert capture.lines, "the journey was logged (mediator called, faults…)"
    assert reference, "a recap was printed"
    for secret in ("dupont", "jeanne", reference.lower(), app.kiosk_config.mediator["pin"],
                   "complicated", "trop compliqué"):
        assert secret not in journal, secret
