"""Intent matching: recognised or typed text → one id of assets/intents.tsv, with a confidence.

Pure Python, no model download, well under a millisecond per utterance. The knowledge lives in a
per-language lexicon (assets/intents-lexicon.<lang>.toml): for each id, the phrases people use to
name it, with weights; its [language] table says how that language is normalised. Matching works
on normalised tokens:

  text → at most MAX_TEXT characters, lowercase, marks folded where the language wants it
         (accents; Arabic harakat), the language's replacements (Arabic alef forms, Turkish
         dotless i…), Unicode words (any script), apostrophes as the language uses them,
         attached prefixes stripped (Arabic), letters spelled one by one merged ("r s a" →
         "rsa"), digits spelled out where the language has number words
       → fillers dropped, function words kept as "weak" tokens
       → irregular forms brought to a lemma, then the language's light suffix stripping
  phrase match: the phrase's tokens in order, at most two other tokens between them; a token
  matches exactly, or fuzzily (one edit, or same rough sound) at a lower weight, which absorbs
  typing mistakes and a recogniser's near misses.
  score of an id: sum of its matched phrases that do not overlap (heaviest first), minus its
  negative phrases. Confidence mixes the amount of evidence with the margin over the others.

`decide()` turns that into what the kiosk does: "sure" (go), "ask" (show the best two or three
guesses as big buttons) or "none" (say it did not understand, offer the mediator).
A command needs the utterance to be mostly its own words (COMMAND_MAX_OTHER), and "sure" needs
stronger evidence when many words of the utterance are not explained by the best id's phrases
(SURE_FREE_WORDS, SURE_EXTRA): a situation told in a long sentence is asked, not assumed.

Work per call is bounded whatever the input: the text is cut at MAX_TEXT characters, a "word"
longer than MAX_WORD is no word, at most MAX_TOKENS tokens are matched. `cost()` counts the work
of one call, so tests can check the bound without timing anything.

`language_request()` recognises a request to switch language by the language's name, in any of
the kiosk's languages ("english", "en español", "العربية").
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kiosk import paths

SURE, ASK, NONE = "sure", "ask", "none"

MAX_TEXT = 500      # characters of an utterance considered; the rest is cut
MAX_WORD = 40       # a longer run of letters is no word a person says: it is dropped
MAX_TOKENS = 60     # tokens matched after dropping fillers

_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "ʻ": "'",
                              "′": "'", "＇": "'"})
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
# decimal digits of any script → ASCII ("٣" → "3")
_DIGITS = {c: str(unicodedata.decimal(chr(c))) for r in ((0x660, 0x66A), (0x6F0, 0x6FA),
                                                        (0x966, 0x970), (0xFF10, 0xFF1A))
           for c in range(*r)}
_MAX_GAP = 2       # content words a phrase may skip between two of its words
_MAX_SKIP = 3      # words in all (function words included) it may skip there
_SPREAD_FACTOR = 0.1  # evidence lost per content word skipped beyond the first: far apart says less
_FUZZY_FACTOR = 0.75
# A command ("aide", "répéter", "terminer") said inside a longer sentence is usually a word of
# that sentence, not a command: "mon récépissé se termine à la fin du mois", "help me with my
# rent". A command id is kept only when at most this many content words of the utterance are
# outside its phrases. None: no limit.
COMMAND_MAX_OTHER: int | None = 3
# Being sure of a long sentence takes more: when more than SURE_FREE_WORDS content words of the
# utterance lie outside the best id's phrases, its score must reach the language's sure_score
# plus SURE_EXTRA to be decided as sure (else the kiosk asks). Fresh phrasings that describe a
# situation were decided as sure on one word of a long sentence ("puedo dejar aquí el carrito
# del bebé" → family benefits); short requests ("mon passeport il est fini") are not touched.
SURE_FREE_WORDS = 1
SURE_EXTRA = 2.0
# A function word is matched only by a function word: "as" (you have) is not "ASS" (a benefit
# whose doubled letter folds away), so weak stems carry this mark inside the matcher.
_WEAK = "~"

_FR_UNITS = ["zero", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
             "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix sept",
             "dix huit", "dix neuf"]
_FR_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


@dataclass(frozen=True)
class Candidate:
    id: str
    confidence: float
    score: float
    kind: str  # "demarche" or "command"
    exact: bool = True  # some of its evidence was said as written, not only guessed from a near word


@dataclass(frozen=True)
class Decision:
    status: str  # SURE, ASK or NONE
    candidates: tuple[Candidate, ...]  # SURE: one; ASK: 1–3 guesses, best first; NONE: empty
    text: str = ""

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True)
class _Phrase:
    intent: str
    tokens: tuple[str, ...]
    weight: float
    alone: bool
    content: int  # how many of its tokens are content words


@dataclass
class _Tok:
    stem: str
    weak: bool


class _Work:
    """Counts elementary steps of one call (characters folded, fuzzy candidates, match steps)."""

    __slots__ = ("n",)

    def __init__(self) -> None:
        self.n = 0


@dataclass
class Language:
    """Everything about one language the normaliser needs, read from the lexicon's [language]."""

    code: str
    elisions: frozenset[str] = frozenset()
    drop: frozenset[str] = frozenset()
    weak: frozenset[str] = frozenset()
    forms: dict[str, str] = field(default_factory=dict)
    suffixes: tuple[str, ...] = ()
    min_stem: int = 4
    stem_passes: int = 1             # suffixes stripped one after the other (Turkish stacks them)
    final: dict[str, str] = field(default_factory=dict)  # last letter of a stem ("kimliğ" → "kimlik")
    fold_marks: bool = True          # accents (and Arabic harakat) removed
    replace: tuple[tuple[str, str], ...] = ()   # after folding, before splitting into words
    apostrophe: str = "split"        # "split": two words · "join": one word · "head": keep the head
    prefixes: tuple[str, ...] = ()   # attached prefixes stripped from a word (Arabic "ال", "وال"…)
    min_prefix_rest: int = 3
    numbers: str | tuple[str, ...] = ()  # "fr" (0–99 spelled), words for 0…n, or none
    sounds: tuple[tuple[str, str], ...] = ()
    sound_strip: str = ""
    fuzzy_min_length: int = 6
    # suffixes starting with one of these letters only follow a vowel (Turkish buffer letters:
    # "araba-sı" but "geçmiş-i", so "geçmişi" is not "geçm" + "si")
    after_vowel: str = ""
    vowels: str = "aeiou"
    # letters a word may carry at its end with no meaning of their own for the matcher, taken off
    # only when what remains is a word the lexicon knows (Maghrebi negation "ma … ch":
    # "ما رجعوليش" is "رجعولي" said negatively, the démarche is the same)
    clitics: tuple[str, ...] = ()
    # a word's ending rewritten to another (a conjugated verb to its infinitive: Portuguese
    # "mudámos" → "mudar", Spanish "cambié" → "cambiar"), only when the word is unknown to the
    # lexicon and the rewritten word is known, longest ending first
    endings: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_table(cls, table: dict) -> "Language":
        code = str(table["code"])
        marks = bool(table.get("fold_marks", True))

        def f(word: str) -> str:
            return fold(word, marks)

        numbers = table.get("numbers", ())
        numbers = numbers if isinstance(numbers, str) else tuple(f(w) for w in numbers)
        replace = tuple((f(k), v) for k, v in table.get("replace", {}).items())
        return cls(
            code=code,
            elisions=frozenset(f(w) for w in table.get("elisions", ())),
            drop=frozenset(f(w) for w in table.get("drop", ())),
            weak=frozenset(f(w) for w in table.get("weak", ())),
            forms={f(k): f(v) for k, v in table.get("forms", {}).items()},
            suffixes=tuple(sorted((f(s) for s in table.get("suffixes", ())), key=len, reverse=True)),
            min_stem=int(table.get("min_stem", 4)),
            stem_passes=max(1, min(4, int(table.get("stem_passes", 1)))),
            final={f(k): f(v) for k, v in table.get("final", {}).items()},
            fold_marks=marks,
            replace=replace,
            apostrophe=str(table.get("apostrophe", "split")),
            prefixes=tuple(sorted((f(p) for p in table.get("prefixes", ())), key=len, reverse=True)),
            min_prefix_rest=int(table.get("min_prefix_rest", 3)),
            numbers=numbers,
            sounds=tuple((f(a), f(b)) for a, b in table.get("sounds", ())),
            sound_strip=f(str(table.get("sound_strip", ""))),
            fuzzy_min_length=int(table.get("fuzzy_min_length", 6)),
            after_vowel=f(str(table.get("after_vowel", ""))),
            vowels=f(str(table.get("vowels", "aeiou"))),
            clitics=tuple(f(c) for c in table.get("clitics", ())),
            endings=tuple(sorted(((f(a), f(b)) for a, b in table.get("endings", ())),
                                 key=lambda e: len(e[0]), reverse=True)),
        )

    def number_words(self, digits: str) -> list[str]:
        if not self.numbers or len(digits) > 2:
            return [digits]
        n = int(digits)
        if self.numbers != "fr":
            return [self.numbers[n]] if n < len(self.numbers) else [digits]
        if n < 20:
            return _FR_UNITS[n].split()
        tens, unit = divmod(n, 10)
        if tens in _FR_TENS:
            head = [_FR_TENS[tens]]
            if unit == 1:
                return head + ["et", "un"]
            return head + (_FR_UNITS[unit].split() if unit else [])
        if tens == 7:
            return ["soixante"] + _FR_UNITS[10 + unit].split()
        if tens == 8:
            return ["quatre", "vingt"] + (_FR_UNITS[unit].split() if unit else [])
        return ["quatre", "vingt"] + _FR_UNITS[10 + unit].split()


