"""The démarches catalogue: loading and validating the plain-language content files.

One TOML file per démarche under assets/content/, named `<id>.toml` after the id in
assets/intents.tsv, plus `themes.toml`. A broken file never stops the kiosk: that démarche is
left out and the problem reported as `file: field: what is wrong`.
See assets/content/README.md for the format.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kiosk import paths

log = logging.getLogger(__name__)

LANGUAGES = ("fr", "en", "ar", "es", "pt", "tr", "ro", "uk")
"""Languages a content table may be written in; French is required, the others fall back to it."""
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

    def in_theme(self, theme_id: str) -> list[Demarche]:
        return [d for d in self.demarches.values() if d.theme == theme_id]

    def theme(self, theme_id: str) -> Theme:
        return next(t for t in self.themes if t.id == theme_id)


def demarche_ids(intents_tsv: Path = paths.INTENTS_TSV) -> list[str]:
    """Ids of kind 'demarche' in the intents table, in file order."""
    ids = []
    for line in intents_tsv.read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) >= 2 and cols[1] == "demarche":
            ids.append(cols[0])
    return ids


class _Problems(list):
    def add(self, file: str, fld: str, what: str) -> None:
        self.append(f"{file}: {fld}: {what}")


def _text_field(data: dict, key: str, prefix: str, file: str, problems: _Problems,
                max_len: int = 400) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.add(file, prefix + key, "missing or empty text")
        return ""
    if len(value) > max_len:
        problems.add(file, prefix + key, f"too long ({len(value)} characters, at most {max_len})")
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
    return tuple(x.strip() for x in value)


def _parse_text(data, lang: str, file: str, problems: _Problems) -> DemarcheText | None:
    prefix = f"{lang}."
    if not isinstance(data, dict):
        problems.add(file, lang, f"missing [{lang}] table")
        return None
    before = len(problems)
    title = _text_field(data, "title", prefix, file, problems, 60)
    summary = _text_field(data, "summary", prefix, file, problems, 400)
    sentences = [s for s in summary.replace("!", ".").replace("?", ".").split(".") if s.strip()]
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
            words.append(Word(w["word"].strip(), w["meaning"].strip()))
    if len(problems) > before:
        return None
    return DemarcheText(title, summary, steps, documents, online, cost, delay, urgent, tuple(words))


def parse_demarche(path: Path, problems: _Problems, theme_ids=THEME_IDS) -> Demarche | None:
    file = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(file, "(file)", f"cannot be read: {exc}")
        return None
    except tomllib.TOMLDecodeError as exc:
        problems.add(file, "(file)", f"not valid TOML: {exc}")
        return None
    before = len(problems)
    if data.get("id") != path.stem:
        problems.add(file, "id", f"expected {path.stem!r} (the file name), got {data.get('id')!r}")
    partner = _text_field(data, "partner", "", file, problems, 60)
    theme = data.get("theme")
    if theme not in theme_ids:
        problems.add(file, "theme", f"expected one of {', '.join(theme_ids)}, got {theme!r}")
    pictogram = _text_field(data, "pictogram", "", file, problems, 40)
    url = data.get("official_url")
    if not (isinstance(url, str) and url.startswith("https://") and " " not in url):
        problems.add(file, "official_url", f"expected an address starting with https://, got {url!r}")
    video_partner = _text_field(data, "video_partner", "", file, problems, 60)
    texts = {}
    for lang in LANGUAGES:
        if lang == "fr" or lang in data:
            text = _parse_text(data.get(lang), lang, file, problems)
            if text:
                texts[lang] = text
    if len(problems) > before:
        return None
    return Demarche(path.stem, partner, theme, pictogram, url, video_partner, texts)


def parse_themes(path: Path, problems: _Problems) -> list[Theme]:
    file = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        problems.add(file, "(file)", f"cannot be read: {exc}")
        return []
    themes = []
    for entry in data.get("theme", []):
        tid = entry.get("id") if isinstance(entry, dict) else None
        if tid not in THEME_IDS:
            problems.add(file, "theme.id", f"expected one of {', '.join(THEME_IDS)}, got {tid!r}")
            continue
        labels = {lang: entry.get(lang) for lang in LANGUAGES if isinstance(entry.get(lang), str)}
        if "fr" not in labels or not isinstance(entry.get("pictogram"), str):
            problems.add(file, f"theme[{tid}]", "expected fr, en and pictogram")
            continue
        themes.append(Theme(tid, entry["pictogram"], labels))
    return themes


def load_catalogue(content_dir: Path = paths.CONTENT_DIR,
                   intents_tsv: Path = paths.INTENTS_TSV) -> Catalogue:
    """Load every valid démarche; invalid ones are left out and listed in `problems`."""
    problems = _Problems()
    themes = parse_themes(content_dir / "themes.toml", problems)
    known_ids = demarche_ids(intents_tsv)
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
