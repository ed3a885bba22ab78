"""Full garbage collections run when nobody waits for the screen, and never stop for good."""

from __future__ import annotations

import gc

import pytest

from kiosk.core import idle_gc
from kiosk.core.idle_gc import IdleCollector


class FakeTime:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def collector():
    clock = FakeTime()
    runs: list[float] = []
    c = IdleCollector(now=clock, collect=lambda: runs.append(clock.now))
    c.clock, c.runs = clock, runs
    return c


def test_nothing_is_collected_while_someone_is_touching(collector):
    for _ in range(100):   # a touch every half second for 50 s
        collector.clock.now += 0.5
        collector.input()
        assert collector.tick() is False
    assert collector.runs == []


def test_a_pause_in_the_touches_is_used_once_enough_time_passed(collector):
    collector.clock.now += 20
    collector.input()
    collector.clock.now += idle_gc.IDLE_SECONDS - 0.1
    assert collector.tick() is False
    collector.clock.now += 0.2
    assert collector.tick() is True
    collector.clock.now += 30   # nobody came back: nothing new to collect
    assert collector.tick() is False
    assert len(collector.runs) == 1


def test_pauses_close_together_collect_at_most_every_min_interval(collector):
    collector.clock.now += 20
    collector.input()
    collector.clock.now += 3
    assert collector.tick() is True
    collector.input()
    collector.clock.now += 3
    assert collector.tick() is False   # 3 s after the last collection
    collector.clock.now += idle_gc.MIN_INTERVAL_SECONDS
    assert collector.tick() is True


def test_the_end_of_a_session_is_collected_at_the_next_tick(collector):
    collector.input()
    collector.end_of_session()
    assert collector.tick() is True
    assert collector.tick() is False


def test_continuous_use_is_collected_by_the_backstop(collector):
    collected_at = []
    for _ in range(int(2 * idle_gc.BACKSTOP_SECONDS / 0.5) + 2):
        collector.clock.now += 0.5
        collector.input()
        if collector.tick():
            collected_at.append(collector.clock.now)
    assert len(collected_at) == 2
    assert collected_at[1] - collected_at[0] == pytest.approx(idle_gc.BACKSTOP_SECONDS, abs=0.6)


def test_install_switches_automatic_full_collections_off_and_uninstall_restores_them():
    before = gc.get_threshold()
    c = IdleCollector()
    c.install()
    try:
        young, middle, old = gc.get_threshold()
        assert (young, middle) == before[:2]
        assert old > 10**6
        c.install()   # twice: the original thresholds are still the ones restored
    finally:
        c.uninstall()
    assert gc.get_threshold() == before


def test_the_real_collection_frees_cycles():
    class Node:
        pass

    c = IdleCollector()
    c.install()
    try:
        for _ in range(1000):
            a, b = Node(), Node()
            a.other, b.other = b, a
        del a, b
        c.end_of_session()
        assert c.tick() is True
        assert not [o for o in gc.get_objects() if type(o) is Node]
    finally:
        c.uninstall()


def test_free_memory_goes_back_to_the_system_after_a_session_only():
    clock = FakeTime()
    released: list[float] = []
    c = IdleCollector(now=clock, collect=lambda: None, release=lambda: released.append(clock.now))
    clock.now += 20
    c.input()
    clock.now += idle_gc.IDLE_SECONDS + 1
    assert c.tick() is True          # a pause while someone reads: collected, nothing released
    assert released == []
    c.end_of_session()
    clock.now += 0.5
    assert c.tick() is True
    assert released == [clock.now]


_HOLES_IN_THE_HEAP = """
import sys
from kiosk.core import idle_gc

def rss_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

assert idle_gc.tune_allocator() is True
blocks = [bytearray(64 * 1024) for _ in range(600)]   # 38 MB of blocks under the mmap threshold
keep = blocks[-1]                                    # the heap's top stays in use: no automatic trim
del blocks[:-1]
before = rss_kib()
idle_gc.release_free_memory()
print(before - rss_kib())
"""


def test_the_freed_holes_of_the_heap_go_back_to_the_system_on_glibc():
    """This Debian's glibc: the arena setting is accepted, and malloc_trim gives back the
    free pages in the middle of the heap, which the allocator alone keeps."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _HOLES_IN_THE_HEAP], capture_output=True, text=True,
                         check=True, timeout=60)
    assert int(out.stdout) > 30_000   # KiB given back