_CYRILLIC_MARKS = {"\u0306", "\u0308"}  # breve (й) and diaeresis (ї, ё) make letters of their own


def fold(text: str, marks: bool = True) -> str:
    """Lowercase, straight apostrophes, ASCII digits; accents and other marks removed. With
    `marks` False, Cyrillic letters made with a mark ("й", "ї") stay whole; Latin accents and
    stray marks (stress) still go."""
    text = text.lower().translate(_APOSTROPHES).translate(_LIGATURES).translate(_DIGITS)
    text = unicodedata.normalize("NFKD", text)
    if marks:
        return "".join(c for c in text if not unicodedata.combining(c))
    out: list[str] = []
    for c in text:
        if not unicodedata.combining(c):
            out.append(c)
        elif c in _CYRILLIC_MARKS and out and "\u0400" <= out[-1] <= "\u04ff":
            out.append(c)
    return unicodedata.normalize("NFC", "".join(out))


class Normaliser:
    def __init__(self, language: Language, known: set[str] | None = None):
        self.lang = language
        self.known = known or set()  # merged-letter words worth keeping (acronyms of the lexicon)
        self.vocab: set[str] = set()  # content stems of the lexicon (set once it is read)
        self._stem = lru_cache(maxsize=20000)(self._stem_uncached)

    def fold(self, text: str) -> str:
        """The language's folding: marks, then its own replacements."""
        text = fold(text[:MAX_TEXT], self.lang.fold_marks)
        for a, b in self.lang.replace:
            if a in text:
                text = text.replace(a, b)
        return text

    def raw_words(self, text: str) -> list[str]:
        """Folded words as written: apostrophes handled, no prefix stripped, nothing merged."""
        lang = self.lang
        out: list[str] = []
        for chunk in self.fold(text).split():
            if "'" in chunk:
                head, _, rest = chunk.partition("'")
                if head in lang.elisions:  # "l'aspa" → "aspa"
                    chunk = rest
                elif lang.apostrophe == "join":  # "don't" → "dont", "пам'ять" → "память"
                    chunk = chunk.replace("'", "")
                elif lang.apostrophe == "head":  # Turkish "CAF'a" → "caf"
                    chunk = head
            out.extend(w for w in _WORD.findall(chunk) if len(w) <= MAX_WORD)
        return out

    def words(self, text: str) -> list[str]:
        """Folded words, elisions and prefixes dropped, digits spelled, spelled letters merged."""
        lang = self.lang
        out: list[str] = []
        for raw in self.raw_words(text):
            if raw.isdigit():
                out.extend(lang.number_words(raw))
            else:
                out.append(self._unprefix(raw))
        out = self._merge_letters(out)
        if any(w in lang.forms for w in out):
            out = [x for w in out for x in lang.forms.get(w, w).split()]
        return out

    def _unprefix(self, word: str) -> str:
        lang = self.lang
        if not lang.prefixes or word in lang.forms or word in lang.drop or word in lang.weak:
            return word
        for p in lang.prefixes:
            if word.startswith(p) and len(word) - len(p) >= lang.min_prefix_rest:
                return word[len(p):]
        return word

    def _merge_letters(self, words: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(words):
            j = i
            while j < len(words) and len(words[j]) == 1 and words[j].isalpha():
                j += 1
            if j - i >= 2:
                merged = "".join(words[i:j])
                if merged in self.known:
                    out.append(merged)
                    i = j
                    continue
                if merged[0] in "ld" and merged[1:] in self.known:  # "l a r e" → "are"
                    out.append(merged[1:])
                    i = j
                    continue
            out.append(words[i])
            i += 1
        return out

    def tokens(self, text: str) -> list[_Tok]:
        lang = self.lang
        toks = []
        for w in self.words(text):
            if w in lang.drop:
                continue
            if w in lang.weak:
                toks.append(_Tok(w, True))
            else:
                stem = self._stem(w)
                if (lang.clitics or lang.endings) and self.vocab and stem not in self.vocab:
                    stem = self._unclitic(w, stem)
                toks.append(_Tok(stem, False))
            if len(toks) >= MAX_TOKENS:
                break
        return toks

    def _unclitic(self, word: str, stem: str) -> str:
        """`word` without a clitic of the language when that leaves a word the lexicon knows."""
        lang = self.lang
        for c in lang.clitics:
            if word.endswith(c) and len(word) - len(c) >= lang.min_stem:
                base = lang.forms.get(word[:-len(c)], word[:-len(c)])
                if " " not in base and self._stem(base) in self.vocab:
                    return self._stem(base)
        for end, new in lang.endings:
            if word.endswith(end) and len(word) - len(end) >= 2:
                base = word[:-len(end)] + new
                base = lang.forms.get(base, base)
                if " " not in base and len(base) >= lang.min_stem and self._stem(base) in self.vocab:
                    return self._stem(base)
        return stem

    def _stem_uncached(self, word: str) -> str:
        # doubled letters say the same thing ("allocation"/"alocation", "adresse"/"adrese")
        word = re.sub(r"(.)\1+", r"\1", word)
        lang = self.lang
        if len(word) <= lang.min_stem - 1 or not word.isalpha():
            return word
        for _ in range(lang.stem_passes):
            for suf in lang.suffixes:
                if (word.endswith(suf) and len(word) - len(suf) >= lang.min_stem
                        and (suf[0] not in lang.after_vowel
                             or word[len(word) - len(suf) - 1] in lang.vowels)):
                    word = word[:len(word) - len(suf)]
                    break
            else:
                break
        if lang.final and word[-1:] in lang.final:
            word = word[:-1] + lang.final[word[-1]]
        return word

    def sound_key(self, stem: str) -> str | None:
        """A rough sound key, to catch spellings that sound alike ("fisc"/"fisk"); None when the
        language defines no sound rules."""
        if not self.lang.sounds:
            return None
        s = stem
        for a, b in self.lang.sounds:
            s = s.replace(a, b)
        return s.rstrip(self.lang.sound_strip) or s


def _key(tok: _Tok) -> str:
    """How the matcher keys a token: a function word apart from any content stem."""
    return _WEAK + tok.stem if tok.weak else tok.stem


def _is_weak(option: dict[str, float]) -> bool:
    return len(option) == 1 and next(iter(option)).startswith(_WEAK)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """True when a and b differ by exactly one substitution, insertion, deletion or swap."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if abs(la - lb) != 1:
        return False
    if la < lb:
        a, b = b, a
    return any(a[:i] + a[i + 1:] == b for i in range(len(a)))


def lexicon_file(lang: str) -> Path:
    return paths.ASSETS / f"intents-lexicon.{lang}.toml"


def available_languages() -> list[str]:
    """Codes of the languages that have a lexicon, French first."""
    codes = sorted(p.name.split(".")[1] for p in paths.ASSETS.glob("intents-lexicon.*.toml"))
    return sorted(codes, key=lambda c: c != "fr")


class IntentMatcher:
    """Text → best ids. Build it once with `IntentMatcher.load(lang)`; it is read-only after."""

    def __init__(self, lexicon: dict, kinds: dict[str, str]):
        self.language = Language.from_table(lexicon["language"])
        self.kinds = dict(kinds)
        d = lexicon.get("decision", {})
        self.tau = float(d.get("tau", 2.5))
        self.sure = float(d.get("sure", 0.6))
        self.sure_score = float(d.get("sure_score", 3.0))
        self.min_score = float(d.get("min_score", 2.0))
        self.ask_ratio = float(d.get("ask_ratio", 0.45))
        self.max_guesses = int(d.get("max_guesses", 3))

        intents = lexicon.get("intents", {})
        unknown = sorted(set(intents) - set(kinds))
        missing = sorted(set(kinds) - set(intents))
        if unknown or missing:
            raise ValueError(f"lexicon ids do not match intents.tsv: unknown {unknown}, missing {missing}")

        # single words of the lexicon that may arrive spelled letter by letter
        plain = Normaliser(self.language)
        known = set()
        for entries in intents.values():
            for phrase in entries:
                known.update(w for w in plain.raw_words(phrase.lstrip("=")) if w.isalpha())
        self.normaliser = Normaliser(self.language, known)

        self.phrases: list[_Phrase] = []
        content_stems: set[str] = set()
        self._by_first: dict[str, list[_Phrase]] = {}
        for intent, entries in intents.items():
            for raw, weight in entries.items():
                alone = raw.startswith("=")
                toks = self.normaliser.tokens(raw.lstrip("="))
                if not toks:
                    raise ValueError(f"{intent}: phrase {raw!r} has no word left after normalising")
                phrase = _Phrase(intent, tuple(_key(t) for t in toks), float(weight), alone,
                                 sum(not t.weak for t in toks))
                content_stems.update(t.stem for t in toks if not t.weak)
                self.phrases.append(phrase)
                self._by_first.setdefault(phrase.tokens[0], []).append(phrase)

        # fuzzy lookup tables over the content stems of the lexicon
        self._vocab = content_stems
        self.normaliser.vocab = content_stems
        self._deletes: dict[str, set[str]] = {}
        self._sounds: dict[str, set[str]] = {}
        min_len = self.language.fuzzy_min_length
        for v in self._vocab:
            if len(v) >= min_len:
                for d in _deletes(v) | {v}:
                    self._deletes.setdefault(d, set()).add(v)
                key = self.normaliser.sound_key(v)
                if key is not None:
                    self._sounds.setdefault(key, set()).add(v)
        self._similar = lru_cache(maxsize=20000)(self._similar_uncached)

    # ── loading ──────────────────────────────────────────────────────────────────────────────
    @classmethod
    def load(cls, lang: str = "fr", lexicon_path: Path | None = None,
             intents_tsv: Path | None = None) -> "IntentMatcher":
        """The matcher of `lang`. FileNotFoundError names the missing lexicon when the language
        has none (see `available_languages()`)."""
        path = lexicon_path or lexicon_file(lang)
        if not path.is_file():
            raise FileNotFoundError(f"no intent word list for language {lang!r} ({path.name}); "
                                    f"languages with one: {', '.join(available_languages())}")
        with open(path, "rb") as f:
            lexicon = tomllib.load(f)
        return cls(lexicon, read_intent_kinds(intents_tsv or paths.INTENTS_TSV))

    # ── matching ─────────────────────────────────────────────────────────────────────────────
    def _similar_uncached(self, stem: str) -> tuple[dict[str, float], int]:
        """Lexicon stems this utterance stem stands for, with a factor (1 exact, less fuzzy), and
        the work it took."""
        if stem in self._vocab:
            return {stem: 1.0}, 1  # a word the lexicon knows is taken as said, never as a typo
        found: dict[str, float] = {}
        work = 1
        if len(stem) >= self.language.fuzzy_min_length:
            near = set(self._deletes.get(stem, ()))
            for d in _deletes(stem):
                near |= self._deletes.get(d, set())
            work += len(stem) * (len(stem) + 1) + len(near) * len(stem)
            for v in near:
                if _one_edit(stem, v):
                    found[v] = _FUZZY_FACTOR
            key = self.normaliser.sound_key(stem)
            if key is not None:
                for v in self._sounds.get(key, ()):
                    found.setdefault(v, _FUZZY_FACTOR)
                    work += 1
        return found, work

    def scores(self, text: str, only: set[str] | frozenset[str] | None = None) -> dict[str, float]:
        return self._scores(text, only, _Work(), None)

    def cost(self, text: str, only: set[str] | frozenset[str] | None = None) -> int:
        """Elementary steps one call on `text` takes (characters folded, fuzzy candidates tried,
        phrase positions scanned): bounded whatever the text, which tests check without timing."""
        work = _Work()
        self._scores(text, only, work, None)
        return work.n

    def _scores(self, text: str, only, work: _Work, exact: set[str] | None,
                unexplained: dict[str, int] | None = None) -> dict[str, float]:
        """Score of each id; ids with evidence said exactly (not only near words) go in `exact`;
        how many content words of the utterance lie outside each id's phrases, in `unexplained`."""
        work.n += min(len(text), MAX_TEXT)
        toks = self.normaliser.tokens(text)
        if not toks:
            return {}
        # per position: lexicon stems it can stand for
        options: list[dict[str, float]] = []
        for t in toks:
            if t.weak:
                options.append({_key(t): 1.0})
                work.n += 1
            else:
                found, w = self._similar(t.stem)
                options.append(found)
                work.n += w

        matches: dict[str, list[tuple[float, frozenset[int], _Phrase, bool]]] = {}
        negatives: dict[str, float] = {}
        for i, opts in enumerate(options):
            for first, factor0 in opts.items():
                for phrase in self._by_first.get(first, ()):
                    if only is not None and phrase.intent not in only:
                        continue
                    hit = self._match_at(phrase, options, i, factor0, work)
                    if hit is None:
                        continue
                    factor, positions, said_exactly = hit
                    if phrase.weight < 0:
                        negatives[phrase.intent] = min(negatives.get(phrase.intent, 0.0), phrase.weight)
                        continue
                    matches.setdefault(phrase.intent, []).append(
                        (phrase.weight * factor, positions, phrase, said_exactly))

        # a "=" phrase counts only if the utterance says nothing else than this id's phrases
        # ("oui d'accord" is fine, "aide au logement" is not a call for help); decided first, so
        # that a dropped "=" phrase hides nothing inside it
        for intent, found in matches.items():
            work.n += len(found)
            said = frozenset().union(*(m[1] for m in found))
            uncovered = sum(1 for j, t in enumerate(toks) if not t.weak and j not in said)
            matches[intent] = [m for m in found if not m[2].alone
                               or uncovered <= (1 if m[2].content >= 2 else 0)]

        # a match inside a longer match of another id is no evidence for it: in "carte vitale",
        # "carte" says nothing about the identity card
        spans_at: dict[int, set[frozenset[int]]] = {}
        for found in matches.values():
            for m in found:
                if len(m[1]) > 1:
                    for p in m[1]:
                        spans_at.setdefault(p, set()).add(m[1])
        if spans_at:
            for intent in list(matches):
                kept = []
                for m in matches[intent]:
                    around = spans_at.get(min(m[1]), ())
                    work.n += len(around)
                    if not any(m[1] < other for other in around):
                        kept.append(m)
                matches[intent] = kept

        result: dict[str, float] = {}
        for intent, found in matches.items():
            if not found:
                continue
            found.sort(key=lambda m: (-m[0], -len(m[1])))
            used: set[int] = set()
            total = 0.0
            any_exact = False
            for weight, positions, _, said_exactly in found:
                if used.isdisjoint(positions):
                    used |= positions
                    total += weight
                    any_exact = any_exact or said_exactly
            total += negatives.get(intent, 0.0)
            other = sum(1 for j, t in enumerate(toks) if not t.weak and j not in used)
            if (COMMAND_MAX_OTHER is not None and self.kinds.get(intent) == "command"
                    and other > COMMAND_MAX_OTHER):
                continue
            if unexplained is not None:
                unexplained[intent] = other
            if total > 0:
                result[intent] = total
                if any_exact and exact is not None:
                    exact.add(intent)
        return result

    @staticmethod
    def _match_at(phrase: _Phrase, options: list[dict[str, float]], start: int,
                  factor: float, work: _Work) -> tuple[float, frozenset[int], bool] | None:
        """Where `phrase` matches from `start`: its tokens in order, skipping at most _MAX_GAP
        content words between two of them; spoken function words ("ma retraite elle est trop
        petite") are skipped too, up to _MAX_SKIP words in all."""
        positions = [start]
        last = start
        gap = 0 if phrase.content == 0 else _MAX_GAP
        skip = 0 if phrase.content == 0 else _MAX_SKIP
        spread = 0
        for tok in phrase.tokens[1:]:
            content_skipped = 0
            j = last + 1
            while j < len(options) and j - last - 1 <= skip:
                work.n += 1
                f = options[j].get(tok)
                if f is not None:
                    factor = min(factor, f)
                    positions.append(j)
                    last = j
                    spread += content_skipped
                    break
                if not _is_weak(options[j]):
                    content_skipped += 1
                    if content_skipped > gap:
                        return None
                j += 1
            else:
                work.n += 1
                return None
        return (factor * max(0.5, 1.0 - _SPREAD_FACTOR * max(0, spread - 1)), frozenset(positions),
                factor == 1.0)

    def match(self, text: str, limit: int = 5,
              only: set[str] | frozenset[str] | None = None) -> list[Candidate]:
        """The best ids for `text`, best first, with a confidence in [0, 1]. `only` restricts
        the ids considered (e.g. the answers a screen accepts)."""
        return self._match(text, limit, only, None)

    def _match(self, text: str, limit: int, only, unexplained: dict[str, int] | None) -> list[Candidate]:
        exact: set[str] = set()
        scores = self._scores(text, only, _Work(), exact, unexplained)
        if not scores:
            return []
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        pool = sum(s for _, s in ranked[:3])
        out = []
        for intent, s in ranked[:limit]:
            conf = (1.0 - math.exp(-s / self.tau)) * (s / pool)
            out.append(Candidate(intent, round(conf, 4), round(s, 3), self.kinds.get(intent, ""),
                                 intent in exact))
        return out

    def decide(self, text: str, only: set[str] | frozenset[str] | None = None) -> Decision:
        """What the kiosk should do with `text`: SURE (one id), ASK (2–3 guesses), NONE."""
        unexplained: dict[str, int] = {}
        cands = self._match(text, max(self.max_guesses, 3), only, unexplained)
        if not cands or cands[0].score < self.min_score:
            return Decision(NONE, (), text)
        best = cands[0]
        sure_score = self.sure_score
        if unexplained.get(best.id, 0) > SURE_FREE_WORDS:
            sure_score += SURE_EXTRA
        # only near words ("голодний" for "головний") may be a guess, never a certainty
        if best.confidence >= self.sure and best.score >= sure_score and best.exact:
            return Decision(SURE, (best,), text)
        guesses = tuple(c for c in cands if c.score >= self.ask_ratio * best.score
                        and c.score >= self.min_score / 2)[: self.max_guesses]
        return Decision(ASK, guesses, text)


def read_intent_kinds(path: Path) -> dict[str, str]:
    """id → kind ("demarche"/"command") from intents.tsv."""
    kinds: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        i_id, i_kind = header.index("id"), header.index("kind")
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) > max(i_id, i_kind) and cols[i_id]:
                kinds[cols[i_id]] = cols[i_kind]
    return kinds


