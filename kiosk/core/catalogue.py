"""The démarches catalogue: loading and validating the plain-language content files.

One TOML file per démarche under assets/content/, named `<id>.toml` after the id in
assets/intents.tsv, plus `themes.toml`. A broken file never stops the kiosk: that démarche is
left out and the problem reported as `file: field: what is wrong` (no input raises: wrong types,
deep nesting, a missing intents table or themes file are all problems). Texts are checked for
control characters, addresses for https and length, pictograms against the icon font.

Each text table is per language (LANGUAGES): French is required, the others are optional and
fall back to French; a broken optional translation is reported and left out, the démarche stays.
`Catalogue.completeness()` says how many démarches each language covers.
See assets/content/README.md for the format.
"""

from __future__ import annotations

import functools
import json
import logging
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from kiosk import paths

log = logging.getLogger(__name__)

LANGUAGES = ("fr", "en", "ar", "es", "pt", "tr", "ro", "uk")
"""Languages a content table may be written in; French is required, the others fall back to it."""
MAX_URL_LENGTH = 300
"""Longer official addresses make QR codes too dense to scan from paper (and to draw)."""
THEME_IDS = ("papiers", "sante", "famille", "travail", "retraite", "impots", "justice", "quotidien")


@dataclass(frozen=True)
class Word:
    word: str
    meaning: str


@dataclass(frozen=True)
class DemarcheText:
    """Everything a citizen reads about one démarche, in one language."""

    title: str
    summary: str
    steps: tuple[str, ...]
    documents: tuple[str, ...]
    online: str
    cost: str
    delay: str
    urgent_signs: tuple[str, ...]
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Demarche:
    id: str
    partner: str
    theme: str
    pictogram: str
    official_url: str
    video_partner: str
    texts: dict[str, DemarcheText]

    def text(self, language: str) -> DemarcheText:
        """The text in `language`, falling back to French."""
        return self.texts.get(language) or self.texts["fr"]


@dataclass(frozen=True)
class Theme:
    id: str
    pictogram: str
    labels: dict[str, str]

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels["fr"]


@dataclass
class Catalogue:
    themes: list[Theme]
    demarches: dict[str, Demarche]
    problems: list[str] = field(default_factory=list)

    def completeness(self) -> dict[str, tuple[int, int]]:
        """{language: (démarches with a valid text in it, démarches)} for every LANGUAGES entry."""
        total = len(self.demarches)
        return {lang: (sum(1 for d in self.demarches.values() if lang in d.texts), total)
                for lang in LANGUAGES}

    def in_theme(self, theme_id: str) -> list[Demarche]:
        return [d for d in self.demarches.values() if d.theme == theme_id]

    def theme(self, theme_id: str) -> Theme:
        return next(t for t in self.themes if t.id == theme_id)


def demarche_ids(intents_tsv: Path = paths.INTENTS_TSV) -> list[str]:
    """Ids of kind 'demarche' in the intents table, in file order (OSError if it is missing)."""
    ids = []
    for line in intents_tsv.read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) >= 2 and cols[1] == "demarche":
            ids.append(cols[0])
    return ids


class _Problems(list):
    def add(self, file: str, fld: str, what: str) -> None:
        self.append(f"{file}: {fld}: {what}")


def _short(value) -> str:
    """A wrong value for a one-line problem: never huge, never nested without end."""
    text = repr(value) if isinstance(value, (str, int, float, bool)) or value is None else type(value).__name__
    return text if len(text) <= 80 else text[:70] + f"… ({len(text)} characters)"


_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def control_character(text: str) -> str | None:
    """The first control character of `text` as U+XXXX (line breaks, tabs, escapes, bidi
    overrides), or None. Shown and spoken texts are plain one-line sentences."""
    for c in text:
        if unicodedata.category(c) in ("Cc", "Cs", "Co", "Zl", "Zp") or c in _BIDI_CONTROLS:
            return f"U+{ord(c):04X}"
    return None


def _plain_text(value: str, fld: str, file: str, problems: _Problems) -> bool:
    bad = control_character(value)
    if bad:
        problems.add(file, fld, f"control character {bad} in the text: write it on one line, plain")
        return False
    return True


