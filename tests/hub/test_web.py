"""The hub's pages over HTTP: sign-in (argon2, CSRF, rate limit, cookie flags), roles, the mediator's
server-sent events and "J'arrive", the dashboard's charts and CSV with small cells hidden."""

from __future__ import annotations

import json
import re
import time

import pytest
import requests

from kiosk.hub import signing
from kiosk.hub.store import add_user
from tests.hub.conftest import enrolled_device, wait_until

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def accounts(hub):
    add_user(hub.engine, "admin1", "admin", PASSWORD)
    add_user(hub.engine, "med1", "mediator", PASSWORD, site="fs-web")
    add_user(hub.engine, "adv1", "advisor", PASSWORD)
    return hub


def signed_in(hub, name) -> requests.Session:
    s = requests.Session()
    page = s.get(hub.url + "/login", timeout=5)
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
    response = s.post(hub.url + "/login", data={"name": name, "password": PASSWORD, "csrf_token": token,
                                                "next": "/mediator"}, timeout=10, allow_redirects=False)
    assert response.status_code == 303, response.text
    return s


def test_passwords_are_stored_as_argon2(accounts):
    from sqlalchemy import select
    from kiosk.hub.models import users
    with accounts.engine.begin() as conn:
        hashes = conn.execute(select(users.c.password_hash)).scalars().all()
    assert hashes and all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_login_sets_a_strict_httponly_cookie(accounts):
    s = requests.Session()
    page = s.get(accounts.url + "/login", timeout=5)
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
    response = s.post(accounts.url + "/login", data={"name": "med1", "password": PASSWORD, "csrf_token": token},
                      timeout=10, allow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert "hub_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert s.get(accounts.url + "/mediator", timeout=5).status_code == 200


def test_login_without_csrf_token_is_refused(accounts):
    s = requests.Session()
    s.get(accounts.url + "/login", timeout=5)
    response = s.post(accounts.url + "/login", data={"name": "med1", "password": PASSWORD, "csrf_token": "x"},
                      timeout=10, allow_redirects=False)
    assert response.status_code == 403 and "expired" in response.text


def test_login_is_rate_limited(accounts):
    from kiosk.hub.store import add_user as add
    add(accounts.engine, "victim", "mediator", PASSWORD)
    s = requests.Session()
    page = s.get(accounts.url + "/login", timeout=5)
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
    codes = [s.post(accounts.url + "/login", data={"name": "victim", "password": "wrong-password!",
                                                   "csrf_token": token}, timeout=10).status_code for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    right = s.post(accounts.url + "/login", data={"name": "victim", "password": PASSWORD, "csrf_token": token},
                   timeout=10, allow_redirects=False)
    assert right.status_code == 429 and "15 minutes" in right.text


def test_roles_guard_the_pages(accounts):
    advisor = signed_in(accounts, "adv1")
    assert advisor.get(accounts.url + "/mediator", timeout=5, allow_redirects=False).status_code == 303
    mediator = signed_in(accounts, "med1")
    assert mediator.get(accounts.url + "/dashboard", timeout=5, allow_redirects=False).status_code == 303
    assert requests.get(accounts.url + "/mediator/events", timeout=5).status_code == 401


def test_alert_reaches_the_mediator_stream_and_answer_needs_csrf(accounts, tmp_path):
    from kiosk.core.outbox import Outbox
    from kiosk.devices.hub_client import HubLink
    device = enrolled_device(accounts, site="fs-web", name="Accueil Web")
    other = enrolled_device(accounts, site="fs-other", name="Ailleurs")
    mediator = signed_in(accounts, "med1")
    page = mediator.get(accounts.url + "/mediator", timeout=5).text
    csrf = re.search(r'data-csrf="([0-9a-f]+)"', page).group(1)
    link = HubLink(device, Outbox(tmp_path / "o.sqlite3"), heartbeat_s=0, long_poll_s=5)
    other_link = HubLink(other, Outbox(tmp_path / "p.sqlite3"), heartbeat_s=0)
    answered = []
    link.on_help_answered = answered.append
    link.start()
    other_link.start()
    try:
        with mediator.get(accounts.url + "/mediator/events", stream=True, timeout=20) as stream:
            other_link.request_help("impots", "guide")  # another site: never shown to med1
            raised = time.monotonic()
            alert_id = link.request_help("carte-identite", "urgent")
            seen = None
            for line in stream.iter_lines(decode_unicode=True):
                if line.startswith("data: "):
                    items = json.loads(line[6:])
                    if any(a["id"] == alert_id for a in items):
                        seen = items
                        break
            delay = time.monotonic() - raised
        assert delay < 2, f"alert took {delay:.2f} s to reach the mediator"
        assert [a["kiosk"] for a in seen] == ["Accueil Web"]
        assert seen[0]["demarche"] == "carte-identite" and seen[0]["help_level"] == "urgent"
        no_csrf = mediator.post(accounts.url + f"/mediator/alerts/{alert_id}/answer", timeout=5)
        assert no_csrf.status_code == 403
        ok = mediator.post(accounts.url + f"/mediator/alerts/{alert_id}/answer",
                           headers={"X-CSRF-Token": csrf}, timeout=5)
        assert ok.status_code == 200
        wait_until(lambda: answered == [alert_id], 10, what="the kiosk to hear the answer")
        again = mediator.post(accounts.url + f"/mediator/alerts/{alert_id}/answer",
                              headers={"X-CSRF-Token": csrf}, timeout=5)
        assert again.status_code == 409
    finally:
        link.close()
        other_link.close()


def test_dashboard_shows_charts_and_hides_small_cells(accounts, tmp_path):
    from kiosk.core.outbox import Outbox
    from kiosk.devices.hub_client import HubLink
    device = enrolled_device(accounts, site="fs-web", name="Accueil Stats")
    link = HubLink(device, Outbox(tmp_path / "o.sqlite3"), heartbeat_s=60, version="2.0.0")
    link.set_device_state(printer="fault", voice="ok", microphone="off")
    link.start()
    try:
        for _ in range(7):
            link.record_session("carte-identite", "guide", "done", 5, "fr")
        for _ in range(2):
            link.record_session("impots", "urgent", "mediator", 3, "en")
        link.report_fault("printer-paper")
        wait_until(lambda: link.state().backlog == 0 and link.state().last_contact, 15, what="delivery")
    finally:
        link.close()
    admin = signed_in(accounts, "admin1")
    page = admin.get(accounts.url + "/dashboard", timeout=10)
    assert page.status_code == 200
    assert page.text.count("<svg") == 6
    assert "Accueil Stats" in page.text and "2.0.0" in page.text and "printer-paper ×1" in page.text
    assert "&lt; 5" in page.text
    csv_text = admin.get(accounts.url + "/dashboard/export.csv", timeout=10).text
    assert "demarche,carte-identite,7" in csv_text
    assert "demarche,impots,< 5" in csv_text
    assert "language,en,< 5" in csv_text


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    from tests.hub.conftest import HubProcess, free_port
    server = HubProcess.__new__(HubProcess)
    server.database_url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none?connect_timeout=1"
    server.data_dir = tmp_path
    server.port = free_port()
    server.url = f"http://127.0.0.1:{server.port}"
    server.alert_repeat_s = 3
    server.workers = 1
    import os, subprocess, sys
    from tests.hub.conftest import ROOT
    env = {**os.environ, "KIOSK_HUB_DATABASE_URL": server.database_url}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "kiosk.hub.app:app_from_env", "--factory",
                             "--host", "127.0.0.1", "--port", str(server.port), "--log-level", "critical"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def answer():
            try:
                return requests.get(server.url + "/healthz", timeout=5)
            except requests.RequestException:
                return None
        response = wait_until(lambda: (lambda r: (r,) if r is not None else None)(answer()), 30,
                              what="the hub to start")[0]
        assert response.status_code == 503
        assert requests.get(server.url + "/login", timeout=5).status_code == 503
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.parametrize("language, title, choice", [
    ("fr", "Votre avis sur votre visite", "En partie"), ("en", "Your opinion on your visit", "Partly"),
    ("ar", "رَأْيُكَ فِي زِيَارَتِكَ", "جُزْئِيًّا"), ("es", "Su opinión sobre su visita", "En parte"),
    ("pt", "A sua opinião sobre a sua visita", "Em parte"), ("tr", "Ziyaretiniz hakkında görüşünüz", "Kısmen"),
    ("ro", "Părerea dumneavoastră despre vizită", "În parte"), ("uk", "Ваша думка про візит", "Частково"),
])
def test_the_survey_speaks_the_language_of_the_visit(accounts, language, title, choice):
    device = enrolled_device(accounts, site="fs-web", name=f"Survey {language}")
    url = signing.survey_url(device["hub_url"], device["survey_key"], device["site"], "aide-logement",
                             "2026-11-30", language)
    page = requests.get(url, timeout=5)
    assert page.status_code == 200
    assert f"<title>{title}</title>" in page.text and choice in page.text
    assert f'lang="{language}"' in page.text
    assert ('dir="rtl"' in page.text) == (language == "ar")
