"""Overlays: the short cards drawn over a screen (a warning, a message, a QR code, listening).

Each is a screen model built here, in the language on screen; the UI only draws it and says
it. The `name` of a model tells the UI which overlay is up ("timeout", "listening"…).
"""

from __future__ import annotations

from kiosk.core.screen import Action, Block, ScreenModel, Translate, localised


def message(_: Translate, title: str, text: str, name: str = "message") -> ScreenModel:
    """A short message with an OK button (printer missing, device fault…)."""
    return localised(ScreenModel(name, title, [Block("text", items=(text,))],
                                 [Action("dismiss", _("OK"), "check", "primary")]), _)


def timeout_warning(_: Translate, seconds_left: int, can_extend: bool) -> ScreenModel:
    actions = [Action("more-time", _("I need more time"), "hourglass", "primary")] if can_extend else []
    return localised(ScreenModel(
        "timeout", _("Are you still there?"),
        [Block("text", items=(_("Without an answer, everything will be erased in {n} seconds.")
                              .format(n=seconds_left),))],
        actions,
    ), _)


def help_called(_: Translate, notified: bool) -> ScreenModel:
    """"Help": `notified` when the site's mediators were told (the kiosk is linked to a hub);
    otherwise the kiosk says honestly that no one was told and what to do."""
    if notified:
        return localised(ScreenModel(
            "help", _("The mediator has been called"),
            [Block("text", items=(_("Stay here. A person is coming to help you."),))],
            [Action("dismiss", _("OK"), "check", "primary")],
        ), _)
    return localised(ScreenModel(
        "help", _("Ask a mediator"),
        [Block("notice", items=(_("This kiosk cannot call the mediator by itself."),)),
         Block("text", items=(_("Raise your hand or go to the France Services desk: a mediator "
                                "will come. You can show them this screen."),))],
        [Action("dismiss", _("OK"), "check", "primary")],
    ), _)


def mediator_coming(_: Translate) -> ScreenModel:
    """A mediator answered the alert on their phone: someone is on the way."""
    return localised(ScreenModel(
        "coming", _("A mediator is on the way"),
        [Block("notice", items=(_("A mediator has seen your call and is coming to you."),)),
         Block("text", items=(_("Stay here. You can go on while you wait."),))],
        [Action("dismiss", _("OK"), "check", "primary")],
    ), _)


def help_unanswered(_: Translate, opening_hours: str) -> ScreenModel:
    """No mediator answered yet: the call was made again; the other ways to get help."""
    blocks = [Block("notice", items=(_("No mediator has answered yet. We have called again."),)),
              Block("text", _("You can also:"), (
                  _("Go to the France Services desk and ask for help."),
                  _("Print the summary or photograph the QR code, and come back later."),
                  _("Call the agency of your procedure: its number is on its official page."),
              ))]
    if opening_hours:
        blocks.append(Block("text", _("Opening hours"), (opening_hours,)))
    return localised(ScreenModel(
        "unanswered", _("Nobody has answered yet"), blocks,
        [Action("dismiss", _("OK, I wait"), "check", "primary"),
         Action("call", _("Call again"), "hand-helping", "urgent")],
    ), _)


def voice_unavailable(_: Translate, reason: str) -> ScreenModel:
    """The voice button on a kiosk that cannot speak. `reason`: the speaker's own sentence,
    or '' when the kiosk has no speech device at all."""
    return message(_, _("The voice is not available"),
                   reason or _("This kiosk has no voice. Ask the mediator."))


# ---- printing and the QR code -------------------------------------------------------------------

def no_printer(_: Translate) -> ScreenModel:
    return message(_, _("Printing is not available"),
                   _("This kiosk has no printer. Photograph the QR code, or ask the mediator for "
                     "a paper copy."))


def print_choice(_: Translate) -> ScreenModel:
    """Before printing in a language other than French: French too, so that the staff of the
    agency can read the paper. A plain choice, said like every other; not a yes/no question
    (a spoken "yes" closes a card)."""
    return localised(ScreenModel(
        "print-choice", _("Print the summary"),
        [Block("text", items=(_("The staff of the office read French. Your paper can be in French "
                                "too."),))],
        [Action("print:bilingual", _("Also print in French"), "languages", "primary",
                _("Your language, then French")),
         Action("print:single", _("Only in my language"), "printer", "normal"),
         Action("dismiss", _("Cancel"), "x", "normal")],
    ), _)


