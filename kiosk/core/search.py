"""Typed search: an on-screen keyboard's keys → text → matching démarches as big buttons.

Pure Python, no Kivy. `SearchState` holds what the citizen typed (in memory only, wiped with the
session) and which key page is shown; `find_demarches()` asks the intent matcher for démarches
only; `search_screen()` builds the screen model the journey returns for the "search" screen.

Single taps only: accented letters are on a second key page reached with one key ("page"), never
through a long press or a drag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

from kiosk import paths
from kiosk.core.keyboard_layouts import TYPABLE as KEYBOARD_TYPABLE, capitals, layout_for
from kiosk.core.screen import Action, Block, KeyAction, ScreenModel, Translate, sentence

if TYPE_CHECKING:   # the matcher is loaded when first searched or spoken to, not at start
    from kiosk.core.intents import IntentMatcher

LETTERS, ACCENTS = "letters", "accents"
BACKSPACE, SPACE, CLEAR, PAGE = "backspace", "space", "clear", "page"
COMMANDS = (BACKSPACE, SPACE, CLEAR, PAGE)

# The letters of each language's keyboard: kiosk/core/keyboard_layouts.py.
TYPABLE = KEYBOARD_TYPABLE

MAX_LENGTH = 60          # a search is a few words; longer input is ignored, not an error
MAX_RESULTS = 4
MIN_SCORE = 1.0          # one keyword is enough to show a result (the person then chooses)
KEEP_RATIO = 0.45        # results scoring below this share of the best are left out
MIN_PREFIX = 3           # a word being typed is completed from 3 letters on ("vit" → "vitale")
MAX_COMPLETIONS = 12


# ---- state -------------------------------------------------------------------------------------

@dataclass
class SearchState:
    """What the person typed and which key page is shown. Never logged, wiped with the session."""

    text: str = ""
    page: str = LETTERS
    echo: str = ""  # the key just pressed, said once with the next screen (see take_echo)

    def press(self, key: str) -> None:
        """Apply one key: a character of TYPABLE, or backspace, space, clear, page.

        Raises ValueError for anything else (like any unknown journey event)."""
        if key == BACKSPACE:
            self.text = self.text[:-1]
        elif key == CLEAR:
            self.text = ""
        elif key == SPACE:
            # no leading or doubled spaces: a stray tap must not hide the next word
            if self.text and not self.text.endswith(" ") and len(self.text) < MAX_LENGTH:
                self.text += " "
        elif key == PAGE:
            self.page = ACCENTS if self.page == LETTERS else LETTERS
        elif len(key) == 1 and key.lower() in TYPABLE:
            if len(self.text) < MAX_LENGTH:
                self.text += key.lower()
        else:
            raise ValueError(f"unknown key {key!r}")
        self.echo = key.lower() if len(key) == 1 else key

    def clear(self) -> None:
        """A new search: nothing typed, letters page."""
        self.text, self.page, self.echo = "", LETTERS, ""

    def take_echo(self) -> str:
        """The key pressed since the last screen was built, once: the screen right after a key
        says that key and the new results, any later one (back, contrast…) says everything."""
        echo, self.echo = self.echo, ""
        return echo


# ---- matching ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    id: str
    score: float


@lru_cache(maxsize=8)   # one per language offered
def matcher_for(language: str) -> IntentMatcher:
    """The intent matcher of a language, loaded once; French when that language has no lexicon."""
    from kiosk.core.intents import IntentMatcher

    if not (paths.ASSETS / f"intents-lexicon.{language}.toml").exists():
        language = "fr"
    return IntentMatcher.load(language)


def _completions(matcher: IntentMatcher, text: str) -> list[str]:
    """The text with its last, unfinished word completed by words of the lexicon ("carte vit" →
    "carte vitale"), so results show while typing. Nothing when the word is complete or short."""
    if not text or text.endswith((" ", "'", "-")):
        return []
    head, _, last = text.rpartition(" ")
    last = matcher.normaliser.fold(last)   # the language's own folding, as matching does
    known = matcher.normaliser.known
    if len(last) < MIN_PREFIX or not last.isalpha() or last in known:
        return []
    words = sorted((w for w in known if w.startswith(last)), key=lambda w: (len(w), w))
    return [f"{head} {w}".strip() for w in words[:MAX_COMPLETIONS]]


def find_demarches(text: str, demarche_ids: Iterable[str], matcher: IntentMatcher,
                   limit: int = MAX_RESULTS) -> list[Result]:
    """Démarches (kind "demarche", among `demarche_ids`) matching typed text, best first."""
    allowed = frozenset(i for i in demarche_ids if matcher.kinds.get(i) == "demarche")
    if not text.strip() or not allowed:
        return []
    # The text as typed, and with its last word completed each way the lexicon allows: the
    # reading that finds the strongest match wins (ties: as typed, then the shortest word), so a
    # rare completion ("vit" → "viticulteur") cannot push its démarche in front of "vitale".
    ranked: list[tuple[str, float]] = []
    for variant in [text] + _completions(matcher, text):
        scores = sorted(matcher.scores(variant, only=allowed).items(), key=lambda kv: (-kv[1], kv[0]))
        if scores and (not ranked or scores[0][1] > ranked[0][1]):
            ranked = scores
    if not ranked or ranked[0][1] < MIN_SCORE:
        return []
    top = ranked[0][1]
    return [Result(i, round(s, 3)) for i, s in ranked if s >= KEEP_RATIO * top][:limit]


# ---- the screen --------------------------------------------------------------------------------

@dataclass
class SearchModel(ScreenModel):
    """The search screen: the usual model plus the typed text and the keyboard.

    `actions` are the results (and the mediator when nothing matches); `keys` are rows of keys,
    in reading order. The keys are not listed in the speech on entering (each says itself when
    focused or pressed); the speech names the keyboard once."""

    field_label: str = ""
    typed: str = ""               # as shown in the field (capitals, like the keys)
    keys: list[list[KeyAction]] = field(default_factory=list)
    field_speech: str = ""        # "Your search: CARTE" or "Your search is empty."
    keyboard_speech: str = ""
    echo: str = ""                # the key just pressed, said first

    def visible_texts(self) -> list[str]:
        texts = super().visible_texts()
        texts.append(self.field_label)
        if self.typed:
            texts.append(self.typed)
        # word keys are drawn words; single characters are spoken as "lettre A" on focus
        texts += [k.label for row in self.keys for k in row if len(k.label) > 1]
        return texts

    def speech(self) -> str:
        """On entering: title, what is written, the blocks, the choices, then the keyboard.
        Right after a key: that key, what is written now and what it finds (short: the next key
        interrupts it)."""
        written = self.field_speech
        parts = [self.echo, written] if self.echo else [self.title, written]
        for block in self.blocks:
            parts += [block.title, *block.items]
        choices = [a.speech() for a in (self.actions if self.echo else self.actions + self.nav)]
        if choices:
            parts.append(self.you_can + " " + " ; ".join(choices))
        if not self.echo:
            parts.append(self.keyboard_speech)
        return "\n".join(sentence(p) for p in parts if p)


def _key_rows(_: Translate, page: str, language: str = "fr") -> list[list[KeyAction]]:
    """The keys of the page shown, in the language's layout, then Space and Clear all."""
    layout = layout_for(language)
    letter = _("letter {letter}")
    names = {"'": _("apostrophe"), "-": _("hyphen")}

    def char_key(c: str, units: float = 1.0) -> KeyAction:
        spoken = names.get(c) or letter.format(letter=capitals(c, language))
        return KeyAction(f"key:{c}", capitals(c, language), "", "normal", spoken=spoken, units=units)

    erase = KeyAction(f"key:{BACKSPACE}", _("Erase"), "delete", "normal",
                      spoken=_("Erase the last letter"), units=3)
    rows_src = layout.letters if page == LETTERS else layout.marks
    rows = [[char_key(c) for c in row] for row in rows_src]
    if page == ACCENTS:
        rows[-1] = [char_key(c, 2) for c in rows_src[-1]]
    rows[-1].append(erase)
    if page == LETTERS:
        page_key = KeyAction(f"key:{PAGE}", layout.marks_key, "", "normal",
                             spoken=_("Letters with accents"), units=3)
    else:
        page_key = KeyAction(f"key:{PAGE}", layout.letters_key, "", "normal",
                             spoken=_("Letters without accents"), units=3)
    rows.append([
        page_key,
        KeyAction(f"key:{SPACE}", _("Space"), "", "normal", spoken=_("Space"), units=4),
        KeyAction(f"key:{CLEAR}", _("Clear all"), "x", "normal", spoken=_("Clear all"), units=3),
    ])
    return rows


