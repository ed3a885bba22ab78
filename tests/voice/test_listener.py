"""The listener against the real vosk engine (Korean model) on espeak-ng audio, fed through the
same queue the microphone feeds."""

from __future__ import annotations

import shutil
import threading
import time

import pytest

from kiosk.devices import listener as L
from kiosk.devices.listener import GrammarError, Listener, ListenerBusy, ListenerUnavailable, WavSource
from tests.waiting import eventually


def hear(listener, wav, grammar=None, timeout=15, **kw):
    events = {"partials": [], "states": [], "threads": set()}

    def on_partial(text):
        events["partials"].append(text)
        events["threads"].add(threading.get_ident())

    def on_state(state):
        events["states"].append(state)
        events["threads"].add(threading.get_ident())

    src = wav if not isinstance(wav, (str, bytes)) and hasattr(wav, "start") else WavSource(wav, then_silence_s=1.5)
    t0 = time.monotonic()
    session = listener.listen(grammar, source=src, on_partial=on_partial, on_state=on_state, **kw)
    result = session.wait(timeout)
    events["elapsed"] = time.monotonic() - t0
    assert result is not None, "the listener did not finish in time"
    # on_state(IDLE) comes right after on_result
    for _ in range(50):
        if events["states"][-1:] == [L.IDLE]:
            break
        time.sleep(0.01)
    return result, events


def test_model_loads_once_and_is_shared(ko_model, listener):
    again = Listener(ko_model, lang="ko", check_microphone=False)
    assert again.model is listener.model
    assert again.available and again.unavailable_reason is None


def test_free_recognition_streams_partials_and_ends_on_silence(listener, wavs):
    result, ev = hear(listener, wavs["annyeong"])
    assert result.reason == L.END_OF_SPEECH
    assert result.text and result.words
    assert 0 < result.confidence <= 1
    assert ev["partials"], "no partial result was shown while speaking"
    assert ev["states"][0] == L.LISTENING and ev["states"][-2:] == [L.PROCESSING, L.IDLE]
    assert threading.get_ident() not in ev["threads"], "callbacks must come from the worker thread"


def test_grammar_restricts_to_its_phrases(listener, wavs):
    grammar = ["안녕하세요", "네", "아니요"]
    for key in ("annyeong", "ne", "aniyo"):
        result, _ = hear(listener, wavs[key], grammar)
        assert result.text == {"annyeong": "안녕하세요", "ne": "네", "aniyo": "아니요"}[key]
        assert result.grammar == tuple(grammar)
    # free recognition of the same "네" does not give the grammar's word: the grammar did the work
    free, _ = hear(listener, wavs["ne"])
    assert free.text != "네"


def test_vocabulary_is_checked_before_building_a_grammar(listener):
    check = listener.check_grammar(["네", "hello world", "아니요", "네"])
    assert check.kept == ("네", "아니요")
    assert check.dropped == ("hello world",)
    assert set(check.unknown_words) == {"hello", "world"}


def test_unk_is_added_only_when_the_model_knows_it(listener, wavs):
    # this small Korean model has no [unk] word: the listener must notice, not pass it blindly
    assert listener.unk_supported is False
    assert listener.check_grammar(["네", "[unk]"]).kept == ("네",)
    result, _ = hear(listener, wavs["annyeong"], ["네", "아니요"])
    # out-of-grammar speech is forced onto a grammar word with high confidence: flag it
    assert result.text in ("네", "아니요")
    assert result.needs_confirmation is True


def test_unk_words_are_never_returned_as_text():
    check = L.GrammarCheck(("oui", "non"), (), (), True)
    assert L._clean("[unk]", check) == ""
    assert L._clean("[unk] oui", check) == "oui"
    assert L._clean("oui non", check) == "non"
    assert L._clean("[unk] [unk]", None) == ""


@pytest.mark.parametrize("grammar", [[], ["", "  "], ["hello", "zzzz qqq"], "네", [1, 2], ["네"] * 1000])
def test_empty_or_absurd_grammar_is_refused_clearly(listener, grammar):
    with pytest.raises(GrammarError):
        listener.listen(grammar, source=L.SilentSource())
    assert not listener.busy


def test_silence_ends_with_no_speech(listener, wavs):
    result, ev = hear(listener, WavSource(wavs["silence"], then_silence_s=3))
    assert result.text == "" and result.reason == L.NO_SPEECH
    assert ev["elapsed"] < 10


