"""Printing the recap and showing the QR code, without ever blocking the UI thread.

The printer is opened in a worker thread (python-escpos loads its database slowly); a print job
is announced at once, printed by the print service's worker, and its result comes back through
Clock.schedule_once. On a fault the person hears and sees what to do, and the QR code appears as
the alternative to paper. The receipt is kept only to be read aloud, and forgotten with the session.
"""

from __future__ import annotations

import logging
import threading

from kivy.clock import Clock

from kiosk.core import overlays

log = logging.getLogger(__name__)


class ReceiptDesk:
    def __init__(self, config, catalogue, journey, display, faults: list[str]):
        self.config = config
        self.catalogue = catalogue
        self.journey = journey
        self.display = display
        self.faults = faults
        self.service = None            # the print service once opened (None: no printer)
        self.opening = False
        self._last_receipt = None
        self.survey_url = lambda demarche, language: None   # the hub's cold survey, when linked

    @property
    def _(self):
        return self.journey.translator.gettext

    def open_in_background(self, factory) -> None:
        self.opening = True

        def work():
            try:
                service = factory()
            except Exception as exc:
                log.error("printer not opened: %s", exc.__class__.__name__)
                Clock.schedule_once(lambda _dt: self._opened(None, exc), 0)
                return
            Clock.schedule_once(lambda _dt: self._opened(service, None), 0)
        threading.Thread(target=work, name="printer-open", daemon=True).start()

    def _opened(self, service, error) -> None:
        self.opening = False
        self.service = service
        if error is not None:
            self.faults.append(f"printer: could not be opened ({error.__class__.__name__})")
        waiting, self._waiting = self._waiting, None
        if waiting is not None and waiting[-1] == self._session:
            self._submit(*waiting)

    # a print asked for while the printer was still being opened (the first seconds after a
    # start): (receipt, démarche, language, session), printed once it is open
    _waiting: tuple | None = None

    def print_receipt(self, demarche_id: str, language: str, bilingual: bool | None = False) -> None:
        """Announce at once, print in the printer's worker, report back on the UI thread.

        `bilingual` None: in a language other than French, first ask whether French should
        follow (the answer comes back as "print:bilingual" or "print:single")."""
        from kiosk.core.receipt import build_receipt

        if bilingual is None:
            if language != "fr" and self.service is not None:
                self.display.present_overlay(overlays.print_choice(self._))
                return
            bilingual = False
        receipt = build_receipt(self.catalogue.demarches[demarche_id], self.config, language,
                                survey_url=self.survey_url(demarche_id, language), bilingual=bilingual)
        self._last_receipt = receipt
        if self.service is None and self.opening:
            # not "no printer": it is being opened; announced now, printed once it is open
            from kiosk.devices.printer.job import announcement

            self._waiting = (receipt, demarche_id, language, self._session)
            self.display.present_overlay(overlays.printing(self._, announcement(language)), warning=True)
            return
        self._submit(receipt, demarche_id, language, self._session)

    def _submit(self, receipt, demarche_id: str, language: str, session: int) -> None:
        if self.service is None:
            self.show_qr(demarche_id, overlays.no_printer(self._))
            return
        job = self.service.submit(receipt, on_done=lambda result: Clock.schedule_once(
            lambda _dt: self._printed(result, session), 0))
        if self.display.overlay_name != "printing":   # already announced while it was opening
            self.display.present_overlay(overlays.printing(self._, job.announcement(language)),
                                         warning=True)

    def _printed(self, result, session: int) -> None:
        if session != self._session:
            # the citizen has gone: nothing of their print is shown to the next one
            if not result.ok:
                self.faults.append(f"printer: {result.mediator_message()}")
            return
        if result.ok:
            can_read = self.display.speech.available and self.journey.session.voice_on
            self.display.present_overlay(overlays.printed(self._, can_read))
            return
        self.faults.append(f"printer: {result.mediator_message()}")
        log.warning("print fault: %s", result.reason)
        model = overlays.print_failed(self._, result.citizen_message(self.journey.session.language))
        demarche = self.journey.session.demarche
        if demarche:
            self.show_qr(demarche, model)
        else:
            self.display.present_overlay(model, warning=True)

    def show_qr(self, demarche_id: str, model=None) -> None:
        """The official page's QR code on screen, to photograph (the alternative to paper)."""
        from kiosk.core.receipt import qr_image

        url = self.catalogue.demarches[demarche_id].official_url
        self.display.present_overlay(overlays.photograph_qr(self._, url, model), image=qr_image(url))

    def read_aloud(self) -> None:
        """"Read it aloud" after printing: the receipt's words (never its reference)."""
        self.display.hide_overlay()
        if self._last_receipt is not None:
            self.display.speech.say(self._last_receipt.speech_text())

    _session = 0   # counts the citizens: a late print result belongs to the one who printed

    def forget(self) -> None:
        self._last_receipt = None
        self._waiting = None
        self._session += 1

    def close(self) -> None:
        if self.service is not None and hasattr(self.service, "close"):
            self.service.close()
