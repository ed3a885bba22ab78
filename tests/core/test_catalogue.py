"""The démarches catalogue: the shipped content, and broken files left out and reported."""

from __future__ import annotations

import functools
import json
import logging
import re
import tomllib

import pytest

import kiosk.commands.content
from kiosk import paths
from kiosk.cli import main
from kiosk.core.catalogue import THEME_IDS, load_catalogue

from .conftest import LANGS, SHIPPED_IDS

PROBLEM_LINE = re.compile(r"^[a-z0-9-]+\.toml: \S+: \S.*$")


# ---- the shipped content ------------------------------------------------------------------------

def test_intents_table_lists_35_demarches():
    assert len(SHIPPED_IDS) == 35
    assert len(set(SHIPPED_IDS)) == 35


def test_shipped_content_loads_every_demarche_without_problem(catalogue):
    assert catalogue.problems == []
    assert list(catalogue.demarches) == SHIPPED_IDS


@pytest.mark.parametrize("demarche_id", SHIPPED_IDS)
def test_shipped_demarche_is_complete_in_every_language(catalogue, demarche_id):
    d = catalogue.demarches[demarche_id]
    assert d.id == demarche_id
    assert d.official_url.startswith("https://") and " " not in d.official_url
    assert d.theme in {t.id for t in catalogue.themes}
    assert d.partner.strip() and d.video_partner.strip() and d.pictogram.strip()
    from kiosk.core.catalogue import LANGUAGES

    assert set(d.texts) == set(LANGUAGES), "each démarche in the eight languages"
    for lang in LANGUAGES:
        t = d.texts[lang]
        assert d.text(lang) is t
        assert 3 <= len(t.steps) <= 7, (lang, t.steps)
        assert len(t.documents) >= 1
        assert len(t.urgent_signs) >= 1
        assert t.title and t.summary and t.cost and t.delay and t.online
    # same number of steps in every language, so "step n of total" agrees when switching language
    assert {len(t.steps) for t in d.texts.values()} == {len(d.texts["fr"].steps)}
    # the English text is not a copy of the French
    assert d.texts["fr"].summary != d.texts["en"].summary


def test_shipped_pictograms_exist_in_the_icon_font(catalogue):
    codepoints = json.loads((paths.FONTS_DIR / "lucide-codepoints.json").read_text(encoding="utf-8"))
    missing = [d.id for d in catalogue.demarches.values() if d.pictogram not in codepoints]
    missing += [t.id for t in catalogue.themes if t.pictogram not in codepoints]
    assert missing == []


def test_themes_file_has_the_eight_themes_in_order_with_both_labels(catalogue):
    assert [t.id for t in catalogue.themes] == list(THEME_IDS)
    for theme in catalogue.themes:
        assert theme.label("fr") and theme.label("en")
        assert theme.labels["en"] == theme.label("en")
    assert catalogue.theme("sante").label("fr") == "Santé"
    assert catalogue.theme("sante").label("en") == "Health"


def test_every_theme_offers_at_least_one_demarche(catalogue):
    for theme in catalogue.themes:
        assert catalogue.in_theme(theme.id), theme.id
    assert sum(len(catalogue.in_theme(t.id)) for t in catalogue.themes) == 35


def test_text_falls_back_to_french(catalogue):
    d = catalogue.demarches["passeport"]
    assert d.text("de") is d.texts["fr"]


