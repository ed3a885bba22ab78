"""The measured part of `python -m bench visio`, run inside the private network namespace."""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from kiosk.devices.visio_browser import POLICY_DIR, POLICY_FILE, managed_policy, origin_of
from kiosk.hub import visio_dispatch
from kiosk.hub.store import add_user
from tests.hub.conftest import HubProcess, enrolled_device
from tests.visio.inside import Janus, hub_env, in_private_network, launch_browser, set_hub_env
from tests.visio.inside_calls import PASSWORD, Kiosk, text_delays
from tests.waiting import wait_until

FIRST_FRAME_JS = """() => { window.benchFirstFrame = new Promise(resolve => {
  const timer = setInterval(async () => {
    if (!window.visioCall) return;
    const s = await window.visioCall.stats();
    if (s.framesDecoded > 0) { clearInterval(timer); resolve(Date.now()); }
  }, 10);
}); }"""


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict:
    return {"median": round(statistics.median(values)), "p95": round(p95(values)), "n": len(values)}


def sample_media(page, seconds: float = 4.0) -> tuple[float, str]:
    """Mean received frames per second over `seconds` (from framesDecoded) and the last resolution."""
    first = page.evaluate("() => window.visioCall.stats()")
    started = time.monotonic()
    wait_until(lambda: time.monotonic() - started >= seconds, seconds + 5, what="the sampling period")
    last = page.evaluate("() => window.visioCall.stats()")
    fps = (last["framesDecoded"] - first["framesDecoded"]) / (time.monotonic() - started)
    return round(fps, 1), f"{last['frameWidth']}x{last['frameHeight']}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=6)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    assert in_private_network(), "run through `python -m bench visio`"
    set_hub_env()
    base = Path(tempfile.mkdtemp(prefix="bench-visio-"))
    janus = Janus(base / "janus").start()
    (base / "hub").mkdir()
    hub = HubProcess(f"sqlite:///{base / 'hub' / 'hub.sqlite3'}", base / "hub", env=hub_env()).start()
    policy = managed_policy(origin_of(hub.url))
    policy["DeveloperToolsAvailability"] = 1  # the bench reads the kiosk page through the debugging port
    (POLICY_DIR / POLICY_FILE).write_text(json.dumps(policy))
    add_user(hub.engine, "conseil-bench", "advisor", PASSWORD)
    visio_dispatch.set_advisor(hub.engine, "conseil-bench", "CAF", "fr")
    device = enrolled_device(hub, site="fs-bench", name="Borne 1")
    (base / "run").mkdir()
    setup, returns, rtt, steps = [], [], [], []
    fps_kiosk, fps_advisor, res_kiosk, res_advisor = [], [], [], []
    try:
        with sync_playwright() as p:
            advisor_browser = launch_browser(p)
            console = advisor_browser.new_page(viewport={"width": 1280, "height": 900})
            console.goto(hub.url + "/login?next=/visio/console")
            console.get_by_label("Nom").fill("conseil-bench")
            console.get_by_label("Mot de passe").fill(PASSWORD)
            console.get_by_role("button", name="Se connecter").click()
            expect(console.locator("#link")).to_contain_text("Connecté", timeout=15_000)
            world = {"p": p, "device": device, "runtime": base / "run"}
            for index in range(args.calls):
                kiosk = Kiosk(world).start()
                page = kiosk.page
                expect(page.get_by_role("button", name="Commencer")).to_be_enabled(timeout=15_000)
                console.evaluate(FIRST_FRAME_JS)
                page.get_by_role("button", name="Commencer").click()
                expect(console.locator("#take")).to_be_enabled(timeout=15_000)
                console.locator("#take").click()
                first_frame = console.evaluate("() => window.benchFirstFrame")
                touched = page.evaluate("() => window.startTouchedAt")
                setup.append(first_frame - touched)
                wait_until(lambda: page.evaluate("() => !!window.visioCall"), 15, what="the kiosk in the call")
                wait_until(lambda: page.evaluate("() => window.visioCall.stats()")["framesDecoded"] > 30, 20,
                           what="the kiosk receiving video")
                fps, res = sample_media(page)
                fps_kiosk.append(fps), res_kiosk.append(res)
                fps, res = sample_media(console)
                fps_advisor.append(fps), res_advisor.append(res)
                page.locator("#rtt-out").click()
                page.keyboard.type("Je m'appelle Dupont", delay=80)
                expect(console.locator("#rtt-in")).to_have_text("Je m'appelle Dupont", timeout=5_000)
                console.locator("#rtt-out").click()
                console.keyboard.type("Merci, je regarde", delay=80)
                expect(page.locator("#rtt-in")).to_have_text("Merci, je regarde", timeout=5_000)
                rtt += text_delays(page, console) + text_delays(console, page)
                side = console if index % 2 == 0 else page
                expect(side.get_by_role("button", name="Raccrocher")).to_be_visible()
                # the touch itself, timed in the page; clicked just after this evaluation returns, since
                # the kiosk's page may be gone before an answer could come back (counts a few ms more)
                hung_up = side.evaluate("() => { const t = Date.now();"
                                        " setTimeout(() => document.getElementById('hangup').click(), 0); return t; }")
                kiosk.wait_end()
                returns.append(kiosk.ended_wall_ms - hung_up)
                t = kiosk.session.timings
                steps.append({"over_ms": round(kiosk.ended_wall_ms - hung_up - (t["killed"] - t["over"]) * 1000),
                              "browser_killed_ms": round((t["killed"] - t["over"]) * 1000),
                              "profile_wiped_after_ms": round((t["wiped"] - t["killed"]) * 1000)})
                expect(console.locator("#queue-box")).to_be_visible(timeout=10_000)
            advisor_browser.close()
    finally:
        hub.stop()
        janus.stop()
    result = {
        "calls": args.calls,
        "setup_ms": summary(setup),
        "remote_fps": {"at_kiosk": round(statistics.median(fps_kiosk), 1),
                       "at_advisor": round(statistics.median(fps_advisor), 1)},
        "remote_resolution": {"at_kiosk": statistics.mode(res_kiosk), "at_advisor": statistics.mode(res_advisor)},
        "rtt_char_ms": summary(rtt),
        "return_ms": summary(returns),
        "return_steps_ms": steps,
    }
    Path(args.out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
