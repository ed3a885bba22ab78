"""The speaker's sentences go through the gettext catalogues like every other sentence."""

from __future__ import annotations

import pytest

from kiosk import paths
from kiosk.core.i18n import extract_msgids, parse_po
from kiosk.devices import speaker as speaker_module
from tests.printing.test_one_translation import language_tables

FR = parse_po(paths.LOCALES_DIR / "fr" / "LC_MESSAGES" / "kiosk.po")
EXTRACTED = set(extract_msgids(paths.ROOT / "kiosk"))


def test_no_hand_written_language_table():
    assert language_tables(speaker_module) == []


@pytest.mark.parametrize("msgid", sorted(set(speaker_module.REASONS.values()) | set(speaker_module.PROMPTS.values())))
def test_every_sentence_is_extracted_and_translated_to_french(msgid):
    assert msgid in EXTRACTED
    assert FR.get(msgid)


def test_fixed_prompts_in_each_language():
    prompts = speaker_module.fixed_prompts(("fr", "en", "uk"))
    assert prompts["error:fr"][1] == "fr" and prompts["error:fr"][0].startswith("Un problème")
    assert prompts["error:en"][0].startswith("Something went wrong.")
    assert prompts["error:uk"][1] == "uk" and prompts["error:uk"][0] != prompts["error:en"][0]
