"""The human link, end to end on the real app: an enrolled kiosk's call for help reaches the
site's mediators on a real hub (loopback, embedded SQLite); when one answers, the kiosk shows and
says that a mediator is coming; when nobody does, it offers the other ways."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from kiosk.core.outbox import Outbox
from kiosk.devices.hub_client import HubLink
from kiosk.hub.models import alerts
from kiosk.hub.store import answer_alert
from tests.hub.conftest import HubProcess, enrolled_device

pytestmark = [pytest.mark.ui]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("hub-ui")
    server = HubProcess(f"sqlite:///{data_dir / 'hub.sqlite3'}", data_dir, alert_repeat_s=2.0).start()
    yield server
    server.stop()


@pytest.fixture
def linked_kiosk(kiosk, hub, tmp_path):
    device = enrolled_device(hub, site="fs-ui", path=tmp_path / "device.json")
    link = HubLink(device, Outbox(tmp_path / "outbox.sqlite3"), heartbeat_s=0, backoff_base=0.05,
                   backoff_cap=0.5, long_poll_s=1.0)
    kiosk.app.hub.attach(link)
    try:
        yield kiosk
    finally:
        kiosk.app.hub.link = None
        kiosk.app.journey.mediator_reachable = False
        link.close()


def _pump_until(kiosk, predicate, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kiosk.pump(1)
        if predicate():
            return
    raise AssertionError(f"timed out waiting for {what}")


def _alerts(hub):
    with hub.engine.begin() as conn:
        return conn.execute(select(alerts).where(alerts.c.site == "fs-ui")).fetchall()


def test_urgent_help_reaches_the_hub_and_the_answer_comes_back(linked_kiosk, hub):
    kiosk = linked_kiosk
    before = len(_alerts(hub))
    kiosk.tap("start")
    kiosk.tap("theme:famille")
    kiosk.tap("demarche:rsa")
    kiosk.tap("help:urgent")
    assert "Nous avons appelé le médiateur." in kiosk.visible_texts(), "told only because it is true"
    _pump_until(kiosk, lambda: len(_alerts(hub)) == before + 1, what="the alert on the hub")
    alert = _alerts(hub)[-1]
    assert (alert.demarche, alert.help_level) == ("rsa", "urgent"), "nothing personal, only these"
    assert answer_alert(hub.engine, alert.id, "Sam", "fs-ui")          # "J'arrive"
    _pump_until(kiosk, lambda: "Un médiateur a répondu : il arrive" in kiosk.visible_texts(),
                what="the answer")
    assert "Un médiateur a vu votre appel" in kiosk.app.speech.last


def test_nobody_answers_and_the_kiosk_offers_the_other_ways(linked_kiosk, hub):
    kiosk = linked_kiosk
    kiosk.tap("start")
    kiosk.tap("call")
    assert "Le médiateur est appelé" in kiosk.visible_texts()
    kiosk.tap("dismiss")
    _pump_until(kiosk, lambda: "Personne n'a encore répondu" in kiosk.visible_texts(),
                timeout=hub.alert_repeat_s + 15, what="the unanswered alert")
    texts = kiosk.visible_texts()
    assert any("accueil de France Services" in t for t in texts)
