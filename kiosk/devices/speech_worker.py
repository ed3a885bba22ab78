"""The speech worker process: the only owner of pyttsx3 in the kiosk.

pyttsx3 2.99 keeps one engine per process, is not thread-safe and plays through a blocking
`aplay`, so the kiosk never calls it in its own process. `kiosk.devices.speaker.Speaker` starts
this script (by path, so it imports nothing from the kiosk) and talks to it with JSON lines:
commands on stdin, events on stdout. pyttsx3 is only ever used from this process's main thread;
it synthesises to WAV with `save_to_file` and a player subprocess (default `aplay -q`) plays the
file, so a stop is a SIGTERM to the player.

Threads here:
- the command reader (daemon) reads stdin. `stop` and interrupting `say` act at once: they bump
  the generation counter, drop queued jobs and kill the current player.
- the main thread runs jobs: synthesise a chunk, start the player, synthesise the next chunk
  while the first plays, wait, and so on. A job whose generation is stale is skipped.
- one watcher per player reads its output (the test player reports its first sample) and its exit.

Text is never written to the event stream or to logs (it may be private); live WAV files go to a
private runtime folder the parent gives (kiosk.paths.runtime_dir()) and are deleted once
played, when cut, at a "purge" (session wipe) and when the worker ends; the parent deletes what
a killed worker left.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import wave

PREFERRED_VOICES = {
    "fr": ("roa/fr", "roa/fr-be", "roa/fr-ch"),
    "en": ("gmw/en", "gmw/en-us", "gmw/en-gb-x-rp"),
}
SENTENCE_END = re.compile(r"(?<=[.!?…:;])\s+")
PROBE_SECONDS = 0.03
SAMPLE_RATE = 22050  # what pyttsx3's espeak driver writes


def base_language(lang: str) -> str:
    return (lang or "").strip().lower().replace("_", "-").split("-")[0]


def split_first_sentence(text: str, min_chars: int = 6) -> list[str]:
    """[first sentence, the rest] so the first sound only waits for one sentence's synthesis.

    A "sentence" shorter than `min_chars` ("M.", "Mme.") is not split off.
    """
    text = text.strip()
    for match in SENTENCE_END.finditer(text):
        if match.start() >= min_chars:
            return [p for p in (text[: match.start()], text[match.end():]) if p.strip()]
    return [text] if text else []


def write_silence(path: str, seconds: float) -> None:
    with wave.open(path, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(b"\0\0" * int(SAMPLE_RATE * seconds))


class Events:
    """JSON lines to the parent, from any thread."""

    def __init__(self, stream):
        self._stream = stream
        self._lock = threading.Lock()

    def emit(self, ev: str, **fields) -> None:
        fields["ev"] = ev
        line = json.dumps(fields, ensure_ascii=False) + "\n"
        with self._lock:
            try:
                self._stream.write(line)
                self._stream.flush()
            except (BrokenPipeError, ValueError, OSError):
                pass

    def log(self, level: str, msg: str) -> None:
        self.emit("log", level=level, msg=msg)


class Playback:
    """One player subprocess and the thread that watches it."""

    def __init__(self, argv: list[str], path: str, events: Events, utt: int):
        self.killed = False
        self.ended = threading.Event()
        self.end_time = 0.0
        self.returncode = None
        self.stderr = ""
        self.events = events
        self.utt = utt
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            argv + [path],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        events.emit("player_started", t=self.started, utt=utt, pid=self.proc.pid)
        threading.Thread(target=self._watch, name="speech-player-watch", daemon=True).start()

    def _watch(self) -> None:
        for line in self.proc.stdout:
            if line.startswith("first-sample "):
                try:
                    t = int(line.split()[1]) / 1e9
                except (IndexError, ValueError):
                    continue
                self.events.emit("first_sample", t=t, utt=self.utt)
        self.stderr = self.proc.stderr.read()[-2000:]
        self.returncode = self.proc.wait()
        self.end_time = time.monotonic()
        if self.killed:
            self.events.emit("silence", t=self.end_time, utt=self.utt)
        self.ended.set()

    def kill(self) -> None:
        """Stop playing now: SIGTERM, then SIGKILL if the player lingers."""
        if self.ended.is_set() or self.killed:
            return
        self.killed = True
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGTERM)
        threading.Thread(target=self._reap_hard, daemon=True).start()

    def _reap_hard(self) -> None:
        if not self.ended.wait(0.05):
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()

    @property
    def failed(self) -> bool:
        return not self.killed and self.returncode not in (0, None)


class Worker:
    def __init__(self, events: Events):
        self.events = events
        self.engine = None
        self.espeak = None
        self.voices = []
        self.voice_by_lang: dict[str, str] = {}
        self.warned_langs: set[str] = set()
        self.rate_wpm = 150
        self.volume = 0.7
        self.fallback_lang = "fr"
        self.player: list[str] = ["aplay", "-q"]
        self.runtime_dir = tempfile.gettempdir()
        self.cache_dir = None
        self.jobs: queue.Queue = queue.Queue()
        self.lock = threading.Lock()
        self.gen = 0
        self.current: Playback | None = None
        self.speaking = False
        self.counter = itertools.count(1)

    # --- engine (main thread only) -------------------------------------------------------
    def start_engine(self) -> bool:
        try:
            import pyttsx3  # noqa: PLC0415 - only this process may load it
        except Exception as exc:  # ImportError, or RuntimeError when libespeak-ng is missing
            key = "no_synthesis"
            self.events.emit("fatal", key=key, detail=f"{type(exc).__name__}: {exc}")
            return False
        try:
            from pyttsx3.drivers import _espeak  # noqa: PLC0415

            self.espeak = _espeak
            self.engine = pyttsx3.init("espeak")
            self.voices = list(self.engine.getProperty("voices"))
            self.warm_up()
        except Exception as exc:
            self.events.emit("fatal", key="no_synthesis", detail=f"{type(exc).__name__}: {exc}")
            return False
        return True

    def voice_for(self, lang: str) -> str | None:
        base = base_language(lang) or self.fallback_lang
        if base in self.voice_by_lang:
            return self.voice_by_lang[base]
        ids = {v.id for v in self.voices}
        choice = next((vid for vid in PREFERRED_VOICES.get(base, ()) if vid in ids), None)
        if choice is None:
            for v in self.voices:
                codes = [str(c).lower() for c in (v.languages or [])]
                if any(c == base or c.startswith(base + "-") for c in codes):
                    choice = v.id
                    break
        if choice is None:
            fallback = self.voice_for(self.fallback_lang) if base != self.fallback_lang else None
            if fallback is None and self.voices:
                fallback = self.voices[0].id
            if base not in self.warned_langs:
                self.warned_langs.add(base)
                self.events.log(
                    "warning", f"no speech voice for language {base!r}; using voice {fallback!r} instead"
                )
            choice = fallback
        self.voice_by_lang[base] = choice
        return choice

    def settle(self, timeout: float = 2.0) -> None:
        """Wait until espeak-ng's own queue is empty.

        pyttsx3 initialises espeak-ng in asynchronous (retrieval) mode: a voice, rate or volume
        change is queued inside espeak-ng, and pyttsx3's runAndWait calls espeak_Cancel when
        espeak-ng still looks busy, which silently drops those pending changes (the text is then
        read with the previous voice or rate) or even the text itself. Waiting here makes every
        synthesis use the settings asked for. It costs well under a millisecond.
        """
        deadline = time.monotonic() + timeout
        while self.espeak.IsPlaying() and time.monotonic() < deadline:
            time.sleep(0.0005)

    def warm_up(self) -> None:
        """One throw-away synthesis, so pyttsx3's command queue is idle.

        A fresh pyttsx3 engine is "busy" until its first loop: property changes made before are
        only queued in pyttsx3 and reach espeak-ng inside runAndWait, right before the cancel
        described in settle(), so about one first utterance in six came out with the wrong voice
        or rate, or cut short.
        """
        fd, path = tempfile.mkstemp(suffix=".wav", prefix="warm-", dir=self.runtime_dir)
        os.close(fd)
        try:
            self.engine.save_to_file(".", path)
            self.engine.runAndWait()
            self.settle()
        finally:
            with contextlib.suppress(OSError):
                os.unlink(path)

    def synth(self, text: str, lang: str, path: str) -> bool:
        engine = self.engine
        if engine.isBusy():
            self.warm_up()
        voice = self.voice_for(lang)
        tmp = f"{path}.part.wav"
        for _attempt in range(2):
            self.settle()
            if voice:
                engine.setProperty("voice", voice)
            engine.setProperty("rate", int(self.rate_wpm))
            engine.setProperty("volume", float(self.volume))
            self.settle()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            engine.save_to_file(text, tmp)
            engine.runAndWait()
            self.settle()
            if os.path.exists(tmp):
                os.replace(tmp, path)
                return True
        return False

    def cache_path(self, text: str, lang: str) -> str:
        key = "\x1f".join(
            [text, str(self.voice_for(lang)), str(int(self.rate_wpm)), f"{self.volume:.2f}"]
        )
        name = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + ".wav"
        return os.path.join(self.cache_dir or self.runtime_dir, name)

    def cached(self, text: str, lang: str) -> str | None:
        """The prompt's WAV in the cache, rendering it first if missing."""
        path = self.cache_path(text, lang)
        if os.path.exists(path) or self.synth(text, lang, path):
            return path
        return None

    # --- playback (main thread) ----------------------------------------------------------
    def start_player(self, path: str, gen: int, utt: int) -> Playback | None:
        with self.lock:
            if gen != self.gen:
                return None
            if not self.speaking:
                self.speaking = True
                self.events.emit("state", state="speaking", t=time.monotonic(), utt=utt)
            try:
                self.current = Playback(self.player, path, self.events, utt)
            except OSError as exc:
                self.current = None
                self.events.emit("player_error", detail=f"{type(exc).__name__}: {exc}", rc=None)
                return None
            return self.current

    def finish(self, playback: Playback) -> bool:
        """Wait for `playback` to end; False if it failed or was stopped."""
        playback.ended.wait()
        with self.lock:
            if self.current is playback:
                self.current = None
        if playback.failed:
            self.events.emit("player_error", detail=playback.stderr.strip(), rc=playback.returncode)
            return False
        return not playback.killed

    def run_say(self, job: dict) -> None:
        gen, utt = job["gen"], job["utt"]
        for item in job["items"]:
            text, lang = item["text"], item.get("lang") or self.fallback_lang
            if gen != self.gen or not text.strip():
                continue
            if item.get("cache") and self.cache_dir:
                chunks = [(self.cached(text, lang), False)]
            else:
                chunks = [(part, True) for part in split_first_sentence(text)]
            playing = None
            for chunk, live in chunks:
                if gen != self.gen:
                    break
                path = chunk
                if live:
                    path = os.path.join(self.runtime_dir, f"utt-{next(self.counter)}.wav")
                    if not self.synth(chunk, lang, path):
                        continue
                if playing is not None:  # the previous chunk plays while this one was rendered
                    ok = self.finish(playing[0])
                    self.discard(playing)
                    playing = None
                    if not ok:  # stopped or cut: the chunk rendered meanwhile is never played
                        self.discard((None, path, live))
                        break
                if path is None:
                    continue
                pb = self.start_player(path, gen, utt)
                if pb is None:
                    self.discard((None, path, live))
                    break
                playing = (pb, path, live)
            if playing is not None:
                self.finish(playing[0])
                self.discard(playing)

    @staticmethod
    def discard(playing) -> None:
        _, path, live = playing
        if live and path:
            with contextlib.suppress(OSError):
                os.unlink(path)

    def purge(self) -> int:
        """Delete every live audio file left in the runtime folder; how many there were.

        Run between jobs (nothing is playing then), at a session wipe and when the worker is
        told to end: no audio of a session outlives it.
        """
        return purge_folder(self.runtime_dir)

    def go_idle_if_done(self) -> None:
        with self.lock:
            if self.speaking and self.jobs.empty() and self.current is None:
                self.speaking = False
                self.events.emit("state", state="idle", t=time.monotonic())

    def probe(self) -> None:
        """Play a few ms of silence to learn whether the player works on this machine."""
        path = os.path.join(self.runtime_dir, "probe.wav")
        write_silence(path, PROBE_SECONDS)
        try:
            proc = subprocess.run(
                self.player + [path], capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            self.events.emit("player_error", detail=f"{type(exc).__name__}: {exc}", rc=None, probe=True)
            return
        finally:
            with contextlib.suppress(OSError):
                os.unlink(path)
        if proc.returncode != 0:
            self.events.emit("player_error", detail=proc.stderr.strip()[-2000:], rc=proc.returncode, probe=True)
        else:
            self.events.emit("player_ok")

    def configure(self, cmd: dict) -> None:
        if "rate_wpm" in cmd:
            self.rate_wpm = int(cmd["rate_wpm"])
        if "volume" in cmd:
            self.volume = max(0.0, min(1.0, float(cmd["volume"])))
        if "fallback_lang" in cmd:
            self.fallback_lang = base_language(cmd["fallback_lang"]) or "fr"
            self.voice_by_lang.clear()
        if cmd.get("player"):
            self.player = list(cmd["player"])
        if cmd.get("runtime_dir"):
            self.runtime_dir = cmd["runtime_dir"]
        if "cache_dir" in cmd:
            self.cache_dir = cmd["cache_dir"]
            if self.cache_dir:
                os.makedirs(self.cache_dir, exist_ok=True)

    def run_job(self, job: dict) -> None:
        kind = job["cmd"]
        if kind == "say":
            try:
                self.run_say(job)
            finally:
                self.events.emit("done", utt=job.get("utt"), said=job["gen"] == self.gen)
        elif kind == "set" or kind == "init":
            self.configure(job)
            if job.get("probe"):
                self.probe()
        elif kind == "probe":
            self.probe()
        elif kind == "purge":
            self.events.emit("purged", count=self.purge())
        elif kind == "prerender":
            done = []
            for item in job["items"]:
                if self.cache_dir and self.cached(item["text"], item.get("lang") or self.fallback_lang):
                    done.append(item["key"])
            self.events.emit("prerendered", keys=done, req=job.get("req"))
        elif kind == "render":
            ok = self.synth(job["text"], job.get("lang") or self.fallback_lang, job["path"])
            duration = None
            if ok:
                with wave.open(job["path"], "rb") as w:
                    duration = w.getnframes() / w.getframerate()
            self.events.emit("rendered", req=job.get("req"), ok=ok, path=job["path"], duration=duration)
        elif kind == "voices":
            listing = [
                {"id": v.id, "name": v.name, "languages": list(v.languages or [])} for v in self.voices
            ]
            chosen = {lang: self.voice_for(lang) for lang in job.get("langs", [])}
            self.events.emit("voices", req=job.get("req"), voices=listing, chosen=chosen)

    # --- command reader thread -----------------------------------------------------------
    def interrupt(self) -> None:
        """Cancel what is said and queued (settings and prerenders still apply), kill the player."""
        with self.lock:
            self.gen += 1
            kept = []
            while True:
                try:
                    stale = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if stale is None or stale["cmd"] != "say":
                    kept.append(stale)
                else:
                    self.events.emit("done", utt=stale.get("utt"), said=False)
            for job in kept:
                self.jobs.put(job)
            if self.current is not None:
                self.current.kill()

    def read_commands(self, stream) -> None:
        for line in stream:
            try:
                cmd = json.loads(line)
            except json.JSONDecodeError:
                self.events.log("warning", "speech worker: unreadable command line ignored")
                continue
            kind = cmd.get("cmd")
            if kind == "quit":
                break
            if kind == "stop":
                self.interrupt()
                self.jobs.put({"cmd": "noop"})
                continue
            if kind == "say":
                if cmd.get("interrupt", True):
                    self.interrupt()
                with self.lock:
                    cmd["gen"] = self.gen
                self.jobs.put(cmd)
                continue
            self.jobs.put(cmd)
        self.interrupt()
        self.jobs.put(None)

    def main_loop(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                break
            try:
                self.run_job(job)
            except Exception as exc:  # a bad job must not kill the voice
                self.events.log("error", f"speech worker: {job.get('cmd')} failed: {type(exc).__name__}: {exc}")
            self.go_idle_if_done()


def purge_folder(folder: str) -> int:
    """Delete the files directly in `folder` (live WAVs and their partial renders)."""
    count = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(folder, name))
            count += 1
    return count


def _end_now(worker: Worker) -> None:
    """SIGTERM (the kiosk's own, or its death): kill the player, delete the live audio, exit at
    once. It takes no lock and writes nothing to the kiosk: the handler may run while this very
    thread holds the worker's lock, and a write to a kiosk already gone would raise before the
    exit (such workers outlived their kiosk)."""
    try:
        playback = worker.current
        if playback is not None:
            with contextlib.suppress(Exception):
                playback.proc.kill()
        purge_folder(worker.runtime_dir)
    finally:
        os._exit(0)


def _end_with_parent(worker: Worker) -> None:
    """Linux: the kernel sends SIGTERM when the kiosk process dies, however it dies (kill -9
    included), so no worker, and none of its audio, outlives the kiosk."""
    parent = int(os.environ.get("KIOSK_SPEECH_PARENT") or os.getppid())
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:          # the parent died before the request took effect
        _end_now(worker)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # The event stream is a private copy of stdout; fd 1 goes to /dev/null because pyttsx3
    # prints a line for every file it saves.
    events_stream = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    events = Events(events_stream)
    worker = Worker(events)
    if argv:  # the parent's private runtime folder, before the warm-up writes anything
        worker.runtime_dir = argv[0]
    signal.signal(signal.SIGTERM, lambda *_: _end_now(worker))
    _end_with_parent(worker)
    if not worker.start_engine():
        return 3
    events.emit("ready", pid=os.getpid(), voices=len(worker.voices))
    reader = threading.Thread(
        target=worker.read_commands, args=(sys.stdin,), name="speech-commands", daemon=True
    )
    reader.start()
    worker.main_loop()
    purge_folder(worker.runtime_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
