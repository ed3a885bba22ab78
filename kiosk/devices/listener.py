"""The listener: microphone (or WAV) → vosk → text, one utterance per push of the button.

    listener = Listener.open(lang="fr")            # loads the shared model; blocking, ~1 s
    if not listener.available: show listener.unavailable_reason to the mediator, hide the mic
    session = listener.listen(grammar=["oui", "non"], on_partial=..., on_result=..., on_state=...)
    listener.stop()                                  # button pressed again / key released

Audio goes from the source (PortAudio through sounddevice, 16 kHz mono 16-bit, in its own
callback thread) to a queue, and from the queue to a worker thread that feeds vosk. The same
queue takes WAV data in tests (`WavSource`). Audio lives only in that queue and in vosk's memory:
nothing is written anywhere. The microphone is opened by `listen()` and closed when the
utterance ends — the kiosk never listens when not asked to.

An utterance ends on the first of: end of speech (vosk's endpoint or `silence_s` without a new
word), `max_s` of audio or of time (a source that floods or trickles cannot make it last longer;
nothing in the worker ever blocks on the queue), `no_speech_s` without any word, `stall_s` without audio from the source
(a microphone that stopped delivering), `stop()`, or the end of a WAV source. Each ends with one
`Result` whose `reason` says which.

Callbacks (`on_state`, `on_partial`, `on_result`) are called from the worker thread; the UI
re-schedules them on its own thread (Kivy: `Clock.schedule_once`). An exception in a callback is
logged, never kills the worker.
"""

from __future__ import annotations

import json
import logging
import queue
import sys
import threading
import time
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from kiosk.devices import voice_models
from kiosk.devices.voice_models import load_model

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
CHUNK_SAMPLES = 1600  # 100 ms
UNK = "[unk]"
MAX_GRAMMAR_PHRASES = 500
MAX_PHRASE_WORDS = 12

# states reported through on_state
LISTENING, PROCESSING, IDLE = "listening", "processing", "idle"
# why an utterance ended (Result.reason)
END_OF_SPEECH = "end_of_speech"
MAX_LENGTH = "max_length"
NO_SPEECH = "no_speech"
NO_AUDIO = "no_audio"
STOPPED = "stopped"
END_OF_AUDIO = "end_of_audio"
CANCELLED = "cancelled"
ERROR = "error"


class GrammarError(ValueError):
    """The grammar asked for cannot be used: empty, malformed, or no word known to the model."""


class ListenerBusy(RuntimeError):
    """listen() while an utterance is still being heard."""


class ListenerUnavailable(RuntimeError):
    """listen() on a listener without model or microphone (see unavailable_reason)."""


# ── audio sources ─────────────────────────────────────────────────────────────────────────────
class MicrophoneSource:
    """PortAudio capture through sounddevice: 16 kHz mono int16 blocks of 100 ms into the queue."""

    def __init__(self, device=None, samplerate: int = SAMPLE_RATE, blocksize: int = CHUNK_SAMPLES):
        self.device = device
        self.samplerate = samplerate
        self.blocksize = blocksize
        self._stream = None
        self._queue: queue.Queue | None = None
        self.overflows = 0

    @staticmethod
    def probe(device=None) -> str | None:
        """None if an input device can record 16 kHz mono, else a sentence saying why not."""
        try:
            import sounddevice as sd
        except OSError as exc:  # libportaudio missing
            return f"No audio system for the microphone (PortAudio: {exc})."
        try:
            sd.query_devices(device, kind="input")
            sd.check_input_settings(device=device, channels=1, samplerate=SAMPLE_RATE, dtype="int16")
        except Exception as exc:  # PortAudioError, ValueError for an unknown device
            return f"No microphone found ({exc})."
        return None

    def start(self, q: queue.Queue) -> None:
        import sounddevice as sd

        self._queue = q

        def callback(indata, frames, time_info, status):
            if status.input_overflow:
                self.overflows += 1
            self._deliver(bytes(indata))

        self._stream = sd.RawInputStream(samplerate=self.samplerate, blocksize=self.blocksize,
                                         device=self.device, channels=1, dtype="int16",
                                         callback=callback)
        self._stream.start()

    def _deliver(self, block: bytes) -> None:
        """One block from PortAudio's callback thread: never blocks (a full queue drops it)."""
        try:
            self._queue.put_nowait(block)
        except queue.Full:
            self.overflows += 1

    def stop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:  # closing a device that vanished
                log.exception("closing the microphone stream")
        if self._queue is not None:
            # the end mark; a full queue (a flooding device) already ends the utterance, and
            # the listener's own worker calls this: a blocking put would wait for itself forever
            try:
                self._queue.put_nowait(None)
            except queue.Full:
                pass