# ── a request to switch language, by the language's name ─────────────────────────────────────

# How people name each kiosk language, in each of the kiosk's languages (folded when compared).
# Arabic names are given without the article: "الفرنسية", "بالفرنسية" lose it before comparing.
LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "fr": ("français", "francais", "french", "francés", "francês", "frances", "fransızca",
           "franceza", "franceză", "французька", "французькою", "французьку", "французский",
           "فرنسية", "فرنسي", "فرنساوية", "فرنساوي", "فرونسي"),
    "en": ("anglais", "english", "inglés", "inglês", "ingles", "ingilizce", "engleza", "engleză",
           "англійська", "англійською", "англійську", "английский", "انجليزية", "انجليزي",
           "انكليزية", "انكليزي", "إنجليزية", "انقليزية", "نجليزية"),
    "ar": ("arabe", "arabic", "árabe", "arapça", "araba", "arabă", "арабська", "арабською",
           "арабську", "арабский", "عربية", "عربي", "عربيه"),
    "es": ("espagnol", "spanish", "español", "espanol", "espanhol", "castellano", "ispanyolca",
           "spaniola", "spaniolă", "іспанська", "іспанською", "іспанську", "испанский",
           "اسبانية", "إسبانية", "اسباني", "إسباني", "سبنيولية", "سبانيولية"),
    "pt": ("portugais", "portuguese", "português", "portugues", "portugués", "portekizce",
           "portugheza", "portugheză", "португальська", "португальською", "португальську",
           "португальский", "برتغالية", "برتغالي", "بورتغالية"),
    "tr": ("turc", "turque", "turkish", "türkçe", "turkce", "turco", "turca", "turcă", "turceste",
           "турецька", "турецькою", "турецьку", "турецкий", "تركية", "تركي"),
    "ro": ("roumain", "romanian", "română", "romana", "rumano", "rumana", "romeno", "romena",
           "romence", "rumence", "românește", "romaneste", "румунська", "румунською", "румунську",
           "румынский", "رومانية", "روماني"),
    "uk": ("ukrainien", "ukrainian", "українська", "українською", "українську", "украинский",
           "ucraniano", "ucraniana", "ukraynaca", "ucraineana", "ucraineană", "أوكرانية",
           "اوكرانية", "اوكراني", "أوكراني"),
}

