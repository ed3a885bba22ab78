"""Python's full garbage collections, moved to the moments nobody is waiting for the screen.

Every page the kiosk shows leaves reference cycles behind (Kivy widgets and their bindings). The
interpreter frees them in full collections that it starts by itself every few pages, whenever an
allocation crosses a threshold; with the kiosk's tens of thousands of live objects one takes
~0.1–0.15 s, so one touch in a few waited that much longer for its page (the slowest page
changes of `python -m bench navigation` were those).

So automatic full collections are switched off (young generations are still collected as usual)
and `tick()`, called twice a second, runs a full collection:
- soon after a citizen's session ended (the welcome screen is back: nobody is there);
- after IDLE_SECONDS without a touch or key (the person reads or listens), at most every
  MIN_INTERVAL_SECONDS;
- in any case after BACKSTOP_SECONDS, so memory stays bounded under continuous use.
After the collection that follows a session, the C allocator hands its free pages back to the
system (`release_free_memory`): label textures and pixel buffers of the pages that went leave
holes in the heap that glibc would otherwise keep. With `tune_allocator()`, called once at start,
this keeps a kiosk's memory flat over a day of citizens (`python -m bench soak`).
Pure Python: the app feeds it input events and calls tick().
"""

from __future__ import annotations

import ctypes
import gc
import time
from typing import Callable

IDLE_SECONDS = 2.0
MIN_INTERVAL_SECONDS = 10.0
BACKSTOP_SECONDS = 180.0
_NEVER = 1_000_000_000   # a gen-2 threshold no count reaches: no automatic full collection


class IdleCollector:
    def __init__(self, now: Callable[[], float] = time.monotonic, collect: Callable[[], object] = gc.collect,
                 release: Callable[[], object] | None = None):
        self._now = now
        self._collect = collect
        self._release = release_free_memory if release is None else release
        self.last_input = now()
        self.last_full = now()
        self.pending = False        # garbage may have been made since the last full collection
        self.session_ended = False
        self.collections = 0
        self._saved_threshold: tuple[int, int, int] | None = None

    def install(self) -> None:
        """Switch the interpreter's automatic full collections off (young ones stay)."""
        if self._saved_threshold is None:
            self._saved_threshold = gc.get_threshold()
            young, middle, _old = self._saved_threshold
            gc.set_threshold(young, middle, _NEVER)

    def uninstall(self) -> None:
        if self._saved_threshold is not None:
            gc.set_threshold(*self._saved_threshold)
            self._saved_threshold = None

    def input(self) -> None:
        """A touch or a key: someone is using the screen."""
        self.last_input = self._now()
        self.pending = True

    def end_of_session(self) -> None:
        """The session was wiped: collect at the next tick (its objects are garbage now)."""
        self.session_ended = True
        self.pending = True

    def due(self) -> bool:
        now = self._now()
        since_full = now - self.last_full
        if since_full >= BACKSTOP_SECONDS:
            return True
        if not self.pending:
            return False
        if self.session_ended:
            return True
        return now - self.last_input >= IDLE_SECONDS and since_full >= MIN_INTERVAL_SECONDS

    def tick(self, *_args) -> bool:
        """Run a full collection if one is due; True if it ran."""
        if not self.due():
            return False
        after_session = self.session_ended
        self._collect()
        if after_session:
            self._release()
        self.collections += 1
        self.last_full = self._now()
        self.pending = self.session_ended = False
        return True


# glibc's mallopt parameter (malloc.h)
_M_ARENA_MAX = -8
ARENA_MAX = 2


_LIBC: list = []


def _libc():
    """The C library if it is glibc (it has mallopt and malloc_trim), else None; looked up once."""
    if not _LIBC:
        try:
            libc = ctypes.CDLL(None)
        except OSError:
            libc = None
        _LIBC.append(libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None)
    return _LIBC[0]


def tune_allocator() -> bool:
    """Set glibc's allocator for a process that runs all day; False where it is not glibc.

    Each worker thread (speech, printer, hub, recognition) may otherwise get a malloc arena of
    its own, up to 8 per core, each keeping its freed holes apart; two arenas are shared by all.
    (A fixed mmap threshold, which keeps large label textures out of the heap, was tried too:
    it made page changes at the largest text ~6 ms slower, p95, for page faults.)"""
    libc = _libc()
    return libc is not None and bool(libc.mallopt(_M_ARENA_MAX, ARENA_MAX))


def release_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's malloc_trim); a no-op elsewhere."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
