"""Whole calls, inside the private network (run by test_private_network.py): Janus, the hub, the
kiosk's VisioSession opening its own Chromium (headless, fake camera and microphone, camera granted
by the managed policy written to this namespace's private /etc/chromium), and the advisor's console
in a second Chromium. Screenshots: /tmp/visio-consent.png, -waiting, -call, -console*.png."""

from __future__ import annotations

import functools
import json
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from kiosk.core.outbox import Outbox  # noqa: F401 (the hub tests' device helper needs the kiosk installed)
from kiosk.devices.visio_browser import POLICY_DIR, POLICY_FILE, VisioBrowser, managed_policy, origin_of
from kiosk.devices.visio_call import VisioSession
from kiosk.hub import visio_dispatch
from kiosk.hub.store import add_user
from tests.hub.conftest import HubProcess, enrolled_device
from tests.visio.inside import BROWSER_ARGS, Janus, hub_env, in_private_network, launch_browser, set_hub_env
from tests.waiting import wait_until

PASSWORD = "correct horse battery"
PARTNER = "CAF"
# test-only flags for the kiosk's browser: headless, fake devices, a debugging port to read its page.
# The camera permission itself comes from the managed policy, not from a flag.
KIOSK_TEST_ARGS = ("--headless=new", "--use-fake-device-for-media-stream=fps=30",
                   "--allow-loopback-in-peer-connection", "--remote-debugging-port=0",
                   "--remote-debugging-address=127.0.0.1", "--window-size=1280,800")


def assert_accessible(page, what: str) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    assert results.response["passes"], f"{what}: axe-core did not run"
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


PARTNER_PAGE = b"""<!doctype html><html lang="fr"><title>Visio du partenaire</title>
<video id="me" muted playsinline></video><p id="state">attente</p>
<script>
navigator.mediaDevices.getUserMedia({video: true, audio: true}).then(function (s) {
  document.getElementById("me").srcObject = s; document.getElementById("me").play();
  document.getElementById("state").textContent = "camera ok";
}, function (e) { document.getElementById("state").textContent = "refus " + e.name; });
</script></html>"""