# Words that may stand beside a language's name in a request for it ("in english please",
# "je veux parler arabe", "por favor en español", "türkçe lütfen", "українською будь ласка").
_LANGUAGE_REQUEST_WORDS = """
en le la l les langue parler parle parlez je j veux voudrais voudrait mettre passer changer moi
svp s il sil vous plait plaît oui merci bonjour est ce que possible c mode version peut on
in the a an please i speak talk want would like to language change switch put can we you yes
hello do only my mine thanks
el la idioma lengua hablo habla hablar quiero cambiar a por favor yo hola si sí gracias puede
em o a língua lingua idioma falo fala falar quero mudar para por favor eu olá ola sim obrigado
dil dili dilinde dilde konuşuyorum konuşmak konuş lütfen istiyorum ben merhaba evet değiştir
olsun
în in limba limbă vorbesc vorbiți vorbi vreau vă va rog eu da bună buna schimbă schimba
я розмовляю говорю говорити мова мову мовою будь ласка хочу на змінити так привіт по можна
لغه اللغه لغة اللغة اتكلم أتكلم نتكلم تكلم اريد أريد بغيت من فضلك انا أنا نعم مرحبا ب بال عفاك
"""
_NEGATIONS = """
pas ne non not dont doesnt cant no nu не ні لا ما مش مانيش değil degil bilmiyorum
konuşmuyorum konuşamıyorum anlamıyorum não nao
"""


