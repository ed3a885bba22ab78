"""What is said: parts in several languages, repeat, new session, pre-rendered prompts.

A recording player (a real `sh` command that copies each WAV it is given) shows what reached the
loudspeaker. espeak-ng's output varies by a few samples from one run to the next, so a played
file is recognised by its duration against the same text rendered on its own.
"""

from __future__ import annotations

import time
import wave

from kiosk.devices.speaker import DEFAULT_VOLUME, FIXED_PROMPTS
from tests.speech.conftest import events, last_utt, played_files, recording_argv, wait_for



def duration(path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def same_audio(a, b) -> bool:
    return abs(duration(a) - duration(b)) < 0.06 * max(duration(a), duration(b))


def test_parts_are_said_in_order_each_in_its_own_language(make_speaker, tmp_path):
    """A screen that names the languages says each name in that language's voice."""
    folder = tmp_path / "played"
    folder.mkdir()
    s = make_speaker(player=recording_argv(folder))
    assert s.available, s.unavailable_reason
    parts = [("Choisissez votre langue.", "fr"), ("Español", "es"), ("Українська", "uk")]
    for i, (text, lang) in enumerate(parts):
        s.render(text, lang, tmp_path / f"part{i}.wav")
    s.render("Українська", "fr", tmp_path / "uk-in-french.wav")
    assert s.say_parts(parts) is True
    assert s.wait_idle(15)
    played = wait_for(lambda: (lambda p: p if len(p) == 3 else None)(played_files(folder)), 5)
    assert played, played_files(folder)
    for i in range(3):
        assert same_audio(played[i], tmp_path / f"part{i}.wav")
    assert not same_audio(played[2], tmp_path / "uk-in-french.wav"), "not read by the French voice"


def test_repeat_says_the_screen_again_and_forgets_it_for_the_next_user(make_speaker, tmp_path):
    folder = tmp_path / "played"
    folder.mkdir()
    s = make_speaker(player=recording_argv(folder))
    s.say("Carte grise.", "fr")
    s.say("Touchez le bouton Commencer pour continuer.", "fr", interrupt=False)
    assert s.wait_idle(10)
    assert s.repeat() is True
    assert s.wait_idle(10)
    played = played_files(folder)
    assert len(played) == 4
    assert same_audio(played[0], played[2]) and same_audio(played[1], played[3])
    assert not same_audio(played[0], played[1])
    s.reset_for_new_session()
    assert s.repeat() is False


def test_new_session_resets_rate_volume_and_silences(speaker):
    speaker.set_rate("slow")
    speaker.set_volume(1.0)
    speaker.say("Bienvenue à France Services. Voici les démarches possibles aujourd'hui.", "fr")
    utt = last_utt(speaker)
    assert wait_for(lambda: events(speaker, "first_sample", utt), 5)
    speaker.reset_for_new_session()
    assert wait_for(lambda: events(speaker, "silence", utt), 2)
    assert (speaker.rate, speaker.volume) == ("normal", DEFAULT_VOLUME)


def test_prerendered_prompts_play_from_the_cache(make_speaker, tmp_path):
    cache = tmp_path / "cache"
    s = make_speaker(cache_dir=cache)
    s.prerender(FIXED_PROMPTS)
    assert sorted(s.wait_prerendered(30)) == sorted(FIXED_PROMPTS)
    files = sorted(cache.glob("*.wav"))
    assert len(files) == len(FIXED_PROMPTS)
    stamps = {f: f.stat().st_mtime_ns for f in files}

    s.say_prompt("error:fr")
    utt = last_utt(s)
    assert wait_for(lambda: events(s, "first_sample", utt), 5)
    assert s.wait_idle(10)
    # played from the cache: nothing rendered again
    assert {f: f.stat().st_mtime_ns for f in sorted(cache.glob("*.wav"))} == stamps

    # a second kiosk start finds them already rendered
    again = make_speaker(cache_dir=cache)
    t0 = time.monotonic()
    again.prerender(FIXED_PROMPTS)
    assert len(again.wait_prerendered(30)) == len(FIXED_PROMPTS)
    assert time.monotonic() - t0 < 1.0
    assert sorted(cache.glob("*.wav")) == files


def test_focus_and_warning_cut_current_speech(speaker):
    speaker.say("Bienvenue à France Services. Voici les démarches possibles aujourd'hui.", "fr")
    first = last_utt(speaker)
    assert wait_for(lambda: events(speaker, "first_sample", first), 5)
    speaker.say("Carte d'identité, bouton", "fr")
    focus = last_utt(speaker)
    assert wait_for(lambda: events(speaker, "first_sample", focus), 3)
    speaker.warn("Êtes-vous toujours là ?", "fr")
    warning = last_utt(speaker)
    assert wait_for(lambda: events(speaker, "first_sample", warning), 3)
    assert speaker.wait_idle(10)
    assert {e["utt"] for e in events(speaker, "silence")} == {first, focus}