class PartnerPage(BaseHTTPRequestHandler):
    """A partner's own video service, reduced to what the kiosk relies on: a page using the camera."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(PARTNER_PAGE)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    assert in_private_network(), "run through tests/visio/test_private_network.py"
    assert os.path.ismount("/etc/chromium"), "the managed policy must go to a private /etc/chromium"
    set_hub_env()
    partner_site = ThreadingHTTPServer(("127.0.0.1", 0), PartnerPage)
    threading.Thread(target=partner_site.serve_forever, daemon=True).start()
    partner_origin = f"http://127.0.0.1:{partner_site.server_address[1]}"
    janus = Janus(tmp_path_factory.mktemp("janus")).start()
    folder = tmp_path_factory.mktemp("hub")
    env = {**hub_env(), "KIOSK_HUB_VISIO_PARTNER_URLS": json.dumps({"DGFiP": partner_origin + "/r/{room}"})}
    hub = HubProcess(f"sqlite:///{folder / 'hub.sqlite3'}", folder, env=env).start()
    policy = managed_policy(origin_of(hub.url))
    policy["VideoCaptureAllowedUrls"].append(partner_origin)  # the partner's own visio, in a frame
    policy["AudioCaptureAllowedUrls"].append(partner_origin)
    policy["DeveloperToolsAvailability"] = 1  # the test reads the kiosk page through the debugging port
    (POLICY_DIR / POLICY_FILE).write_text(json.dumps(policy))
    add_user(hub.engine, "conseil-caf", "advisor", PASSWORD)
    visio_dispatch.set_advisor(hub.engine, "conseil-caf", PARTNER, "fr")
    device = enrolled_device(hub, site="fs-visio", name="Accueil 1")
    runtime = tmp_path_factory.mktemp("run")
    with sync_playwright() as p:
        advisor_browser = launch_browser(p)
        context = advisor_browser.new_context(viewport={"width": 1280, "height": 900})
        console = context.new_page()
        console.goto(hub.url + "/login?next=/visio/console")
        console.get_by_label("Nom").fill("conseil-caf")
        console.get_by_label("Mot de passe").fill(PASSWORD)
        console.get_by_role("button", name="Se connecter").click()
        expect(console.locator("#link")).to_contain_text("Connecté", timeout=15_000)
        yield {"p": p, "janus": janus, "hub": hub, "device": device, "runtime": runtime, "console": console,
               "advisor_browser": advisor_browser, "advisor_context": context}
        advisor_browser.close()
    hub.stop()
    janus.stop()
    partner_site.shutdown()


class Kiosk:
    """The kiosk's side: a VisioSession with its real browser, and a Playwright view of that browser."""

    def __init__(self, world, extra_args=KIOSK_TEST_ARGS):
        self.world = world
        self.said: list[list] = []
        self.phases: list[str] = []
        self.ended = threading.Event()
        self.ended_at: float | None = None
        self.browsers: list[VisioBrowser] = []
        factory = functools.partial(self._browser, extra_args)
        self.session = VisioSession(world["device"], on_say=self.said.append, on_end=self._on_end,
                                    browser_factory=factory, poll_s=0.25,
                                    on_phase=lambda call: self.phases.append(call.phase))
        self.cdp = None
        self.page = None

    def _browser(self, extra_args, on_exit):
        browser = VisioBrowser(runtime_dir=self.world["runtime"], extra_args=extra_args, on_exit=on_exit)
        self.browsers.append(browser)
        return browser

    def _on_end(self, call):
        self.ended_at = time.monotonic()
        self.ended_wall_ms = time.time() * 1000
        self.ended.set()

    def start(self, demarche: str = "caf-prime-activite", partner: str = PARTNER):
        self.call = self.session.start(partner, demarche, "urgent", "fr")
        browser = wait_until(lambda: self.browsers and self.browsers[0].profile, 20, what="the kiosk's browser")
        port_file = Path(browser) / "DevToolsActivePort"
        port = wait_until(lambda: port_file.exists() and port_file.read_text().split("\n")[0], 20,
                          what="the kiosk browser's debugging port")
        self.cdp = self.world["p"].chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        self.page = wait_until(lambda: self._call_page(), 20, what="the call page")
        # its script has run (buttons answer): a touch before that would be lost
        self.page.wait_for_function("() => typeof window.visioState === 'function'", timeout=20_000)
        return self

    def _call_page(self):
        for context in self.cdp.contexts:
            for page in context.pages:
                if "/visio/c/" in page.url:
                    return page
        return None

    @property
    def profile(self) -> Path:
        return self.browsers[0].profile

    def state(self) -> str:
        return self.page.evaluate("() => window.visioState()")

    def wait_end(self, timeout: float = 20):
        """The call as it ended, once the session has ended and deleted the browser's profile."""
        assert self.ended.wait(timeout), "the kiosk's session did not end"
        assert self.session.done.wait(timeout), "the kiosk's session did not finish its end"
        return self.call


def said_text(kiosk: Kiosk) -> list[str]:
    return [msgid.format(**values) for sentences in kiosk.said for msgid, values in sentences]


def stats(page) -> dict:
    return page.evaluate("() => window.visioCall ? window.visioCall.stats() : null")


def frames_and_audio(page, frames: int = 30, timeout: float = 30) -> dict:
    def enough():
        s = stats(page)
        return s if s and s["framesDecoded"] >= frames and s["audioBytes"] > 0 else None
    return wait_until(enough, timeout, what=f"{frames} remote video frames and remote audio", interval=0.1)


def text_delays(sender, receiver) -> list[float]:
    """For each text the sender typed, milliseconds until the receiver first had exactly that text."""
    sent = sender.evaluate("() => window.visioCall.textLog.sent")
    received = receiver.evaluate("() => window.visioCall.textLog.received")
    first_seen = {}
    for text, at in received:
        first_seen.setdefault(text, at)
    return [first_seen[text] - at for text, at in sent if text in first_seen] + \
        [float("inf") for text, _ in sent if text not in first_seen]


def take_next(console):
    expect(console.locator("#take")).to_be_enabled(timeout=15_000)
    console.locator("#take").click()
    expect(console.locator("#call-box")).to_be_visible(timeout=15_000)


