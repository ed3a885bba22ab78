"""Typed search: keys → text → démarches, and the search screen's model. Pure Python."""

from __future__ import annotations

import re

import pytest

from kiosk import paths
from kiosk.core.i18n import parse_po
from kiosk.core.search import (ACCENTS, LETTERS, MAX_LENGTH, MAX_RESULTS, SearchModel, SearchState,
                               find_demarches, matcher_for, search_screen)

PART = paths.LOCALES_DIR / "fr" / "LC_MESSAGES" / "search.po.part"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# kiosk.po plus the search strings not merged into it yet (the part file may be gone after)
FRENCH = {**parse_po(paths.LOCALES_DIR / "fr" / "LC_MESSAGES" / "kiosk.po"),
          **(parse_po(PART) if PART.exists() else {})}


def translator(lang: str):
    return (lambda message: FRENCH.get(message, message)) if lang == "fr" else (lambda message: message)


def type_text(state: SearchState, text: str) -> SearchState:
    """Press the keys a person would press to write `text` (a space is the Space key)."""
    for char in text:
        state.press("space" if char == " " else char)
    return state


def screen(catalogue, state, lang="fr") -> SearchModel:
    _ = translator(lang)
    model = search_screen(_, lang, state, catalogue, [])
    model.you_can = _("You can touch:")
    return model


def result_ids(model) -> list[str]:
    return [a.id.split(":", 1)[1] for a in model.actions if a.id.startswith("demarche:")]


# ---- keys → text ------------------------------------------------------------------------------

def test_letters_and_space_make_the_text():
    state = type_text(SearchState(), "carte vitale")
    assert state.text == "carte vitale"


def test_backspace_erases_one_letter_and_clear_everything():
    state = type_text(SearchState(), "carte")
    state.press("backspace")
    assert state.text == "cart"
    state.press("clear")
    assert state.text == ""
    state.press("backspace")  # nothing to erase: nothing happens
    assert state.text == ""


def test_space_is_never_leading_nor_doubled():
    state = SearchState()
    state.press("space")
    assert state.text == ""
    type_text(state, "rsa")
    state.press("space")
    state.press("space")
    assert state.text == "rsa "


def test_apostrophe_and_capitals():
    state = type_text(SearchState(), "l'AAH")
    assert state.text == "l'aah"


def test_text_length_is_capped():
    state = type_text(SearchState(), "a" * (MAX_LENGTH + 10))
    assert len(state.text) == MAX_LENGTH


@pytest.mark.parametrize("key", ["", "enter", "1", "?", "ab", "key:a"])
def test_unknown_keys_are_refused(key):
    with pytest.raises(ValueError):
        SearchState().press(key)


def test_accents_page_by_single_taps(catalogue):
    state = SearchState()
    letters = {k.id for row in screen(catalogue, state).keys for k in row}
    assert {"key:a", "key:z", "key:m", "key:w", "key:'", "key:backspace", "key:space",
            "key:clear", "key:page"} <= letters
    assert not letters & {"key:é", "key:è", "key:à", "key:ç", "key:ê"}
    state.press("page")
    assert state.page == ACCENTS
    accents = {k.id for row in screen(catalogue, state).keys for k in row}
    assert {"key:é", "key:è", "key:à", "key:ç", "key:ê", "key:backspace", "key:space",
            "key:clear", "key:page"} <= accents
    type_text(state, "chèque énergie")
    assert state.text == "chèque énergie"
    state.press("page")
    assert state.page == LETTERS


def test_azerty_rows_in_reading_order(catalogue):
    rows = screen(catalogue, SearchState()).keys
    assert "".join(k.label for k in rows[0]) == "AZERTYUIOP"
    assert "".join(k.label for k in rows[1]) == "QSDFGHJKLM"
    assert [k.id for k in rows[-1]] == ["key:page", "key:space", "key:clear"]


def test_every_key_has_a_speech_label_in_french(catalogue):
    for page_presses in (0, 1):
        state = SearchState()
        for _ in range(page_presses):
            state.press("page")
        keys = [k for row in screen(catalogue, state).keys for k in row]
        assert len({k.id for k in keys}) == len(keys)
        spoken = {k.id: k.speech() for k in keys}
        assert all(spoken.values())
    state = SearchState()
    spoken = {k.id: k.speech() for row in screen(catalogue, state).keys for k in row}
    assert spoken["key:a"] == "lettre A"
    assert spoken["key:'"] == "apostrophe"
    assert spoken["key:space"] == "Espace"
    assert spoken["key:backspace"] == "Effacer la dernière lettre"


def test_clear_forgets_everything():
    state = type_text(SearchState(), "mon numero")
    state.press("page")
    state.clear()
    assert (state.text, state.page, state.echo) == ("", LETTERS, "")


# ---- text → démarches -------------------------------------------------------------------------

def test_carte_vitale_first(catalogue):
    model = screen(catalogue, type_text(SearchState(), "carte vitale"))
    assert result_ids(model)[0] == "carte-vitale"
    assert model.actions[0].label == catalogue.demarches["carte-vitale"].text("fr").title


def test_old_name_pole_emploi(catalogue):
    model = screen(catalogue, type_text(SearchState(), "pole emploi"))
    assert result_ids(model)[0] in ("inscription-france-travail", "actualisation")