class WavSource:
    """A 16 kHz mono 16-bit WAV (path or bytes) fed to the same queue the microphone feeds.

    `realtime=True` paces the chunks like a microphone would; otherwise as fast as possible.
    `then_silence_s` appends that much silence, as a microphone keeps sending after speech."""

    def __init__(self, wav: str | Path | bytes, realtime: bool = False, chunk: int = CHUNK_SAMPLES,
                 then_silence_s: float = 0.0):
        import io

        fileobj = io.BytesIO(wav) if isinstance(wav, (bytes, bytearray)) else open(wav, "rb")
        try:
            with wave.open(fileobj, "rb") as w:
                if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (SAMPLE_RATE, 1, 2):
                    raise ValueError(f"WAV must be 16 kHz mono 16-bit, got {w.getframerate()} Hz, "
                                     f"{w.getnchannels()} channel(s), {8 * w.getsampwidth()} bits")
                self.pcm = w.readframes(w.getnframes())
        except (wave.Error, EOFError) as exc:
            raise ValueError(f"not a readable WAV file: {exc}") from exc
        finally:
            fileobj.close()
        self.pcm += b"\0\0" * int(then_silence_s * SAMPLE_RATE)
        self.realtime = realtime
        self.chunk_bytes = 2 * chunk
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / 2 / SAMPLE_RATE

    def start(self, q: queue.Queue) -> None:
        def feed():
            t0 = time.monotonic()
            for n, i in enumerate(range(0, len(self.pcm), self.chunk_bytes)):
                if self._stop.is_set():
                    break
                if self.realtime:
                    delay = t0 + n * self.chunk_bytes / 2 / SAMPLE_RATE - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                if not self._put(q, self.pcm[i:i + self.chunk_bytes]):
                    return
            self._put(q, None)

        self._thread = threading.Thread(target=feed, name="wav-source", daemon=True)
        self._thread.start()

    def _put(self, q: queue.Queue, item) -> bool:
        """Put without ever hanging after stop() (the listener no longer reads a full queue)."""
        while not self._stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def stop(self) -> None:
        self._stop.set()


class SilentSource:
    """A source that opens but never delivers audio (a dead microphone), for robustness tests."""

    def start(self, q: queue.Queue) -> None:
        pass

    def stop(self) -> None:
        pass


# ── results ───────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Word:
    word: str
    confidence: float
    start: float
    end: float


@dataclass(frozen=True)
class Result:
    text: str                        # what was understood, "" if nothing usable
    reason: str                      # why the utterance ended (END_OF_SPEECH, MAX_LENGTH…)
    words: tuple[Word, ...] = ()
    confidence: float = 0.0          # mean word confidence, 0 when no word
    unknown: bool = False            # grammar mode: something was said, outside the grammar
    needs_confirmation: bool = False # grammar without [unk] (model lacks it): ask before acting
    clipped: bool = False            # input saturated: "please speak a little further away"
    grammar: tuple[str, ...] | None = None
    audio_s: float = 0.0             # seconds of audio heard
    latency_s: float = 0.0           # from the last audio chunk to this result
    error: str | None = None

    @property
    def heard(self) -> bool:
        return bool(self.text)


@dataclass(frozen=True)
class GrammarCheck:
    kept: tuple[str, ...]
    dropped: tuple[str, ...]         # phrases with a word the model does not know
    unknown_words: tuple[str, ...]
    unk_supported: bool