def test_a_citizen_calls_waits_talks_types_and_the_advisor_hangs_up(world):
    console, hub = world["console"], world["hub"]
    kiosk = Kiosk(world).start()
    page = kiosk.page
    expect(page.locator("#consent")).to_be_visible()
    expect(page.get_by_role("button", name="Commencer")).to_be_visible()
    wait_until(lambda: page.evaluate("() => { const v = document.getElementById('preview');"
                                     " return v.videoWidth > 0 && v.currentTime > 0; }"), 20,
               what="the camera preview on the consent screen")
    page.screenshot(path="/tmp/visio-consent.png")
    assert_accessible(page, "consent screen")

    page.get_by_role("button", name="Commencer").click()
    expect(page.locator("#position")).to_contain_text("Vous êtes le prochain dans la file", timeout=10_000)
    expect(page.locator("#position")).to_contain_text("Attente estimée")
    wait_until(lambda: "You are next in the queue." in said_text(kiosk), 10, what="the kiosk to say the position")
    assert any(t.startswith("Estimated wait: about") for t in said_text(kiosk))
    page.screenshot(path="/tmp/visio-waiting.png")
    assert_accessible(page, "waiting screen")

    row = console.locator("#queue tbody tr")
    expect(row).to_have_count(1, timeout=10_000)
    expect(row).to_contain_text("fs-visio")
    expect(row).to_contain_text("caf-prime-activite")
    expect(row).to_contain_text("Urgent")
    console.screenshot(path="/tmp/visio-console-queue.png", full_page=True)
    assert_accessible(console, "advisor console with a waiting call")

    take_next(console)
    at_advisor = frames_and_audio(console)
    at_kiosk = frames_and_audio(page)
    assert at_advisor["frameWidth"] >= 640 and at_kiosk["frameWidth"] >= 640, (at_advisor, at_kiosk)
    assert {a for a in at_advisor["candidates"] + at_kiosk["candidates"] if a} == {"127.0.0.1"}
    wait_until(lambda: kiosk.call.phase == "in_call", 10, what="the kiosk to see the call under way")
    expect(page.locator("#call-status")).to_contain_text("en ligne", timeout=10_000)

    # real-time text, character by character, both ways: every prefix typed reaches the other side
    # (its delay is a benchmark figure, bench/visio.py: a timed assertion would fail on a busy machine)
    page.locator("#rtt-out").click()
    page.keyboard.type("Dupont 42", delay=120)
    expect(console.locator("#rtt-in")).to_have_text("Dupont 42", timeout=5_000)
    console.locator("#rtt-out").click()
    console.keyboard.type("Merci !", delay=120)
    expect(page.locator("#rtt-in")).to_have_text("Merci !", timeout=5_000)
    delays = text_delays(page, console) + text_delays(console, page)
    print("real-time text delays (ms):", delays)
    assert len(delays) == len("Dupont 42") + len("Merci !")
    assert all(delay != float("inf") for delay in delays), delays
    page.screenshot(path="/tmp/visio-call.png")
    console.screenshot(path="/tmp/visio-console-call.png", full_page=True)
    assert_accessible(page, "call screen")
    assert_accessible(console, "advisor console in a call")

    profile = kiosk.profile
    assert profile.exists()
    console.get_by_label("Réglé", exact=True).check()
    console.get_by_role("button", name="Raccrocher").click()
    call = kiosk.wait_end()
    assert call.end_reason == "advisor"
    assert not kiosk.browsers[0].running
    assert not profile.exists(), "the browser profile must be deleted after the call"
    assert kiosk.phases[-1] == "ended" and "waiting" in kiosk.phases and "in_call" in kiosk.phases
    counts = visio_dispatch.counters(hub.engine, PARTNER)
    assert counts["calls"] == 1 and counts["taken"] == 1 and counts["advisor"] == 1
    assert counts["outcomes"]["solved"] == 1
    expect(console.locator("#queue-box")).to_be_visible()


def test_the_citizen_hangs_up_and_the_console_sees_it(world):
    console, hub = world["console"], world["hub"]
    before = visio_dispatch.counters(hub.engine, PARTNER)
    kiosk = Kiosk(world).start()
    kiosk.page.get_by_role("button", name="Commencer").click()
    take_next(console)
    frames_and_audio(kiosk.page, frames=10)
    kiosk.page.get_by_role("button", name="Raccrocher").click()
    call = kiosk.wait_end()
    assert call.end_reason == "citizen"
    expect(console.locator("#after-text")).to_contain_text("La personne a raccroché", timeout=10_000)
    assert not kiosk.profile.exists()
    after = visio_dispatch.counters(hub.engine, PARTNER)
    assert after["citizen"] == before["citizen"] + 1 and after["taken"] == before["taken"] + 1