def test_results_while_the_last_word_is_being_typed(catalogue):
    assert result_ids(screen(catalogue, type_text(SearchState(), "carte vit")))[0] == "carte-vitale"


@pytest.mark.parametrize("text", ["caf", "impots", "carte", "j'ai perdu mes papiers", "allocation"])
def test_demarches_only_best_first_at_most_four(catalogue, text):
    matcher = matcher_for("fr")
    results = find_demarches(text, catalogue.demarches, matcher)
    assert 1 <= len(results) <= MAX_RESULTS
    assert all(matcher.kinds[r.id] == "demarche" and r.id in catalogue.demarches for r in results)
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)


def test_a_command_word_finds_no_demarche(catalogue):
    assert find_demarches("retour", catalogue.demarches, matcher_for("fr")) == []


def test_nothing_found_says_so_and_offers_the_mediator(catalogue):
    model = screen(catalogue, type_text(SearchState(), "xyzzy"))
    assert result_ids(model) == []
    notice = " ".join(item for b in model.blocks for item in b.items)
    assert "Aucune démarche ne correspond" in notice and "médiateur" in notice
    assert [a.id for a in model.actions] == ["dont-know"]
    assert model.actions[0].kind == "urgent"


def test_only_demarches_of_the_catalogue_are_offered(catalogue):
    ids = [i for i in catalogue.demarches if i != "carte-vitale"]
    assert all(r.id != "carte-vitale" for r in find_demarches("carte vitale", ids, matcher_for("fr")))


def test_empty_search_shows_the_instruction_and_no_result(catalogue):
    model = screen(catalogue, SearchState())
    assert model.actions == [] and model.typed == ""
    assert "Écrivez avec le clavier" in model.blocks[0].items[0]


# ---- the model: shown and spoken ---------------------------------------------------------------

@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("text", ["", "carte vitale", "xyzzy", "caf"])
def test_everything_shown_is_spoken_on_entering(catalogue, lang, text):
    state = type_text(SearchState(), text)
    state.take_echo()
    model = screen(catalogue, state, lang)
    speech = model.speech()
    assert speech.startswith(model.title)
    missing = [t for t in model.visible_texts() if t.strip() not in speech]
    assert missing == []
    if model.actions or model.nav:
        assert model.you_can in speech


def test_a_key_says_itself_then_what_is_written_once(catalogue):
    state = type_text(SearchState(), "rs")
    state.press("a")
    first = screen(catalogue, state).speech()
    assert first.startswith("lettre A.")
    assert "Votre recherche : RSA." in first
    assert "RSA" in first.split("Vous pouvez toucher :")[1]  # the result is read
    again = screen(catalogue, state).speech()  # e.g. after "back": the whole screen again
    assert again.startswith("Chercher une démarche")


def test_the_page_key_says_which_letters_are_shown(catalogue):
    state = SearchState()
    state.press("page")
    assert "lettres avec accents" in screen(catalogue, state).speech()


def test_typed_text_is_shown_in_capitals_like_the_keys(catalogue):
    assert screen(catalogue, type_text(SearchState(), "chèque")).typed == "CHÈQUE"


# ---- translations ------------------------------------------------------------------------------

def test_every_search_msgid_has_french():
    from kiosk.core.i18n import extract_msgids

    search_msgids = [m for m in extract_msgids(paths.ROOT / "kiosk" / "core")
                     if m in _msgids_of_search()]
    assert len(search_msgids) >= 15
    for msgid in search_msgids:
        msgstr = FRENCH.get(msgid, "")
        assert msgstr.strip(), f"no French for {msgid!r}"
        assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(msgid))


def _msgids_of_search() -> set[str]:
    import ast

    tree = ast.parse((paths.ROOT / "kiosk" / "core" / "search.py").read_text(encoding="utf-8"))
    return {n.args[0].value for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_"
            and n.args and isinstance(n.args[0], ast.Constant)}


# ---- in the journey (once the lead has wired it: see the wiring lines of the search screen) ----



def test_journey_search_to_demarche_and_back_keeps_the_text(make_journey):
    journey = make_journey()
    journey.handle("start")
    model = journey.handle("search")
    assert model.name == "search" and model.typed == ""
    for key in ("c", "a", "r", "t", "e", "space", "v", "i", "t"):
        model = journey.handle(f"key:{key}")
    assert model.typed == "CARTE VIT"
    assert model.actions[0].id == "demarche:carte-vitale"
    assert journey.handle("demarche:carte-vitale").name == "demarche"
    model = journey.handle("back")
    assert model.name == "search" and model.typed == "CARTE VIT"
    assert journey.handle("back").name == "themes"  # keys are not steps of the history


def test_journey_wipes_the_typed_text(make_journey):
    journey = make_journey()
    journey.handle("start")
    journey.handle("search")
    journey.handle("key:x")
    journey.wipe("timeout")
    assert journey.search.text == ""
    with pytest.raises(ValueError):
        journey.handle("key:a")  # keys only on the search screen


def test_journey_themes_screen_opens_the_search(make_journey):
    journey = make_journey()
    assert "search" in [a.id for a in journey.handle("start").actions]
