"""Intent matching: recognised or typed text → one id of assets/intents.tsv, with a confidence.

Pure Python, no model download, well under a millisecond per utterance. The knowledge lives in a
per-language lexicon (assets/intents-lexicon.<lang>.toml): for each id, the phrases people use to
name it, with weights. Matching works on normalised tokens:

  text → lowercase, accents removed, apostrophes and hyphens split, elided articles dropped,
         letters spelled one by one merged ("r s a" → "rsa"), digits spelled out
       → articles/prepositions/fillers dropped, function words kept as "weak" tokens
       → irregular forms brought to a lemma, then a light suffix-stripping stemmer
  phrase match: the phrase's tokens in order, at most two other tokens between them; a token
  matches exactly, or fuzzily (one edit, or same rough sound) at a lower weight, which absorbs
  typing mistakes and a recogniser's near misses.
  score of an id: sum of its matched phrases that do not overlap (heaviest first), minus its
  negative phrases. Confidence mixes the amount of evidence with the margin over the others.

`decide()` turns that into what the kiosk does: "sure" (go), "ask" (show the best two or three
guesses as big buttons) or "none" (say it did not understand, offer the mediator).
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kiosk import paths

SURE, ASK, NONE = "sure", "ask", "none"

_SPLIT = re.compile(r"[^a-z0-9@.]+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
_MAX_GAP = 2
_FUZZY_FACTOR = 0.75
_MIN_FUZZY_LEN = 6

_FR_UNITS = ["zero", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
             "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix sept",
             "dix huit", "dix neuf"]
_FR_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}

# Longest first. Every suffix must leave at least 4 letters ("cafe" stays apart from "caf").
_SUFFIXES_FR = (
    "issements", "issement", "atrices", "ations", "itions", "ements", "atrice", "ateurs",
    "ation", "ition", "ement", "ateur", "euses", "ments", "ances", "ences", "ables", "ibles",
    "iques", "istes", "ment", "euse", "ance", "ence", "able", "ible", "ique", "iste", "ites",
    "ives", "eaux", "eres", "ite", "ive", "ifs", "eau", "aux", "ees", "ere", "ers", "ies",
    "if", "ee", "ie", "es", "er", "ez", "ir", "e", "s", "x",
)


@dataclass(frozen=True)
class Candidate:
    id: str
    confidence: float
    score: float
    kind: str  # "demarche" or "command"


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


@dataclass
class Language:
    """Everything about one language the normaliser needs, read from the lexicon file."""

    code: str
    elisions: frozenset[str]
    drop: frozenset[str]
    weak: frozenset[str]
    forms: dict[str, str]
    suffixes: tuple[str, ...] = _SUFFIXES_FR

    def number_words(self, digits: str) -> list[str]:
        if self.code != "fr" or len(digits) > 2:
            return [digits]
        n = int(digits)
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


def fold(text: str) -> str:
    """Lowercase, no accents, straight apostrophes."""
    text = text.lower().translate(_APOSTROPHES).translate(_LIGATURES)
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


class Normaliser:
    def __init__(self, language: Language, known: set[str] | None = None):
        self.lang = language
        self.known = known or set()  # merged-letter words worth keeping (acronyms of the lexicon)
        self._stem = lru_cache(maxsize=20000)(self._stem_uncached)

    def words(self, text: str) -> list[str]:
        """Folded words, elisions dropped, digits spelled, spelled letters merged."""
        lang = self.lang
        out: list[str] = []
        text = fold(text).replace("n°", " numero ")
        for chunk in text.split():
            # "l'aspa" → "aspa"; "aujourd'hui" stays one word
            if "'" in chunk:
                head, _, rest = chunk.partition("'")
                if head in lang.elisions or (head and head[-1:] in lang.elisions and len(head) == 1):
                    chunk = rest
                elif head == "aujourd":
                    chunk = "aujourdhui"
                else:
                    chunk = head + " " + rest
            for raw in _SPLIT.split(chunk.replace("'", " ")):
                raw = raw.strip(".")
                if not raw:
                    continue
                if raw.isdigit():
                    out.extend(lang.number_words(raw))
                elif "@" in raw or "." in raw:
                    out.extend(p for p in re.split(r"[.@]", raw) if p)
                else:
                    out.append(raw)
        out = self._merge_letters(out)
        if any(w in lang.forms for w in out):
            out = [x for w in out for x in lang.forms.get(w, w).split()]
        return out

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
                toks.append(_Tok(self._stem(w), False))
        return toks

    def _stem_uncached(self, word: str) -> str:
        # doubled letters say the same thing ("allocation"/"alocation", "adresse"/"adrese")
        word = re.sub(r"(.)\1+", r"\1", word)
        if len(word) <= 3 or not word.isalpha():
            return word
        for suf in self.lang.suffixes:
            if word.endswith(suf):
                keep = len(word) - len(suf)
                if keep >= 4:
                    return word[:keep]
        return word


def sound_key(stem: str) -> str:
    """A rough French sound key, to catch spellings that sound alike ("fisc"/"fisk")."""
    s = stem
    for a, b in (("ph", "f"), ("qu", "k"), ("ck", "k"), ("eau", "o"), ("au", "o"), ("ai", "e"),
                 ("ei", "e"), ("y", "i"), ("c", "k"), ("z", "s"), ("h", "")):
        s = s.replace(a, b)
    return s.rstrip("tdsxe") or s


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


class IntentMatcher:
    """Text → best ids. Build it once with `IntentMatcher.load(lang)`; it is read-only after."""

    def __init__(self, lexicon: dict, kinds: dict[str, str]):
        lang = lexicon["language"]
        self.language = Language(
            code=lang["code"],
            elisions=frozenset(lang["elisions"]),
            drop=frozenset(fold(w) for w in lang["drop"]),
            weak=frozenset(fold(w) for w in lang["weak"]),
            forms={fold(k): fold(v) for k, v in lang.get("forms", {}).items()},
        )
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
        known = set()
        for entries in intents.values():
            for phrase in entries:
                for w in fold(phrase.lstrip("=")).replace("-", " ").split():
                    if w.isalpha():
                        known.add(w)
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
                phrase = _Phrase(intent, tuple(t.stem for t in toks), float(weight), alone,
                                 sum(not t.weak for t in toks))
                content_stems.update(t.stem for t in toks if not t.weak)
                self.phrases.append(phrase)
                self._by_first.setdefault(phrase.tokens[0], []).append(phrase)

        # fuzzy lookup tables over the content stems of the lexicon
        self._vocab = content_stems
        self._deletes: dict[str, set[str]] = {}
        self._sounds: dict[str, set[str]] = {}
        for v in self._vocab:
            if len(v) >= _MIN_FUZZY_LEN:
                for d in _deletes(v) | {v}:
                    self._deletes.setdefault(d, set()).add(v)
                self._sounds.setdefault(sound_key(v), set()).add(v)
        self._similar = lru_cache(maxsize=20000)(self._similar_uncached)

    # ── loading ──────────────────────────────────────────────────────────────────────────────
    @classmethod
    def load(cls, lang: str = "fr", lexicon_path: Path | None = None,
             intents_tsv: Path | None = None) -> "IntentMatcher":
        lexicon_path = lexicon_path or paths.ASSETS / f"intents-lexicon.{lang}.toml"
        with open(lexicon_path, "rb") as f:
            lexicon = tomllib.load(f)
        return cls(lexicon, read_intent_kinds(intents_tsv or paths.INTENTS_TSV))

    # ── matching ─────────────────────────────────────────────────────────────────────────────
    def _similar_uncached(self, stem: str) -> dict[str, float]:
        """Lexicon stems this utterance stem stands for, with a factor (1 exact, less fuzzy)."""
        if stem in self._vocab:
            return {stem: 1.0}  # a word the lexicon knows is taken as said, never as a typo
        found: dict[str, float] = {}
        if len(stem) >= _MIN_FUZZY_LEN:
            near = set(self._deletes.get(stem, ()))
            for d in _deletes(stem):
                near |= self._deletes.get(d, set())
            for v in near:
                if _one_edit(stem, v):
                    found[v] = _FUZZY_FACTOR
            for v in self._sounds.get(sound_key(stem), ()):
                found.setdefault(v, _FUZZY_FACTOR)
        return found

    def scores(self, text: str, only: set[str] | frozenset[str] | None = None) -> dict[str, float]:
        toks = self.normaliser.tokens(text)
        if not toks:
            return {}
        # per position: lexicon stems it can stand for
        options: list[dict[str, float]] = []
        for t in toks:
            options.append({t.stem: 1.0} if t.weak else self._similar(t.stem))

        matches: dict[str, list[tuple[float, frozenset[int], _Phrase]]] = {}
        negatives: dict[str, float] = {}
        for i, opts in enumerate(options):
            for first, factor0 in opts.items():
                for phrase in self._by_first.get(first, ()):
                    if only is not None and phrase.intent not in only:
                        continue
                    hit = self._match_at(phrase, options, i, factor0)
                    if hit is None:
                        continue
                    factor, positions = hit
                    if phrase.weight < 0:
                        negatives[phrase.intent] = min(negatives.get(phrase.intent, 0.0), phrase.weight)
                        continue
                    matches.setdefault(phrase.intent, []).append((phrase.weight * factor, positions, phrase))

        # a match inside a longer match of another id is no evidence for it: in "carte vitale",
        # "carte" says nothing about the identity card
        spans = [m[1] for found in matches.values() for m in found if len(m[1]) > 1]
        if spans:
            for intent in list(matches):
                matches[intent] = [m for m in matches[intent]
                                   if not any(m[1] < other for other in spans)]

        result: dict[str, float] = {}
        for intent, found in matches.items():
            if not found:
                continue
            # a "=" phrase counts only if the utterance says nothing else than this id's phrases
            # ("oui d'accord" is fine, "aide au logement" is not a call for help)
            said = frozenset().union(*(pos for _, pos, _ in found))
            uncovered = sum(1 for j, t in enumerate(toks) if not t.weak and j not in said)
            found = [m for m in found if not m[2].alone
                     or uncovered <= (1 if m[2].content >= 2 else 0)]
            found.sort(key=lambda m: (-m[0], -len(m[1])))
            used: set[int] = set()
            total = 0.0
            for weight, positions, _ in found:
                if used.isdisjoint(positions):
                    used |= positions
                    total += weight
            total += negatives.get(intent, 0.0)
            if total > 0:
                result[intent] = total
        return result

    @staticmethod
    def _match_at(phrase: _Phrase, options: list[dict[str, float]], start: int,
                  factor: float) -> tuple[float, frozenset[int]] | None:
        positions = [start]
        last = start
        gap = 0 if phrase.content == 0 else _MAX_GAP
        for tok in phrase.tokens[1:]:
            for j in range(last + 1, min(len(options), last + 2 + gap)):
                f = options[j].get(tok)
                if f is not None:
                    factor = min(factor, f)
                    positions.append(j)
                    last = j
                    break
            else:
                return None
        return factor, frozenset(positions)

    def match(self, text: str, limit: int = 5,
              only: set[str] | frozenset[str] | None = None) -> list[Candidate]:
        """The best ids for `text`, best first, with a confidence in [0, 1]. `only` restricts
        the ids considered (e.g. the answers a screen accepts)."""
        scores = self.scores(text, only)
        if not scores:
            return []
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        pool = sum(s for _, s in ranked[:3])
        out = []
        for intent, s in ranked[:limit]:
            conf = (1.0 - math.exp(-s / self.tau)) * (s / pool)
            out.append(Candidate(intent, round(conf, 4), round(s, 3), self.kinds.get(intent, "")))
        return out

    def decide(self, text: str, only: set[str] | frozenset[str] | None = None) -> Decision:
        """What the kiosk should do with `text`: SURE (one id), ASK (2–3 guesses), NONE."""
        cands = self.match(text, limit=max(self.max_guesses, 3), only=only)
        if not cands or cands[0].score < self.min_score:
            return Decision(NONE, (), text)
        best = cands[0]
        if best.confidence >= self.sure and best.score >= self.sure_score:
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


def read_eval_tsv(path: Path) -> list[tuple[str, str]]:
    """(text, intent) rows of a file shaped like the dev set (header with `text` and `intent`)."""
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        if "text" not in header or "intent" not in header:
            raise ValueError(f"{path}: the first line must name the columns `text` and `intent`")
        i_text, i_intent = header.index("text"), header.index("intent")
        for n, line in enumerate(f, start=2):
            if not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) <= max(i_text, i_intent):
                raise ValueError(f"{path}:{n}: expected {len(header)} tab-separated columns")
            rows.append((cols[i_text], cols[i_intent].strip()))
    return rows


def evaluate(matcher: IntentMatcher, rows: list[tuple[str, str]]) -> dict:
    """Top-1 accuracy (an utterance decided `none` predicts `none`), out-of-scope rejection,
    time per utterance, and the misses."""
    import time

    misses = []
    correct = in_scope = in_scope_ok = oos = oos_rejected = sure = 0
    elapsed = 0.0
    for text, expected in rows:
        t0 = time.perf_counter()
        decision = matcher.decide(text)
        elapsed += time.perf_counter() - t0
        predicted = decision.best.id if decision.status != NONE else "none"
        if decision.status == SURE:
            sure += 1
        if predicted == expected:
            correct += 1
        else:
            misses.append({"text": text, "expected": expected, "got": predicted,
                           "status": decision.status,
                           "candidates": [[c.id, c.confidence] for c in decision.candidates]})
        if expected == "none":
            oos += 1
            oos_rejected += decision.status == NONE
        else:
            in_scope += 1
            in_scope_ok += predicted == expected
    n = len(rows)
    return {
        "utterances": n,
        "top1_accuracy": round(correct / n, 4) if n else None,
        "in_scope_top1": round(in_scope_ok / in_scope, 4) if in_scope else None,
        "out_of_scope": oos,
        "out_of_scope_rejection": round(oos_rejected / oos, 4) if oos else None,
        "sure_rate": round(sure / n, 4) if n else None,
        "ms_per_utterance": round(1000 * elapsed / n, 4) if n else None,
        "misses": misses,
    }
