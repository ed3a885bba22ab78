"""Words of the citizen's video call page, in the language of the visit (the kiosk's catalogues).

The page is shown by the kiosk's browser; every word on it comes from the same eight catalogues as
the kiosk (English msgids). Sentences that name a button get that button's translated word, so the
page never says « Raccrocher » next to a button called "Hang up". The page's script reads its
sentences from a JSON blob in the page (`js`): the CSP forbids inline script.
The advisors' console stays in French: it is not here.
"""

from __future__ import annotations

from kiosk.core.i18n import N_, translations
from kiosk.hub.survey_text import RIGHT_TO_LEFT, survey_language

BUTTONS = {
    "start": N_("Start"),
    "decline": N_("No thanks"),
    "cancel": N_("Cancel the call"),
    "hangup": N_("Hang up"),
}
KIOSK_BUTTONS = {  # buttons of the kiosk's own screens, named on these pages
    "help": N_("Help"),
    "talk": N_("Talk to an advisor by video now"),
}
PAGE = {
    "title": N_("Video call with an advisor"),
    "consent_title": N_("Video call with an advisor from {partner}"),
    "consent_seen": N_("The advisor will see you and hear you. They will only know the name of this place, "
                       "your procedure and the help you chose. They do not know your name, unless you say it."),
    "consent_nothing": N_("Nothing is recorded: not the image, not the sound, not the written messages."),
    "preview_label": N_("What the camera shows of you"),
    "preview_note": N_("This is what the camera shows of you."),
    "waiting_title": N_("You are in the queue"),
    "searching": N_("Finding your place in the queue…"),
    "long_wait": N_("The wait is long. You can ask the mediator for help: touch “{cancel}”, then “{help}”."),
    "call_title": N_("Call in progress with the advisor"),
    "external_title": N_("Video call with the partner's service"),
    "remote_label": N_("The advisor"),
    "local_label": N_("You"),
    "connecting": N_("Connecting to the advisor…"),
    "volume": N_("Volume"),
    "rtt_out": N_("Write to the advisor (they see each letter)"),
    "rtt_in": N_("The advisor writes:"),
    "ended_title": N_("The call has ended"),
    "going_back": N_("You will go back to your procedure."),
    "gone_title": N_("This call is over"),
    "gone_text": N_("This address is no longer used. For a new call, touch “{talk}” on the kiosk."),
    "skip": N_("Go to content"),
}
SCRIPT = {  # sentences the page's script shows; {position} and {minutes} are filled there
    "next": N_("You are next in the queue."),
    "number": N_("You are number {position} in the queue."),
    "no_advisor": N_("No advisor is available at the moment."),
    "wait_one": N_("Estimated wait: about 1 minute."),
    "wait_many": N_("Estimated wait: about {minutes} minutes."),
    "online": N_("You are on line with the advisor."),
    "other_left": N_("The connection with the advisor is cut. Touch “{hangup}” to go back to your procedure."),
    "service_lost": N_("The video call service no longer answers. Touch “{hangup}” to go back to your procedure."),
    "no_media_call": N_("The camera or the microphone of the kiosk does not work. "
                        "Touch “{hangup}” to go back to your procedure."),
    "service_down": N_("The video call service does not answer. Touch “{hangup}” to go back to your procedure."),
    "external": N_("The call opens with the partner's service."),
    "link_cut": N_("The link with the call service is cut. We keep trying."),
    "may_cancel": N_("You can also cancel the call."),
    "no_media_consent": N_("The camera or the microphone of the kiosk does not work: the video call is not "
                           "possible. Touch “{decline}” to go back to your procedure."),
    "advisor_hung_up": N_("The advisor has hung up."),
    "declined": N_("You did not call."),
    "cancelled": N_("You cancelled the call."),
    "hung_up": N_("You hung up."),
}


def visio_language(code: str) -> str:
    """The visit's language when the kiosk has it, French otherwise."""
    return survey_language(code)


def visio_words(code: str) -> dict:
    """Every word of the call page (and of the page of a call that is over) in one language.

    Keys of BUTTONS and PAGE at the top level, the script's sentences under "js", "lang" and "dir".
    Placeholders naming buttons are filled here; {partner}, {position} and {minutes} are left.
    """
    lang = visio_language(code)
    _ = translations(lang).gettext
    buttons = {key: _(msgid) for key, msgid in {**BUTTONS, **KIOSK_BUTTONS}.items()}
    words: dict = {key: _named(_(msgid), buttons) for key, msgid in {**BUTTONS, **PAGE}.items()}
    words["js"] = {key: _named(_(msgid), buttons) for key, msgid in SCRIPT.items()}
    words["js"]["going_back"] = words["going_back"]
    words["lang"] = lang
    words["dir"] = "rtl" if lang in RIGHT_TO_LEFT else "ltr"
    return words


def _named(text: str, buttons: dict) -> str:
    """Fill the button placeholders of a sentence; {partner}, {position} and {minutes} stay."""
    for key, word in buttons.items():
        text = text.replace("{" + key + "}", word)
    return text