# ── the shared model: kiosk.devices.voice_models.load_model ──────────────────────────────────

def _find_word(model, word: str) -> int:
    finder = getattr(model, "find_word", None) or getattr(model, "vosk_model_find_word")
    return finder(word)


# ── the listener ──────────────────────────────────────────────────────────────────────────────
class Session:
    """One utterance being heard. `wait()` returns its Result (also given to on_result)."""

    def __init__(self):
        self._done = threading.Event()
        self._stop = threading.Event()
        self._cancel = threading.Event()
        self.result: Result | None = None

    def wait(self, timeout: float | None = None) -> Result | None:
        self._done.wait(timeout)
        return self.result

    @property
    def done(self) -> bool:
        return self._done.is_set()


class Listener:
    def __init__(self, model_path: str | Path | None = None, lang: str = "fr", *,
                 source_factory: Callable[[], object] | None = None, device=None,
                 silence_s: float = 0.8, max_s: float = 12.0, no_speech_s: float = 6.0,
                 stall_s: float = 2.0, mute: Callable[[bool], None] | None = None,
                 check_microphone: bool | None = None):
        self.lang = lang
        self.model_path = Path(model_path) if model_path else voice_models.model_path(lang)
        self.silence_s = silence_s
        self.max_s = max_s
        self.no_speech_s = no_speech_s
        self.stall_s = stall_s
        self.mute = mute
        self._device = device
        self._source_factory = source_factory or (lambda: MicrophoneSource(device=self._device))
        self._check_microphone = source_factory is None if check_microphone is None else check_microphone
        self.model = None
        self.unk_supported = False
        self.available = False
        self.unavailable_reason: str | None = None
        self._session: Session | None = None
        self._source = None
        self._lock = threading.Lock()
        self._open()

    @classmethod
    def open(cls, lang: str = "fr", **kwargs) -> "Listener":
        return cls(lang=lang, **kwargs)

    def _open(self) -> None:
        reason = voice_models.check_model_dir(self.model_path)
        if reason is None:
            try:
                self.model = load_model(self.model_path)
                self.unk_supported = _find_word(self.model, UNK) >= 0
            except Exception as exc:  # vosk raises a bare Exception for a corrupt model
                reason = f"The voice model in {self.model_path} could not be loaded ({exc})."
        if reason is None and self._check_microphone:
            reason = MicrophoneSource.probe(self._device)
        self.available = reason is None
        self.unavailable_reason = None if reason is None else (
            f"Voice input is off: {reason} Touch and keyboard keep working.")
        if reason:
            log.warning("%s", self.unavailable_reason)

    # ── grammar ──────────────────────────────────────────────────────────────────────────────
    def check_grammar(self, phrases: Iterable[str]) -> GrammarCheck:
        """Which phrases the model can recognise. vosk itself would only warn and drop words."""
        if self.model is None:
            raise ListenerUnavailable(self.unavailable_reason or "no model")
        if isinstance(phrases, (str, bytes)) or phrases is None:
            raise GrammarError("A grammar is a list of phrases, not a single string.")
        phrases = list(phrases)
        if len(phrases) > MAX_GRAMMAR_PHRASES:
            raise GrammarError(f"A grammar of {len(phrases)} phrases is too large "
                               f"(at most {MAX_GRAMMAR_PHRASES}); use free recognition.")
        kept, dropped, unknown = [], [], []
        for p in phrases:
            if not isinstance(p, str):
                raise GrammarError(f"Grammar entries must be text, got {type(p).__name__}.")
            words = p.lower().split()
            if not words or p.strip() == UNK:
                continue
            if len(words) > MAX_PHRASE_WORDS:
                dropped.append(p)
                continue
            missing = [w for w in words if _find_word(self.model, w) < 0]
            if missing:
                dropped.append(p)
                unknown.extend(w for w in missing if w not in unknown)
            elif " ".join(words) not in kept:
                kept.append(" ".join(words))
        return GrammarCheck(tuple(kept), tuple(dropped), tuple(unknown), self.unk_supported)

    # ── listening ────────────────────────────────────────────────────────────────────────────
    @property
    def busy(self) -> bool:
        s = self._session
        return s is not None and not s.done

    def listen(self, grammar: Iterable[str] | None = None, *,
               on_partial: Callable[[str], None] | None = None,
               on_result: Callable[[Result], None] | None = None,
               on_state: Callable[[str], None] | None = None,
               source=None) -> Session:
        """Start hearing one utterance (push-to-talk). Returns at once; the worker thread calls
        on_state(LISTENING), on_partial(text)…, on_state(PROCESSING), on_result(Result),
        on_state(IDLE). Raises GrammarError for an unusable grammar, ListenerBusy if already
        listening, ListenerUnavailable without model or microphone."""
        if not self.available and source is None:
            raise ListenerUnavailable(self.unavailable_reason or "voice input unavailable")
        if self.model is None:
            raise ListenerUnavailable(self.unavailable_reason or "no model")
        check = None
        if grammar is not None:
            check = self.check_grammar(grammar)
            if check.dropped:
                log.warning("grammar: dropped %d phrase(s) with words unknown to the model: %s",
                            len(check.dropped), ", ".join(check.unknown_words))
            if not check.kept:
                raise GrammarError("None of the grammar's phrases can be recognised"
                                   + (f" (unknown words: {', '.join(check.unknown_words)})"
                                      if check.unknown_words else " (empty grammar)") + ".")
        with self._lock:
            if self.busy:
                raise ListenerBusy("Already listening.")
            session = Session()
            self._session = session
        if self.mute:
            _safely(self.mute, True)  # stop the kiosk's own voice before the microphone opens
        src = source if source is not None else self._source_factory()
        self._source = src
        q: queue.Queue = queue.Queue(maxsize=600)  # 60 s of 100 ms blocks at most
        worker = threading.Thread(target=self._run, name="listener",
                                  args=(session, src, q, check, on_partial, on_result, on_state),
                                  daemon=True)
        try:
            src.start(q)
        except Exception as exc:
            reason = f"The microphone could not be opened ({exc})."
            log.warning("%s", reason)
            result = Result("", ERROR, error=reason,
                            grammar=check.kept if check else None)
            session.result = result
            session._done.set()
            if self.mute:
                _safely(self.mute, False)
            _safely(on_result, result)
            return session
        worker.start()
        return session

    def stop(self) -> None:
        """End the utterance now and recognise what was heard (button pressed again)."""
        s = self._session
        if s is not None and not s.done:
            s._stop.set()

    def cancel(self) -> None:
        """Drop the utterance: on_result gets an empty Result with reason CANCELLED."""
        s = self._session
        if s is not None and not s.done:
            s._cancel.set()
            s._stop.set()

    def _run(self, session: Session, src, q: queue.Queue, check: GrammarCheck | None,
             on_partial, on_result, on_state) -> None:
        import vosk

        grammar = check.kept if check else None
        result: Result | None = None
        rec = None
        audio_samples = 0
        clipped_samples = 0
        last_audio = started = time.monotonic()
        try:
            if grammar is not None:
                phrases = list(grammar) + ([UNK] if check.unk_supported else [])
                rec = vosk.KaldiRecognizer(self.model, SAMPLE_RATE,
                                           json.dumps(phrases, ensure_ascii=False))
            else:
                rec = vosk.KaldiRecognizer(self.model, SAMPLE_RATE)
            rec.SetWords(True)
            _safely(on_state, LISTENING)
            partial = ""
            last_change_s = 0.0   # audio time of the last new partial word
            reason = None
            final_json = None
            while reason is None:
                if session._stop.is_set():
                    reason = CANCELLED if session._cancel.is_set() else STOPPED
                    break
                if time.monotonic() - started >= self.max_s:  # a slow trickle of audio, a slow engine
                    reason = MAX_LENGTH
                    break
                try:
                    chunk = q.get(timeout=0.1)
                except queue.Empty:
                    if time.monotonic() - last_audio > self.stall_s:
                        reason = NO_AUDIO
                    continue
                if chunk is None:
                    reason = END_OF_AUDIO
                    break
                last_audio = time.monotonic()
                if len(chunk) % 2:
                    chunk = chunk[:-1]
                samples = array("h", chunk)
                if sys.byteorder == "big":
                    samples.byteswap()
                audio_samples += len(samples)
                clipped_samples += samples.count(32767) + samples.count(-32768)
                audio_s = audio_samples / SAMPLE_RATE
                if rec.AcceptWaveform(chunk):
                    res = json.loads(rec.Result())
                    if _clean(res.get("text", ""), check):
                        final_json = res
                        reason = END_OF_SPEECH
                        break
                    # an endpoint with nothing usable (noise, a cough): keep listening
                    partial = ""
                else:
                    text = json.loads(rec.PartialResult()).get("partial", "")
                    if text != partial:
                        partial = text
                        last_change_s = audio_s
                        shown = _clean(text, check)
                        if shown:
                            _safely(on_partial, shown)
                    elif partial and audio_s - last_change_s >= self.silence_s:
                        reason = END_OF_SPEECH
                        break
                if audio_s >= self.max_s:
                    reason = MAX_LENGTH
                elif not partial and audio_s >= self.no_speech_s:
                    reason = NO_SPEECH
            t_end = time.monotonic()
            try:
                src.stop()
            except Exception:
                log.exception("stopping the audio source")
            _safely(on_state, PROCESSING)
            if reason == CANCELLED:
                result = Result("", CANCELLED, grammar=grammar, audio_s=audio_samples / SAMPLE_RATE)
            else:
                res = final_json if final_json is not None else json.loads(rec.FinalResult())
                result = self._result(res, reason, check, audio_samples, clipped_samples,
                                      time.monotonic() - t_end)
        except Exception as exc:
            log.exception("listener worker")
            try:
                src.stop()
            except Exception:
                pass
            result = Result("", ERROR, grammar=grammar, error=str(exc),
                            audio_s=audio_samples / SAMPLE_RATE)
        finally:
            # audio is not kept: drop whatever is still queued
            while True:
                try:
                    q.get_nowait()
                except queue.Empty:
                    break
            session.result = result
            session._done.set()
            if self.mute:
                _safely(self.mute, False)
        _safely(on_result, result)
        _safely(on_state, IDLE)

    def _result(self, res: dict, reason: str, check: GrammarCheck | None, audio_samples: int,
                clipped_samples: int, latency: float) -> Result:
        words = tuple(Word(w.get("word", ""), float(w.get("conf", 0.0)), float(w.get("start", 0.0)),
                           float(w.get("end", 0.0))) for w in res.get("result", []))
        raw = res.get("text", "")
        text = _clean(raw, check)
        kept = tuple(w for w in words if w.word != UNK)
        unknown = check is not None and not text and bool(raw.strip())
        if not text and not unknown and reason in (END_OF_SPEECH, STOPPED, END_OF_AUDIO):
            reason = NO_SPEECH
        conf = sum(w.confidence for w in kept) / len(kept) if kept else 0.0
        return Result(
            text=text, reason=reason, words=kept, confidence=round(conf, 3), unknown=unknown,
            needs_confirmation=bool(check is not None and text and not check.unk_supported),
            clipped=audio_samples > 0 and clipped_samples / audio_samples > 0.005,
            grammar=check.kept if check else None, audio_s=round(audio_samples / SAMPLE_RATE, 3),
            latency_s=round(latency, 4))


def _clean(text: str, check: GrammarCheck | None) -> str:
    """Recognised text without [unk]; in grammar mode only a whole phrase of the grammar counts."""
    words = [w for w in text.split() if w != UNK]
    if not words:
        return ""
    joined = " ".join(words)
    if check is not None and joined not in check.kept:
        # vosk may string several phrases together; keep the last complete one said
        for phrase in sorted(check.kept, key=len, reverse=True):
            if joined.endswith(phrase):
                return phrase
        return ""
    return joined


def _safely(callback, *args) -> None:
    if callback is None:
        return
    try:
        callback(*args)
    except Exception:
        log.exception("listener callback %r", callback)
