"""A walk through every screen and overlay of the journey, for screenshots and the audit."""

from __future__ import annotations

from kiosk.core.catalogue import Catalogue

MODES = {
    "normal": {"high_contrast": False, "text_step": 0},
    "high-contrast": {"high_contrast": True, "text_step": 0},
    "largest-text": {"high_contrast": False, "text_step": 2},
}


def representative_stops(example: str = "carte-vitale") -> list[tuple[str, list[str]]]:
    """(name, events from a fresh session) for each screen and overlay."""
    to_demarche = ["start", "theme:sante", f"demarche:{example}"]
    return [
        ("attract", []),
        ("themes", ["start"]),
        ("demarches", ["start", "theme:sante"]),
        ("demarche", to_demarche),
        ("guide", to_demarche + ["help:guide"]),
        ("teach", to_demarche + ["help:teach"]),
        ("mediator", to_demarche + ["help:urgent"]),
        ("end", to_demarche + ["end"]),
        ("feedback", to_demarche + ["end", "face:2"]),
        ("search", ["start", "search", "@search-word"]),
        ("overlay-help", ["start", "call"]),
        ("overlay-timeout", ["start", "@timeout"]),
        ("overlay-print", to_demarche + ["print"]),  # the card "French too?" outside French
        ("pin", ["staff:open"]),
        ("mediator-panel", ["staff:open", "@pin"]),
    ]


def every_stop(catalogue: Catalogue) -> list[tuple[str, list[str]]]:
    """Every screen of every démarche: its page, each guided step, the teach screen, the recap."""
    stops = [s for s in representative_stops() if s[0] in ("attract", "themes", "overlay-help",
                                                            "overlay-timeout", "feedback", "search",
                                                            "pin", "mediator-panel")]
    for theme in catalogue.themes:
        stops.append((f"demarches-{theme.id}", ["start", f"theme:{theme.id}"]))
    for d in catalogue.demarches.values():
        base = ["start", f"theme:{d.theme}", f"demarche:{d.id}"]
        stops.append((f"demarche-{d.id}", base))
        steps = len(d.text("fr").steps)
        for n in range(steps):
            stops.append((f"guide-{d.id}-{n + 1}", base + ["help:guide"] + ["step:done"] * n))
        stops.append((f"teach-{d.id}", base + ["help:teach"]))
        stops.append((f"end-{d.id}", base + ["end"]))
    return stops


def go_to(driver, events: list[str], mode: str, language: str = "fr") -> None:
    """From a wiped session, set the mode and language, then replay the events."""
    app = driver.app
    app.end_session("abandoned")
    session = app.journey.session
    for key, value in MODES[mode].items():
        setattr(session, key, value)
    app.journey.set_language(language)
    app.apply_look()
    app.display.present(app.journey.screen(), speak=False)
    driver.pump(2)
    for event in events:
        if event == "@timeout":
            driver.clock.advance(app.inactivity.inactivity_seconds + 1)
            app.check_inactivity()
        elif event == "@search-word":  # a word typed on the language's own keyboard
            for letter in SEARCH_WORDS.get(language, SEARCH_WORDS["fr"]):
                driver.act(f"key:{letter}")
        elif event == "@pin":  # the mediator types the PIN
            for digit in _known_pin(app):
                driver.act(f"staff:digit:{digit}")
            driver.act("staff:ok")
        else:
            driver.act(event)
    driver.pump(4)


TOUR_PIN = "2468"
SEARCH_WORDS = {"fr": "carte", "en": "card", "es": "tarjeta", "pt": "cartao", "tr": "kart",
                "ro": "card", "uk": "картка", "ar": "بطاقة"}
"""The word the tour types on the search screen: « card » in each language, with letters of the
first page of its keyboard."""


def _known_pin(app) -> str:
    """The demo's documented PIN; on a device (only its hash is known) the tour puts a PIN of its
    own on the mediator mode, in memory only, so that the panel can be drawn and audited."""
    clear = app.kiosk_config.mediator.get("pin")
    if clear:
        return clear
    from kiosk.core.pin import hash_pin

    mode = app.journey.mediator
    if id(mode) not in _TOURED:
        mode.configure(hash_pin(TOUR_PIN), mode.clock)
        _TOURED.add(id(mode))
    return TOUR_PIN


_TOURED: set[int] = set()   # mediator modes given the tour's PIN
