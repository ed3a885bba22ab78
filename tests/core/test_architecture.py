"""The shape of the code: core imports no Kivy, no module imports in a cycle, one translation
mechanism (no hand-written tables of sentences per language)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import kiosk

PACKAGE = Path(kiosk.__file__).resolve().parent


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every kiosk module this file imports, at any depth, except under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("kiosk"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kiosk"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in files.items():
        # a package's __init__ is not a dependency of its submodules
        graph[name] = {m for m in _imports(path) if m in files and m != name}
    return graph


def test_no_import_cycle_in_the_package():
    graph = _graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_core_imports_no_kivy():
    for path in (PACKAGE / "core").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) kivy", text, re.M), path.name


LANGUAGE_CODES = {"fr", "en", "ar", "es", "pt", "tr", "ro", "uk"}


def _is_sentence(text: str) -> bool:
    """Two words or more of two letters or more ("Votre avis", not the key captions "É È À")."""
    return sum(1 for word in text.split() if sum(ch.isalpha() for ch in word) >= 2) >= 2


def _has_sentence(node: ast.AST) -> bool:
    """A sentence, directly or inside a nested dict, list or tuple literal."""
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and _is_sentence(n.value)
               for n in ast.walk(node))


def _language_tables(tree: ast.AST) -> list[int]:
    """Lines of dict literals keyed by two or more language codes whose values hold sentences:
    {"fr": "…", "en": "…"} as well as {"fr": {"title": "…"}, "en": {…}}."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict):
            continue
        codes = [k.value for k in node.keys if isinstance(k, ast.Constant) and k.value in LANGUAGE_CODES]
        if len(codes) >= 2 and any(_has_sentence(v) for k, v in zip(node.keys, node.values)
                                   if isinstance(k, ast.Constant) and k.value in LANGUAGE_CODES):
            lines.append(node.lineno)
    return lines


def test_sentences_go_through_gettext_not_per_language_tables():
    """A sentence a person sees, hears or reads is an English msgid translated by the
    catalogues, never a {"fr": "…", "en": "…"} table in the code, flat or one dict per language."""
    offenders = {p.relative_to(PACKAGE).as_posix(): lines for p in PACKAGE.rglob("*.py")
                 if (lines := _language_tables(ast.parse(p.read_text(encoding="utf-8"))))}
    assert offenders == {}


def test_the_language_table_check_catches_nested_tables():
    nested = ast.parse('WORDS = {"fr": {"title": "Votre avis"}, "en": {"title": "Your opinion"}}')
    flat = ast.parse('WORDS = {"fr": "Votre avis", "en": "Your opinion"}')
    names = ast.parse('NAMES = {"fr": "Français", "en": "English"}')
    assert _language_tables(nested) and _language_tables(flat) and not _language_tables(names)
