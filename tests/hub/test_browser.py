"""The mediator page, the survey and the dashboard in Debian's Chromium (Playwright drives it;
no browser is downloaded). Screenshots go to /tmp/hub-*.png."""

from __future__ import annotations

import time

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from kiosk.core.outbox import Outbox
from kiosk.devices.hub_client import HubLink
from kiosk.hub.store import add_user
from tests.hub.conftest import enrolled_device, wait_until

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-background-networking", "--disable-sync",
                                    "--disable-component-update", "--disable-default-apps", "--no-first-run",
                                    "--disable-features=MediaRouter,OptimizationHints"])
        yield b
        b.close()


def assert_accessible(page, what: str) -> None:
    """axe-core (bundled by axe-playwright-python) finds no WCAG A/AA violation on the page."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    assert results.response["passes"], f"{what}: axe-core did not run"
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


def sign_in(page, hub, name):
    page.goto(hub.url + "/login")
    page.get_by_label("Nom").fill(name)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_alert_appears_on_the_mediator_page_and_j_arrive_reaches_the_kiosk(hub, browser, tmp_path):
    add_user(hub.engine, "med-browser", "mediator", PASSWORD, site="fs-browser")
    device = enrolled_device(hub, site="fs-browser", name="Accueil 1")
    link = HubLink(device, Outbox(tmp_path / "o.sqlite3"), heartbeat_s=0, long_poll_s=5)
    answered = []
    link.on_help_answered = answered.append
    link.start()
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1,
                                  bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(hub.url + "/login")
        assert_accessible(page, "sign-in page")
        sign_in(page, hub, "med-browser")
        expect(page.get_by_role("heading", name="Alertes en cours")).to_be_visible()
        expect(page.locator("#link")).to_contain_text("Connecté", timeout=10_000)
        page.get_by_role("button", name="Activer le son des alertes").click()
        started = time.monotonic()
        alert_id = link.request_help("carte-identite", "urgent")
        card = page.locator(f'li.alert[data-id="{alert_id}"]')
        expect(card).to_be_visible(timeout=5_000)
        shown_after = time.monotonic() - started
        expect(card).to_contain_text("Accueil 1 · carte-identite · Urgent")
        page.screenshot(path="/tmp/hub-mediator-alert.png", full_page=True)
        assert_accessible(page, "mediator page with an alert")
        card.get_by_role("button", name="J'arrive").click()
        wait_until(lambda: answered == [alert_id], 10, what="the kiosk to hear J'arrive")
        expect(card).to_contain_text("Pris en charge par med-browser", timeout=5_000)
        page.screenshot(path="/tmp/hub-mediator-answered.png", full_page=True)
        assert shown_after < 3
    finally:
        context.close()
        link.close()


def test_survey_filled_on_a_phone(hub, browser, tmp_path):
    device = enrolled_device(hub, site="fs-browser", name="Accueil 2")
    link = HubLink(device, Outbox(tmp_path / "o.sqlite3"), heartbeat_s=0)
    url = link.survey_url("carte-identite", "fr")
    link.close()
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(url)
        expect(page).to_have_title("Votre avis sur votre visite")
        assert page.locator("html").get_attribute("lang") == "fr"
        page.get_by_role("button", name="Envoyer mon avis").click()  # nothing chosen: the browser asks
        expect(page.get_by_role("heading", name="Votre avis sur votre visite")).to_be_visible()
        page.get_by_role("radio", name="En partie").check()
        page.get_by_role("radio", name="Un rendez-vous").check()
        page.get_by_role("radio", name="Plutôt").check()
        page.screenshot(path="/tmp/hub-survey-phone.png", full_page=True)
        assert_accessible(page, "survey on a phone")
        for box in page.locator("label.choice").all():
            assert box.bounding_box()["height"] >= 44  # touch targets
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
        page.get_by_role("button", name="Envoyer mon avis").click()
        expect(page.get_by_role("heading", name="Merci ! Votre avis est bien envoyé.")).to_be_visible()
        page.screenshot(path="/tmp/hub-survey-done.png")
    finally:
        context.close()


def test_arabic_survey_reads_right_to_left_on_a_phone(hub, browser, tmp_path):
    device = enrolled_device(hub, site="fs-browser", name="Accueil 4")
    link = HubLink(device, Outbox(tmp_path / "o.sqlite3"), heartbeat_s=0)
    url = link.survey_url("aide-logement", "ar")
    link.close()
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(url)
        expect(page).to_have_title("رَأْيُكَ فِي زِيَارَتِكَ")
        assert page.locator("html").get_attribute("dir") == "rtl"
        heading = page.get_by_role("heading", name="رَأْيُكَ فِي زِيَارَتِكَ").bounding_box()
        assert heading["x"] + heading["width"] > 300  # starts on the right
        page.get_by_role("radio", name="جُزْئِيًّا").check()
        assert page.get_by_role("radio", name="جُزْئِيًّا").is_checked()
        page.screenshot(path="/tmp/hub-survey-ar.png", full_page=True)
        assert_accessible(page, "Arabic survey on a phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


def test_dashboard_charts_render(hub, browser, tmp_path):
    add_user(hub.engine, "admin-browser", "admin", PASSWORD)
    device = enrolled_device(hub, site="fs-browser", name="Accueil 3")
    link = HubLink(device, Outbox(tmp_path / "o.sqlite3"), heartbeat_s=60, version="1.4.0")
    link.set_device_state(printer="ok", voice="ok", microphone="fault")
    link.start()
    for i in range(40):
        link.record_session(["carte-identite", "retraite", "impots"][i % 3], ["urgent", "guide", "teach"][i % 3],
                            "done", 1 + i % 5, "fr" if i % 4 else "en")
    wait_until(lambda: link.state().backlog == 0 and link.state().last_contact, 15, what="delivery")
    survey = link.survey_url("carte-identite", "fr")
    link.close()
    for rating in ("5", "4", "4", "3", "5"):
        assert requests.post(survey, data={"solved": "yes", "missing": "nothing", "rating": rating},
                             timeout=10).status_code == 200
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        sign_in(page, hub, "admin-browser")
        page.goto(hub.url + "/dashboard")
        expect(page.get_by_role("heading", name="Utilisation")).to_be_visible()
        charts = page.locator("svg.chart")
        expect(charts).to_have_count(6)
        assert charts.first.bounding_box()["width"] > 300
        assert page.locator("svg.chart rect.bar").count() >= 3
        expect(page.locator("tr.kiosk", has_text="Accueil 3")).to_contain_text("1.4.0")
        expect(charts.last).to_contain_text("à froid 4.2")
        page.screenshot(path="/tmp/hub-dashboard.png", full_page=True)
        assert_accessible(page, "dashboard")
        page.get_by_label("Nom de la borne").fill("Accueil 9")
        page.get_by_label("Site (identifiant court").fill("fs-browser")
        page.get_by_role("button", name="Ajouter et obtenir un code d'appairage").click()
        notice = page.locator("#notice")
        expect(notice).to_contain_text("Code d'appairage")
        code = notice.inner_text().split("une seule fois : ")[1].split()[0]
        from kiosk.devices.hub_client import enrol
        assert enrol(hub.url, code, tmp_path / "dev9.json")["name"] == "Accueil 9"
        page.get_by_role("button", name="Révoquer Accueil 9").click()
        expect(page.locator("tr.kiosk", has_text="Accueil 9")).to_contain_text("révoquée")
    finally:
        context.close()