def test_cancel_while_waiting_and_decline_at_consent_are_counted(world):
    hub = world["hub"]
    before = visio_dispatch.counters(hub.engine, PARTNER)
    kiosk = Kiosk(world).start()
    kiosk.page.get_by_role("button", name="Commencer").click()
    expect(kiosk.page.locator("#waiting")).to_be_visible()
    kiosk.page.get_by_role("button", name="Annuler l'appel").click()
    assert kiosk.wait_end().end_reason == "abandoned"

    kiosk = Kiosk(world).start()
    kiosk.page.get_by_role("button", name="Non merci").click()
    assert kiosk.wait_end().end_reason == "declined"
    after = visio_dispatch.counters(hub.engine, PARTNER)
    assert after["abandoned"] == before["abandoned"] + 1 and after["declined"] == before["declined"] + 1


def test_no_camera_gives_a_sentence_and_the_journey_continues(world):
    no_camera = tuple(a for a in KIOSK_TEST_ARGS if not a.startswith("--use-fake-device"))
    kiosk = Kiosk(world, extra_args=no_camera).start()
    error = kiosk.page.locator("#consent-error")
    expect(error).to_be_visible(timeout=15_000)
    expect(error).to_contain_text("La caméra ou le micro de la borne ne marche pas")
    expect(kiosk.page.get_by_role("button", name="Commencer")).to_be_disabled()
    kiosk.page.get_by_role("button", name="Non merci").click()
    assert kiosk.wait_end().end_reason == "no_media"


def test_the_kiosk_browser_killed_ends_the_call_and_wipes_the_profile(world):
    hub = world["hub"]
    kiosk = Kiosk(world).start()
    kiosk.page.get_by_role("button", name="Commencer").click()
    expect(kiosk.page.locator("#waiting")).to_be_visible()
    profile = kiosk.profile
    os.kill(kiosk.browsers[0].pid, signal.SIGKILL)
    call = kiosk.wait_end()
    assert call.end_reason == "browser"
    assert not profile.exists()
    row = visio_dispatch.call_by_id(hub.engine, call.call_id)
    assert row.state == "ended" and row.end_reason == "abandoned"


def test_the_hub_unreachable_while_waiting_is_said_then_the_call_goes_on(world):
    hub = world["hub"]
    kiosk = Kiosk(world).start()
    kiosk.page.get_by_role("button", name="Commencer").click()
    wait_until(lambda: kiosk.call.phase == "waiting", 10, what="the kiosk to see the call waiting")
    hub.kill()
    try:
        wait_until(lambda: "The link with the call service is cut. We keep trying." in said_text(kiosk), 20,
                   what="the kiosk to say the link is cut")
        expect(kiosk.page.locator("#position")).to_contain_text("Le lien avec le service d'appel est coupé",
                                                                timeout=10_000)
    finally:
        hub.start()
    expect(kiosk.page.locator("#position")).to_contain_text("dans la file", timeout=15_000)
    assert not kiosk.call.over
    kiosk.page.get_by_role("button", name="Annuler l'appel").click()
    assert kiosk.wait_end().end_reason == "abandoned"


def test_janus_down_the_advisor_gets_a_sentence_and_the_call_stays_queued(world):
    console, janus = world["console"], world["janus"]
    kiosk = Kiosk(world).start()
    kiosk.page.get_by_role("button", name="Commencer").click()
    wait_until(lambda: kiosk.call.phase == "waiting", 15, what="the kiosk to see its call queued")
    expect(console.locator("#queue tbody tr")).to_have_count(1, timeout=15_000)
    janus.stop()
    try:
        console.locator("#take").click()
        expect(console.locator("#take-error")).to_contain_text("Le serveur vidéo ne répond pas", timeout=10_000)
        expect(console.locator("#queue tbody tr")).to_have_count(1)
    finally:
        janus.start()
    take_next(console)
    frames_and_audio(kiosk.page, frames=10)
    console.get_by_role("button", name="Raccrocher").click()
    assert kiosk.wait_end().end_reason == "advisor"


