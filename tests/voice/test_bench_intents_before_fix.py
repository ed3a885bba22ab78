"""`python -m bench intents --before-fix`: each older unseen set matched with the lexicon of the
commit that added it (git history), so a change of code is measured on phrasings its lexicon had
never seen, without spending the yardstick sets (unseen12, unseen13)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from bench import intents as bench_intents
from kiosk.commands.intents import evaluate
from tests.voice import unseen_sets


def _history_available() -> bool:
    if shutil.which("git") is None:
        return False
    try:
        out = bench_intents._git("log", "--format=%H", "--", "tests/data/intents-unseen11.fr.tsv")
    except (OSError, subprocess.CalledProcessError):
        return False
    return bool(out.strip())


pytestmark = pytest.mark.skipif(not _history_available(), reason="needs the repository's git history")


def test_a_set_is_matched_with_the_lexicon_of_the_commit_that_added_it():
    found = bench_intents.matcher_before_fix("unseen11", "fr")
    assert found is not None
    commit, before = found
    added = bench_intents._git("log", "--diff-filter=A", "--format=%H", "--",
                               "tests/data/intents-unseen11.fr.tsv").split()
    assert commit == added[-1]
    # the lexicon then had fewer phrases, and today's was fixed on this set: the figure before the
    # fix is lower than today's
    today = unseen_sets.matcher("fr")
    assert len(before.phrases) < len(today.phrases)
    rows = unseen_sets.rows("unseen11", "fr")
    assert evaluate(before, rows)["top1_accuracy"] < evaluate(today, rows)["top1_accuracy"]


def test_a_set_missing_in_a_language_is_skipped():
    assert bench_intents.matcher_before_fix("unseen14", "uk") is None


def test_the_figures_leave_out_the_yardsticks_and_every_line():
    out = bench_intents.run(["--before-fix", "fr"])
    names = {key.split(".")[0] for key in out["sets"]}
    assert names == {n for n in bench_intents.BEFORE_FIX_SETS
                     if (unseen_sets.DATA / f"intents-{n}.fr.tsv").is_file()}
    assert not names & {"unseen12", "unseen13"}
    assert "misses" not in str(out)
    for view in ("lexicon", "understanding"):
        total = out["total"][view]["all"]
        assert 0 < total["top1_accuracy"] < 1 and total == out["total"][view]["fr"]
        assert total["utterances"] == sum(s[view]["utterances"] for s in out["sets"].values())


def test_the_understanding_leaves_each_set_out_of_its_examples():
    """The examples contain the older sets' lines: measured with them, a set would be read."""
    from kiosk.core.understanding import example_index

    index = example_index()
    sources = {e.source for e in index.examples}
    assert {"unseen11", "written"} <= sources and not sources & {"unseen12", "unseen13"}
    left = index.without("unseen11")
    assert "unseen11" not in {e.source for e in left.examples}
    assert len(left.examples) == len(index.examples) - sum(e.source == "unseen11" for e in index.examples)
