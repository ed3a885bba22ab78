"""Hypothesis fuzzing of the content: catalogue loading on arbitrary TOML files (mutated copies of
the shipped démarche and themes files, and arbitrary text) in a temporary content folder. Loading
never raises; every problem is one line `file: field: what`; what loads is usable.

Crashes found become the named regression tests at the end of this file."""

from __future__ import annotations

import datetime as dt
import json
import math
import tomllib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk import paths
from kiosk.core.catalogue import LANGUAGES, Catalogue, load_catalogue

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
IDS = ("passeport", "carte-vitale")
SHIPPED = {name: tomllib.loads((paths.CONTENT_DIR / f"{name}.toml").read_text(encoding="utf-8"))
           for name in (*IDS, "themes")}


def toml_value(value) -> str:
    """A tiny TOML writer for the values hypothesis makes (inline tables and arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # \uXXXX pairs for astral characters are not TOML
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_value(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def toml_document(data: dict) -> str:
    return "".join(f"{toml_value(str(k))} = {toml_value(v)}\n" for k, v in data.items())


texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)  # UTF-8 can hold them
scalars = st.one_of(st.booleans(), st.integers(min_value=-2**63, max_value=2**63 - 1), st.floats(),
                    texts, st.dates(), st.times(),
                    st.sampled_from(["", "fr", "papiers", "id-card", "https://a.fr/" + "x" * 400, "a\nb",
                                     "\u202e", "https://", "http://x.fr"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) |
                      st.dictionaries(st.text(st.characters(exclude_categories=["Cs"]), max_size=8), inner, max_size=4),
                      max_leaves=15)


def paths_of(data, prefix=()):
    """Every key path of a nested document (to pick one to change)."""
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            out.append(prefix + (k,))
            out.extend(paths_of(v, prefix + (k,)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.append(prefix + (i,))
            out.extend(paths_of(v, prefix + (i,)))
    return out


def mutate(data, path, value):
    data = json.loads(json.dumps(data, default=str))  # a deep copy without shared parts
    target = data
    for step in path[:-1]:
        target = target[step]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


DELETE = object()


@st.composite
def mutated_files(draw):
    name = draw(st.sampled_from([*IDS, "themes"]))
    data = SHIPPED[name]
    for _ in range(draw(st.integers(1, 4))):
        if not paths_of(data):
            break
        where = draw(st.sampled_from(paths_of(data)))
        data = mutate(data, where, draw(st.one_of(values, st.just(DELETE))))
    if draw(st.booleans()):
        data[draw(st.sampled_from(["fr", "en", "ar", "es", "de", "theme", "id", "zz"]))] = draw(values)
    return name, toml_document(data)


def content_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("content")
    for name in (*IDS, "themes"):
        (folder / f"{name}.toml").write_bytes((paths.CONTENT_DIR / f"{name}.toml").read_bytes())
    (folder / "intents.tsv").write_text("id\tkind\tscope\n" + "".join(f"{i}\tdemarche\tx\n" for i in IDS),
                                        encoding="utf-8")
    return folder


def check_catalogue(folder: Path) -> Catalogue:
    catalogue = load_catalogue(content_dir=folder, intents_tsv=folder / "intents.tsv")
    for problem in catalogue.problems:
        assert "\n" not in problem and problem.count(": ") >= 2 and len(problem) < 600, problem
    for demarche in catalogue.demarches.values():
        assert "fr" in demarche.texts
        for lang in LANGUAGES:
            text = demarche.text(lang)
            assert text.title and 3 <= len(text.steps) <= 7
        assert demarche.official_url.startswith("https://") and len(demarche.official_url) <= 300
        assert demarche.theme in {t.id for t in catalogue.themes} or not catalogue.themes
    for theme in catalogue.themes:
        assert all(theme.label(lang) for lang in LANGUAGES) and theme.pictogram
    catalogue.completeness()
    return catalogue


@FUZZ
@given(mutated_files())
def test_mutated_content_files_never_raise(tmp_path_factory, change):
    folder = content_folder(tmp_path_factory)
    name, text = change
    (folder / f"{name}.toml").write_text(text, encoding="utf-8", errors="surrogatepass")
    check_catalogue(folder)


@FUZZ
@given(st.sampled_from([*IDS, "themes"]), st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_arbitrary_content_files_never_raise(tmp_path_factory, name, content):
    folder = content_folder(tmp_path_factory)
    path = folder / f"{name}.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8", errors="surrogatepass"))
    catalogue = check_catalogue(folder)
    assert catalogue.problems, "a random file is never a valid démarche or themes file"


# ---- regressions found by fuzzing -----------------------------------------------------------------

def test_regression_shipped_copy_is_clean(tmp_path_factory):
    catalogue = check_catalogue(content_folder(tmp_path_factory))
    assert catalogue.problems == [] and list(catalogue.demarches) == list(IDS)


def test_regression_themes_file_with_a_boolean_theme(tmp_path_factory):
    """Found by fuzzing the pre-fix loader: `theme = false` raised TypeError (not iterable)."""
    folder = content_folder(tmp_path_factory)
    (folder / "themes.toml").write_text("theme = false\n", encoding="utf-8")
    catalogue = check_catalogue(folder)
    assert catalogue.themes == [] and any(p.startswith("themes.toml: theme: ") for p in catalogue.problems)


def test_regression_a_themes_file_of_random_text_is_a_problem(tmp_path_factory):
    """Found by fuzzing the pre-fix loader: valid TOML without [[theme]] gave no problem at all."""
    folder = content_folder(tmp_path_factory)
    (folder / "themes.toml").write_text("a = 0\n", encoding="utf-8")
    assert check_catalogue(folder).problems


def test_regression_id_table_is_not_an_unknown_language(tmp_path_factory):
    """Found by fuzzing: `id = {...}` was also reported as an unknown language table."""
    folder = content_folder(tmp_path_factory)
    data = dict(SHIPPED["passeport"], id={"x": 1})
    (folder / "passeport.toml").write_text(toml_document(data), encoding="utf-8")
    problems = check_catalogue(folder).problems
    assert any(p.startswith("passeport.toml: id: expected 'passeport'") for p in problems)
    assert not any("unknown language" in p for p in problems)