@functools.cache
def pictogram_names() -> frozenset[str]:
    """Icon names of the bundled Lucide font (empty if its table cannot be read)."""
    try:
        return frozenset(json.loads((paths.FONTS_DIR / "lucide-codepoints.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        log.warning("icon table lucide-codepoints.json unreadable: pictograms not checked")
        return frozenset()


def _pictogram(value, fld: str, file: str, problems: _Problems) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.add(file, fld, "missing or empty text")
        return ""
    names = pictogram_names()
    if names and value not in names:
        problems.add(file, fld, f"unknown pictogram {_short(value)}: use an icon name from "
                                "assets/fonts/lucide-codepoints.json")
        return ""
    return value


def _text_field(data: dict, key: str, prefix: str, file: str, problems: _Problems,
                max_len: int = 400) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.add(file, prefix + key, "missing or empty text")
        return ""
    if len(value) > max_len:
        problems.add(file, prefix + key, f"too long ({len(value)} characters, at most {max_len})")
    _plain_text(value, prefix + key, file, problems)
    return value.strip()


def _list_field(data: dict, key: str, prefix: str, file: str, problems: _Problems,
                low: int, high: int, max_len: int = 200) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
        problems.add(file, prefix + key, "expected a list of non-empty texts")
        return ()
    if not low <= len(value) <= high:
        problems.add(file, prefix + key, f"expected {low} to {high} items, found {len(value)}")
    for i, item in enumerate(value, 1):
        if len(item) > max_len:
            problems.add(file, f"{prefix}{key}[{i}]", f"too long ({len(item)} characters, at most {max_len})")
        _plain_text(item, f"{prefix}{key}[{i}]", file, problems)
    return tuple(x.strip() for x in value)


def official_url_problem(url) -> str | None:
    """Why `url` cannot be a démarche's official address (None when it can)."""
    if not isinstance(url, str) or not url.startswith("https://") or " " in url:
        return f"expected an address starting with https://, got {_short(url)}"
    if len(url) > MAX_URL_LENGTH:
        return f"too long ({len(url)} characters, at most {MAX_URL_LENGTH}): give the official page's short address"
    if control_character(url) or any(ord(c) > 126 for c in url):
        return "expected a plain address (no control or non-ASCII characters: write them %-encoded)"
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        netloc = ""
    if not netloc or "." not in netloc:
        return f"expected a site name after https://, got {_short(url)}"
    return None


def _read_toml(path: Path, problems: _Problems) -> dict | None:
    """The TOML document at `path`, or None with the reason in `problems`."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8").removeprefix("\ufeff"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(path.name, "(file)", f"cannot be read: {_one_line(exc)}")
    except tomllib.TOMLDecodeError as exc:
        problems.add(path.name, "(file)", f"not valid TOML: {_one_line(exc)}")
    except RecursionError:
        problems.add(path.name, "(file)", "not valid TOML: values nested too deeply")
    return None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(getattr(exc, "strerror", None) or exc).split())


def _parse_text(data, lang: str, file: str, problems: _Problems) -> DemarcheText | None:
    prefix = f"{lang}."
    if not isinstance(data, dict):
        problems.add(file, lang, f"missing [{lang}] table")
        return None
    before = len(problems)
    title = _text_field(data, "title", prefix, file, problems, 60)
    summary = _text_field(data, "summary", prefix, file, problems, 400)
    ends = summary.translate(str.maketrans({"!": ".", "?": ".", "؟": ".", "۔": "."}))
    sentences = [s for s in ends.split(".") if s.strip()]
    if summary and not 2 <= len(sentences) <= 3:
        problems.add(file, prefix + "summary", f"expected 2 to 3 sentences, found {len(sentences)}")
    steps = _list_field(data, "steps", prefix, file, problems, 3, 7)
    documents = _list_field(data, "documents", prefix, file, problems, 1, 10)
    online = _text_field(data, "online", prefix, file, problems, 200)
    cost = _text_field(data, "cost", prefix, file, problems, 160)
    delay = _text_field(data, "delay", prefix, file, problems, 160)
    urgent = _list_field(data, "urgent_signs", prefix, file, problems, 1, 5)
    words_raw = data.get("words", [])
    words = []
    if not isinstance(words_raw, list):
        problems.add(file, prefix + "words", "expected a list of {word, meaning} tables")
    else:
        for i, w in enumerate(words_raw, 1):
            if not (isinstance(w, dict) and isinstance(w.get("word"), str) and isinstance(w.get("meaning"), str)
                    and w["word"].strip() and w["meaning"].strip()):
                problems.add(file, f"{prefix}words[{i}]", "expected word = \"...\" and meaning = \"...\"")
                continue
            if not (_plain_text(w["word"], f"{prefix}words[{i}].word", file, problems)
                    and _plain_text(w["meaning"], f"{prefix}words[{i}].meaning", file, problems)):
                continue
            if len(w["word"]) > 60 or len(w["meaning"]) > 300:
                problems.add(file, f"{prefix}words[{i}]", "too long (a word at most 60 characters, "
                                                          "its meaning at most 300)")
                continue
            words.append(Word(w["word"].strip(), w["meaning"].strip()))
    if len(problems) > before:
        return None
    return DemarcheText(title, summary, steps, documents, online, cost, delay, urgent, tuple(words))


def parse_demarche(path: Path, problems: _Problems, theme_ids=THEME_IDS) -> Demarche | None:
    file = path.name
    data = _read_toml(path, problems)
    if data is None:
        return None
    before = len(problems)
    if data.get("id") != path.stem:
        problems.add(file, "id", f"expected {path.stem!r} (the file name), got {_short(data.get('id'))}")
    partner = _text_field(data, "partner", "", file, problems, 60)
    theme = data.get("theme")
    if not isinstance(theme, str) or theme not in theme_ids:
        problems.add(file, "theme", f"expected one of {', '.join(theme_ids)}, got {_short(theme)}")
    pictogram = _pictogram(data.get("pictogram"), "pictogram", file, problems)
    url = data.get("official_url")
    url_problem = official_url_problem(url)
    if url_problem:
        problems.add(file, "official_url", url_problem)
    video_partner = _text_field(data, "video_partner", "", file, problems, 60)
    texts = {}
    text = _parse_text(data.get("fr"), "fr", file, problems)
    if text:
        texts["fr"] = text
    for lang in LANGUAGES[1:]:  # optional: a broken translation is reported and left out
        if lang in data:
            text = _parse_text(data.get(lang), lang, file, problems)
            if text:
                texts[lang] = text
    unknown = [k for k in data if isinstance(k, str) and len(k) == 2 and k.isalpha() and k.islower()
               and isinstance(data[k], dict) and k not in LANGUAGES and k != "id"]
    for lang in unknown:
        problems.add(file, lang, f"unknown language table (expected {', '.join(LANGUAGES)})")
    core_problems = [p for p in problems[before:]
                     if not any(p.startswith(f"{file}: {lang}.") or p.startswith(f"{file}: {lang}:")
                                for lang in LANGUAGES[1:] + tuple(unknown))]
    if core_problems or "fr" not in texts:
        return None
    return Demarche(path.stem, partner, theme, pictogram, url, video_partner, texts)


def parse_themes(path: Path, problems: _Problems) -> list[Theme]:
    file = path.name
    data = _read_toml(path, problems)
    if data is None:
        if problems and problems[-1].startswith(f"{file}: (file): not valid TOML"):
            problems[-1] = problems[-1].replace(": not valid TOML", ": cannot be read: not valid TOML", 1)
        return []
    entries = data.get("theme")
    if not isinstance(entries, list) or not entries:
        problems.add(file, "theme", "expected [[theme]] tables (id, pictogram, fr and other languages), "
                                    f"got {_short(entries)}: the subjects screen would be empty")
        return []
    themes: list[Theme] = []
    for entry in entries:
        tid = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(tid, str) or tid not in THEME_IDS:
            problems.add(file, "theme.id", f"expected one of {', '.join(THEME_IDS)}, got {_short(tid)}")
            continue
        if any(t.id == tid for t in themes):
            problems.add(file, f"theme[{tid}]", "defined twice")
            continue
        labels = {}
        for lang in LANGUAGES:
            label = entry.get(lang)
            if label is None and lang != "fr":
                continue
            if not isinstance(label, str) or not label.strip() or len(label) > 40:
                problems.add(file, f"theme[{tid}].{lang}", "expected a text of 1 to 40 characters"
                             + (" (French is required)" if lang == "fr" else ""))
            elif _plain_text(label, f"theme[{tid}].{lang}", file, problems):
                labels[lang] = label.strip()
        pictogram = _pictogram(entry.get("pictogram"), f"theme[{tid}].pictogram", file, problems)
        if "fr" not in labels or not pictogram:
            continue
        themes.append(Theme(tid, pictogram, labels))  # a broken translation falls back to French
    return themes


def load_catalogue(content_dir: Path = paths.CONTENT_DIR,
                   intents_tsv: Path = paths.INTENTS_TSV) -> Catalogue:
    """Load every valid démarche; invalid ones are left out and listed in `problems`."""
    problems = _Problems()
    themes = parse_themes(content_dir / "themes.toml", problems)
    try:
        known_ids = demarche_ids(intents_tsv)
    except (OSError, UnicodeDecodeError) as exc:
        # without the ids table, the content files present are the démarches, in name order
        problems.add(intents_tsv.name, "(file)", f"cannot be read: {_one_line(exc)}: "
                                                 "the démarches are taken from the content files")
        known_ids = sorted(p.stem for p in content_dir.glob("*.toml") if p.name != "themes.toml")
    demarches: dict[str, Demarche] = {}
    for path in sorted(content_dir.glob("*.toml")):
        if path.name == "themes.toml":
            continue
        if path.stem not in known_ids:
            problems.add(path.name, "(file)", "no démarche with this id in intents.tsv")
            continue
        demarche = parse_demarche(path, problems, tuple(t.id for t in themes) or THEME_IDS)
        if demarche:
            demarches[demarche.id] = demarche
    for missing in (i for i in known_ids if not (content_dir / f"{i}.toml").exists()):
        problems.add(f"{missing}.toml", "(file)", "missing: every démarche in intents.tsv needs a content file")
    ordered = {i: demarches[i] for i in known_ids if i in demarches}
    for problem in problems:
        log.warning("content problem: %s", problem)
    return Catalogue(themes=themes, demarches=ordered, problems=list(problems))