def test_noise_gives_a_clear_outcome(listener, wavs):
    result, ev = hear(listener, wavs["noise"], ["네", "아니요"])
    assert result.reason in (L.NO_SPEECH, L.END_OF_SPEECH)
    assert result.text in ("", "네", "아니요")
    assert result.error is None and ev["elapsed"] < 10


def test_clipped_audio_is_flagged(listener, wavs):
    clipped, _ = hear(listener, wavs["clipped"])
    clean, _ = hear(listener, wavs["annyeong"])
    assert clipped.clipped is True and clean.clipped is False
    assert clipped.reason in (L.END_OF_SPEECH, L.NO_SPEECH)


def test_very_long_speech_stops_at_max_length(listener, wavs):
    src = WavSource(wavs["long"])
    assert src.duration_s > listener.max_s
    result, ev = hear(listener, src)
    assert result.reason == L.MAX_LENGTH
    assert result.audio_s <= listener.max_s + 0.2
    assert result.text


def test_a_source_that_stops_delivering_does_not_hang(listener):
    result, ev = hear(listener, L.SilentSource(), timeout=10)
    assert result.reason == L.NO_AUDIO
    assert ev["elapsed"] < listener.stall_s + 3


def test_stop_ends_the_utterance_and_recognises_what_was_heard(listener, wavs):
    src = WavSource(wavs["long"], realtime=True)
    session = listener.listen(source=src)
    time.sleep(2.0)
    listener.stop()
    result = session.wait(10)
    assert result.reason == L.STOPPED and result.text
    assert result.audio_s < 4


def test_cancel_drops_the_utterance(listener, wavs):
    session = listener.listen(source=WavSource(wavs["long"], realtime=True))
    time.sleep(0.5)
    listener.cancel()
    result = session.wait(10)
    assert result.reason == L.CANCELLED and result.text == ""


def test_one_utterance_at_a_time(listener, wavs):
    session = listener.listen(source=WavSource(wavs["long"], realtime=True))
    try:
        with pytest.raises(ListenerBusy):
            listener.listen(source=WavSource(wavs["ne"]))
    finally:
        listener.cancel()
        session.wait(10)


def test_speech_output_is_muted_while_listening(ko_model, wavs):
    calls = []
    lst = Listener(ko_model, lang="ko", check_microphone=False, mute=calls.append)
    session = lst.listen(source=WavSource(wavs["ne"], then_silence_s=1.5))
    assert calls == [True]  # muted before any audio is taken
    session.wait(10)
    assert calls == [True, False]


def test_microphone_is_opened_only_when_asked(ko_model, wavs):
    opened = []

    def factory():
        opened.append(1)
        return WavSource(wavs["ne"], then_silence_s=1.5)

    lst = Listener(ko_model, lang="ko", source_factory=factory)
    time.sleep(0.2)
    assert opened == []
    lst.listen().wait(10)
    assert opened == [1]


def test_callback_errors_do_not_kill_the_worker(listener, wavs):
    def boom(*_):
        raise RuntimeError("UI bug")

    session = listener.listen(source=WavSource(wavs["ne"], then_silence_s=1.5),
                              on_partial=boom, on_result=boom, on_state=boom)
    assert session.wait(10).reason == L.END_OF_SPEECH


def test_wav_source_refuses_wrong_format(wavs, tmp_path):
    with pytest.raises(ValueError, match="16 kHz"):
        WavSource(wavs["resampled_44k"])
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav at all")
    with pytest.raises(ValueError):
        WavSource(bad)


def test_no_model_hides_voice_input_with_a_reason(tmp_path, caplog):
    lst = Listener(tmp_path / "nothing-here", lang="fr", check_microphone=False)
    assert not lst.available
    assert "No voice model" in lst.unavailable_reason
    assert "Touch" in lst.unavailable_reason
    assert lst.unavailable_reason in caplog.text
    with pytest.raises(ListenerUnavailable):
        lst.listen()


