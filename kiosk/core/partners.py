"""The partner agencies as citizens know them: a common name, in the language on screen.

The content files name a démarche's partner by its code (assets/intents.tsv: "DGFiP",
"Interieur"…); a citizen reads the name they meet at the counter, with what it is.
"""

from __future__ import annotations

from kiosk.core.i18n import N_
from kiosk.core.screen import Translate

PARTNER_NAMES = {
    "ANTS": N_("ANTS, the agency for identity papers, driving licences and registration certificates"),
    "Interieur": N_("the prefecture (Ministry of the Interior)"),
    "ANTAI": N_("ANTAI, the agency for traffic fines"),
    "Assurance Maladie": N_("Assurance Maladie (public health insurance)"),
    "CAF": N_("CAF, the family benefits office"),
    "Assurance retraite": N_("Assurance retraite (state pensions)"),
    "MSA": N_("MSA, the social security of farmers and farm workers"),
    "France Travail": N_("France Travail, the public job centre"),
    "DGFiP": N_("the tax office (public finances)"),
    "Justice": N_("the courts (Ministry of Justice)"),
    "La Poste": N_("La Poste"),
    "DINUM": N_("the State's online services"),
    "Commune": N_("your town hall (mairie)"),
    "Numerique": N_("France Services' digital help"),
}


def partner_name(_: Translate, code: str) -> str:
    """The partner's common name, translated; the code itself for a partner not listed."""
    return _(PARTNER_NAMES[code]) if code in PARTNER_NAMES else code