def test_the_app_glue_says_consent_and_queue_in_french_and_pauses_speech_in_the_call(world):
    from kiosk.core.i18n import Translator
    from kiosk.devices.visio_call import KioskVisio
    translator = Translator()
    translator.set_language("fr")
    events, said = [], []
    browsers = []

    def factory(on_exit):
        browsers.append(VisioBrowser(runtime_dir=world["runtime"], extra_args=KIOSK_TEST_ARGS, on_exit=on_exit))
        return browsers[-1]
    visio = KioskVisio(world["device"], post=lambda fn: fn(), say=said.append,
                       translate=lambda: translator.gettext, on_ended=lambda reason: events.append(reason),
                       pause_listening=lambda: events.append("mic off"), resume_listening=lambda: events.append("mic on"),
                       pause_speech=lambda: events.append("speech off"),
                       resume_speech=lambda: events.append("speech on"),
                       browser_factory=factory)
    assert visio.offered_partners([PARTNER, "DGFiP", "ANTS"], "fr") == frozenset({PARTNER, "DGFiP"})
    visio.start(PARTNER, "caf-prime-activite", "urgent", "fr")
    profile = wait_until(lambda: browsers and browsers[0].profile, 20, what="the call browser")
    port_file = Path(profile) / "DevToolsActivePort"
    port = wait_until(lambda: port_file.exists() and port_file.read_text().split("\n")[0], 20, what="its port")
    cdp = world["p"].chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
    page = wait_until(lambda: next((pg for c in cdp.contexts for pg in c.pages if "/visio/c/" in pg.url), None),
                      20, what="the call page")
    page.wait_for_function("() => typeof window.visioState === 'function'", timeout=20_000)
    assert said[0].startswith("Appel vidéo avec un conseiller."), said  # the consent, said in French
    page.get_by_role("button", name="Commencer").click()
    wait_until(lambda: len(said) > 1, 15, what="the queue said")
    assert said[1].startswith("Vous êtes"), said  # French, from the catalogue
    take_next(world["console"])
    wait_until(lambda: "speech off" in events, 20, what="the kiosk's speech paused in the call")
    world["console"].get_by_role("button", name="Raccrocher").click()
    wait_until(lambda: "advisor" in events, 20, what="the kiosk back")
    assert events == ["mic off", "speech off", "speech on", "mic on", "advisor"]
    assert not visio.active or visio.session.done.wait(10)


def test_a_partner_with_its_own_visio_is_framed_with_the_same_consent_and_return(world):
    hub = world["hub"]
    kiosk = Kiosk(world).start(demarche="impots-declaration", partner="DGFiP")
    page = kiosk.page
    expect(page.get_by_role("button", name="Commencer")).to_be_enabled(timeout=15_000)
    page.get_by_role("button", name="Commencer").click()
    frame = page.frame_locator("#external")
    expect(frame.locator("#state")).to_have_text("camera ok", timeout=20_000)  # granted by the policy
    expect(page.get_by_role("button", name="Raccrocher")).to_be_visible()
    page.screenshot(path="/tmp/visio-partner-own.png")
    profile = kiosk.profile
    page.get_by_role("button", name="Raccrocher").click()
    assert kiosk.wait_end().end_reason == "citizen"
    assert not profile.exists()
    row = visio_dispatch.call_by_id(hub.engine, kiosk.call.call_id)
    assert row.partner == "DGFiP" and row.advisor_id is None and row.end_reason == "citizen"


# last: it closes the module's console
def pids_with(marker: str) -> list[int]:
    """Our own processes whose command line carries `marker` (a flag Chromium ignores)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_the_advisor_browser_killed_mid_call_gives_the_citizen_a_sentence(world):
    marker = "--visio-test-advisor-to-kill"
    p, hub = world["p"], world["hub"]
    world["console"].context.close()  # this test's advisor uses a browser of its own, killed below
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                args=[*BROWSER_ARGS, marker])
    console = browser.new_page()
    console.goto(hub.url + "/login?next=/visio/console")
    console.get_by_label("Nom").fill("conseil-caf")
    console.get_by_label("Mot de passe").fill(PASSWORD)
    console.get_by_role("button", name="Se connecter").click()
    kiosk = Kiosk(world).start()
    kiosk.page.get_by_role("button", name="Commencer").click()
    take_next(console)
    frames_and_audio(kiosk.page, frames=10)
    pids = pids_with(marker)
    assert pids
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    expect(kiosk.page.locator("#call-status")).to_contain_text("coupée", timeout=30_000)
    kiosk.page.get_by_role("button", name="Raccrocher").click()
    assert kiosk.wait_end().end_reason == "citizen"
