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
def test_shipped_demarche_is_complete_in_both_languages(catalogue, demarche_id):
    d = catalogue.demarches[demarche_id]
    assert d.id == demarche_id
    assert d.official_url.startswith("https://") and " " not in d.official_url
    assert d.theme in {t.id for t in catalogue.themes}
    assert d.partner.strip() and d.video_partner.strip() and d.pictogram.strip()
    assert set(d.texts) == set(LANGS)
    for lang in LANGS:
        t = d.texts[lang]
        assert d.text(lang) is t
        assert 3 <= len(t.steps) <= 7, (lang, t.steps)
        assert len(t.documents) >= 1
        assert len(t.urgent_signs) >= 1
        assert t.title and t.summary and t.cost and t.delay and t.online
    # same number of steps in both languages, so "step n of total" agrees when switching language
    assert len(d.texts["fr"].steps) == len(d.texts["en"].steps)
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
    assert out == ["35 démarches valid, 0 problems"]


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
    "too-many-english-steps": (_too_many_english_steps, "msa", "msa.toml: en.steps: expected 3 to 7 items, found 8"),
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
