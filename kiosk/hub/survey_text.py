"""Words of the cold survey (short sentences, common words), through the kiosk's gettext catalogues.

The survey is read on the citizen's phone in the language of their visit: the same eight
catalogues as the kiosk (locales/<lang>/LC_MESSAGES/kiosk.po), English msgids.
"""

from __future__ import annotations

from kiosk.core.i18n import N_, translations

SURVEY_LANGUAGES = ("fr", "en", "ar", "es", "pt", "tr", "ro", "uk")
RIGHT_TO_LEFT = frozenset({"ar"})

WORDS = {
    "title": N_("Your opinion on your visit"),
    "intro": N_("3 questions. Less than a minute. Your answers are anonymous."),
    "solved_q": N_("Is your procedure settled?"),
    "missing_q": N_("What do you still need?"),
    "rating_q": N_("Are you satisfied with the help you got?"),
    "send": N_("Send my opinion"),
    "error": N_("Choose one answer for each question, then press “Send my opinion”."),
    "thanks": N_("Thank you! Your opinion has been sent."),
    "thanks_more": N_("You can close this page."),
    "invalid": N_("This link does not work. Scan the QR code on your receipt again."),
    "skip": N_("Go to content"),
}
SOLVED_WORDS = {"yes": N_("Yes"), "partly": N_("Partly"), "no": N_("No")}
MISSING_WORDS = {
    "nothing": N_("Nothing"), "document": N_("A document"), "appointment": N_("An appointment"),
    "answer": N_("An answer from the administration"), "help": N_("Help"), "other": N_("Something else"),
}
RATING_WORDS = {1: N_("Not at all"), 2: N_("A little"), 3: N_("Fairly"), 4: N_("Mostly"), 5: N_("Completely")}


def survey_language(code: str) -> str:
    """The visit's language when the survey has it, French otherwise."""
    return code if code in SURVEY_LANGUAGES else "fr"


def survey_words(code: str) -> dict:
    """Every word of the survey pages in one language, as the templates read them."""
    _ = translations(survey_language(code)).gettext
    words: dict = {key: _(msgid) for key, msgid in WORDS.items()}
    words["solved"] = {key: _(msgid) for key, msgid in SOLVED_WORDS.items()}
    words["missing"] = {key: _(msgid) for key, msgid in MISSING_WORDS.items()}
    words["rating"] = {key: _(msgid) for key, msgid in RATING_WORDS.items()}
    words["dir"] = "rtl" if code in RIGHT_TO_LEFT else "ltr"
    return words
