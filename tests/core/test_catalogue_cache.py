"""The validated catalogue kept between starts: read back while the content is unchanged,
checked again as soon as any input changes, never trusted when broken."""

from __future__ import annotations

import json
import logging

import pytest

from kiosk.core import catalogue_cache
from kiosk.core.catalogue import load_catalogue


def cache_files(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_round_trip_keeps_every_field_of_the_shipped_catalogue(catalogue):
    again = catalogue_cache.from_json(json.loads(json.dumps(catalogue_cache.to_json(catalogue))))
    assert again == catalogue
    assert list(again.demarches) == list(catalogue.demarches)   # catalogue order kept


def test_first_start_checks_and_saves_then_the_next_reads_the_saved_file(tmp_path, catalogue):
    cache = tmp_path / "cache"
    first = catalogue_cache.cached_catalogue(cache)
    assert first == catalogue
    [name] = cache_files(cache)
    assert name == f"catalogue-{catalogue_cache.content_key()}.json"
    # Mark the saved file: a start that reads it (rather than checking the content) shows the mark.
    saved = cache / name
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["demarches"][0]["texts"]["fr"]["title"] = "marked in the cache"
    saved.write_text(json.dumps(data), encoding="utf-8")
    second = catalogue_cache.cached_catalogue(cache)
    first_id = next(iter(catalogue.demarches))
    assert second.demarches[first_id].text("fr").title == "marked in the cache"


def test_changed_content_is_checked_again_and_its_problems_reported(tmp_path, content_copy, caplog):
    cache = tmp_path / "cache"
    intents = content_copy.parent / "intents.tsv"
    from kiosk import paths
    intents.write_bytes(paths.INTENTS_TSV.read_bytes())
    good = catalogue_cache.cached_catalogue(cache, content_copy, intents)
    assert good.problems == [] and "carte-vitale" in good.demarches
    [old] = cache_files(cache)

    broken = content_copy / "carte-vitale.toml"
    broken.write_text(broken.read_text(encoding="utf-8").replace('theme = "', 'theme = "nowhere-', 1),
                      encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        changed = catalogue_cache.cached_catalogue(cache, content_copy, intents)
    assert "carte-vitale" not in changed.demarches
    assert any(p.startswith("carte-vitale.toml: theme:") for p in changed.problems)
    assert changed == load_catalogue(content_copy, intents)
    assert cache_files(cache) != [old] and len(cache_files(cache)) == 1   # the old version removed

    caplog.clear()
    # the catalogue's own logger (another test may have raised its level, as `kiosk print-test` does)
    with caplog.at_level(logging.WARNING, logger="kiosk.core.catalogue"):
        again = catalogue_cache.cached_catalogue(cache, content_copy, intents)
    assert again == changed
    # problems are logged at every start, from the cache as from a fresh check
    assert any("carte-vitale.toml: theme:" in r.getMessage() for r in caplog.records)


def test_a_new_or_removed_file_or_a_changed_intents_table_changes_the_key(tmp_path, content_copy):
    intents = tmp_path / "intents.tsv"
    from kiosk import paths
    intents.write_bytes(paths.INTENTS_TSV.read_bytes())
    key = catalogue_cache.content_key(content_copy, intents)
    assert catalogue_cache.content_key(content_copy, intents) == key
    extra = content_copy / "extra.toml"
    extra.write_text('id = "extra"\n', encoding="utf-8")
    assert catalogue_cache.content_key(content_copy, intents) != key
    extra.unlink()
    assert catalogue_cache.content_key(content_copy, intents) == key
    (content_copy / "carte-vitale.toml").unlink()
    assert catalogue_cache.content_key(content_copy, intents) != key
    intents.write_text(intents.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    missing_file_key = catalogue_cache.content_key(content_copy, intents)
    intents.unlink()
    assert catalogue_cache.content_key(content_copy, intents) != missing_file_key


@pytest.mark.parametrize("damage", ["not json {", '{"format": 1}', '{"format": 99, "themes": []}',
                                    '{"format": 1, "themes": 3, "demarches": [], "problems": []}', ""])
def test_a_damaged_cache_file_is_ignored_and_replaced(tmp_path, catalogue, damage, caplog):
    cache = tmp_path / "cache"
    cache.mkdir()
    path = cache / f"catalogue-{catalogue_cache.content_key()}.json"
    path.write_text(damage, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert catalogue_cache.cached_catalogue(cache) == catalogue
    assert any("checked again" in r.getMessage() for r in caplog.records)
    assert catalogue_cache.from_json(json.loads(path.read_text(encoding="utf-8"))) == catalogue


def test_a_cache_path_that_is_a_file_costs_only_the_check(tmp_path, catalogue, caplog):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert catalogue_cache.cached_catalogue(blocker) == catalogue
    assert any("not saved" in r.getMessage() for r in caplog.records)
