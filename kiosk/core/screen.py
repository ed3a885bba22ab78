"""The screen vocabulary: what a screen says and offers, as plain data.

A `ScreenModel` holds every word of one screen (or overlay) once. The UI draws it and the
speaker reads `speech()`, so nothing can be shown and not spoken. Every model is built in core
(kiosk/core/screens.py, overlays.py, search.py, mediator_screens.py); the UI only draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

Translate = Callable[[str], str]

_SENTENCE_ENDS = (".", "!", "?", ":", ";", "…")


# Actions that call a person or erase the session: a screen never opens with the keyboard focus
# on one of them (Enter on a keypad must not call someone or wipe everything by accident).
_CALLS_OR_ERASES = {"help:urgent", "call", "dont-know", "step:stuck", "finish", "staff:restart"}


def calls_or_erases(action_id: str) -> bool:
    return action_id in _CALLS_OR_ERASES or action_id.startswith("reason:")


def sentence(text: str) -> str:
    """`text` as a spoken sentence: stripped, with a final stop unless it has one."""
    text = text.strip()
    return text if not text or text.endswith(_SENTENCE_ENDS) else text + "."


@dataclass(frozen=True)
class Action:
    """Something the person can do: a button on screen, a phrase for the speaker."""

    id: str
    label: str
    icon: str = ""
    kind: str = "normal"      # primary | normal | urgent | face | nav | bar
    detail: str = ""          # a second line under the label
    lang: str = ""            # the label's language when not the screen's (a language's name)

    def speech(self) -> str:
        return f"{self.label}. {self.detail}" if self.detail else self.label


@dataclass(frozen=True)
class Block:
    """A piece of content: heading, text, notice, key (the one sentence that matters), list,
    checklist, steps or words."""

    kind: str
    title: str = ""
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyAction(Action):
    """A key of an on-screen keyboard or keypad: `label` is drawn, `spoken` is said
    ("letter A", "digit key")."""

    spoken: str = ""
    units: float = 1.0  # share of the row's width

    def speech(self) -> str:
        return self.spoken or self.label


@dataclass
class ScreenModel:
    """One screen or overlay. `you_can` introduces the choices when they are spoken."""

    name: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    nav: list[Action] = field(default_factory=list)
    you_can: str = "You can touch:"
    scroll_up: str = "Scroll up"      # the two buttons that move a long page (no drag)
    scroll_down: str = "See more"

    def visible_texts(self) -> list[str]:
        """Every text drawn on the screen (besides the accessibility bar)."""
        texts = [self.title]
        for block in self.blocks:
            texts += [t for t in (block.title, *block.items) if t]
        for action in self.actions + self.nav:
            texts += [t for t in (action.label, action.detail) if t]
        return texts

    def spoken_content(self) -> list[str]:
        """The title and the content, in reading order, as the speaker says them."""
        parts = [self.title]
        for block in self.blocks:
            if block.title:
                parts.append(block.title)
            if block.kind == "steps":
                parts += [f"{i}. {item}" for i, item in enumerate(block.items, 1)]
            else:
                parts += list(block.items)
        return parts

    def speech(self) -> str:
        """What the speaker says on entering the screen: title, content, then the choices."""
        return "\n".join(text for text, _lang in self.speech_parts())

    def speech_parts(self) -> list[tuple[str, str]]:
        """The speech as (text, language) parts: '' is the screen's language; a choice whose
        label is in another language (a language's own name) is a part of its own."""
        lines = [sentence(p) for p in self.spoken_content() if p]
        choices = self.actions + self.nav
        if not choices:
            return [("\n".join(lines), "")]
        parts: list[tuple[str, str]] = []
        run = self.you_can
        for i, action in enumerate(choices):
            sep = " " if i == 0 else " ; "
            if action.lang:
                lines.append(sentence(run + sep.rstrip()) if run.strip() else "")
                parts.append(("\n".join(line for line in lines if line), ""))
                parts.append((action.speech(), action.lang))
                lines, run = [], ""
            else:
                run = (run + sep + action.speech()) if run else action.speech()
        if run:
            lines.append(sentence(run))
        if lines:
            parts.append(("\n".join(lines), ""))
        return [(text, lang) for text, lang in parts if text]


def localised(model: ScreenModel, _: Translate) -> ScreenModel:
    """Set the words every screen shares (the choices' introduction, the scroll buttons) in the
    language on screen."""
    model.you_can = _("You can touch:")
    model.scroll_up, model.scroll_down = _("Scroll up"), _("See more")
    return model
