"""The citizen's call page in the language of the visit: every word from the kiosk's catalogues, the
buttons named with the same words everywhere (page, script sentences, the kiosk's spoken consent),
right to left in Arabic. The pages are read over HTTP from a real hub (uvicorn, SQLite)."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
import requests

from kiosk.core.i18n import translations
from kiosk.core.visio import CONSENT_SPOKEN
from kiosk.hub import visio_dispatch as dispatch
from kiosk.hub.survey_text import SURVEY_LANGUAGES
from kiosk.hub.visio_text import visio_words
from tests.hub.conftest import make_hub

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
FRENCH_WORDS = ("Commencer", "Non merci", "Raccrocher", "conseiller", "démarche", "Touchez")


@pytest.fixture(scope="module")
def hub(request, tmp_path_factory):
    server = make_hub(request, "postgres", tmp_path_factory, "sqlite").start()
    yield server
    server.stop()


def new_call(hub, language: str) -> tuple[str, str]:
    return dispatch.create_call(hub.engine, "k1", "fs-a", "CAF", "caf-prime-activite", "guide", language)


def page(hub, token: str) -> requests.Response:
    return requests.get(f"{hub.url}/visio/c/{token}", timeout=10)


def script_words(html: str) -> dict:
    """The sentences the page's script reads (the JSON blob), as the browser's JSON.parse sees them."""
    blob = re.search(r'<script type="application/json" id="words">(.*?)</script>', html, re.S)
    assert blob, "the page carries its script's sentences"
    return json.loads(blob.group(1))


def visible_text(html: str) -> str:
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("lang", SURVEY_LANGUAGES)
def test_every_sentence_names_the_buttons_with_their_translated_words(lang):
    words = visio_words(lang)
    spoken = translations(lang).gettext(CONSENT_SPOKEN)
    assert words["start"] in spoken and words["decline"] in spoken, f"{lang}: the spoken consent names the buttons"
    assert words["cancel"] in words["long_wait"]
    for key in ("other_left", "service_lost", "no_media_call", "service_down"):
        assert words["hangup"] in words["js"][key], f"{lang}: {key}"
    assert words["decline"] in words["js"]["no_media_consent"]
    left = {p for text in [*[v for v in words.values() if isinstance(v, str)], *words["js"].values()]
            for p in PLACEHOLDER.findall(text)}
    assert left <= {"{partner}", "{position}", "{minutes}"}, f"{lang}: unfilled {left}"
    if lang != "fr":
        assert not any(w in " ".join(map(str, words.values())) for w in ("Commencer", "Raccrocher", "Non merci"))


def test_spanish_call_page(hub):
    _, token = new_call(hub, "es")
    response = page(hub, token)
    assert response.status_code == 200
    html = response.text
    assert re.search(r'<html lang="es" dir="ltr">', html)
    text = visible_text(html)
    for expected in ("Videollamada con un asesor de CAF", "Empezar", "No, gracias", "Cancelar la llamada", "Colgar",
                     "No se graba nada", "Escribir al asesor"):
        assert expected in text
    assert not [w for w in FRENCH_WORDS if w in text]
    js = script_words(html)
    assert js["other_left"] == "Se cortó la comunicación con el asesor. Toque « Colgar » para volver a su trámite."
    assert js["number"] == "Usted es el número {position} en la fila."
    assert not [w for w in FRENCH_WORDS if w in json.dumps(js, ensure_ascii=False)]
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_arabic_call_page_is_right_to_left(hub):
    _, token = new_call(hub, "ar")
    html = page(hub, token).text
    assert re.search(r'<html lang="ar" dir="rtl">', html)
    text = visible_text(html)
    words = visio_words("ar")
    for key in ("start", "decline", "hangup", "cancel", "consent_nothing", "waiting_title"):
        assert words[key] in text
    assert "مُكَالَمَةُ فِيدْيُو مَعَ مُسْتَشَارٍ مِنْ CAF" in text
    assert not [w for w in FRENCH_WORDS if w in text]
    assert script_words(html)["hung_up"] == "أَنْهَيْتَ الْمُكَالَمَةَ."


def test_french_call_page_keeps_its_words(hub):
    _, token = new_call(hub, "fr")
    html = page(hub, token).text
    assert re.search(r'<html lang="fr" dir="ltr">', html)
    text = visible_text(html)
    for expected in ("Appel vidéo avec un conseiller CAF", "Commencer", "Non merci", "Raccrocher", "Annuler l'appel",
                     "Rien n'est enregistré : ni l'image, ni le son, ni les messages écrits."):
        assert expected in text
    js = script_words(html)
    assert js["other_left"] == ("La communication avec le conseiller est coupée. Touchez « Raccrocher » pour revenir "
                                "à votre démarche.")


def test_a_language_the_kiosk_lacks_gets_french(hub):
    _, token = new_call(hub, "de")
    html = page(hub, token).text
    assert re.search(r'<html lang="fr" dir="ltr">', html) and "Commencer" in visible_text(html)


def test_a_call_that_is_over_says_so_in_its_language(hub):
    call_id, token = new_call(hub, "ar")
    dispatch.end_call(hub.engine, call_id, "declined")
    response = page(hub, token)
    assert response.status_code == 404
    assert re.search(r'<html lang="ar" dir="rtl">', response.text)
    text = visible_text(response.text)
    talk = translations("ar").gettext("Talk to an advisor by video now")
    assert visio_words("ar")["gone_title"] in text and talk in text
    unknown = page(hub, "x" * 32)
    assert unknown.status_code == 404 and "Cet appel est terminé" in visible_text(unknown.text)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                              args=["--no-sandbox", "--disable-background-networking", "--disable-sync",
                                    "--disable-component-update", "--disable-default-apps", "--no-first-run",
                                    "--disable-features=MediaRouter,OptimizationHints"])
        yield b
        b.close()


@pytest.mark.parametrize("lang", ["es", "ar"])
def test_the_page_script_speaks_the_citizen_s_language(hub, browser, lang):
    """No camera here: the script says so with the page's words, then the decline ends in the same language."""
    from playwright.sync_api import expect
    _, token = new_call(hub, lang)
    words = visio_words(lang)
    context = browser.new_context(permissions=["camera", "microphone"])
    try:
        tab = context.new_page()
        tab.goto(f"{hub.url}/visio/c/{token}")
        expect(tab.locator("#consent-error")).to_have_text(words["js"]["no_media_consent"], timeout=15_000)
        expect(tab.get_by_role("button", name=words["start"])).to_be_disabled()
        tab.get_by_role("button", name=words["decline"]).click()
        expect(tab.locator("#ended-text")).to_have_text(f'{words["js"]["declined"]} {words["going_back"]}')
        expect(tab.locator("html")).to_have_attribute("dir", words["dir"])
    finally:
        context.close()


def test_the_arabic_page_passes_axe(hub, browser):
    """axe-core (WCAG A/AA) on the Arabic consent page: language, labels, names of the buttons."""
    from axe_playwright_python.sync_playwright import Axe
    _, token = new_call(hub, "ar")
    context = browser.new_context(permissions=["camera", "microphone"])
    try:
        tab = context.new_page()
        tab.goto(f"{hub.url}/visio/c/{token}")
        tab.locator("#consent-error").wait_for(state="visible", timeout=15_000)
        results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
        assert results.response["passes"], "axe-core did not run"
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()