def test_model_missing_files_is_reported(ko_model, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(ko_model / "conf", broken / "conf")
    (broken / "graph").mkdir()
    lst = Listener(broken, lang="ko", check_microphone=False)
    assert not lst.available
    assert "am/final.mdl" in lst.unavailable_reason and "Gr.fst" in lst.unavailable_reason


def test_corrupt_model_is_reported_not_crashing(ko_model, tmp_path):
    bad = tmp_path / "corrupt"
    for f in ("am/final.mdl", "graph/Gr.fst", "graph/HCLr.fst"):
        (bad / f).parent.mkdir(parents=True, exist_ok=True)
        (bad / f).write_bytes(b"\0garbage" * 100)
    shutil.copytree(ko_model / "conf", bad / "conf")
    lst = Listener(bad, lang="ko", check_microphone=False)
    assert not lst.available and "could not be loaded" in lst.unavailable_reason


def test_no_microphone_is_reported(ko_model):
    import sounddevice as sd

    try:
        sd.query_devices(kind="input")
        has_input = True
    except Exception:
        has_input = False
    lst = Listener(ko_model, lang="ko", device=987654)  # no such device on any machine
    assert not lst.available
    assert "microphone" in lst.unavailable_reason.lower()
    if not has_input:
        assert L.MicrophoneSource.probe() is not None


# ---- a microphone that floods or trickles (issue 9) -----------------------------------------------

class FloodingMicrophone(L.MicrophoneSource):
    """The real MicrophoneSource delivery and stop, fed by a thread that delivers blocks as fast
    as it can (a device or driver gone wild) instead of PortAudio's paced callback."""

    def __init__(self, pcm: bytes, pause_s: float = 0.0):
        super().__init__()
        self.pcm = pcm
        self.pause_s = pause_s
        self._halt = threading.Event()
        self.stopped_at: float | None = None

    def start(self, q):
        self._queue = q

        def flood():
            step = 2 * L.CHUNK_SAMPLES
            while not self._halt.is_set():
                for i in range(0, len(self.pcm), step):
                    if self._halt.is_set():
                        return
                    self._deliver(self.pcm[i:i + step])
                    if self.pause_s:
                        time.sleep(self.pause_s)

        threading.Thread(target=flood, name="flooding-mic", daemon=True).start()

    def stop(self):
        self._halt.set()
        super().stop()
        self.stopped_at = time.monotonic()


def pcm_of(path) -> bytes:
    return WavSource(path).pcm


def test_a_flooding_microphone_ends_within_the_maximum_length(listener, wavs):
    mic = FloodingMicrophone(pcm_of(wavs["long"]))
    t0 = time.monotonic()
    session = listener.listen(source=mic)
    result = session.wait(listener.max_s + 5)
    assert result is not None, "MicrophoneSource.stop() blocked on the full queue: listening froze"
    assert time.monotonic() - t0 <= listener.max_s + 1
    assert result.reason == L.MAX_LENGTH and result.audio_s <= listener.max_s + 0.2
    assert mic.overflows > 0, "the queue did fill up"
    assert not listener.busy
    # and the next utterance works
    again, _ = hear(listener, wavs["ne"])
    assert again.reason in (L.END_OF_SPEECH, L.END_OF_AUDIO)


def test_a_flooded_queue_does_not_block_stop(listener, wavs):
    mic = FloodingMicrophone(pcm_of(wavs["noise"]))
    session = listener.listen(source=mic)
    time.sleep(0.3)
    listener.stop()
    assert session.wait(5) is not None
    assert mic.stopped_at is not None


def test_a_trickling_source_still_ends_on_time(ko_model, wavs):
    """Audio arriving slower than real time (never silent long enough to count as stalled):
    the utterance ends after max_s of time, not max_s of audio."""
    lst = Listener(ko_model, lang="ko", check_microphone=False, max_s=3.0, no_speech_s=100.0, stall_s=1.0)
    mic = FloodingMicrophone(pcm_of(wavs["noise"]), pause_s=0.3)
    t0 = time.monotonic()
    result = lst.listen(source=mic).wait(15)
    assert result is not None
    assert result.reason == L.MAX_LENGTH
    assert time.monotonic() - t0 < 3.0 + 1.0
    assert result.audio_s < 3.0


def test_a_wav_source_does_not_hang_once_the_listener_has_gone(listener, wavs):
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:  # about 100 s: more than the queue holds
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(L.SAMPLE_RATE)
        w.writeframes(pcm_of(wavs["long"]) * 5)
    src = WavSource(buffer.getvalue())
    session = listener.listen(source=src)
    session.wait(listener.max_s + 5)
    assert eventually(lambda: not src._thread.is_alive(), 3), "the WAV feeder stayed blocked on the queue"