def printing(_: Translate, announcement: str) -> ScreenModel:
    """Shown and said at once when the job is sent; `announcement` says how long it takes."""
    return message(_, _("Printing"), announcement, name="printing")


def printed(_: Translate, can_read_aloud: bool) -> ScreenModel:
    """Printed. "Read it aloud" only when the kiosk can speak (never offer what cannot work)."""
    model = message(_, _("Your summary is printed"),
                    _("Take the sheet from the printer, under the screen."), name="printed")
    if can_read_aloud:
        model.actions.append(Action("read-receipt", _("Read it aloud"), "volume-2"))
    return model


def print_failed(_: Translate, citizen_sentence: str) -> ScreenModel:
    return message(_, _("Printing did not work"), citizen_sentence, name="print-failed")


def photograph_qr(_: Translate, url: str, model: ScreenModel | None = None) -> ScreenModel:
    """The card that goes with a QR code on screen: what to do with it, and its address written
    out. `model`: a message to show with the code instead of the usual words."""
    if model is None:
        model = message(_, _("Photograph this code"),
                        _("Open your phone's camera and point it at the code. It opens the "
                          "official page."), name="qr")
    model.blocks.append(Block("text", items=(url,)))
    return model


# ---- voice input ------------------------------------------------------------------------------

def voice_input_unavailable(_: Translate) -> ScreenModel:
    return message(_, _("Voice input is not available"), _("Please use the buttons on the screen."))


def listening(_: Translate, partial: str) -> ScreenModel:
    """While the microphone is open: what to do, and the words heard so far."""
    blocks = [Block("text", items=(_("Say what you need, then wait a moment."),))]
    if partial:
        blocks.append(Block("notice", items=(partial,)))
    return localised(ScreenModel(
        "listening", _("I am listening"), blocks,
        [Action("listen-stop", _("I have finished"), "circle-check", "primary")]), _)


def heard_nothing(_: Translate) -> ScreenModel:
    return voice_retry(_, _("I heard nothing"),
                       _("Touch \"Speak\" and talk a little louder, close to the screen."))


def not_understood(_: Translate, text: str) -> ScreenModel:
    return voice_retry(_, _("I did not understand"), _("You said: {text}").format(text=text))


def voice_retry(_: Translate, title: str, text: str) -> ScreenModel:
    return localised(ScreenModel(
        "voice-retry", title, [Block("text", items=(text,))],
        [Action("listen", _("Try again"), "mic", "primary"),
         Action("call", _("Call a person"), "hand-helping", "urgent"),
         Action("dismiss", _("Use the screen"), "hand", "normal")]), _)


def guesses(_: Translate, text: str, choices: list[tuple[str, str]]) -> ScreenModel:
    """"Did you mean?": `choices` are (intent id, label), best first; a person is always offered."""
    actions = [Action(f"voice:{intent_id}", label, "", "primary" if i == 0 else "normal")
               for i, (intent_id, label) in enumerate(choices)]
    actions.append(Action("call", _("None of these: call a person"), "hand-helping", "urgent"))
    return localised(ScreenModel(
        "guesses", _("Did you mean?"),
        [Block("text", items=(_("You said: {text}").format(text=text),))], actions), _)


def language_picker(_: Translate, languages: tuple[str, ...], current: str) -> ScreenModel:
    """Every language offered, each by its own name and said in its own language; the current
    one is marked by a word and a pictogram, not by colour alone."""
    from kiosk.core.i18n import language_name

    actions = [Action(f"language:{code}", language_name(code), "check" if code == current else "",
                      "primary" if code == current else "normal", lang=code)
               for code in languages]
    actions.append(Action("dismiss", _("Cancel"), "x", "normal"))
    return localised(ScreenModel("languages", _("Choose your language"),
                                 [Block("text", items=(_("Touch the name of your language."),))],
                                 actions), _)
