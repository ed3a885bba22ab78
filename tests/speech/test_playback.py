"""Playback through a real player process (the real-time null sink): stop, interrupt, queue."""

from __future__ import annotations

import threading
import time

from tests.speech.conftest import events, last_utt, wait_for

LONG_FR = ("Bienvenue à France Services. Ici, on vous aide pour vos démarches administratives. "
           "Vous pouvez toucher l'écran ou parler. Un médiateur est là si vous avez besoin d'aide.")


def test_playback_takes_the_audio_duration(speaker):
    speaker.say("Bonjour.", "fr")
    utt = last_utt(speaker)
    start = wait_for(lambda: events(speaker, "first_sample", utt), 5)
    assert start
    assert speaker.wait_idle(10)
    idle = [e for e in events(speaker, "state") if e["state"] == "idle"][-1]
    played = idle["t"] - start[0]["t"]
    assert 0.4 < played < 2.0  # "Bonjour." is about 0.7 s at the normal rate


def test_stop_silences_quickly(speaker):
    speaker.say(LONG_FR, "fr")
    utt = last_utt(speaker)
    assert wait_for(lambda: events(speaker, "first_sample", utt), 5)
    time.sleep(0.3)
    asked = time.monotonic()
    speaker.stop()
    silence = wait_for(lambda: events(speaker, "silence", utt), 2)
    assert silence, "playback was not stopped"
    assert silence[0]["t"] - asked < 0.1
    assert wait_for(lambda: speaker.state == "idle", 2)


def test_new_screen_cuts_the_previous_one(speaker):
    speaker.say(LONG_FR, "fr")
    first = last_utt(speaker)
    assert wait_for(lambda: events(speaker, "first_sample", first), 5)
    speaker.say("Choisissez une démarche.", "fr")
    second = last_utt(speaker)
    assert wait_for(lambda: events(speaker, "silence", first), 2)
    assert wait_for(lambda: events(speaker, "first_sample", second), 2)
    assert speaker.wait_idle(10)
    done = {e["utt"]: e["said"] for e in events(speaker, "done")}
    assert done == {first: False, second: True}


def test_rapid_screen_changes_end_on_the_last_screen(speaker):
    pid = speaker.worker_pid
    for i in range(25):
        speaker.say(f"Écran numéro {i}. {LONG_FR}", "fr")
        time.sleep(0.004)
    final = last_utt(speaker)
    assert wait_for(lambda: events(speaker, "first_sample", final), 5)
    time.sleep(0.2)
    speaker.stop()
    assert speaker.wait_idle(5)
    assert speaker.worker_pid == pid  # nothing crashed
    # only the last screen is still audible: every player started before it was stopped
    others = {e["utt"] for e in events(speaker, "player_started")} - {final}
    stopped = {e["utt"] for e in events(speaker, "silence")}
    starts = {e["utt"] for e in events(speaker, "first_sample")}
    assert others & starts <= stopped


def test_queued_speech_follows_without_cutting(speaker):
    speaker.say("Étape un.", "fr")
    one = last_utt(speaker)
    speaker.say("Étape deux.", "fr", interrupt=False)
    two = last_utt(speaker)
    assert speaker.wait_idle(10)
    assert events(speaker, "first_sample", one) and events(speaker, "first_sample", two)
    assert not events(speaker, "silence")
    assert events(speaker, "first_sample", two)[0]["t"] > events(speaker, "first_sample", one)[0]["t"] + 0.4


def test_state_callback_from_a_background_thread(make_speaker):
    seen: list[tuple[str, bool]] = []
    s = make_speaker(on_state=lambda st: seen.append((st, threading.current_thread() is threading.main_thread())))
    s.say("Bonjour.", "fr")
    assert s.wait_idle(10)
    assert [st for st, _ in seen] == ["speaking", "idle"]
    assert not any(on_main for _, on_main in seen)


def test_calls_return_at_once(speaker):
    started = time.perf_counter()
    speaker.say(LONG_FR, "fr")
    speaker.say(LONG_FR, "en", interrupt=False)
    speaker.set_rate("slow")
    speaker.set_volume(0.5)
    speaker.repeat()
    speaker.stop()
    assert time.perf_counter() - started < 0.05
