"""The printed recap ("reçu") a citizen takes home, as a device-neutral model.

One `Receipt` is built from a démarche, the site config, a language and a clock. Every renderer
(thermal ESC/POS text, PNG preview, A4 PDF) walks the same `blocks()`, and `speech_text()` says
the same content aloud, so nothing is printed that cannot be heard (EN 301 549).

Privacy: a receipt holds no personal data. Its reference is random, short and means nothing;
it is printed (so the citizen can quote it to a mediator) but never spoken through the
loudspeaker. Imports no Kivy.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from kiosk.core.i18n import N_, translations
from kiosk.core.partners import partner_name
from kiosk.core.screen import sentence

# Unambiguous characters only: no 0/O, 1/I/L, 2/Z, 5/S, 8/B — easy to read out to a mediator.
REFERENCE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
REFERENCE_LENGTH = 6

LABELS: dict[str, str] = {
    "receipt": N_("Your recap"),
    "date": N_("{date} at {time}"),
    # clock time: {h} hour (0 to 23), {mm} minutes on two digits
    "time": N_("{h}:{mm}"),
    "reference": N_("Ticket no. {reference}"),
    "with_partner": N_("With: {partner}"),
    "documents": N_("Papers to get ready"),
    "documents_hint": N_("Tick each box when you have the paper."),
    "steps": N_("The steps"),
    "delay": N_("Usual time: {delay}"),
    "cost": N_("Cost: {cost}"),
    "online": N_("Do it on the internet"),
    "online_speech": N_("Do it on the internet: {online}"),
    "official_qr": N_("Scan this code with a phone to open the official page:"),
    "satisfaction": N_("Your opinion"),
    "satisfaction_qr": N_("Later, scan this code to tell us what you think. It is anonymous."),
    "help": N_("Need help?"),
    "opening": N_("Opening hours: {hours}"),
    # printed in French before the French copy of each section of a bilingual receipt
    "in_french": N_("In French:"),
    # the twelve month names, separated by spaces
    "months": N_("January February March April May June July August September October November December"),
    "speech_intro": N_("Here is what your recap says, for: {title}."),
    "speech_partner": N_("The organisation is: {partner}."),
    "speech_documents": N_("The papers to get ready are:"),
    "speech_steps": N_("The steps are:"),
    "speech_step": N_("Step {n}: {text}"),
    "speech_qr": N_("Two QR codes are printed. The first one opens the official page. "
                    "The second one is for giving your opinion later."),
}
"""Receipt wording by role, as English msgids translated through the gettext catalogues."""


def label(language: str, key: str, **values: Any) -> str:
    """A receipt label in `language`, with {placeholders} filled in."""
    return translations(language).gettext(LABELS[key]).format(**values)


def new_reference(randbelow=secrets.randbelow) -> str:
    """A short random reference like "K7P-4MX": means nothing, links to nobody."""
    chars = "".join(REFERENCE_ALPHABET[randbelow(len(REFERENCE_ALPHABET))] for _ in range(REFERENCE_LENGTH))
    return f"{chars[:3]}-{chars[3:]}"


@dataclass(frozen=True)
class Block:
    """One piece of the receipt layout, independent of the device.

    kind: "site" (site name), "meta" (date, reference), "title", "subtitle", "heading",
    "text", "hint", "checklist" (items with a box to tick), "steps" (numbered items),
    "qr" (text = caption, url = content), "rule" (a separator line), "marker" (« En français : »
    before the French copy of a section).
    lang: the language of the words (picks the font and the direction); "" for a rule.
    """

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    url: str = ""
    lang: str = ""


@dataclass(frozen=True)
class Receipt:
    reference: str
    language: str
    created: datetime
    site_name: str
    opening_hours: str
    mediator_hours: str
    demarche_id: str
    title: str
    partner: str
    pictogram: str
    documents: tuple[str, ...]
    steps: tuple[str, ...]
    delay: str
    cost: str
    online: str
    official_url: str
    satisfaction_url: str
    extra: dict[str, Any] = field(default_factory=dict)
    french: Receipt | None = None
    """Bilingual receipts: the same receipt in French, printed after each section."""

    def label(self, key: str, **values: Any) -> str:
        return label(self.language, key, **values)

    def date_text(self) -> str:
        months = self.label("months").split()
        if len(months) != 12:  # a broken translation: the English names rather than a crash
            months = LABELS["months"].split()
        date = f"{self.created.day} {months[self.created.month - 1]} {self.created.year}"
        time = self.label("time", h=self.created.hour, mm=f"{self.created.minute:02d}")
        return self.label("date", date=date, time=time)

    def sections(self) -> list[list[Block]]:
        """The receipt's sections, top to bottom, in this receipt's language (no rules)."""
        lang = self.language
        return [
            [Block("site", self.site_name, lang=lang),
             Block("meta", self.date_text(), lang=lang),
             Block("meta", self.label("reference", reference=self.reference), lang=lang)],
            [Block("title", self.title, lang=lang),
             Block("subtitle", self.label("with_partner", partner=self.partner), lang=lang)],
            [Block("heading", self.label("documents"), lang=lang),
             Block("hint", self.label("documents_hint"), lang=lang),
             Block("checklist", items=self.documents, lang=lang)],
            [Block("heading", self.label("steps"), lang=lang),
             Block("steps", items=self.steps, lang=lang),
             Block("text", self.label("delay", delay=self.delay), lang=lang),
             Block("text", self.label("cost", cost=self.cost), lang=lang)],
            [Block("heading", self.label("online"), lang=lang),
             Block("text", self.online, lang=lang),
             Block("qr", self.label("official_qr"), url=self.official_url, lang=lang)],
            [Block("heading", self.label("help"), lang=lang),
             Block("text", self.mediator_hours, lang=lang),
             Block("text", self.label("opening", hours=self.opening_hours), lang=lang)],
            [Block("heading", self.label("satisfaction"), lang=lang),
             Block("qr", self.label("satisfaction_qr"), url=self.satisfaction_url, lang=lang)],
        ]

    def blocks(self) -> list[Block]:
        """The receipt, top to bottom, for every renderer.

        Bilingual (`french` set): each section in the citizen's language, then a « En français : »
        marker and the same section in French, one after the other so it fits a thermal roll.
        What reads the same in both (a site name, an official name) is not repeated, and each
        QR code is printed once, after both captions.
        """
        out: list[Block] = []
        theirs = self.sections()
        french = self.french.sections() if self.french is not None else [[] for _ in theirs]
        for n, (own, fr) in enumerate(zip(theirs, french)):
            if n:
                out.append(Block("rule"))
            fr = [b for b in fr if b not in own and replace(b, lang=self.language) not in own]
            if not fr:
                out.extend(own)
                continue
            if any(b.kind == "qr" for b in fr):  # the code once, below the French caption
                own = [Block("text", b.text, lang=b.lang) if b.kind == "qr" else b for b in own]
            out.extend(own)
            out.append(Block("marker", label("fr", "in_french"), lang="fr"))
            out.extend(fr)
        return out

    def lines(self) -> list[str]:
        """Plain text lines (for logs of the layout, tests and the mediator's screen)."""
        out: list[str] = []
        for block in self.blocks():
            if block.kind == "rule":
                out.append("")
            elif block.kind == "checklist":
                out.extend(f"[ ] {item}" for item in block.items)
            elif block.kind == "steps":
                out.extend(f"{n}. {item}" for n, item in enumerate(block.items, 1))
            elif block.kind == "qr":
                out.extend([block.text, block.url])
            elif block.kind == "marker":
                out.extend(["", block.text])
            else:
                out.append(block.text)
        return out

    def qr_codes(self) -> list[tuple[str, str]]:
        """(caption, url) of each QR code, in print order: official page, then satisfaction."""
        return [(b.text, b.url) for b in self.blocks() if b.kind == "qr"]

    def speech_text(self) -> str:
        """What the speaker says when asked "what does the receipt say".

        Same content as the print, as sentences; the reference is left out on purpose
        (a reference is never spoken through the loudspeaker).
        """
        parts = [
            self.label("speech_intro", title=self.title),
            self.label("speech_partner", partner=self.partner),
            self.label("speech_documents"),
            *(sentence(d) for d in self.documents),
            self.label("speech_steps"),
            *(sentence(self.label("speech_step", n=n, text=s)) for n, s in enumerate(self.steps, 1)),
            sentence(self.label("delay", delay=self.delay)),
            sentence(self.label("cost", cost=self.cost)),
            sentence(self.label("online_speech", online=self.online)),
            self.label("speech_qr"),
            sentence(self.mediator_hours),
            sentence(self.site_name),
            sentence(self.label("opening", hours=self.opening_hours)),
        ]
        return " ".join(p for p in parts if p)


def build_receipt(demarche, config, language: str = "fr", now: datetime | None = None,
                  reference: str | None = None, survey_url: str | None = None,
                  bilingual: bool = False) -> Receipt:
    """A receipt for `demarche` (a catalogue.Demarche) at the site described by `config`.

    `now` defaults to the local time; `reference` to a new random one; `survey_url`: the hub's
    signed cold-survey address for this visit (None: the configured satisfaction address).
    `bilingual`: French follows each section, for the partner's counter agent (ignored in French).
    """
    from kiosk.core.config import site_text  # noqa: PLC0415 - config imports the catalogue

    text = demarche.text(language)
    lang = language or "fr"
    reference = reference or new_reference()
    now = now or datetime.now()
    french = build_receipt(demarche, config, "fr", now, reference, survey_url) \
        if bilingual and lang != "fr" else None
    return Receipt(
        french=french,
        reference=reference,
        language=lang,
        created=now,
        site_name=site_text(config, "name", lang)[0],
        opening_hours=site_text(config, "opening_hours", lang)[0],
        mediator_hours=site_text(config, "mediator_hours", lang)[0],
        demarche_id=demarche.id,
        title=text.title,
        partner=partner_name(translations(lang).gettext, demarche.partner),
        pictogram=demarche.pictogram,
        documents=tuple(text.documents),
        steps=tuple(text.steps),
        delay=text.delay,
        cost=text.cost,
        online=text.online,
        official_url=demarche.official_url,
        satisfaction_url=survey_url or config.receipt["satisfaction_url"],
    )


def qr_image(url: str, box_size: int = 10, border: int = 4):
    """A black-on-white PIL image of a QR code for `url` (the on-screen alternative to print).

    Error correction M; `border` is the quiet zone in modules (4 is what phone readers expect).
    The UI can save it to PNG or turn it into a texture.
    """
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(url)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("L")
