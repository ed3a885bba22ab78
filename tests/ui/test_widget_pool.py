"""The pool of free widgets (kiosk/ui/widgets/pool.py): found again by what they showed."""

from __future__ import annotations

from kiosk.ui.widgets.pool import WidgetPool


def test_a_widget_comes_back_for_the_same_words():
    pool = WidgetPool(limit=10)
    pool.put("Guidez-moi", "a")
    pool.put("Apprenez-moi", "b")
    pool.put("Retour", "c")
    assert pool.take("Apprenez-moi") == "b"
    assert len(pool) == 2


def test_without_a_match_the_widget_kept_longest_ago_serves():
    pool = WidgetPool(limit=10)
    pool.put("old", "a")
    pool.put("new", "b")
    assert pool.take("other") == "a"
    assert pool.take("other") == "b"
    assert pool.take("other") is None
    assert len(pool) == 0 and list(pool) == []


def test_a_full_pool_refuses_and_keeps_no_empty_keys():
    pool = WidgetPool(limit=2)
    assert pool.put("x", 1) and pool.put("x", 2)
    assert not pool.put("y", 3)
    assert pool.take("x") == 2 and pool.take("x") == 1
    assert pool._by_key == {}
    assert pool.put("y", 3)
