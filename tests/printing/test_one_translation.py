"""One way to translate: receipt and printer sentences are gettext msgids with a French
translation in the catalogue, no hand-written language tables; the fault sentence says only what
is true (nobody is told of a printer fault, it only reaches the mediator's panel)."""

from __future__ import annotations

import ast
from datetime import datetime
from pathlib import Path

import pytest

from kiosk import paths
from kiosk.core import receipt as receipt_module
from kiosk.core.i18n import extract_msgids, parse_po
from kiosk.devices.printer import job as job_module
from kiosk.devices.printer.job import REASONS, PrintResult

FR = parse_po(paths.LOCALES_DIR / "fr" / "LC_MESSAGES" / "kiosk.po")
EXTRACTED = set(extract_msgids(paths.ROOT / "kiosk"))


def language_tables(module) -> list[str]:
    """Names of module-level dicts keyed by language codes (the old hand-written tables)."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(value, ast.Dict):
            keys = {k.value for k in value.keys if isinstance(k, ast.Constant)}
            if {"fr", "en"} <= keys:
                found.append(ast.unparse(node.targets[0] if isinstance(node, ast.Assign) else node.target))
    return found


@pytest.mark.parametrize("module", [receipt_module, job_module], ids=["receipt", "printer-job"])
def test_no_hand_written_language_table(module):
    assert language_tables(module) == []


@pytest.mark.parametrize("msgid", sorted(set(receipt_module.LABELS.values()) | set(job_module._CITIZEN.values())))
def test_every_sentence_is_extracted_and_translated_to_french(msgid):
    assert msgid in EXTRACTED, "not marked for extraction"
    assert FR.get(msgid), "no French translation"
    fields = lambda text: sorted(p.split("}")[0] for p in text.split("{")[1:])  # noqa: E731
    assert fields(FR[msgid]) == fields(msgid)


@pytest.mark.parametrize("reason", REASONS)
def test_fault_sentence_says_only_what_is_true(reason):
    result = PrintResult("K7P-4MX", False, reason)
    for lang in ("fr", "en"):
        text = result.citizen_message(lang)
        assert "prévenu" not in text and "has been told" not in text
        assert "QR" in text and ("médiateur" in text or "mediator" in text)


def test_french_and_english_receipt_dates(config, catalogue):
    d = catalogue.demarches["carte-vitale"]
    fr = receipt_module.build_receipt(d, config, "fr", now=datetime(2025, 3, 4, 9, 7))
    en = receipt_module.build_receipt(d, config, "en", now=datetime(2025, 3, 4, 9, 7))
    assert fr.date_text() == "Le 4 mars 2025 à 9 h 07"
    assert en.date_text() == "4 March 2025 at 9:07"
    assert "Le faire sur internet : " in fr.speech_text()