def _echo(_: Translate, key: str, language: str = "fr") -> str:
    if key == BACKSPACE:
        return _("Erase the last letter")
    if key == CLEAR:
        return _("Clear all")
    if key == SPACE:
        return _("Space")
    if key == PAGE:
        return ""  # the page key's own effect is said by the page's keyboard sentence
    return {"'": _("apostrophe"), "-": _("hyphen")}.get(key) or \
        _("letter {letter}").format(letter=capitals(key, language))


def search_screen(_: Translate, language: str, state: SearchState, catalogue,
                  nav: list[Action] | None = None) -> SearchModel:
    """The screen model of the search screen for what `state` holds.

    `_` translates (English msgids), `language` picks the démarche titles and the matcher,
    `catalogue` says which démarches exist, `nav` is the journey's usual navigation row."""
    key = state.take_echo()
    typed = capitals(state.text, language)
    results = find_demarches(state.text, catalogue.demarches, matcher_for(language))
    blocks: list[Block] = []
    actions: list[Action] = []
    if not state.text.strip():
        blocks.append(Block("text", items=(_("Write what you need with the keyboard. "
                                             "The procedures that match appear here."),)))
    elif results:
        # no "touch your procedure" line: the results are the message, and in landscape every
        # line above them hides one
        for r in results:
            d = catalogue.demarches[r.id]
            actions.append(Action(f"demarche:{r.id}", d.text(language).title, d.pictogram, "normal"))
        actions.append(Action("dont-know", _("It is not in the list"), "circle-help", "urgent",
                              _("A person helps you")))
    else:
        blocks.append(Block("notice", items=(_("No procedure matches what you wrote. Check the "
                                               "word, or ask a person: the mediator can help you."),)))
        actions.append(Action("dont-know", _("Ask a person"), "circle-help", "urgent",
                              _("A person helps you")))
    keys = _key_rows(_, state.page, language)
    page_key = keys[-1][0].label
    words = {"erase": _("Erase"), "space": _("Space"), "clear": _("Clear all"), "page": page_key}
    page_sentence = (_("The keyboard has the letters, {erase}, {space} and {clear}. "
                       "The key {page} shows the letters with accents.").format(**words)
                     if state.page == LETTERS else
                     _("The keyboard shows the letters with accents, {erase}, {space} and "
                       "{clear}. The key {page} brings back the other letters.").format(**words))
    model = SearchModel(
        "search", _("Search for a procedure"), blocks, actions, list(nav or []),
        field_label=_("Your search"), typed=typed, keys=keys,
        field_speech=(_("Your search: {text}").format(text=typed) if typed
                      else _("Your search is empty.")),
        keyboard_speech=page_sentence,
        echo=_echo(_, key, language) if key else "",
    )
    if key == PAGE:
        model.echo = page_sentence
    return model
