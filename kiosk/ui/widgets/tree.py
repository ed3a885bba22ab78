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


def discard_children(box) -> None:
    """Remove a container's children for good, unbinding their kv rules at once.
    Never use it on pooled buttons (controls.release_buttons keeps those alive).

    Kivy unbinds a dead widget's rules from a weak-reference callback, which Python skips when
    the widget and its proxy die together in a garbage cycle; the stale binding then raises
    ReferenceError the next time a shared property (app.colors, app.font_body) changes.
    """
    for child in list(box.children):
        box.remove_widget(child)
        discard_widget(child)


def discard_widget(widget) -> None:
    """A widget (and all in it) let go for good: its kv rules unbound at once (see above)."""
    from kivy.lang import Builder

    if widget.parent is not None:
        widget.parent.remove_widget(widget)
    for part in widget.walk(restrict=True):
        Builder.unbind_widget(part.uid)
