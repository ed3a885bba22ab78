"""The validated catalogue kept between starts, for as long as the content does not change.

Reading and checking every content file costs more than the rest of the kiosk's start (about
0.15 s of TOML parsing and text checks). The result of `load_catalogue()` is saved as JSON in
the data folder under a name made of a hash of everything it depends on: every content file, the
intents table, the icon table and the checking code itself. A start with the same inputs reads
that file back (a few milliseconds); any change to them gives another hash, so the content is
parsed and checked again, as on the first start, and the old file is replaced.

A cache file that cannot be read or does not hold a catalogue is ignored (the content is then
checked again): it never decides what the kiosk shows. Content problems found when the cache was
made are kept in it and logged at every start, like a fresh check would.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path

from kiosk import paths
from kiosk.core import catalogue as cat

try:   # CPython's own SHA-256: hashlib would load OpenSSL (~3 ms) before the first screen
    from _sha256 import sha256
except ImportError:  # another Python
    from hashlib import sha256

log = logging.getLogger(__name__)

FORMAT = 1
"""Bumped when the JSON layout below changes (old files are then simply not found)."""
PREFIX = "catalogue-"


def content_key(content_dir: Path = paths.CONTENT_DIR, intents_tsv: Path = paths.INTENTS_TSV) -> str:
    """A hash of every input of load_catalogue(): names and bytes of the content files, the
    intents table, the icon table and the checking code (a missing file hashes as missing)."""
    digest = sha256(f"kiosk catalogue {FORMAT}\0".encode())
    inputs = [("code", Path(cat.__file__)), ("intents", intents_tsv),
              ("icons", paths.FONTS_DIR / "lucide-codepoints.json")]
    inputs += [(f"content/{p.name}", p) for p in sorted(content_dir.glob("*.toml"))]
    for name, path in inputs:
        digest.update(name.encode() + b"\0")
        try:
            data = path.read_bytes()
        except OSError:
            digest.update(b"-missing-\0")
            continue
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def cached_catalogue(cache_dir: Path, content_dir: Path = paths.CONTENT_DIR,
                     intents_tsv: Path = paths.INTENTS_TSV) -> cat.Catalogue:
    """The catalogue from `cache_dir` when its content is unchanged, else loaded, checked and
    saved there (a folder that cannot be written only costs the check at the next start)."""
    key = content_key(content_dir, intents_tsv)
    path = Path(cache_dir) / f"{PREFIX}{key}.json"
    catalogue = _read(path)
    if catalogue is not None:
        for problem in catalogue.problems:
            cat.log.warning("content problem: %s", problem)
        return catalogue
    catalogue = cat.load_catalogue(content_dir, intents_tsv)
    _write(path, catalogue)
    return catalogue


def to_json(catalogue: cat.Catalogue) -> dict:
    def text(t: cat.DemarcheText) -> dict:
        return {"title": t.title, "summary": t.summary, "steps": list(t.steps),
                "documents": list(t.documents), "online": t.online, "cost": t.cost,
                "delay": t.delay, "urgent_signs": list(t.urgent_signs),
                "words": [[w.word, w.meaning] for w in t.words]}

    return {
        "format": FORMAT,
        "themes": [{"id": t.id, "pictogram": t.pictogram, "labels": t.labels} for t in catalogue.themes],
        "demarches": [{"id": d.id, "partner": d.partner, "theme": d.theme, "pictogram": d.pictogram,
                       "official_url": d.official_url, "video_partner": d.video_partner,
                       "texts": {lang: text(t) for lang, t in d.texts.items()}}
                      for d in catalogue.demarches.values()],
        "problems": list(catalogue.problems),
    }


def from_json(data: dict) -> cat.Catalogue:
    """The catalogue saved by to_json (KeyError, TypeError or ValueError when it is not one)."""
    if data.get("format") != FORMAT:
        raise ValueError("another cache format")

    def text(t: dict) -> cat.DemarcheText:
        return cat.DemarcheText(
            str(t["title"]), str(t["summary"]), tuple(map(str, t["steps"])),
            tuple(map(str, t["documents"])), str(t["online"]), str(t["cost"]), str(t["delay"]),
            tuple(map(str, t["urgent_signs"])), tuple(cat.Word(str(w), str(m)) for w, m in t["words"]))

    themes = [cat.Theme(str(t["id"]), str(t["pictogram"]), {str(k): str(v) for k, v in t["labels"].items()})
              for t in data["themes"]]
    demarches = {}
    for d in data["demarches"]:
        demarches[str(d["id"])] = cat.Demarche(
            str(d["id"]), str(d["partner"]), str(d["theme"]), str(d["pictogram"]),
            str(d["official_url"]), str(d["video_partner"]),
            {str(lang): text(t) for lang, t in d["texts"].items()})
    return cat.Catalogue(themes=themes, demarches=demarches, problems=[str(p) for p in data["problems"]])


def _read(path: Path) -> cat.Catalogue | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return from_json(data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("catalogue cache unreadable (%s): the content is checked again",
                    exc.__class__.__name__)
        return None


def _write(path: Path, catalogue: cat.Catalogue) -> None:
    """Atomically (a start that reads it meanwhile sees the old file or the new one, whole);
    the files of other content versions are removed."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".catalogue-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(to_json(catalogue), out, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        for old in folder.glob(f"{PREFIX}*.json"):
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()
    except OSError as exc:
        log.warning("catalogue cache not saved (%s): the content will be checked again at the "
                    "next start", exc.__class__.__name__)
