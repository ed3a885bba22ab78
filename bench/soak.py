"""A day at the kiosk: many citizens' journeys through the real app, and what is left after them.

`python -m bench soak [--journeys 1000] [--window 100] [--config FILE]` prints one JSON object.

The real app (real speech worker playing to a null sink, preview printer) runs in a real window
(Xvfb when there is no DISPLAY), driven by touches (AppDriver). Journey n, from the welcome
screen: its language and text size (taps on the welcome screen and the bar), then subject →
démarche (every démarche in turn) → every other time a printed summary (in a language other than
French: in turn bilingual or not) → one help level (guide through every step, teach, urgent) →
the summary → a face → "finish and erase"; every seventh citizen walks away instead and the
inactivity warning, then the wipe, bring the welcome screen back. Help levels change with every
journey, text sizes every 3, languages every 9: 72 journeys meet every help level at every size
in every one of the 8 languages (a warm-up of 100 covers them).

The first and the last `--window` journeys are drawn and timed (touch to the first frame of the
new screen, as in bench/navigation.py); the journeys between run frames without painting them
(layout, textures, clocks and input stay real), which keeps a thousand journeys within minutes.

Measured at the start (app ready), after the warm-up (the first window) and at the end: the RSS
of the app and of the speech worker, Kivy widgets and textures alive (after a garbage
collection), open file descriptors, and the files in the data and runtime folders. Goals: after
the warm-up memory grows < 5 %, widgets, textures and descriptors do not grow, no file is left
behind (receipt previews are given `preview_keep_seconds` = 5 and waited for), and the p95 of the
last window is within 10 % of the first.
"""

from __future__ import annotations

import argparse
import copy
import gc
import math
import os
import statistics
import tempfile
import time
from pathlib import Path

LEVELS = ("guide", "teach", "urgent")
WALK_AWAY_EVERY = 7
PRINT_EVERY = 2
MEMORY_GROWTH_GOAL = 0.05
P95_DRIFT_GOAL = 0.10
PREVIEW_KEEP_SECONDS = 5
TEXTURE_SLACK = 0.02
"""Textures alive (the free pooled buttons' left out) may still move by a few with history:
each screen keeps what it showed last. A leak grows with every journey."""


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)] if ordered else float("nan")