def test_kiosk_content_check_passes_on_the_shipped_content(capsys):
    assert main(["content", "check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["translated: fr: 35/35, en: 35/35, ar: 35/35, es: 35/35, pt: 35/35, tr: 35/35, ro: 35/35, uk: 35/35",
                   "35 démarches valid, 0 problems"]


# ---- broken copies ------------------------------------------------------------------------------

def edit(content_dir, demarche_id: str, old: str, new: str, count: int = 1) -> None:
    path = content_dir / f"{demarche_id}.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def add_steps(content_dir, demarche_id: str, how_many: int) -> None:
    extra = "".join(f'    "Étape en plus numéro {i}.",\n' for i in range(how_many))
    edit(content_dir, demarche_id, "steps = [\n", "steps = [\n" + extra)


def steps_in(demarche_id: str, lang: str = "fr") -> int:
    data = tomllib.loads((paths.CONTENT_DIR / f"{demarche_id}.toml").read_text(encoding="utf-8"))
    return len(data[lang]["steps"])


def _break_toml(c):
    (c / "aah.toml").write_text('id = "aah"\npartner = \n', encoding="utf-8")


def _missing_partner(c):
    edit(c, "passeport", 'partner = "ANTS"\n', "")


def _missing_fr_title(c):
    edit(c, "passeport", 'title = "Passeport"\n', "")


def _wrong_id(c):
    edit(c, "rsa", 'id = "rsa"', 'id = "rsa-socle"')


def _too_many_steps(c):
    add_steps(c, "amende", 8 - steps_in("amende"))


def _too_many_english_steps(c):
    path = c / "msa.toml"
    text = path.read_text(encoding="utf-8")
    head, en = text.split("[en]", 1)
    extra = "".join(f'    "Extra step {i}.",\n' for i in range(8 - steps_in("msa", "en")))
    path.write_text(head + "[en]" + en.replace("steps = [\n", "steps = [\n" + extra, 1), encoding="utf-8")


def _unknown_theme(c):
    path = c / "carte-vitale.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'(?m)^theme = ".*"$', 'theme = "loisirs"', text, count=1), encoding="utf-8")


def _http_url(c):
    path = c / "casier-judiciaire.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('official_url = "https://', 'official_url = "http://', 1), encoding="utf-8")


def _not_in_intents(c):
    (c / "carte-peche.toml").write_text((c / "passeport.toml").read_text(encoding="utf-8")
                                         .replace('id = "passeport"', 'id = "carte-peche"'), encoding="utf-8")


def _missing_file(c):
    (c / "minimum-vieillesse.toml").unlink()


def _not_utf8(c):
    (c / "franceconnect.toml").write_bytes((c / "franceconnect.toml").read_text(encoding="utf-8")
                                            .encode("latin-1", errors="replace"))


BREAKS = {
    # name: (breaker, démarche left out or None, expected problem line prefix)
    "bad-toml": (_break_toml, "aah", "aah.toml: (file): not valid TOML: "),
    "missing-field": (_missing_partner, "passeport", "passeport.toml: partner: missing or empty text"),
    "missing-language-field": (_missing_fr_title, "passeport", "passeport.toml: fr.title: missing or empty text"),
    "wrong-id": (_wrong_id, "rsa", "rsa.toml: id: expected 'rsa' (the file name), got 'rsa-socle'"),
    "too-many-steps": (_too_many_steps, "amende", "amende.toml: fr.steps: expected 3 to 7 items, found 8"),
    # a broken translation is reported; the démarche stays, in French for that language
    "too-many-english-steps": (_too_many_english_steps, None, "msa.toml: en.steps: expected 3 to 7 items, found 8"),
    "unknown-theme": (_unknown_theme, "carte-vitale",
                      "carte-vitale.toml: theme: expected one of papiers, sante, famille, travail, retraite, "
                      "impots, justice, quotidien, got 'loisirs'"),
    "http-url": (_http_url, "casier-judiciaire", "casier-judiciaire.toml: official_url: expected an address "
                                                 "starting with https://, got 'http://"),
    "not-in-intents": (_not_in_intents, None, "carte-peche.toml: (file): no démarche with this id in intents.tsv"),
    "missing-file": (_missing_file, "minimum-vieillesse",
                     "minimum-vieillesse.toml: (file): missing: every démarche in intents.tsv needs a content file"),
    "not-utf8": (_not_utf8, "franceconnect", "franceconnect.toml: (file): cannot be read: "),
}


@pytest.mark.parametrize("name", list(BREAKS))
def test_a_broken_file_is_left_out_and_reported(content_copy, name):
    breaker, left_out, expected = BREAKS[name]
    breaker(content_copy)
    catalogue = load_catalogue(content_dir=content_copy)
    assert any(p.startswith(expected) for p in catalogue.problems), catalogue.problems
    for problem in catalogue.problems:
        assert PROBLEM_LINE.match(problem), problem
        assert "\n" not in problem
    if left_out:
        assert left_out not in catalogue.demarches
        assert len(catalogue.demarches) == 34
        assert list(catalogue.demarches) == [i for i in SHIPPED_IDS if i != left_out]
    else:
        assert list(catalogue.demarches) == SHIPPED_IDS
        assert "carte-peche" not in catalogue.demarches


def test_all_breaks_at_once_leave_the_valid_ones_loaded(content_copy):
    for breaker, _, _ in BREAKS.values():
        breaker(content_copy)
    catalogue = load_catalogue(content_dir=content_copy)
    left_out = {lo for _, lo, _ in BREAKS.values() if lo}
    assert set(catalogue.demarches) == set(SHIPPED_IDS) - left_out
    assert len(catalogue.demarches) == 35 - len(left_out)
    for _, _, expected in BREAKS.values():
        assert any(p.startswith(expected) for p in catalogue.problems), expected
    # the kiosk still has all its themes and valid démarches keep their texts
    assert len(catalogue.themes) == 8
    assert catalogue.demarches["carte-identite"].text("en").title


def test_too_few_steps_and_summary_length(content_copy):
    path = content_copy / "passeport.toml"
    data = path.read_text(encoding="utf-8")
    fr, en = data.split("[en]", 1)
    fr = re.sub(r'(?s)steps = \[.*?\]\n', 'steps = ["Une étape.", "Deux étapes."]\n', fr, count=1)
    fr = re.sub(r'(?m)^summary = ".*"$', 'summary = "Une seule phrase"', fr, count=1)
    path.write_text(fr + "[en]" + en, encoding="utf-8")
    catalogue = load_catalogue(content_dir=content_copy)
    assert "passeport.toml: fr.steps: expected 3 to 7 items, found 2" in catalogue.problems
    assert "passeport.toml: fr.summary: expected 2 to 3 sentences, found 1" in catalogue.problems
    assert "passeport" not in catalogue.demarches


def test_every_problem_of_one_file_is_reported(content_copy):
    edit(content_copy, "passeport", 'partner = "ANTS"\n', "")
    edit(content_copy, "passeport", 'theme = "papiers"', 'theme = "voyage"')
    catalogue = load_catalogue(content_dir=content_copy)
    fields = [p.split(": ")[1] for p in catalogue.problems if p.startswith("passeport.toml")]
    assert fields == ["partner", "theme"]


def test_broken_themes_file_is_reported(content_copy):
    (content_copy / "themes.toml").write_text("[[theme]\n", encoding="utf-8")
    catalogue = load_catalogue(content_dir=content_copy)
    assert catalogue.themes == []
    assert any(p.startswith("themes.toml: (file): cannot be read: ") for p in catalogue.problems)


def test_unknown_theme_id_in_themes_file(content_copy):
    text = (content_copy / "themes.toml").read_text(encoding="utf-8")
    (content_copy / "themes.toml").write_text(text.replace('id = "justice"', 'id = "loisirs"'), encoding="utf-8")
    catalogue = load_catalogue(content_dir=content_copy)
    assert "justice" not in {t.id for t in catalogue.themes}
    assert any(p.startswith("themes.toml: theme.id: expected one of") and p.endswith("got 'loisirs'")
               for p in catalogue.problems)
    # démarches of a theme that is no longer offered are left out, not shown under no theme
    assert catalogue.in_theme("justice") == []
    assert all(d.theme != "justice" for d in catalogue.demarches.values())


def test_problems_are_logged(content_copy, caplog):
    _missing_partner(content_copy)
    caplog.set_level(logging.WARNING, logger="kiosk.core.catalogue")
    load_catalogue(content_dir=content_copy)
    assert "content problem: passeport.toml: partner: missing or empty text" in caplog.text


def test_kiosk_content_check_fails_on_a_broken_copy(content_copy, monkeypatch, capsys):
    """`kiosk content check` has no option for another folder: point its loader at the copy."""
    _wrong_id(content_copy)
    _missing_file(content_copy)
    monkeypatch.setattr(kiosk.commands.content, "load_catalogue",
                        functools.partial(load_catalogue, content_dir=content_copy))
    assert main(["content", "check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "rsa.toml: id: expected 'rsa' (the file name), got 'rsa-socle'" in out
    assert any(line.startswith("minimum-vieillesse.toml: (file): missing") for line in out)
    assert out[-1] == "33 démarches valid, 2 problems"


# ---- bad input never stops the kiosk (issue 9) --------------------------------------------------

def problems_for(content_copy, **kwargs) -> list[str]:
    catalogue = load_catalogue(content_dir=content_copy, **kwargs)
    for problem in catalogue.problems:
        assert "\n" not in problem and len(problem) < 400, problem
    return catalogue.problems


@pytest.mark.parametrize("text", ["theme = 5\n", "", 'title = "Thèmes"\n', "theme = []\n", 'theme = ["a", 3]\n',
                                  "[theme]\nid = 'sante'\n"])
def test_a_themes_file_without_theme_tables_is_reported(content_copy, text):
    (content_copy / "themes.toml").write_text(text, encoding="utf-8")
    catalogue = load_catalogue(content_dir=content_copy)
    assert catalogue.themes == []
    assert any(p.startswith("themes.toml: theme") for p in catalogue.problems), catalogue.problems
    assert len(catalogue.demarches) == 35, "the démarches stay reachable (search, voice)"


def test_content_check_reports_a_broken_themes_file(content_copy, monkeypatch, capsys):
    (content_copy / "themes.toml").write_text('title = "Thèmes"\n', encoding="utf-8")
    monkeypatch.setattr(kiosk.commands.content, "load_catalogue",
                        functools.partial(load_catalogue, content_dir=content_copy))
    assert main(["content", "check"]) == 1
    assert any(line.startswith("themes.toml: theme: ") for line in capsys.readouterr().out.splitlines())


@pytest.mark.parametrize("name", ["themes.toml", "passeport.toml"])
def test_a_file_nested_5000_deep(content_copy, name):
    (content_copy / name).write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    problems = problems_for(content_copy)
    assert f"{name}: (file): " in " ".join(problems) and "nested too deeply" in " ".join(problems)


def test_a_missing_intents_table_is_reported_and_the_files_still_load(content_copy, tmp_path):
    catalogue = load_catalogue(content_dir=content_copy, intents_tsv=tmp_path / "absent" / "intents.tsv")
    assert any(p.startswith("intents.tsv: (file): cannot be read") for p in catalogue.problems)
    assert sorted(catalogue.demarches) == sorted(SHIPPED_IDS)


@pytest.mark.parametrize("url,what", [
    ("https://www.ameli.fr/" + "a" * 5000, "too long (5021 characters, at most 300)"),
    ("http://www.ameli.fr/", "expected an address starting with https://"),
    ("https://", "expected a site name after https://"),
    ("https://www.ameli.fr/\u0007", "expected a plain address"),
    ("https://www.améli.fr/", "expected a plain address"),
])
def test_official_addresses_are_checked(content_copy, url, what):
    path = content_copy / "carte-vitale.toml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^official_url = ".*"$', lambda _: f"official_url = {json.dumps(url)}", text, count=1)
    path.write_text(text, encoding="utf-8")
    catalogue = load_catalogue(content_dir=content_copy)
    assert any(p.startswith("carte-vitale.toml: official_url: ") and what in p for p in catalogue.problems), \
        catalogue.problems
    assert "carte-vitale" not in catalogue.demarches


def test_unknown_pictograms_are_reported(content_copy):
    edit(content_copy, "passeport", 'pictogram = "', 'pictogram = "no-such-icon-')
    themes = content_copy / "themes.toml"
    themes.write_text(themes.read_text(encoding="utf-8").replace('"heart-pulse"', '"heart-pulsing"'), encoding="utf-8")
    catalogue = load_catalogue(content_dir=content_copy)
    assert any(p.startswith("passeport.toml: pictogram: unknown pictogram 'no-such-icon-") for p in catalogue.problems)
    assert any(p.startswith("themes.toml: theme[sante].pictogram: unknown pictogram 'heart-pulsing'")
               for p in catalogue.problems)
    assert "passeport" not in catalogue.demarches


@pytest.mark.parametrize("old,new,field", [
    ('title = "Passeport"', 'title = "Passe\\u0007port"', "fr.title"),
    ('title = "Passeport"', 'title = "Passe\\nport"', "fr.title"),
    ('title = "Passeport"', 'title = "\\u202ePasseport"', "fr.title"),
    ('partner = "ANTS"', 'partner = "AN\\tTS"', "partner"),
])
def test_control_characters_in_texts_are_reported(content_copy, old, new, field):
    edit(content_copy, "passeport", old, new)
    catalogue = load_catalogue(content_dir=content_copy)
    assert any(p.startswith(f"passeport.toml: {field}: control character U+") for p in catalogue.problems), \
        catalogue.problems
    assert "passeport" not in catalogue.demarches


def test_control_characters_in_steps_and_theme_labels(content_copy):
    add_steps(content_copy, "amende", 0)
    edit(content_copy, "amende", "steps = [\n", 'steps = [\n    "Étape\\u001b[31m rouge.",\n')
    themes = content_copy / "themes.toml"
    themes.write_text(themes.read_text(encoding="utf-8").replace('fr = "Santé"', 'fr = "Sant\\u0000é"'),
                      encoding="utf-8")
    catalogue = load_catalogue(content_dir=content_copy)
    assert any(p.startswith("amende.toml: fr.steps[1]: control character U+001B") for p in catalogue.problems)
    assert any(p.startswith("themes.toml: theme[sante].fr: control character U+0000") for p in catalogue.problems)


# ---- languages ---------------------------------------------------------------------------------

def add_language(content_dir, demarche_id: str, lang: str, title: str) -> None:
    """Replace (or add) the `lang` table with a copy of the French one under a new title."""
    path = content_dir / f"{demarche_id}.toml"
    data = path.read_text(encoding="utf-8")
    data = re.sub(rf"(?ms)^\[{lang}\]\n.*?(?=^\[|\Z)", "", data)
    fr = data.split("[fr]", 1)[1].split("\n[", 1)[0]
    fr = re.sub(r'(?m)^title = ".*"$', f'title = "{title}"', fr, count=1)
    path.write_text(data + f"\n[{lang}]" + fr + "\n", encoding="utf-8")


def only_french_and_english(content_dir) -> None:
    """The content as it was before the six other languages were written."""
    for path in content_dir.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        for lang in ("ar", "es", "pt", "tr", "ro", "uk"):
            text = re.sub(rf"(?ms)^\[{lang}\]\n.*?(?=^\[|\Z)", "", text)
            text = re.sub(rf'(?m)^{lang} = ".*"\n', "", text)
        path.write_text(text, encoding="utf-8")


def test_new_language_tables_are_read_and_counted(content_copy):
    only_french_and_english(content_copy)
    add_language(content_copy, "passeport", "es", "Pasaporte")
    add_language(content_copy, "passeport", "ar", "جَوَازُ السَّفَرِ")
    themes = content_copy / "themes.toml"
    text = re.sub(r'(?m)^es = "Salud"\n', "", themes.read_text(encoding="utf-8"))
    themes.write_text(text.replace('fr = "Santé"', 'fr = "Santé"\nes = "Salud"'), encoding="utf-8")
    catalogue = load_catalogue(content_dir=content_copy)
    assert catalogue.problems == []
    d = catalogue.demarches["passeport"]
    assert d.text("es").title == "Pasaporte" and d.text("ar").title == "جَوَازُ السَّفَرِ"
    assert d.text("pt") is d.texts["fr"], "a missing language falls back to French"
    assert catalogue.theme("sante").label("es") == "Salud" and catalogue.theme("sante").label("tr") == "Santé"
    counts = catalogue.completeness()
    assert counts["es"] == (1, 35) and counts["ar"] == (1, 35) and counts["fr"] == (35, 35)
    assert list(counts) == ["fr", "en", "ar", "es", "pt", "tr", "ro", "uk"]


def test_a_broken_translation_keeps_the_demarche_in_french(content_copy):
    add_language(content_copy, "passeport", "pt", "")
    catalogue = load_catalogue(content_dir=content_copy)
    assert "passeport.toml: pt.title: missing or empty text" in catalogue.problems
    assert "passeport" in catalogue.demarches and "pt" not in catalogue.demarches["passeport"].texts


def test_an_unknown_language_table_is_reported(content_copy):
    add_language(content_copy, "passeport", "de", "Reisepass")
    catalogue = load_catalogue(content_dir=content_copy)
    assert any(p.startswith("passeport.toml: de: unknown language table") for p in catalogue.problems)
    assert "passeport" in catalogue.demarches
