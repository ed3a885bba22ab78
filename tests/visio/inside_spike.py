"""Feasibility, inside the private network: Janus, a room made by the hub's Janus client, two headless
Chromiums each publishing fake camera and microphone and receiving the other's frames and audio."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from kiosk.hub import visio_janus
from tests.hub.conftest import HubProcess
from tests.visio.inside import JANUS_WS, ROOT, Janus, hub_env, launch_browser, set_hub_env, wait_frames

STATIC = ROOT / "kiosk" / "hub" / "static"
JANUS_JS = Path("/usr/share/javascript/janus-gateway/janus.js")


@pytest.fixture(scope="module")
def janus(tmp_path_factory):
    set_hub_env()
    server = Janus(tmp_path_factory.mktemp("janus")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hub")
    server = HubProcess(f"sqlite:///{folder / 'hub.sqlite3'}", folder, env=hub_env()).start()
    yield server
    server.stop()


def open_side(browser, hub, name: str, room: int, pin: str):
    # the hub's origin (127.0.0.1, a secure context for getUserMedia); its CSP is bypassed here
    # because the scripts are injected, not served
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(hub.url + "/healthz")
    page.set_content('<!doctype html><video id="remote" muted playsinline></video><video id="local" muted></video>')
    page.add_script_tag(path=str(JANUS_JS))
    page.add_script_tag(path=str(STATIC / "visio-room.js"))
    page.evaluate("""([server, room, pin, name]) => {
        window.received = [];
        return VisioRoom.join({server, room, pin, display: name,
            remoteVideo: document.getElementById('remote'), localVideo: document.getElementById('local'),
            onText: t => window.received.push(t)}).then(c => { window.call = c; });
    }""", [JANUS_WS, room, pin, name])
    return context, page


def test_two_browsers_see_and_hear_each_other_through_a_fresh_room(janus, hub):
    room, pin = visio_janus.create_room()
    with sync_playwright() as p:
        browser = launch_browser(p)
        try:
            citizen_ctx, citizen = open_side(browser, hub, "kiosk", room, pin)
            advisor_ctx, advisor = open_side(browser, hub, "advisor", room, pin)
            at_advisor = wait_frames(advisor)
            at_citizen = wait_frames(citizen)
            assert at_advisor["frameWidth"] >= 640 and at_citizen["frameWidth"] >= 640
            assert {a for a in at_advisor["candidates"] + at_citizen["candidates"] if a} == {"127.0.0.1"}
            citizen.evaluate("() => window.call.sendText('b')")
            advisor.wait_for_function("() => window.received.includes('b')")
            advisor.evaluate("() => window.call.sendText('ok')")
            citizen.wait_for_function("() => window.received.includes('ok')")
            citizen.evaluate("() => window.call.leave()")
            advisor.evaluate("() => window.call.leave()")
            citizen_ctx.close()
            advisor_ctx.close()
        finally:
            browser.close()
    visio_janus.destroy_room(room, pin)
