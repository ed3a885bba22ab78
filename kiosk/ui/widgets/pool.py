"""Widgets kept for the next screens, found again by what they showed.

A label set to the text it already shows costs nothing: no measuring, no texture, no layout. So
a widget leaving the screen is kept under a key made of what it showed (a button's words and
pictogram, a paragraph's text), and the next screen asking for the same key gets that very
widget back. The help choices, the navigation row and the headings of a démarche page are the
same on every démarche page: they come back as they were drawn. Any free widget of the class
serves when none matches.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator


class WidgetPool:
    """Free widgets of one class, by key, at most `limit` of them."""

    def __init__(self, limit: int):
        self.limit = limit
        self._by_key: dict[Hashable, list] = {}
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator:
        for widgets in self._by_key.values():
            yield from widgets

    def put(self, key: Hashable, widget) -> bool:
        """Keep `widget` under `key`; False when the pool is full (the caller lets it go)."""
        if self._count >= self.limit:
            return False
        self._by_key.setdefault(key, []).append(widget)
        self._count += 1
        return True

    def take(self, key: Hashable):
        """The widget kept last under `key`, else one of those kept longest ago (the least
        likely to be asked for again), else None."""
        if key not in self._by_key:
            if not self._by_key:
                return None
            key = next(iter(self._by_key))
        widgets = self._by_key[key]
        widget = widgets.pop()
        if not widgets:   # no empty list is kept: the keys are the texts of a whole day
            del self._by_key[key]
        self._count -= 1
        return widget
