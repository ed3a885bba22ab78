"""Voice commands: what each command id of assets/intents.tsv does, and what may be said now.

Recognised or typed text goes through the intent matcher (kiosk/core/intents.py); a démarche
id opens that démarche, a command id becomes the journey or app event below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.core.i18n import N_

if TYPE_CHECKING:
    from kiosk.core.journey import Journey

# Voice command ids (assets/intents.tsv) → the event they trigger.
COMMAND_EVENTS = {
    "accueil": "home",
    "retour": "back",
    "repeter": "repeat",
    "aide": "call",
    "conseiller": "advisor",  # the video call when the partner's advisors take calls, else the mediator
    "imprimer": "print",
    "langue": "a11y:language",
    "texte-plus-grand": "a11y:text",
    "terminer": "end",
    "oui": "dismiss",
    "non": "dismiss",
}


# On a card that asks something, "yes" and "no" answer it instead of closing it.
CARD_ANSWERS = {
    "print-choice": {"oui": "print:bilingual", "imprimer": "print:bilingual", "non": "print:single"},
}


def allowed_ids(journey: "Journey") -> set[str]:
    """The ids the matcher may answer now: every démarche, and the commands that make sense."""
    ids = set(journey.catalogue.demarches) | set(COMMAND_EVENTS)
    if not journey.session.demarche:
        ids.discard("imprimer")
    return ids


def events_for(journey: "Journey", intent_id: str, card: str | None = None) -> list[str]:
    """The events that carry out `intent_id` from where the journey is (`card`: the card that was
    up when the person spoke, if any)."""
    if intent_id in CARD_ANSWERS.get(card or "", {}):
        return [CARD_ANSWERS[card][intent_id]]
    if intent_id in journey.catalogue.demarches:
        start = ["start"] if journey.screen_name == "attract" else []
        return start + [f"demarche:{intent_id}"]
    return [COMMAND_EVENTS[intent_id]]


COMMAND_LABELS = {
    "accueil": N_("Home"), "retour": N_("Back"), "repeter": N_("Repeat"), "aide": N_("Help"),
    "conseiller": N_("Help"), "imprimer": N_("Print the summary"), "langue": N_("Language"),
    "texte-plus-grand": N_("Text size"), "terminer": N_("Finish"), "oui": N_("Yes"), "non": N_("No"),
}


def label(journey: "Journey", intent_id: str) -> str:
    """The words of a guess button: the démarche's title, or the command's name."""
    if intent_id in journey.catalogue.demarches:
        return journey.catalogue.demarches[intent_id].text(journey.session.language).title
    return journey.translator.gettext(COMMAND_LABELS[intent_id])
