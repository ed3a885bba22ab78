"""Translations: gettext catalogues in locales/<lang>/LC_MESSAGES/kiosk.po.

Source strings (msgids) are English; French is the main translation. The .po files are read
directly (a small parser) so the kiosk needs no build step to compile .mo files.
"""

from __future__ import annotations

import ast
import gettext
import logging
from pathlib import Path

from kiosk import paths

log = logging.getLogger(__name__)
DOMAIN = "kiosk"


def _unquote(fragment: str) -> str:
    inner = fragment[1:-1]
    if len(fragment) >= 2 and fragment[0] == fragment[-1] == '"' and "\\" not in inner and '"' not in inner:
        return inner   # most lines have no escape: literal_eval (40 µs a line) only for the others
    return ast.literal_eval(fragment)


def parse_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr for every translated, non-fuzzy entry of a .po file."""
    entries: dict[str, str] = {}
    msgid = msgstr = None
    current = None
    fuzzy = False

    def flush():
        if msgid and msgstr and not fuzzy:
            entries[msgid] = msgstr

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            flush()
            msgid, msgstr, current, fuzzy = _unquote(line[6:]), None, "id", fuzzy
        elif line.startswith("msgstr "):
            msgstr, current = _unquote(line[7:]), "str"
        elif line.startswith('"') and current == "id":
            msgid += _unquote(line)
        elif line.startswith('"') and current == "str":
            msgstr += _unquote(line)
        elif not line:
            flush()
            msgid = msgstr = current = None
            fuzzy = False
    flush()
    return entries


class PoTranslations(gettext.NullTranslations):
    """gettext translations backed by a parsed .po file."""

    def __init__(self, catalogue: dict[str, str]):
        super().__init__()
        self._catalogue = catalogue

    def gettext(self, message: str) -> str:
        return self._catalogue.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


_cache: dict[str, gettext.NullTranslations] = {}


def translations(language: str, locales_dir: Path = paths.LOCALES_DIR) -> gettext.NullTranslations:
    key = f"{locales_dir}:{language}"
    if key not in _cache:
        po = locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.exists():
            _cache[key] = PoTranslations(parse_po(po))
        else:
            if language != "en":
                log.warning("no translation catalogue for language %s", language)
            _cache[key] = gettext.NullTranslations()
    return _cache[key]


class Translator:
    """The current language's gettext, switchable at run time: `_ = translator.gettext`."""

    def __init__(self, language: str = "fr"):
        self.language = language

    def set_language(self, language: str) -> None:
        self.language = language

    def gettext(self, message: str) -> str:
        return translations(self.language).gettext(message)

    __call__ = gettext


# Each language named in its own language and script, as people look for it (never a flag).
LANGUAGE_NAMES = {
    "fr": "Français", "en": "English", "ar": "العربية", "es": "Español", "pt": "Português",
    "tr": "Türkçe", "ro": "Română", "uk": "Українська",
}


def language_name(code: str) -> str:
    """The language's own name for itself ("Español" for es); the code when unknown."""
    return LANGUAGE_NAMES.get(code, code)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


def extract_msgids(package_dir: Path) -> list[str]:
    """Every literal passed to _(), N_() or .gettext() in the package's Python files, in order."""
    found: list[str] = []
    for path in sorted(package_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            arg = node.args[0]
            if name in ("_", "N_", "gettext") and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if arg.value not in found:
                    found.append(arg.value)
    return found
