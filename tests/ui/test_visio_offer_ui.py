"""The video call offered by the real app: once the kiosk's hub link is up, a worker asks the hub
which partners' advisors take calls, and the mediator screen of a démarche of that partner offers
the call (here the CAF has its own video service, configured on a real hub on loopback); while a
call runs, the kiosk's inactivity wipe waits. The call itself is tested in tests/visio."""

from __future__ import annotations

import json
import time

import pytest

from kiosk.core.outbox import Outbox
from kiosk.devices.hub_client import HubLink
from tests.hub.conftest import HubProcess, enrolled_device

pytestmark = [pytest.mark.ui]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("hub-visio-ui")
    partners = json.dumps({"CAF": "http://127.0.0.1:9/caf-visio/{room}"})
    server = HubProcess(f"sqlite:///{data_dir / 'hub.sqlite3'}", data_dir,
                        env={"KIOSK_HUB_VISIO_PARTNER_URLS": partners}).start()
    yield server
    server.stop()


def _pump_until(kiosk, predicate, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kiosk.pump(1)
        if predicate():
            return
    raise AssertionError(f"timed out waiting for {what}")


def test_the_call_is_offered_where_the_partner_takes_calls(kiosk, hub, tmp_path):
    app = kiosk.app
    device = enrolled_device(hub, site="fs-visio-ui", path=tmp_path / "device.json")
    link = HubLink(device, Outbox(tmp_path / "outbox.sqlite3"), heartbeat_s=0)
    app.hub.attach(link)
    app.visio.camera_present = lambda: True
    try:
        app.visio.attach(device)
        _pump_until(kiosk, lambda: app.journey.visio_partners == frozenset({"CAF"}), what="the partners on duty")
        kiosk.tap("start")
        app.input.send("demarche:aah")
        kiosk.pump(3)
        assert app.journey.session.demarche == "aah"
        kiosk.tap("help:urgent")
        assert kiosk.screen_name == "mediator"
        assert "visio" in [b.action_id for b in kiosk.visible_buttons()]
        assert "Parler à un conseiller en vidéo maintenant" in kiosk.visible_texts()
    finally:
        if app.visio.visio is not None:
            app.effects.on_session_wiped.remove(app.visio.visio.stop)
        app.visio.visio = None
        app.effects.visio = None
        app.journey.visio_partners = frozenset()
        app.hub.link = None
        app.journey.mediator_reachable = False
        link.close()
        app.end_session("abandoned")
        kiosk.pump(3)