def _fold_any(text: str) -> list[str]:
    """Words of `text` folded the same way whatever the language (for names of languages)."""
    text = fold(text[:MAX_TEXT]).replace("ı", "i")
    for a, b in (("ٱ", "ا"), ("ى", "ي"), ("ة", "ه"), ("ـ", ""), ("'", "")):
        text = text.replace(a, b)
    words = []
    for w in _WORD.findall(text):
        for p in ("بال", "وال", "فال", "لل", "ال"):  # Arabic article and attached prepositions
            if w.startswith(p) and len(w) - len(p) >= 3:
                w = w[len(p):]
                break
        words.append(w)
    return words


@lru_cache(maxsize=1)
def _language_tables() -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
    names = {w: code for code, forms in LANGUAGE_NAMES.items() for form in forms
             for w in _fold_any(form)}
    def each(words: str) -> frozenset[str]:
        return frozenset(f for w in words.split() for f in _fold_any(w))

    return names, each(_LANGUAGE_REQUEST_WORDS), each(_NEGATIONS)


def language_request(text: str) -> str | None:
    """The code of the kiosk language `text` asks for by name ("english", "en español", "je veux
    l'arabe", "українською будь ласка", "العربية"), else None.

    Strict on purpose: besides the name only words of a request may be said ("please", "speak",
    "in"…), so "permis français" or "je ne parle pas français" are no request; two different
    names, or a negation, give None."""
    names, request_words, negations = _language_tables()
    words = _fold_any(text)
    if not words or len(words) > 10:
        return None
    codes = {names[w] for w in words if w in names}
    if len(codes) != 1:
        return None
    if any(w in negations for w in words):
        return None
    if all(w in names or w in request_words for w in words):
        return codes.pop()
    return None