def _rss_kib(pid: int | str = "self") -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _malloc_kib() -> dict[str, int]:
    """glibc's heap: bytes in use by live blocks and bytes held from the system. Growth of the
    second without the first is fragmentation; of both, something kept."""
    import ctypes

    class _MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in
                    ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                     "uordblks", "fordblks", "keepcost")]
    try:
        mallinfo2 = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):
        return {}
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    return {"malloc_in_use_kib": (info.uordblks + info.hblkhd) // 1024,
            "malloc_held_kib": (info.arena + info.hblkhd) // 1024}


def _rss_by_kind_kib() -> dict[str, int]:
    """Resident memory by kind of mapping: the main heap, other anonymous memory (threads' malloc
    arenas, large blocks, the renderer's buffers), and files (libraries, fonts)."""
    kinds = {"heap": 0, "anon": 0, "file": 0}
    kind = "anon"
    try:
        with open("/proc/self/smaps") as smaps:
            for line in smaps:
                if line[0] in "0123456789abcdef" and "-" in line.split(" ", 1)[0]:
                    fields = line.split()
                    name = fields[5] if len(fields) > 5 else ""
                    kind = "heap" if name == "[heap]" else "file" if name.startswith("/") else "anon"
                elif line.startswith("Rss:"):
                    kinds[kind] += int(line.split()[1])
    except OSError:
        return {}
    return {f"rss_{k}_kib": v for k, v in kinds.items()}


def _pymalloc_arenas() -> int | None:
    """Python's small-object arenas (1 MiB each) held now, read from sys._debugmallocstats."""
    import sys

    saved = os.dup(2)
    try:
        with tempfile.TemporaryFile() as out:
            os.dup2(out.fileno(), 2)
            try:
                sys._debugmallocstats()
            finally:
                os.dup2(saved, 2)
            out.seek(0)
            for line in out.read().decode(errors="replace").splitlines():
                if line.startswith("# arenas allocated current"):
                    return int(line.split("=")[1].replace(",", ""))
    finally:
        os.close(saved)
    return None


def _memory_point(app, journeys: int) -> dict:
    """A cheap look at memory between windows (no collection, no walk of the screens)."""
    import sys

    speech_pid = _speech_pid(app)
    return {"journeys": journeys, "rss_app_kib": _rss_kib(),
            "rss_speech_worker_kib": _rss_kib(speech_pid) if speech_pid else None,
            "python_blocks": sys.getallocatedblocks(), "pymalloc_arenas": _pymalloc_arenas(),
            **_malloc_kib(), **_rss_by_kind_kib()}


def _files(folder: Path) -> list[str]:
    """Files under `folder` (relative paths), Kivy's own settings folder and bytecode left out."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if path.is_file() and rel.parts[0] not in ("kivy", "pycache"):
            found.append(str(rel))
    return sorted(found)


def _fd_kinds() -> dict[str, int]:
    """Open descriptors by what they are: pipe, socket, anon_inode…, or the file's folder."""
    kinds: dict[str, int] = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        kind = target.split(":")[0] if not target.startswith("/") else str(Path(target).parent)
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


FONT_SUFFIXES = (".ttf", ".otf")
FONT_CACHE_BOUND = 8 * 3 * 8
"""Kivy's SDL2 text provider keeps each font it opened, one descriptor per face and size, for
the life of the process: a cache, not a leak. Its bound: 8 font files (Atkinson and DejaVu
regular and bold, DejaVu condensed regular and bold, Lucide) × 3 text sizes × at most 8 sizes
of text per text size (titles, body, key sentence, buttons, bar, markers, pictograms). A face
met for the first time after the warm-up (a word too wide for its line in a language, at one
text size) opens one more. Counted apart from the other descriptors, which must not grow."""


def _font_files_open() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").endswith(FONT_SUFFIXES)
        except OSError:
            continue
    return count


def _speech_pid(app) -> int | None:
    proc = getattr(app.speaker, "_proc", None) if app.speaker is not None else None
    return proc.pid if proc is not None and proc.poll() is None else None


class Soak:
    def __init__(self, driver, data_dir: Path, runtime_dir: Path, languages: list[str] | None = None):
        from bench.navigation import Probe

        self.driver = driver
        self.app = driver.app
        self.probe = Probe(self.app)
        self.data_dir, self.runtime_dir = data_dir, runtime_dir
        self.catalogue = self.app.catalogue
        self.demarches = list(self.catalogue.demarches.values())
        self.languages = [lang for lang in self.app.journey.languages if not languages or lang in languages]
        self.timing: list[float] | None = None
        self.unexpected: list[str] = []

    # ---- state ---------------------------------------------------------------------------------

    def snapshot(self) -> dict:
        """The counts, each time in the same state: every screen keeps what it showed last, so
        the first three journeys (one per help level, in the first language at normal size)
        are walked again before counting."""
        from kivy.graphics.texture import Texture
        from kivy.uix.widget import Widget

        timing, draw = self.timing, self.driver.draw
        self.timing, self.driver.draw = None, False
        for n in range(len(LEVELS)):
            try:
                self.journey(n)
            except (_Lost, LookupError) as exc:
                self.unexpected.append(f"reference journey {n}: {exc}")
                self.recover()
        self.timing, self.driver.draw = timing, draw
        self.wait_no_previews()
        self.wait_quiet()
        gc.collect()
        objects = gc.get_objects()
        speech_pid = _speech_pid(self.app)
        # The free buttons of the pool (controls.take_button) are a cache: its size is the most
        # buttons ever held at once by all the screens together, a high-water mark reached
        # after a while, and each keeps the texture of the last words it showed. Counted apart.
        # The block widgets of pages that went (content._take) are kept the same way.
        from kiosk.ui.widgets import content, controls

        free = [b for buttons in controls._pool.values() for b in buttons]
        free_blocks = [w for widgets in content._free.values() for w in widgets]
        pooled = [w for b in free + free_blocks for w in b.walk(restrict=True)]
        pooled_textures = {id(w.texture) for w in pooled if getattr(w, "texture", None) is not None}
        return {
            "rss_app_kib": _rss_kib(),
            "rss_speech_worker_kib": _rss_kib(speech_pid) if speech_pid else None,
            # type(), not isinstance(): a dead weak proxy among the objects raises on isinstance
            "widgets": sum(issubclass(type(o), Widget) for o in objects) - len(pooled),
            "textures": sum(issubclass(type(o), Texture) and id(o) not in pooled_textures
                            for o in objects),
            "pooled_buttons": len(free),
            "pooled_block_widgets": len(free_blocks),
            "fds": len(os.listdir("/proc/self/fd")) - _font_files_open(),
            "font_files_open": _font_files_open(),
            "fd_kinds": _fd_kinds(),
            "data_files": _files(self.data_dir),
            "runtime_files": _files(self.runtime_dir),
        }

    # ---- acting --------------------------------------------------------------------------------

    def go(self, action_id: str) -> None:
        """A touch that changes the screen (timed in the drawn windows)."""
        if self.timing is not None:
            from bench.navigation import _measured_tap

            self.timing.append(_measured_tap(self.driver, self.probe, action_id)["to_first_frame"])
        else:
            self.driver.tap(action_id)

    def tap(self, action_id: str) -> None:
        self.driver.tap(action_id)

    def expect(self, screen: str, where: str) -> None:
        if self.driver.screen_name != screen:
            self.unexpected.append(f"{where}: {self.driver.screen_name} instead of {screen}")
            raise _Lost(where)

    def wait_overlay(self, names: tuple[str, ...], seconds: float = 60) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.app.display.overlay_name in names:
                return self.app.display.overlay_name
            self.driver.pump(1)
            time.sleep(0.01)   # the printer's worker thread needs the interpreter too
        raise _Lost(f"no {'/'.join(names)} card within {seconds:.0f} s "
                    f"(showing {self.app.display.overlay_name or 'no card'})")

    def journey(self, n: int) -> None:
        d = self.demarches[n % len(self.demarches)]
        level = LEVELS[n % len(LEVELS)]
        text_step = (n // 3) % 3
        language = self.languages[(n // 9) % len(self.languages)]
        self.expect("attract", "welcome")
        if self.app.journey.session.language != language:
            self.tap(f"language:{language}")
        for _ in range(3):
            if self.app.journey.session.text_step == text_step:
                break
            self.tap("a11y:text")
        self.go("start")
        self.go(f"theme:{d.theme}")
        self.go(f"demarche:{d.id}")
        self.expect("demarche", d.id)
        if n % PRINT_EVERY == 0:
            self.tap("print")
            if self.app.display.overlay_name == "print-choice":
                self.tap("print:bilingual" if (n // PRINT_EVERY) % 2 else "print:single")
            self.wait_overlay(("printed", "print-failed", "qr"))
            if self.app.display.overlay_name != "printed":
                self.unexpected.append(f"print: {self.app.display.overlay_name}")
            self.tap("dismiss")
        if level == "guide":
            self.go("help:guide")
            for _ in range(len(d.text(language).steps)):
                self.go("step:done")
        elif level == "teach":
            self.go("help:teach")
            self.go("understood")
        else:
            self.go("help:urgent")
            self.expect("mediator", "urgent")
            if self.app.display.overlay_name:
                self.tap("dismiss")
            self.go("back")
            self.go("end")
        self.expect("end", f"{level} {d.id}")
        if n % WALK_AWAY_EVERY == WALK_AWAY_EVERY - 1:
            self.walk_away()
        else:
            self.go(f"face:{n % 5 + 1}")
            self.go("finish")
        self.expect("attract", "after the journey")

    def walk_away(self) -> None:
        app, clock = self.app, self.driver.clock
        clock.advance(app.inactivity.inactivity_seconds + 1)
        app.check_inactivity()
        self.driver.pump(2)
        if app.display.overlay_name != "timeout":
            self.unexpected.append(f"inactivity: {app.display.overlay_name or 'no'} card instead of the warning")
        clock.advance(app.inactivity.warning_seconds + 1)
        app.check_inactivity()
        self.driver.pump(3)

    def recover(self) -> None:
        """Back to the welcome screen after a journey that went astray (counted in `unexpected`)."""
        self.app.end_session("abandoned")
        self.driver.pump(3)
        self.app.display.hide_overlay()
        self.driver.pump(2)

    def run_journeys(self, first: int, count: int, timed: bool) -> list[float]:
        self.driver.draw = timed
        self.timing = [] if timed else None
        for n in range(first, first + count):
            try:
                self.journey(n)
            except (_Lost, LookupError) as exc:
                self.unexpected.append(f"journey {n}: {exc}")
                self.recover()
        samples, self.timing = self.timing or [], None
        self.driver.draw = True
        return samples

    def wait_quiet(self, seconds: float = 60) -> None:
        """Until the speaker has finished the screen (its live audio file is then gone)."""
        deadline = time.monotonic() + seconds
        speaker = self.app.speaker
        self.driver.pump(3)
        while time.monotonic() < deadline and speaker is not None and speaker.state != "idle":
            self.driver.pump(1)
            time.sleep(0.05)

    def wait_no_previews(self, seconds: float = PREVIEW_KEEP_SECONDS + 20) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and _files(self.runtime_dir / "receipts"):
            self.driver.pump(1)
            time.sleep(0.05)


class _Lost(Exception):
    pass


def _timing(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {"n": len(values), "median_ms": round(statistics.median(values), 1),
            "p95_ms": round(_p95(values), 1), "max_ms": round(max(values), 1)}


def _growth(before, after) -> float | None:
    return round(after / before - 1, 4) if before and after else None


def run(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench soak")
    parser.add_argument("--journeys", type=int, default=1000, help="citizens' journeys in all")
    parser.add_argument("--window", type=int, default=100,
                        help="journeys drawn and timed at the start and at the end (also the warm-up)")
    parser.add_argument("--untimed", action="store_true",
                        help="no window drawn or timed (a quick check of what grows and what is left)")
    parser.add_argument("--languages", help="only these languages, comma-separated (default: all offered)")
    parser.add_argument("--config", help="kiosk config file (default: the demo defaults)")
    args = parser.parse_args(argv)
    window = max(1, min(args.window, args.journeys // 2 or 1))
    data_dir = Path(tempfile.mkdtemp(prefix="kiosk-soak-data-"))
    runtime_dir = Path(tempfile.mkdtemp(prefix="kiosk-soak-run-"))
    os.environ["KIOSK_DATA_DIR"] = str(data_dir)
    os.environ["RUNTIME_DIRECTORY"] = str(runtime_dir)
    os.environ.setdefault("KIOSK_SPEECH_PLAYER", "null")   # the real worker, a silent sink
    soak = start(args.config, args.languages.split(",") if args.languages else None)
    t0 = time.monotonic()
    out: dict = {"journeys": args.journeys, "window": window,
                 "languages": soak.languages, "demarches": len(soak.demarches)}
    at_start = soak.snapshot()
    timed = not args.untimed
    first = soak.run_journeys(0, window, timed=timed)
    after_warmup = soak.snapshot()
    middle = args.journeys - 2 * window
    memory = [_memory_point(soak.app, window)]
    done = window
    while done < window + middle:
        count = min(window, window + middle - done)
        soak.run_journeys(done, count, timed=False)
        done += count
        memory.append(_memory_point(soak.app, done))
    last = soak.run_journeys(window + max(middle, 0), window, timed=timed) if args.journeys > window else []
    soak.wait_no_previews()
    at_end = soak.snapshot()
    memory.append(_memory_point(soak.app, args.journeys))
    out["memory_by_window"] = memory
    out["seconds"] = round(time.monotonic() - t0, 1)
    for name, snap in (("start", at_start), ("after_warmup", after_warmup), ("end", at_end)):
        out[name] = {k: v for k, v in snap.items() if not k.endswith("_files") and k != "fd_kinds"}
        out[name]["data_files"] = len(snap["data_files"])
        out[name]["runtime_files"] = len(snap["runtime_files"])
    # Files made at start-up (prompts said in every language, the content cache, the stats) are
    # the kiosk's own; what a day of citizens adds after the warm-up must be nothing.
    out["files_left"] = {
        "data": sorted(set(at_end["data_files"]) - set(after_warmup["data_files"])),
        "runtime": at_end["runtime_files"],
    }
    out["data_files_made_at_start"] = sorted(set(after_warmup["data_files"]) - set(at_start["data_files"]))[:40]
    out["fds_added_after_warmup"] = {k: n - after_warmup["fd_kinds"].get(k, 0)
                                     for k, n in at_end["fd_kinds"].items()
                                     if n != after_warmup["fd_kinds"].get(k, 0)}
    out["screen_change_first_window"] = _timing(first)
    out["screen_change_last_window"] = _timing(last)
    out["unexpected"] = soak.unexpected[:20]
    out["unexpected_count"] = len(soak.unexpected)
    growth = {
        "rss_app": _growth(after_warmup["rss_app_kib"], at_end["rss_app_kib"]),
        "rss_speech_worker": _growth(after_warmup["rss_speech_worker_kib"], at_end["rss_speech_worker_kib"]),
        "widgets": at_end["widgets"] - after_warmup["widgets"],
        "textures": at_end["textures"] - after_warmup["textures"],
        "fds": at_end["fds"] - after_warmup["fds"],   # font files apart (FONT_CACHE_BOUND)
        "font_files_open": at_end["font_files_open"] - after_warmup["font_files_open"],
        "pooled_buttons": at_end["pooled_buttons"] - after_warmup["pooled_buttons"],
        "pooled_block_widgets": at_end["pooled_block_widgets"] - after_warmup["pooled_block_widgets"],
        "p95_last_over_first": (round(_p95(last) / _p95(first), 3) if first and last else None),
    }
    out["growth_after_warmup"] = growth
    out["goals"] = {
        "memory": all(g is not None and g < MEMORY_GROWTH_GOAL
                      for g in (growth["rss_app"], growth["rss_speech_worker"])),
        "widgets_textures_fds": growth["widgets"] <= 0 and growth["fds"] <= 0
        and at_end["font_files_open"] <= FONT_CACHE_BOUND
        and growth["textures"] <= TEXTURE_SLACK * after_warmup["textures"],
        "nothing_left_on_disk": not out["files_left"]["data"] and not out["files_left"]["runtime"],
        "p95_steady": None if args.untimed else growth["p95_last_over_first"] is not None
        and growth["p95_last_over_first"] <= 1 + P95_DRIFT_GOAL,
        "every_journey_as_expected": not soak.unexpected,
    }
    out["goal_met"] = all(v for v in out["goals"].values() if v is not None)
    soak.driver.stop()
    import shutil

    for folder in (data_dir, runtime_dir):
        shutil.rmtree(folder, ignore_errors=True)
    return out


def start(config_path: str | None = None, languages: list[str] | None = None) -> Soak:
    """The real app with its devices, on the welcome screen, ready to be driven."""
    from kiosk.ui.bootstrap import ensure_display

    ensure_display()
    from kiosk.app import create_app, window_size
    from kiosk.core.clock import ManualClock
    from kiosk.core.config import Config, load_config

    config = load_config(config_path)
    values = copy.deepcopy(config.values)
    values["devices"]["preview_keep_seconds"] = PREVIEW_KEEP_SECONDS
    config = Config(values=values, source=config.source)
    clock = ManualClock()
    app = create_app(config, fullscreen=False, orientation="portrait", clock=clock, maxfps=0)
    from kiosk.quality.driver import AppDriver

    driver = AppDriver(app, clock).start()
    driver.resize(*window_size(config, "portrait"))
    return Soak(driver, Path(os.environ["KIOSK_DATA_DIR"]), Path(os.environ["RUNTIME_DIRECTORY"]), languages)
