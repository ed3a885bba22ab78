"""Démarches content sent by the hub: checked by the kiosk's own validator, applied atomically,
the last good version kept.

Layout under <data dir>/content/:
    v7/            a version the kiosk accepted (every file of it)
    current ->     a symbolic link to the version in use, swapped in one rename
    hub-version.json   {"applied": n, "refused": m}

A package that does not pass `load_catalogue` without a single problem, or that lacks a démarche of
the ids table, is refused whole: the kiosk keeps what it has and reports the exact reasons.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from kiosk import paths
from kiosk.core.catalogue import load_catalogue

CURRENT = "current"
STATE_FILE = "hub-version.json"
FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}\.toml$")
MAX_FILES = 200
MAX_FILE_BYTES = 256 * 1024


def content_root(data_dir: Path) -> Path:
    return Path(data_dir) / "content"


def active_content_dir(data_dir: Path, bundled: Path = paths.CONTENT_DIR) -> Path:
    """The content the kiosk shows: the hub's last accepted version, else the bundled one."""
    current = content_root(data_dir) / CURRENT
    return current.resolve() if current.is_symlink() and current.resolve().is_dir() else bundled


def versions(data_dir: Path) -> dict[str, int]:
    try:
        state = json.loads((content_root(data_dir) / STATE_FILE).read_text(encoding="utf-8"))
        return {"applied": int(state.get("applied", 0)), "refused": int(state.get("refused", 0))}
    except (OSError, ValueError, TypeError, AttributeError):
        return {"applied": 0, "refused": 0}


def _save_versions(data_dir: Path, state: dict[str, int]) -> None:
    target = content_root(data_dir) / STATE_FILE
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(state), encoding="utf-8")
    os.replace(tmp, target)


def check_package(files: object) -> list[str]:
    """Reasons to refuse a package before anything is written (names, sizes, types)."""
    if not isinstance(files, dict) or not files:
        return ["content package: expected a non-empty table of files"]
    if len(files) > MAX_FILES:
        return [f"content package: {len(files)} files, at most {MAX_FILES}"]
    reasons = []
    for name, text in files.items():
        if not isinstance(name, str) or not FILE_NAME.match(name):
            reasons.append(f"content package: {str(name)[:80]!r} is not a content file name (name.toml)")
        elif not isinstance(text, str):
            reasons.append(f"{name}: expected the file's text")
        elif len(text.encode("utf-8")) > MAX_FILE_BYTES:
            reasons.append(f"{name}: larger than {MAX_FILE_BYTES} bytes")
    if "themes.toml" not in files:
        reasons.append("themes.toml: missing from the package")
    return reasons


def apply_package(data_dir: Path, version: int, files: object,
                  intents_tsv: Path = paths.INTENTS_TSV) -> list[str]:
    """Validate and, if valid, switch to `version`. Returns the reasons it was refused ([] = applied)."""
    root = content_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    state = versions(data_dir)
    reasons = check_package(files)
    staging = root / f"v{version}.staging"
    if not reasons:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        for name, text in files.items():
            with open(staging / name, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
        catalogue = load_catalogue(staging, intents_tsv)
        reasons = list(catalogue.problems)
    if reasons:
        shutil.rmtree(staging, ignore_errors=True)
        state["refused"] = version
        _save_versions(data_dir, state)
        return [f"content v{version}: {r}" for r in reasons]
    final = root / f"v{version}"
    shutil.rmtree(final, ignore_errors=True)
    os.replace(staging, final)
    previous = (root / CURRENT).resolve() if (root / CURRENT).is_symlink() else None
    link = root / f".{CURRENT}.new"
    link.unlink(missing_ok=True)
    os.symlink(final.name, link)
    os.replace(link, root / CURRENT)  # the switch itself: one rename
    state["applied"] = version
    _save_versions(data_dir, state)
    for old in root.glob("v*"):  # keep the version in use and the one before it
        if old.is_dir() and old not in (final, previous):
            shutil.rmtree(old, ignore_errors=True)
    return []
