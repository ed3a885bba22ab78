"""One cold start, in this fresh process: `python -m bench._startup_child kiosk|hello`.

Run by bench/startup.py with BENCH_T0 in the environment: the parent's CLOCK_MONOTONIC
(time.monotonic(), shared by every process on the machine) just before it spawned us, so the
times below include fork/exec and the interpreter's own start-up.

Both targets go through the same `kiosk.ui.bootstrap.prepare_kivy()` (same window size, input,
logging and KIVY_HOME), then `App.run()`. Marks, in seconds since BENCH_T0:

- `main`: this module starts running (interpreter up);
- `prepare_kivy`: Kivy is about to be configured (for the kiosk: CLI, config and imports done);
- `run_prepare`: App.run() begins (app object built, window not necessarily open);
- `on_start`: the app's build() is done and on_start dispatched;
- `first_frame`: the first frame drawn after on_start has been flipped;
- `interactive`: the last flipped frame before the first frame with nothing left to draw, i.e.
  the first screen is complete and the event loop is idle, waiting for input.

Prints one JSON line on stdout, then leaves at once (tear-down is not part of a start).
"""

from __future__ import annotations

import os
import sys
import time

T0 = float(os.environ.get("BENCH_T0", time.monotonic()))
MAX_FRAMES = 600  # give up waiting for an idle frame after this many frames after on_start
marks: dict[str, float] = {}


def mark(name: str) -> None:
    marks.setdefault(name, time.monotonic() - T0)


mark("main")
_profiler = None
if os.environ.get("BENCH_PROFILE"):  # cProfile this start into that file (for bench/startup.py --profile)
    import cProfile

    _profiler = cProfile.Profile()
    _profiler.enable()


def _install_hooks() -> None:
    """Wrap App._run_prepare and EventLoop.idle; called right after Kivy is configured."""
    from kivy.app import App
    from kivy.base import EventLoop

    state = {"flips": 0, "frames_after_start": 0, "last_flip": None}
    original_run_prepare = App._run_prepare

    def run_prepare(self, *args, **kwargs):
        mark("run_prepare")
        result = original_run_prepare(self, *args, **kwargs)
        mark("on_start")
        from kivy.core.window import Window

        Window.bind(on_flip=lambda *_: state.__setitem__("flips", state["flips"] + 1))
        return result

    App._run_prepare = run_prepare
    original_idle = EventLoop.idle

    def idle():
        before = state["flips"]
        result = original_idle()
        now = time.monotonic() - T0
        if "on_start" not in marks:
            return result
        state["frames_after_start"] += 1
        if state["flips"] > before:
            state["last_flip"] = now
            marks.setdefault("first_frame", now)
        elif state["last_flip"] is not None:
            marks["interactive"] = state["last_flip"]
            _report(settled=True, frames=state["frames_after_start"])
        if state["frames_after_start"] >= MAX_FRAMES:
            marks["interactive"] = state["last_flip"] or now
            _report(settled=False, frames=state["frames_after_start"])
        return result

    EventLoop.idle = idle


def _report(**extra) -> None:
    if _profiler is not None:
        _profiler.disable()
        _profiler.dump_stats(os.environ["BENCH_PROFILE"])
    out = {k: round(v * 1000, 2) for k, v in marks.items()}
    out.update(extra)
    import json

    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _hook_prepare_kivy() -> None:
    import kiosk.ui.bootstrap as bootstrap

    original = bootstrap.prepare_kivy

    def prepare_kivy(*args, **kwargs):
        mark("prepare_kivy")
        original(*args, **kwargs)
        _install_hooks()

    bootstrap.prepare_kivy = prepare_kivy


def hello(width: int, height: int) -> None:
    """A bare Kivy hello-world: one Label in a window."""
    import kiosk.ui.bootstrap as bootstrap

    bootstrap.prepare_kivy(width, height, False)
    from kivy.app import App
    from kivy.uix.label import Label

    class HelloApp(App):
        def build(self):
            return Label(text="Bonjour")

    HelloApp().run()


def kiosk() -> None:
    """The kiosk exactly as `kiosk run` starts it (demo config unless KIOSK_BENCH_CONFIG)."""
    from kiosk.cli import main

    argv = ["run"]
    config = os.environ.get("KIOSK_BENCH_CONFIG")
    if config:
        argv = ["--config", config, *argv]
    main(argv)


if __name__ == "__main__":
    _hook_prepare_kivy()
    target = sys.argv[1] if len(sys.argv) > 1 else "kiosk"
    if target == "hello":
        hello(int(sys.argv[2]), int(sys.argv[3]))
    else:
        kiosk()
    marks.setdefault("interactive", float("nan"))
    _report(settled=False, frames=0, exited=True)
