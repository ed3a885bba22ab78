"""The thirteenth unseen set (tests/data/intents-unseen13.<lang>.tsv), issue 13.

Written at the start of round 20, before the lexicons were opened and without reading any set's
misses; measured once before the round's situation-coverage pass and once after it. Its misses
were not read, and it is held here at the figures measured after the pass (a drop is a
regression). Caveat: the same person wrote the set and the pass, so the after-figure is flattered;
the twelfth set is the more honest measure of the pass.

  before the pass: top-1 91.5 % over all languages, out of scope 41/48 rejected, 3 wrong sure
  after the pass:  top-1 94.2 %, out of scope 41/48 rejected, 1 wrong sure
  after the round-21 fr and en pass: fr 82.9 -> 85.4 % (the floor is raised), en unchanged

The fourteenth set (tests/data/intents-unseen14.<lang>.tsv, fr and en only) was written at the
start of round 21, before that round's fr and en pass, and is held below at the figures measured
after it. Caveat: the eval output carried its misses at the first measure and they were seen, so
its after-figures are flattered; the twelfth set (misses never read) is the honest measure.

  before the pass: fr 85.4 % (out of scope 4/6), en 85.4 % (6/6), no wrong sure
  after the pass:  fr 97.6 % (6/6), en 100 % (6/6), no wrong sure
"""

from __future__ import annotations

import pytest

from tests.voice.unseen_sets import check_holds, check_spoken_set

LANGUAGES = ["fr", "en", "es", "pt", "ar", "tr", "ro", "uk"]

UNSEEN13_MEASURED = {"fr": 0.85, "en": 0.95, "es": 0.92, "pt": 0.97, "ar": 0.97, "tr": 0.95,
                     "ro": 0.95, "uk": 0.97}
UNSEEN13_OUT_OF_SCOPE = {"fr": 0.83, "en": 0.83, "es": 0.66, "tr": 0.83, "ro": 0.83, "uk": 0.83}
UNSEEN13_WRONG_SURE = {"ro": 1}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_thirteenth_set_is_a_yardstick_kept_at_its_measured_figures(lang):
    check_spoken_set("unseen13", lang, min_lines=40, min_none=6, min_ids=35)
    check_holds("unseen13", lang, UNSEEN13_MEASURED[lang],
                out_of_scope=UNSEEN13_OUT_OF_SCOPE.get(lang, 1.0),
                wrong_sure=UNSEEN13_WRONG_SURE.get(lang, 0))


UNSEEN14_MEASURED = {"fr": 0.97, "en": 1.0}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_fourteenth_set_is_held_at_its_measured_figures(lang):
    check_spoken_set("unseen14", lang, min_lines=40, min_none=6, min_ids=35)
    check_holds("unseen14", lang, UNSEEN14_MEASURED[lang])
