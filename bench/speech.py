"""Speech latency: screen change → first audio sample played, stop → silence, vs espeak-ng direct.

`python -m bench speech [--n 30] [--player null|"aplay -q"]` prints one JSON object (ms).

- cold: `say()` of a text never said before (synthesis of its first sentence + player start);
- prerendered: `say_prompt()` of a prompt rendered at start-up (player start only);
- stop: `stop()` while speaking → the player process has exited;
- espeak_ng_direct: `espeak-ng --stdout` started on the same text → its first audio byte
  (what the kiosk would get by spawning espeak-ng per utterance, without playing anything).

With the default null player (no sound card here) "first sample" is the moment the real-time
null sink starts consuming audio; with `aplay` only the player's start time is known, reported as
`player_started`. Times are CLOCK_MONOTONIC, shared by all processes.
"""

from __future__ import annotations

import argparse
import os
import select
import statistics
import subprocess
import tempfile
import time

from kiosk.devices.speaker import FIXED_PROMPTS, RATES_WPM, Speaker

SCREENS = [
    ("Carte d'identité. Vous pouvez la refaire en mairie, sur rendez-vous.", "fr"),
    ("Identity card. You can renew it at the town hall, by appointment.", "en"),
    ("Carte grise. Pour changer l'adresse, il faut un compte sur le site officiel.", "fr"),
    ("Vehicle registration. To change the address, you need an account on the official site.", "en"),
    ("Prime d'activité. La CAF verse cette aide si vous travaillez avec de petits revenus.", "fr"),
    ("Retraite. Vous pouvez demander votre retraite en ligne, six mois avant la date.", "fr"),
    ("Inscription à France Travail. Préparez votre numéro de sécurité sociale.", "fr"),
    ("Health insurance card. Ask for it online or at the counter of your health fund.", "en"),
]
LONG = ("Bienvenue à France Services. Ici, on vous aide pour vos démarches administratives. "
        "Vous pouvez toucher l'écran ou parler. Un médiateur est là si vous avez besoin d'aide.")


def _stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ms = sorted(v * 1000 for v in values)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return {"n": len(ms), "median_ms": round(statistics.median(ms), 1), "p95_ms": round(p95, 1),
            "max_ms": round(ms[-1], 1)}


def _event(speaker: Speaker, kind: str, utt: int, timeout: float = 5.0) -> dict | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for ev in list(speaker.events):
            if ev.get("ev") == kind and ev.get("utt") == utt:
                return ev
        time.sleep(0.001)
    return None


def _first_sound(speaker: Speaker, start, n: int, gap: float) -> tuple[list, list]:
    first, started = [], []
    for i in range(n):
        t0 = time.monotonic()
        start(i)
        utt = speaker._sent_utt
        ev = _event(speaker, "first_sample", utt) or {}
        sp = _event(speaker, "player_started", utt, 0.5) or {}
        if "t" in ev:
            first.append(ev["t"] - t0)
        if "t" in sp:
            started.append(sp["t"] - t0)
        time.sleep(gap)
    speaker.stop()
    speaker.wait_idle(5)
    return first, started


def _espeak_direct(n: int) -> dict:
    first_byte, whole = [], []
    for i in range(n):
        text, lang = SCREENS[i % len(SCREENS)]
        t0 = time.monotonic()
        proc = subprocess.Popen(
            ["espeak-ng", "-v", lang, "-s", str(RATES_WPM["normal"]), "--stdout", text],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        fd = proc.stdout.fileno()
        got_first = None
        seen = 0
        while True:
            select.select([fd], [], [], 5)
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            seen += len(chunk)
            if got_first is None and seen > 44:  # past the WAV header: audio samples
                got_first = time.monotonic()
        proc.wait()
        if got_first is not None:
            first_byte.append(got_first - t0)
        whole.append(time.monotonic() - t0)
    return {"first_audio_byte": _stats(first_byte), "whole_synthesis": _stats(whole)}


def run(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench speech")
    parser.add_argument("--n", type=int, default=30, help="measurements per figure")
    parser.add_argument("--player", default="null", help="player command (default: the null sink)")
    args = parser.parse_args(argv)

    cache = tempfile.TemporaryDirectory(prefix="kiosk-bench-speech-")
    t0 = time.monotonic()
    speaker = Speaker(player=args.player, cache_dir=cache.name)
    ready = speaker.wait_ready(15)
    startup = time.monotonic() - t0
    if not ready or not speaker.available:
        speaker.close(timeout=2)
        cache.cleanup()
        return {"error": f"voice unavailable: {speaker.unavailable_reason}", "player": speaker.player}
    try:
        speaker.render("Bonjour.", "fr", "/dev/shm/kiosk-bench-warm.wav" if os.path.isdir("/dev/shm")
                       else "/tmp/kiosk-bench-warm.wav")

        cold_first, cold_started = _first_sound(
            speaker, lambda i: speaker.say(f"{SCREENS[i % len(SCREENS)][0]} Écran {i}.",
                                           SCREENS[i % len(SCREENS)][1]), args.n, 0.25)

        speaker.prerender(FIXED_PROMPTS)
        speaker.wait_prerendered(60)
        keys = sorted(FIXED_PROMPTS)
        pre_first, pre_started = _first_sound(
            speaker, lambda i: speaker.say_prompt(keys[i % len(keys)]), args.n, 0.25)

        # rapid screen changes: each say cuts the previous one after 50 ms
        rapid_first, _ = _first_sound(
            speaker, lambda i: speaker.say(f"{SCREENS[i % len(SCREENS)][0]} Numéro {i}.",
                                           SCREENS[i % len(SCREENS)][1]), args.n, 0.05)

        stops = []
        for i in range(args.n):
            speaker.say(f"{LONG} {i}.", "fr")
            utt = speaker._sent_utt
            if not _event(speaker, "first_sample", utt):
                continue
            time.sleep(0.15)
            asked = time.monotonic()
            speaker.stop()
            ev = _event(speaker, "silence", utt, 2)
            if ev:
                stops.append(ev["t"] - asked)
            speaker.wait_idle(5)
    finally:
        speaker.close(timeout=2)
        cache.cleanup()
        for p in ("/dev/shm/kiosk-bench-warm.wav", "/tmp/kiosk-bench-warm.wav"):
            if os.path.exists(p):
                os.unlink(p)

    cold, pre, stop = _stats(cold_first), _stats(pre_first), _stats(stops)
    return {
        "player": " ".join(speaker.player),
        "worker_startup_ms": round(startup * 1000, 1),
        "first_sound_cold": cold,
        "first_sound_prerendered": pre,
        "first_sound_rapid_changes": _stats(rapid_first),
        "player_started_cold": _stats(cold_started),
        "player_started_prerendered": _stats(pre_started),
        "stop_to_silence": stop,
        "espeak_ng_direct": _espeak_direct(args.n),
        "goals": {
            "first_sound_p95_under_150ms": bool(cold.get("p95_ms", 1e9) < 150 and pre.get("p95_ms", 1e9) < 150),
            "silence_p95_under_100ms": bool(stop.get("p95_ms", 1e9) < 100),
        },
    }
