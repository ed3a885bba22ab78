"""Translations: every UI string in French, same placeholders, no language mixed on a screen."""

from __future__ import annotations

import re

import pytest

from kiosk import paths
from kiosk.core.i18n import Translator, extract_msgids, parse_po, translations

from .screens import all_screens, fresh

FR_PO = paths.LOCALES_DIR / "fr" / "LC_MESSAGES" / "kiosk.po"
EN_PO = paths.LOCALES_DIR / "en" / "LC_MESSAGES" / "kiosk.po"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")

MSGIDS = extract_msgids(paths.ROOT / "kiosk")
FRENCH = parse_po(FR_PO)


def test_extraction_finds_the_ui_strings():
    assert len(MSGIDS) >= 50
    for expected in ("What do you need?", "Very bad", "Step {n} of {total}", "Finish and erase",
                     "I need more time", "You can touch:"):
        assert expected in MSGIDS
    assert len(MSGIDS) == len(set(MSGIDS))


@pytest.mark.parametrize("msgid", MSGIDS)
def test_every_msgid_has_a_french_translation_with_the_same_placeholders(msgid):
    msgstr = FRENCH.get(msgid, "")
    assert msgstr.strip(), f"no French for {msgid!r}"
    assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(msgid))
    # the placeholders really format
    names = {p.strip("{}") for p in PLACEHOLDER.findall(msgid)}
    values = {n: "X" for n in names}
    assert msgstr.format(**values).count("X") == msgid.format(**values).count("X")


OTHER_LANGUAGES = ("ar", "es", "pt", "tr", "ro", "uk")
CATALOGUES = {lang: parse_po(paths.LOCALES_DIR / lang / "LC_MESSAGES" / "kiosk.po")
              for lang in OTHER_LANGUAGES}


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_language_has_every_message_with_its_placeholders(lang):
    """One translation mechanism for all eight languages: a missing message or a broken
    placeholder in any catalogue fails here."""
    catalogue = CATALOGUES[lang]
    missing = [m for m in MSGIDS if not catalogue.get(m, "").strip()]
    assert missing == [], f"{lang}: {len(missing)} messages untranslated, e.g. {missing[:3]}"
    broken = [m for m in MSGIDS if sorted(PLACEHOLDER.findall(catalogue[m])) != sorted(PLACEHOLDER.findall(m))]
    assert broken == [], f"{lang}: placeholders differ in {broken[:3]}"
    stale = sorted(set(catalogue) - set(MSGIDS))
    assert stale == [], f"{lang}: entries no longer used: {stale[:3]}"


def test_arabic_is_vowelled_for_speech():
    """espeak-ng needs the vowel marks to pronounce Arabic; the screen strips them."""
    marks = re.compile("[\u064B-\u0652]")
    letters = re.compile("[\u0621-\u064A]")
    bare = [m for m, t in CATALOGUES["ar"].items() if letters.search(t) and not marks.search(t)]
    assert bare == []


def test_english_catalogue_keeps_placeholders():
    english = parse_po(EN_PO)
    for msgid, msgstr in english.items():
        assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(msgid)), msgid


def test_no_stale_french_entries():
    """Every French entry is still used (a stale one hides a renamed string)."""
    assert sorted(set(FRENCH) - set(MSGIDS)) == []


def test_translator_switches_language():
    t = Translator("fr")
    assert t("What do you need?") == "De quoi avez-vous besoin ?"
    t.set_language("en")
    assert t.gettext("What do you need?") == "What do you need?"
    t.set_language("de")  # no catalogue: the English source text
    assert t("What do you need?") == "What do you need?"


def test_parse_po_handles_multiline_fuzzy_and_empty(tmp_path):
    po = tmp_path / "x.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Hello"\nmsgstr "Bonjour"\n\n'
                  'msgid ""\n"Two "\n"lines"\nmsgstr ""\n"Deux "\n"lignes \\"ok\\""\n\n'
                  '#, fuzzy\nmsgid "Guess"\nmsgstr "Devine"\n\n'
                  'msgid "Empty"\nmsgstr ""\n', encoding="utf-8")
    assert parse_po(po) == {"Hello": "Bonjour", "Two lines": 'Deux lignes "ok"'}
    assert translations("fr", tmp_path / "none").gettext("Hello") == "Hello"


# ---- screens in one language only ----------------------------------------------------------

FRENCH_ONLY = {s for m, s in FRENCH.items() if s != m}
ENGLISH_ONLY = {m for m, s in FRENCH.items() if s != m}


def _theme_labels(catalogue, lang):
    return {t.label(lang) for t in catalogue.themes} - {t.label("fr" if lang == "en" else "en")
                                                        for t in catalogue.themes}


def test_english_screens_show_no_french_ui_words(catalogue):
    french_words = FRENCH_ONLY | _theme_labels(catalogue, "fr")
    count = 0
    for label, model in all_screens(catalogue, "en"):
        if label == "attract-farewell":
            continue  # after the wipe the screen is in the default language, French
        count += 1
        leaked = [t for t in model.visible_texts() if t in french_words]
        assert leaked == [], f"{label}: {leaked}"
        assert "Vous pouvez toucher" not in model.speech() or label in ("timeout", "timeout-last", "help"), label
        for fr in ("Retour", "Accueil", "Terminer", "Étape"):
            assert not any(t.startswith(fr) for t in model.visible_texts()), (label, fr)
    assert count > 300


def test_french_screens_show_french(catalogue):
    english_words = ENGLISH_ONLY | _theme_labels(catalogue, "en")
    for label, model in all_screens(catalogue, "fr"):
        leaked = [t for t in model.visible_texts() if t in english_words]
        assert leaked == [], f"{label}: {leaked}"
        for en in ("Back", "Home", "Finish", "Step ", "Learn:"):
            assert not any(t.startswith(en) for t in model.visible_texts()), (label, en)


def test_french_themes_screen(catalogue):
    journey = fresh(catalogue, "fr")
    model = journey.handle("start")
    assert model.title == "De quoi avez-vous besoin ?"
    assert [a.label for a in model.actions[:8]] == [
        "Papiers et véhicule", "Santé", "Famille et CAF", "Emploi", "Retraite", "Impôts", "Justice",
        "Vie quotidienne et internet"]
    assert [a.label for a in model.nav] == ["Accueil", "Terminer"]
    assert model.you_can == "Vous pouvez toucher :"


def test_french_guide_title(catalogue):
    journey = fresh(catalogue, "fr")
    for event in ("start", "theme:papiers", "demarche:passeport", "help:guide"):
        model = journey.handle(event)
    total = len(catalogue.demarches["passeport"].text("fr").steps)
    assert model.title == FRENCH["Step {n} of {total}"].format(n=1, total=total)
    assert model.title != f"Step 1 of {total}"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_accessibility_bar_in_the_screen_language(catalogue, lang):
    journey = fresh(catalogue, lang)
    bar = journey.accessibility_bar()
    texts = [t for a in bar if a.id != "a11y:language" for t in (a.label, a.detail)]
    other = ENGLISH_ONLY if lang == "fr" else FRENCH_ONLY
    assert not set(texts) & other
    # the language button names the other language, in that language
    language = next(a for a in bar if a.id == "a11y:language")
    assert (language.label, language.detail) == (("English", "Language") if lang == "fr" else ("Français", "Langue"))
