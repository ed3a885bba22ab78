"""Walking up the widget tree (Kivy's Window is its own parent, so a plain loop never ends)."""

from __future__ import annotations


def ancestors(widget):
    """The parents of `widget`, nearest first, up to and including the window."""
    node = widget.parent
    seen = set()
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        yield node
        parent = node.parent
        if parent is node:
            break
        node = parent
