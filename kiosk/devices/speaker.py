"""The speaker: everything the kiosk says, interruptibly, in the language on screen.

`Speaker` is what the UI calls. Every method returns at once: it only puts a command on a queue.
The work happens in a separate worker process (`speech_worker.py`) that alone owns pyttsx3 and
espeak-ng, synthesises to WAV and plays the file with a player it can kill (default `aplay -q`),
so speech stops within milliseconds. If the worker dies it is restarted and the kiosk goes on.

Threads in this process (all daemons, none of them the caller's):
- `speech-send` writes queued commands to the worker's stdin;
- `speech-supervisor` starts the worker, reads its events, restarts it when it dies. The
  `on_state` callback is called from this thread: a Kivy UI must hop back with
  `Clock.schedule_once`.

Privacy: spoken text never reaches logs. Private information (a PIN, a reference) is never
given to the speaker at all: the kiosk has no headset detection, so everything said goes to the
loudspeaker.
Live WAV files are written in a private folder under `kiosk.paths.runtime_dir()` (systemd's
RuntimeDirectory, emptied when the service stops or crashes) and deleted once played, when cut,
when the worker ends or dies, and checked for at every session wipe (`reset_for_new_session`).
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import itertools
import json
import logging
import os
import queue
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from kiosk.core.i18n import N_, translations

log = logging.getLogger(__name__)

RATES_WPM = {"normal": 150, "slow": 115}
"""espeak-ng words per minute. Its own default, 175, is too fast for many elderly listeners."""
DEFAULT_VOLUME = 0.7
"""Moderate volume each new session starts at (1.0 = espeak-ng's full amplitude)."""
DEFAULT_PLAYER = ("aplay", "-q")
NULL_PLAYER = "null"
"""`player="null"`: the real-time pacing null sink (tests, bench, machines with no sound card)."""
WORKER_SCRIPT = Path(__file__).with_name("speech_worker.py")
NULL_PLAYER_SCRIPT = Path(__file__).with_name("audio_player.py")
MAX_RESTARTS = 5
RESTART_WINDOW_S = 60.0

REASONS: dict[str, str] = {
    "disabled": N_("Voice is turned off on this kiosk."),
    "no_player": N_("Voice does not work: the program that plays sound is missing on this kiosk. "
                    "Please ask the mediator."),
    "no_sound_card": N_("Voice does not work: no loudspeaker is connected to this kiosk. "
                        "Please ask the mediator."),
    "player_failed": N_("Voice does not work: sound cannot be played. Please ask the mediator."),
    "no_synthesis": N_("Voice does not work: text-to-speech (espeak-ng) is not installed on this "
                       "kiosk. Please ask the mediator."),
    "worker_failed": N_("Voice does not work for now: it stopped several times. "
                        "Please ask the mediator."),
    "closed": N_("Voice is shut down."),
}
"""Why the voice is unavailable, as English msgids translated through the gettext catalogues."""

PROMPTS: dict[str, str] = {
    # said the moment the kiosk recovers from an unexpected error (pre-rendered: no wait)
    "error": N_("Something went wrong. It is not your fault. You can try again or call the mediator."),
}


def fixed_prompts(languages: Iterable[str] = ("fr", "en")) -> dict[str, tuple[str, str]]:
    """{"greeting:fr": (text, "fr"), ...}: the fixed prompts in each language, for prerender()."""
    return {f"{key}:{lang}": (translations(lang).gettext(msgid), lang)
            for lang in languages for key, msgid in PROMPTS.items()}


def __getattr__(name: str):
    if name == "FIXED_PROMPTS":   # built when asked for: it reads two catalogues
        return fixed_prompts()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

StateCallback = Callable[[str], None]


@dataclass(frozen=True)
class _Item:
    text: str
    lang: str
    cache: bool = False


def player_argv(player: str | Iterable[str] | None) -> list[str]:
    """The player command, without the WAV path that is appended to it.

    None → KIOSK_SPEECH_PLAYER from the environment, else `aplay -q` (the real sound card);
    "null" → the real-time pacing null sink; a string is split like a shell would.
    """
    if player is None:
        player = os.environ.get("KIOSK_SPEECH_PLAYER") or list(DEFAULT_PLAYER)
    if isinstance(player, str):
        if player.strip() == NULL_PLAYER:
            return [sys.executable, "-I", "-S", str(NULL_PLAYER_SCRIPT)]
        return shlex.split(player)
    return list(player)


def _speech_folder() -> str:
    """A fresh private folder for this speaker's live audio, after removing the folders of
    speakers whose process is gone (a crash outside systemd)."""
    from kiosk.paths import runtime_dir  # noqa: PLC0415

    parent = runtime_dir()
    for old in parent.glob("speech-*"):
        pid = old.name.split("-")[1] if old.name.count("-") >= 2 else ""
        if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return tempfile.mkdtemp(prefix=f"speech-{os.getpid()}-", dir=parent)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _purge_folder(folder: str) -> int:
    count = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                count += 1
    return count


def _default_cache_dir() -> Path:
    from kiosk.paths import data_dir  # noqa: PLC0415

    return data_dir() / "speech-cache"


def alsa_has_a_card(cards_file: str = "/proc/asound/cards") -> bool:
    """False when the kernel has no sound card for `aplay`: ALSA lists none, or is absent."""
    try:
        with open(cards_file, encoding="utf-8", errors="replace") as cards:
            text = cards.read()
    except OSError:
        return False
    return "no soundcards" not in text and bool(text.strip())


def _classify_player_error(detail: str) -> str:
    text = (detail or "").lower()
    markers = ("no soundcards", "cannot find card", "audio open error", "no such device",
               "unknown pcm", "host is down", "device or resource busy")
    return "no_sound_card" if any(m in text for m in markers) else "player_failed"


class Speaker:
    """Speech output for the kiosk. Thread-safe; no method blocks (except the `wait_*` helpers,
    `render` and `voices`, meant for the command line and tests)."""

    def __init__(
        self,
        rate: str = "normal",
        enabled: bool = True,
        player: str | Iterable[str] | None = None,
        *,
        volume: float = DEFAULT_VOLUME,
        default_lang: str = "fr",
        cache_dir: str | Path | None = None,
        on_state: StateCallback | None = None,
        python: Iterable[str] | None = None,
        check_player: bool = True,
        start_worker: bool = True,
    ):
        """`start_worker=False`: the worker process starts at `start()`, not now (the kiosk
        starts it once its first screen is drawn, so that the two do not share the cores)."""
        if rate not in RATES_WPM:
            raise ValueError(f"speech rate must be one of {sorted(RATES_WPM)}, got {rate!r}")
        self.rate = rate
        self.volume = _clamp_volume(volume)
        self.default_lang = default_lang
        self.on_state = on_state
        self.state = "idle"
        self.player = player_argv(player)
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._python = list(python) if python else [sys.executable]
        self._check_player = check_player
        self._lock = threading.RLock()
        self._out: queue.Queue = queue.Queue()
        self._proc: subprocess.Popen | None = None
        self._proc_ready = threading.Event()
        self._may_start = threading.Event()
        if start_worker:
            self._may_start.set()
        self._probe_done = threading.Event()
        self._closed = False
        self._enabled = bool(enabled)
        self._problem: str | None = None  # key of a machine problem (not "disabled")
        self._warned: set[str] = set()
        self._last: list[_Item] = []
        self._prompts: dict[str, tuple[str, str]] = {}
        self._restarts: collections.deque = collections.deque()
        self._utt = itertools.count(1)
        self._sent_utt = 0
        self._done_utt = 0
        self._req = itertools.count(1)
        self._replies: dict[int, dict] = {}
        self._reply_cv = threading.Condition(self._lock)
        self.events: collections.deque = collections.deque(maxlen=512)
        """Recent worker events (timing figures for the bench and tests); never any text."""
        self.worker_starts = 0
        self._runtime_dir = _speech_folder()

        if not shutil.which(self.player[0]):
            self._set_problem("no_player", f"player {self.player[0]!r} not found")
        elif self._check_player and Path(self.player[0]).name == "aplay" and not alsa_has_a_card():
            # known at once, so the first screen shows it (the worker's probe still runs)
            self._set_problem("no_sound_card", "the kernel lists no sound card (/proc/asound/cards)")
        self._sender = threading.Thread(target=self._send_loop, name="speech-send", daemon=True)
        self._supervisor = threading.Thread(target=self._supervise, name="speech-supervisor", daemon=True)
        self._sender.start()
        self._supervisor.start()
        atexit.register(self.close)

    @classmethod
    def from_config(cls, config, **kwargs) -> "Speaker":
        """Build from the kiosk config (devices.voice_output, devices.speech_rate, languages.default)."""
        return cls(
            rate=config.devices["speech_rate"],
            enabled=config.devices["voice_output"],
            default_lang=config.languages["default"],
            **kwargs,
        )

    # --- availability ------------------------------------------------------------------------
    @property
    def available(self) -> bool:
        """True when speech can be heard: enabled, synthesis present, a working player."""
        return self._enabled and self._problem is None and not self._closed

    @property
    def unavailable_key(self) -> str | None:
        """Why speech is unavailable, as a key of REASONS; None when available."""
        if self._closed:
            return "closed"
        if self._problem:
            return self._problem
        return None if self._enabled else "disabled"

    @property
    def unavailable_reason(self) -> str:
        """The reason as an English sentence ('' when available); see unavailable_message(lang)."""
        key = self.unavailable_key
        return REASONS[key] if key else ""

    def unavailable_message(self, lang: str = "fr") -> str:
        """The reason, in `lang`, for the voice toggle; '' when available."""
        key = self.unavailable_key
        if key is None:
            return ""
        return translations(lang.split("-")[0].lower() or "fr").gettext(REASONS[key])

    @property
    def enabled(self) -> bool:
        return self._enabled

    def set_enabled(self, enabled: bool) -> None:
        """The user's voice toggle. Turning it off stops what is being said."""
        self._enabled = bool(enabled)
        if not enabled:
            self.stop()

    def _set_problem(self, key: str, detail: str) -> None:
        with self._lock:
            changed = self._problem != key
            self._problem = key
        if key not in self._warned:
            self._warned.add(key)
            log.warning("voice output unavailable (%s): %s", key, detail)
        if changed:
            self._set_state("unavailable")

    def _clear_problem(self) -> None:
        with self._lock:
            was = self._problem
            if was in ("no_sound_card", "player_failed"):
                self._problem = None
        if was in ("no_sound_card", "player_failed"):
            log.info("voice output available again")
            self._set_state("idle")

    # --- what the UI calls -------------------------------------------------------------------
    def say(self, text: str, lang: str | None = None, interrupt: bool = True) -> bool:
        """Say `text` in `lang`. interrupt=True (screen change, warning, focus) cuts what is
        being said; False queues after it. Returns True if it was sent to the worker."""
        return self._say([_Item(text, lang or self.default_lang)], interrupt)

    def warn(self, text: str, lang: str | None = None) -> bool:
        """A warning (timeout, error): at once, cutting whatever was being said."""
        return self.say(text, lang, interrupt=True)

    def say_parts(self, parts: Iterable[tuple[str, str | None]], interrupt: bool = True) -> bool:
        """Say several texts one after the other, each in its own language: a screen that names
        the languages says each name in that language."""
        items = [_Item(text, lang or self.default_lang) for text, lang in parts if text]
        return self._say(items, interrupt) if items else False

    def say_prompt(self, key: str, interrupt: bool = True) -> bool:
        """Say a prompt registered with prerender(): played from its WAV, no synthesis wait."""
        text, lang = self._prompts[key]
        return self._say([_Item(text, lang, cache=True)], interrupt)

    def stop(self) -> None:
        """Silence now (the user acted, pressed stop, or left)."""
        self._send({"cmd": "stop"})

    def repeat(self) -> bool:
        """Say again what was said since the last interrupting utterance (the current screen)."""
        with self._lock:
            items = list(self._last)
        if not items:
            return False
        return self._say(items, interrupt=True, remember=False)

    def set_rate(self, rate: str) -> None:
        """'slow' or 'normal'; applies from the next utterance."""
        if rate not in RATES_WPM:
            raise ValueError(f"speech rate must be one of {sorted(RATES_WPM)}, got {rate!r}")
        self.rate = rate
        self._send({"cmd": "set", "rate_wpm": RATES_WPM[rate]})

    def set_volume(self, volume: float) -> None:
        """0.0–1.0 (espeak-ng amplitude); applies from the next utterance."""
        self.volume = _clamp_volume(volume)
        self._send({"cmd": "set", "volume": self.volume})

    def reset_for_new_session(self) -> None:
        """A new citizen: silence, forget what was said, rate normal, moderate volume.
        Also re-checks the sound card if it was missing (a loudspeaker may have been plugged).

        No audio of the last session may remain: the worker deletes any live file once the cut
        speech has ended (a warning is logged, without names or content, if it had to); with no
        worker running, this process deletes them itself."""
        self.stop()
        self._send({"cmd": "purge"})
        if self.worker_pid is None:
            self._report_purged(_purge_folder(self._runtime_dir))
        with self._lock:
            self._last = []
        self.rate = "normal"
        self.volume = DEFAULT_VOLUME
        self._send({"cmd": "set", "rate_wpm": RATES_WPM["normal"], "volume": DEFAULT_VOLUME})
        if self._problem in ("no_sound_card", "player_failed"):
            self._probe_done.clear()
            self._send({"cmd": "probe"})

    @property
    def runtime_dir(self) -> str:
        """The private folder of live audio (empty whenever nothing is being said)."""
        return self._runtime_dir

    def prerender(self, prompts: dict[str, tuple[str, str]]) -> None:
        """Register fixed prompts {key: (text, lang)} and render them to WAV in the background
        (kept in the cache folder, so an install-time render makes start-up instant)."""
        with self._lock:
            self._prompts.update(prompts)
        self._send(self._prerender_cmd(prompts))

    def close(self, timeout: float = 0.0) -> None:
        """Stop speaking and end the worker. With timeout > 0, wait that long for it to exit."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            proc = self._proc
        self._may_start.set()   # a supervisor still waiting ends
        self._out.put({"cmd": "quit"})
        self._out.put(None)
        if proc is not None:
            killer = threading.Thread(target=_end_worker, args=(proc, 1.0), daemon=True)
            killer.start()
            if timeout > 0:
                killer.join(timeout)
        shutil.rmtree(self._runtime_dir, ignore_errors=True)
        with contextlib.suppress(Exception):
            atexit.unregister(self.close)

    # --- blocking helpers (command line, tests, bench) ---------------------------------------
    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Wait until the worker runs and the player was checked (or speech proved unavailable)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._problem or self._closed:
                return True
            if self._proc_ready.is_set() and self._probe_done.is_set():
                return True
            time.sleep(0.01)
        return False

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until nothing is being said (after at least one utterance was queued)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                done = self._done_utt >= self._sent_utt
            if done and self.state != "speaking":
                return True
            time.sleep(0.01)
        return False

    def render(self, text: str, lang: str | None, path: str | Path, timeout: float = 30.0) -> float | None:
        """Synthesise `text` to a WAV file (no playback); return its duration in seconds."""
        reply = self._request({"cmd": "render", "text": text, "lang": lang or self.default_lang,
                               "path": str(Path(path).resolve())}, timeout)
        return reply.get("duration") if reply and reply.get("ok") else None

    def voices(self, langs: Iterable[str] = ("fr", "en"), timeout: float = 10.0) -> dict | None:
        """{'voices': [{id, name, languages}], 'chosen': {lang: voice id}} from the worker."""
        return self._request({"cmd": "voices", "langs": list(langs)}, timeout)

    def wait_prerendered(self, timeout: float = 30.0) -> list[str]:
        with self._lock:
            prompts = dict(self._prompts)
        reply = self._request(self._prerender_cmd(prompts), timeout)
        return list(reply.get("keys", [])) if reply else []

    @property
    def worker_pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    # --- internals ---------------------------------------------------------------------------
    def _report_purged(self, count: int) -> None:
        if count:
            log.warning("%d speech audio file(s) of a past utterance were left on disk and have "
                        "been deleted", count)
    def _say(self, items: list[_Item], interrupt: bool, remember: bool = True) -> bool:
        if remember:
            with self._lock:
                self._last = list(items) if interrupt else self._last + list(items)
        if not self.available:
            if interrupt:
                self.stop()
            return False
        payload = []
        for item in items:
            payload.append({"text": item.text, "lang": item.lang, "cache": item.cache})
        with self._lock:
            utt = self._sent_utt = next(self._utt)
        self._send({"cmd": "say", "interrupt": interrupt, "items": payload, "utt": utt,
                    "sent": time.monotonic()})
        return True

    def _prerender_cmd(self, prompts: dict[str, tuple[str, str]]) -> dict:
        items = [{"key": k, "text": t, "lang": lang} for k, (t, lang) in prompts.items()]
        return {"cmd": "prerender", "items": items}

    def _send(self, cmd: dict) -> None:
        if not self._closed:
            self._out.put(cmd)

    def _request(self, cmd: dict, timeout: float) -> dict | None:
        req = next(self._req)
        cmd["req"] = req
        self._send(cmd)
        deadline = time.monotonic() + timeout
        with self._reply_cv:
            while req not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    return None
                self._reply_cv.wait(min(left, 0.1))
            return self._replies.pop(req)

    def _set_state(self, state: str) -> None:
        self.state = state
        callback = self.on_state
        if callback is not None:
            try:
                callback(state)
            except Exception:  # a UI bug must not stop the voice
                log.exception("speaker on_state callback failed")

    def _send_loop(self) -> None:
        while True:
            cmd = self._out.get()
            if cmd is None:
                return
            self._proc_ready.wait()
            with self._lock:
                proc = self._proc
            if proc is None:
                continue
            try:
                proc.stdin.write(json.dumps(cmd, ensure_ascii=False) + "\n")
                proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                pass  # the worker died: the supervisor restarts it; this command is dropped

    def _spawn(self) -> subprocess.Popen:
        proc = subprocess.Popen(
            self._python + [str(WORKER_SCRIPT), self._runtime_dir],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            text=True,
            encoding="utf-8",
            bufsize=1,
            start_new_session=True,  # its players share its process group: killed together
            # the worker compares its parent with this pid once PR_SET_PDEATHSIG is set: a kiosk
            # that died while the worker was still starting is noticed
            env=dict(os.environ, KIOSK_SPEECH_PARENT=str(os.getpid())),
        )
        self.worker_starts += 1
        return proc

    def _init_cmd(self, probe: bool) -> dict:
        cache = self.cache_dir if self.cache_dir is not None else None
        if cache is None:
            with contextlib.suppress(Exception):
                cache = _default_cache_dir()
        return {
            "cmd": "init",
            "rate_wpm": RATES_WPM[self.rate],
            "volume": self.volume,
            "fallback_lang": self.default_lang,
            "player": self.player,
            "runtime_dir": self._runtime_dir,
            "cache_dir": str(cache) if cache else None,
            "probe": probe,
        }

    def start(self) -> None:
        """Start the worker process, if it was held back (start_worker=False)."""
        self._may_start.set()

    def _supervise(self) -> None:
        self._may_start.wait()
        probe = self._problem in (None, "no_sound_card") and self._check_player
        while not self._closed:
            try:
                proc = self._spawn()
            except OSError as exc:
                self._set_problem("no_synthesis", f"cannot start the speech worker: {exc}")
                self._proc_ready.set()
                return
            # settings (and prompts) first, before any queued command reaches the new worker
            first = [self._init_cmd(probe)]
            with self._lock:
                if self._prompts:
                    first.append(self._prerender_cmd(self._prompts))
            try:
                for cmd in first:
                    proc.stdin.write(json.dumps(cmd, ensure_ascii=False) + "\n")
                proc.stdin.flush()
            except OSError:
                pass
            with self._lock:
                self._proc = proc
            if not probe:
                self._probe_done.set()
            self._proc_ready.set()
            fatal = self._read_events(proc)
            _kill_group(proc.pid)  # before reaping it, so its process group id is still its own
            rc = proc.wait()
            left = _purge_folder(self._runtime_dir)  # what a killed worker could not delete
            if left and rc not in (0, None) and not self._closed:
                log.info("deleted %d live speech audio file(s) of the stopped worker", left)
            with self._lock:
                self._done_utt = self._sent_utt  # what it had not said is dropped
            if self.state == "speaking":
                self._set_state("idle")
            if self._closed:
                return
            if fatal:
                self._probe_done.set()
                return
            now = time.monotonic()
            self._restarts.append(now)
            while self._restarts and now - self._restarts[0] > RESTART_WINDOW_S:
                self._restarts.popleft()
            if len(self._restarts) > MAX_RESTARTS:
                self._set_problem("worker_failed", f"speech worker died {len(self._restarts)} times in "
                                                   f"{RESTART_WINDOW_S:.0f} s (last exit code {rc})")
                self._probe_done.set()
                return
            log.warning("speech worker stopped (exit code %s); restarting it", rc)
            probe = False
            time.sleep(0.05 * (len(self._restarts) - 1))

    def _read_events(self, proc: subprocess.Popen) -> bool:
        """Handle the worker's events until it exits; True if it reported a fatal problem."""
        fatal = False
        for line in proc.stdout:
            try:
                ev = json.loads(line)
            except json.JSONDecodeError:
                continue
            kind = ev.get("ev")
            ev["received"] = time.monotonic()
            self.events.append(ev)
            if kind == "done":
                with self._lock:
                    self._done_utt = max(self._done_utt, int(ev.get("utt") or 0))
            elif kind == "state":
                if self.available:
                    self._set_state(ev["state"])
            elif kind == "ready":
                log.debug("speech worker %s ready with %s voices", ev.get("pid"), ev.get("voices"))
            elif kind == "purged":
                self._report_purged(int(ev.get("count") or 0))
            elif kind == "player_ok":
                self._clear_problem()
                self._probe_done.set()
            elif kind == "player_error":
                detail = ev.get("detail") or f"exit code {ev.get('rc')}"
                last_line = detail.strip().splitlines()[-1] if detail.strip() else detail
                self._set_problem(_classify_player_error(detail), f"player {self.player[0]!r}: {last_line}")
                self._probe_done.set()
            elif kind == "fatal":
                fatal = True
                self._set_problem(ev.get("key") or "no_synthesis", ev.get("detail", ""))
            elif kind == "log":
                level = getattr(logging, str(ev.get("level", "info")).upper(), logging.INFO)
                msg = ev.get("msg", "")
                if level >= logging.WARNING:
                    if msg in self._warned:
                        continue
                    self._warned.add(msg)
                log.log(level, "%s", msg)
            if "req" in ev and ev["req"] is not None:
                with self._reply_cv:
                    self._replies[ev["req"]] = ev
                    self._reply_cv.notify_all()
        return fatal


def _clamp_volume(volume: float) -> float:
    return max(0.0, min(1.0, float(volume)))


def _kill_group(pgid: int) -> None:
    """Kill what is left of a dead worker's process group (a player it started)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _end_worker(proc: subprocess.Popen, grace: float) -> None:
    with contextlib.suppress(OSError, ValueError):
        proc.stdin.close()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
