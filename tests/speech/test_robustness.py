"""The kiosk keeps going: worker killed mid-sentence, no sound card, no synthesis, close."""

from __future__ import annotations

import logging
import os
import signal
import time

from kiosk.devices.speaker import Speaker
from tests.speech.conftest import PYTHON_WITHOUT_PYTTSX3, events, last_utt, process_alive, wait_for

LONG_FR = ("Pour refaire votre carte d'identité, il faut prendre rendez-vous en mairie. "
           "Apportez une photo récente et un justificatif de domicile de moins de un an.")


def test_worker_killed_mid_sentence_is_restarted(speaker, caplog):
    caplog.set_level(logging.WARNING, logger="kiosk.devices.speaker")
    speaker.say(LONG_FR, "fr")
    utt = last_utt(speaker)
    assert wait_for(lambda: events(speaker, "first_sample", utt), 5)
    player_pid = events(speaker, "player_started", utt)[0]["pid"]
    old_pid = speaker.worker_pid
    os.kill(old_pid, signal.SIGKILL)

    # its player does not go on talking on its own
    assert wait_for(lambda: not process_alive(player_pid), 2), "orphan player still playing"
    assert wait_for(lambda: speaker.worker_pid not in (None, old_pid), 5), "worker not restarted"
    assert speaker.worker_starts == 2
    assert speaker.available
    assert any("restarting" in r.getMessage() for r in caplog.records)

    speaker.say("Je suis de retour.", "fr")
    again = last_utt(speaker)
    assert wait_for(lambda: events(speaker, "first_sample", again), 5)
    assert speaker.wait_idle(10)


def test_settings_survive_a_restart(speaker, tmp_path):
    speaker.set_rate("slow")
    before = speaker.render("Bonjour madame.", "fr", tmp_path / "a.wav")
    old_pid = speaker.worker_pid
    os.kill(old_pid, signal.SIGKILL)
    assert wait_for(lambda: speaker.worker_pid not in (None, old_pid), 5)
    after = speaker.render("Bonjour madame.", "fr", tmp_path / "b.wav")
    assert after == before


def test_a_worker_that_keeps_dying_makes_voice_unavailable(speaker, monkeypatch):
    monkeypatch.setattr("kiosk.devices.speaker.MAX_RESTARTS", 2)
    for _ in range(4):
        pid = wait_for(lambda: speaker.worker_pid, 5)
        if not pid:
            break
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: speaker.worker_pid != pid, 5)
    assert wait_for(lambda: not speaker.available, 5)
    assert speaker.unavailable_key == "worker_failed"
    assert speaker.say("Bonjour", "fr") is False


def test_no_sound_card_makes_voice_unavailable_and_logs_once(make_speaker, caplog, tmp_path):
    caplog.set_level(logging.WARNING, logger="kiosk.devices.speaker")
    states = []
    # aplay with a device that does not exist fails exactly as on a machine with no card
    s = make_speaker(player="aplay -q -D kiosk_no_such_card", on_state=states.append)
    assert not s.available
    assert s.unavailable_key == "no_sound_card"
    assert "loudspeaker" in s.unavailable_reason
    assert "haut-parleur" in s.unavailable_message("fr")
    assert "unavailable" in states
    for _ in range(3):
        assert s.say("Bonjour", "fr") is False
        s.repeat()
        s.stop()
    s.reset_for_new_session()  # re-checks the card: still none
    time.sleep(0.3)
    assert not s.available
    warnings = [r for r in caplog.records if "voice output unavailable" in r.getMessage()]
    assert len(warnings) == 1
    # files can still be made (install-time prompts, `kiosk speak --wav`)
    assert s.render("Bonjour", "fr", tmp_path / "x.wav") > 0.2


def test_missing_player_program(make_speaker, tmp_path):
    s = make_speaker(player=["kiosk-no-such-player", "-q"])
    assert s.unavailable_key == "no_player"
    assert s.say("Bonjour", "fr") is False
    assert s.render("Bonjour", "fr", tmp_path / "x.wav") > 0.2  # synthesis still works


def test_no_synthesis_installed(make_speaker, caplog):
    caplog.set_level(logging.WARNING, logger="kiosk.devices.speaker")
    # an interpreter without site-packages has no pyttsx3: the worker reports it and stops
    s = make_speaker(python=PYTHON_WITHOUT_PYTTSX3)
    assert wait_for(lambda: s.unavailable_key == "no_synthesis", 5)
    assert "espeak-ng" in s.unavailable_message("en")
    assert s.say("Bonjour", "fr") is False
    time.sleep(0.2)
    assert s.worker_starts == 1  # no restart loop
    assert len([r for r in caplog.records if "no_synthesis" in r.getMessage()]) == 1


def test_disabled_by_config_or_toggle(make_speaker):
    s = make_speaker(enabled=False)
    assert not s.available and s.unavailable_key == "disabled"
    assert s.say("Bonjour", "fr") is False
    s.set_enabled(True)
    assert s.available
    assert s.say("Bonjour", "fr") is True
    assert s.wait_idle(10)


def test_close_ends_worker_and_player(make_speaker):
    s = make_speaker()
    s.say(LONG_FR, "fr")
    utt = last_utt(s)
    assert wait_for(lambda: events(s, "first_sample", utt), 5)
    worker = s.worker_pid
    player = events(s, "player_started", utt)[0]["pid"]
    s.close(timeout=3)
    assert wait_for(lambda: not process_alive(worker) and not process_alive(player), 3)
    assert not s.available and s.unavailable_key == "closed"
    assert s.say("Bonjour", "fr") is False



def test_a_worker_held_back_starts_only_when_asked_and_then_speaks(tmp_path):
    """The kiosk holds its speech worker back while the first screen is drawn (the two would
    share the cores): nothing is spawned before start(), what was said meanwhile is said after."""
    s = Speaker(player="null", cache_dir=tmp_path / "cache", start_worker=False)
    try:
        s.say("Bonjour.", "fr")
        time.sleep(0.5)
        assert s.worker_starts == 0 and s.worker_pid is None
        s.start()
        assert s.wait_ready(15)
        assert s.worker_starts == 1
        assert wait_for(lambda: events(s, "first_sample"), 15), "the sentence said before start()"
    finally:
        s.close(timeout=2)


def test_a_worker_never_started_ends_with_its_speaker(tmp_path):
    s = Speaker(player="null", cache_dir=tmp_path / "cache", start_worker=False)
    s.close()
    s._supervisor.join(2)
    assert not s._supervisor.is_alive() and s.worker_starts == 0
