"""Device config: demo defaults, validation with one precise line per problem."""

from __future__ import annotations

import argparse

import pytest

from kiosk.commands import config_or_exit
from kiosk.core.config import SCHEMA, ConfigError, load_config, validate


def write(tmp_path, text: str, name: str = "kiosk.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value.problems


def test_no_file_gives_the_demo_defaults():
    config = load_config(None)
    assert config.source == "demo defaults"
    assert config.session["inactivity_seconds"] == 90
    assert config.session["max_extensions"] >= 10
    assert config.languages == {"available": ["fr", "en", "ar", "es", "pt", "tr", "ro", "uk"], "default": "fr"}
    assert config.devices["printer"].startswith("preview:")
    assert config.visio["base_url"].startswith("https://")
    # every schema key has a value
    for section, keys in SCHEMA.items():
        assert set(getattr(config, section)) == set(keys)


def test_defaults_are_not_shared_between_configs():
    first = load_config(None)
    first.languages["available"].append("de")
    assert "de" not in load_config(None).languages["available"]


def test_unknown_section_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError):
        load_config(None).nonsense


def test_a_valid_file_overrides_only_what_it_sets(tmp_path):
    path = write(tmp_path, """
[site]
name = "France Services de Brioude"

[screen]
dpi = 160
orientation = "landscape"

[session]
inactivity_seconds = 120
warning_seconds = 40
max_extensions = 12

[languages]
available = ["fr"]
default = "fr"

[devices]
printer = "escpos+tcp://127.0.0.1:9100"
voice_input = false
""")
    config = load_config(path)
    assert config.source == str(path)
    assert config.site["name"] == "France Services de Brioude"
    assert config.screen["dpi"] == 160
    assert config.screen["orientation"] == "landscape"
    assert config.session == {"inactivity_seconds": 120, "warning_seconds": 40, "max_extensions": 12}
    assert config.languages["available"] == ["fr"]
    assert config.devices["printer"] == "escpos+tcp://127.0.0.1:9100"
    assert config.devices["voice_input"] is False
    # untouched keys keep their defaults
    assert config.devices["voice_output"] is True
    assert config.screen["width"] == 1080


BAD_VALUES = [
    ("session", "inactivity_seconds", '"abc"', "a whole number between 20 and 1800", "'abc'"),
    ("session", "inactivity_seconds", "10", "a whole number between 20 and 1800", "10"),
    ("session", "inactivity_seconds", "true", "a whole number between 20 and 1800", "True"),
    ("session", "inactivity_seconds", "90.5", "a whole number between 20 and 1800", "90.5"),
    ("session", "max_extensions", "3", "a whole number between 10 and 100", "3"),
    ("screen", "dpi", "1000", "a whole number between 60 and 400", "1000"),
    ("screen", "orientation", '"sideways"', "one of 'portrait', 'landscape'", "'sideways'"),
    ("screen", "fullscreen", '"yes"', "true or false", "'yes'"),
    ("site", "name", '""', "a non-empty text of at most 80 characters", "''"),
    ("site", "name", '"' + "x" * 81 + '"', "a non-empty text of at most 80 characters", "'xxx"),
    ("languages", "available", '["fr", "de"]', "a non-empty list of distinct language codes among fr, en",
     "['fr', 'de']"),
    ("languages", "available", '[]', "a non-empty list of distinct language codes", "[]"),
    ("languages", "available", '["fr", "fr"]', "a non-empty list of distinct language codes", "['fr', 'fr']"),
    ("languages", "default", '"de"', "one of 'fr', 'en'", "'de'"),
    ("devices", "speech_rate", '"fast"', "one of 'slow', 'normal'", "'fast'"),
    ("visio", "base_url", '"visio.example.org"', "an address starting with https://", "'visio.example.org'"),
    ("devices", "preview_keep_seconds", "0", "a whole number between 5 and 3600", "0"),
]


@pytest.mark.parametrize("section,key,toml_value,expected,got", BAD_VALUES,
                         ids=[f"{s}.{k}={v[:12]}" for s, k, v, *_ in BAD_VALUES])
def test_each_bad_value_is_one_line_naming_key_and_expected_value(tmp_path, section, key, toml_value,
                                                                  expected, got):
    problems = problems_of(tmp_path, f"[{section}]\n{key} = {toml_value}\n")
    assert len(problems) == 1
    line = problems[0]
    assert "\n" not in line
    assert f": {section}.{key}: expected " in line
    assert expected in line
    assert f", got {got}" in line
    assert line.startswith(str(tmp_path / "kiosk.toml"))


def test_the_example_message_from_the_brief(tmp_path):
    problems = problems_of(tmp_path, '[session]\ninactivity_seconds = "abc"\n')
    assert problems[0].endswith(
        "session.inactivity_seconds: expected a whole number between 20 and 1800, got 'abc'")


def test_every_problem_is_reported_not_only_the_first(tmp_path):
    problems = problems_of(tmp_path, '[screen]\ndpi = 0\norientation = "up"\n[session]\nmax_extensions = 1\n')
    assert len(problems) == 3
    assert [p.split(": ")[1] for p in problems] == ["screen.dpi", "screen.orientation", "session.max_extensions"]


def test_str_of_error_is_one_line_per_problem(tmp_path):
    path = write(tmp_path, '[screen]\ndpi = 0\norientation = "up"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).splitlines() == info.value.problems


def test_unknown_key_suggests_the_closest(tmp_path):
    problems = problems_of(tmp_path, "[session]\ninactivity_second = 60\n")
    assert problems == [f"{tmp_path / 'kiosk.toml'}: session.inactivity_second: unknown key "
                        "(did you mean 'inactivity_seconds'?)"]


def test_unknown_section_suggests_the_closest(tmp_path):
    problems = problems_of(tmp_path, "[sesion]\ninactivity_seconds = 60\n")
    assert len(problems) == 1
    assert "[sesion]: unknown section (did you mean 'session'?)" in problems[0]


def test_unknown_key_far_from_everything_has_no_suggestion(tmp_path):
    problems = problems_of(tmp_path, "[screen]\nzzzzzz = 1\n")
    assert problems[0].endswith("screen.zzzzzz: unknown key")


def test_a_section_that_is_not_a_table(tmp_path):
    problems = problems_of(tmp_path, 'session = 5\n')
    assert problems == [f"{tmp_path / 'kiosk.toml'}: session: expected a [session] table"]


def test_missing_file_is_a_one_line_error(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "absent.toml")
    assert len(info.value.problems) == 1
    assert "absent.toml: cannot be read" in info.value.problems[0]


def test_a_folder_given_as_config_is_a_one_line_error(tmp_path):
    """A path that cannot be read as a file (true for root too): one line, no traceback."""
    folder = tmp_path / "config.toml"
    folder.mkdir()
    with pytest.raises(ConfigError) as info:
        load_config(folder)
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith(f"{folder}: cannot be read")


def test_permission_denied_is_a_one_line_error(tmp_path, monkeypatch):
    """Same as above, for runs as root: the read itself is refused."""
    path = write(tmp_path, "[screen]\ndpi = 100\n")
    real_read_text = type(path).read_text

    def refuse(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(type(path), "read_text", refuse)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [f"{path}: cannot be read (Permission denied)"]


def test_a_directory_instead_of_a_file_cannot_be_read(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith(f"{tmp_path}: cannot be read")


def test_non_utf8_file_is_reported_not_crashing(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('[site]\nname = "Montréal"\n'.encode("latin-1"))
    # A file in the wrong encoding must give a ConfigError, not a UnicodeDecodeError.
    with pytest.raises(ConfigError):
        load_config(path)


def test_invalid_toml(tmp_path):
    problems = problems_of(tmp_path, "[session\ninactivity_seconds = 60\n")
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path / 'kiosk.toml'}: not valid TOML: ")
    assert "\n" not in problems[0]


def test_default_language_must_be_available(tmp_path):
    problems = problems_of(tmp_path, '[languages]\navailable = ["fr"]\ndefault = "en"\n')
    assert problems == [f"{tmp_path / 'kiosk.toml'}: languages.default: expected one of the available "
                        "languages ['fr'], got 'en'"]


@pytest.mark.parametrize("warning", [90, 120])
def test_warning_must_be_shorter_than_inactivity(tmp_path, warning):
    problems = problems_of(tmp_path, f"[session]\ninactivity_seconds = 90\nwarning_seconds = {warning}\n")
    assert problems == [f"{tmp_path / 'kiosk.toml'}: session.warning_seconds: expected less than "
                        f"session.inactivity_seconds (90), got {warning}"]


def test_warning_against_default_inactivity(tmp_path):
    # inactivity default 90; a warning of 100 is inside its own range (20..300) but too long
    problems = problems_of(tmp_path, "[session]\nwarning_seconds = 100\n")
    assert "session.warning_seconds: expected less than session.inactivity_seconds (90)" in problems[0]


def test_warning_just_below_inactivity_is_accepted(tmp_path):
    config = load_config(write(tmp_path, "[session]\ninactivity_seconds = 30\nwarning_seconds = 29\n"))
    assert config.session["warning_seconds"] == 29


def test_validate_accepts_an_empty_document():
    demo = load_config(None).values
    assert validate({}, demo=True).values == demo
    plain = validate({}).values
    assert {s: v for s, v in plain.items() if s != "mediator"} == {s: v for s, v in demo.items() if s != "mediator"}


def test_config_or_exit_with_a_bad_file_exits_1_with_the_problem_on_stderr(tmp_path, capsys):
    path = write(tmp_path, '[session]\ninactivity_seconds = "abc"\n', "bad.toml")
    with pytest.raises(SystemExit) as info:
        config_or_exit(argparse.Namespace(config=str(path)))
    assert info.value.code == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{path}: session.inactivity_seconds: expected a whole number between 20 and 1800, got 'abc'"
    assert "did not start" in err[-1]


def test_config_or_exit_with_a_missing_file_exits_1(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        config_or_exit(argparse.Namespace(config=str(tmp_path / "nope.toml")))
    assert info.value.code == 1
    assert "nope.toml: cannot be read" in capsys.readouterr().err


def test_config_or_exit_without_config_gives_defaults():
    assert config_or_exit(argparse.Namespace()).source == "demo defaults"
    assert config_or_exit(argparse.Namespace(config=None)).session["inactivity_seconds"] == 90


def test_config_or_exit_with_a_good_file(tmp_path):
    path = write(tmp_path, "[screen]\ndpi = 200\n")
    assert config_or_exit(argparse.Namespace(config=str(path))).screen["dpi"] == 200


def test_kiosk_run_with_a_bad_config_refuses_to_start(tmp_path, capsys):
    """`kiosk --config bad.toml run` exits 1 before any window is created."""
    from kiosk.cli import main

    path = write(tmp_path, "[screen]\ndpi = 5\n", "bad.toml")
    with pytest.raises(SystemExit) as info:
        main(["--config", str(path), "run"])
    assert info.value.code == 1
    assert "screen.dpi: expected a whole number between 60 and 400, got 5" in capsys.readouterr().err


# ---- bad input never gives a traceback (issue 9) ------------------------------------------------

def one_problem(tmp_path, text: str) -> str:
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1, problems
    assert "\n" not in problems[0] and "Traceback" not in problems[0]
    return problems[0]


@pytest.mark.parametrize("uri,what", [
    ("escpos+tcp://[::1", "malformed address"),
    ("escpos+tcp://[zz]:9100", "malformed address"),
    ("escpos+tcp://host:0", "between 1 and 65535, got 0"),
    ("escpos+tcp://host:70000", "between 1 and 65535"),
    ("preview:../../etc/x", "'..' is not allowed"),
    ("lpt1", "no scheme"),
    ("escpos+tcp://host:9100?profile=NoSuchPrinter", "unknown printer profile"),
])
def test_bad_printer_addresses_are_checked_by_the_printer_parser(tmp_path, uri, what):
    line = one_problem(tmp_path, f'[devices]\nprinter = "{uri}"\n')
    assert ": devices.printer: printer address " in line and what in line


def test_good_printer_addresses_pass(tmp_path):
    for uri in ("escpos+tcp://[::1]:9100", "preview:/var/lib/kiosk/receipts", "cups://Accueil", "none",
                "escpos+usb://04b8:0e15"):
        assert load_config(write(tmp_path, f'[devices]\nprinter = "{uri}"\n')).devices["printer"] == uri


def test_an_array_nested_5000_deep(tmp_path):
    line = one_problem(tmp_path, "[site]\nname = " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nested too deeply" in line


def test_validate_refuses_deep_nesting_without_recursion():
    deep: object = "x"
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(ConfigError) as info:
        validate({"site": {"name": deep}})
    assert len(info.value.problems) == 1 and "nested more than" in info.value.problems[0]


def test_a_long_wrong_value_is_shown_short(tmp_path):
    line = one_problem(tmp_path, f'[screen]\norientation = "{"x" * 5000}"\n')
    assert len(line) < 400


@pytest.mark.parametrize("value", ['"Saint-Amand\\u0007"', '"Ligne 1\\nLigne 2"', '"Tab\\there"',
                                   '"\\u202eevil"', '"\\u001b[31mred"'])
@pytest.mark.parametrize("key", ["name", "opening_hours", "mediator_hours"])
def test_control_characters_in_site_texts(tmp_path, key, value):
    line = one_problem(tmp_path, f"[site]\n{key} = {value}\n")
    assert f"site.{key}: expected" in line and "control characters" in line


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + '[site]\nname = "France Services de Brioude"\n'.encode())
    assert load_config(path).site["name"] == "France Services de Brioude"


def test_nul_bytes_are_one_line(tmp_path):
    path = tmp_path / "nul.toml"
    path.write_bytes(b"[site]\x00\nname = 1\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert len(info.value.problems) == 1 and "NUL" in info.value.problems[0]


# ---- site texts in several languages ---------------------------------------------------------------

def test_site_texts_by_language(tmp_path):
    from kiosk.core.config import site_text

    config = load_config(write(tmp_path, """
[site]
name = { fr = "France Services de Brioude", en = "France Services in Brioude" }
opening_hours = "Du lundi au vendredi"
"""))
    assert site_text(config, "name", "fr") == ("France Services de Brioude", False)
    assert site_text(config, "name", "en") == ("France Services in Brioude", False)
    assert site_text(config, "name", "es") == ("France Services de Brioude", True)
    assert site_text(config, "opening_hours", "fr") == ("Du lundi au vendredi", False)
    assert site_text(config, "opening_hours", "en") == ("Du lundi au vendredi", True)


@pytest.mark.parametrize("table,what", [
    ('{ en = "France Services" }', "expected a non-empty text"),
    ('{ fr = "Brioude", de = "Brioude" }', "unknown language 'de'"),
    ('{ fr = "Brioude", en = "" }', "en: expected a non-empty text"),
    ('{ fr = "Brioude", en = "a\\nb" }', "en: expected a non-empty text"),
    ('{ fr = "Brioude", en = 5 }', "en: expected"),
])
def test_bad_site_text_tables(tmp_path, table, what):
    line = one_problem(tmp_path, f"[site]\nname = {table}\n")
    assert "site.name: " in line and what in line


def test_receipt_uses_the_site_text_of_its_language(tmp_path):
    from kiosk.core.catalogue import load_catalogue
    from kiosk.core.receipt import build_receipt

    config = load_config(write(tmp_path, '[site]\nname = { fr = "Maison France Services", en = "France Services house" }\n'))
    demarche = load_catalogue().demarches["carte-vitale"]
    assert build_receipt(demarche, config, "en").site_name == "France Services house"
    assert build_receipt(demarche, config, "fr").site_name == "Maison France Services"


# ---- the mediator's PIN is a secret -------------------------------------------------------------

def test_a_pin_in_clear_is_refused_with_the_way_to_set_it(tmp_path):
    for value in ('"7305"', '"٢٤٦٨"', "7305"):
        line = one_problem(tmp_path, f"[mediator]\npin = {value}\n")
        assert "mediator.pin: a PIN is never written in clear" in line and "set-pin" in line
        assert "7305" not in line and "٢٤٦٨" not in line, "the PIN is not repeated in the message"


def test_a_pin_hash_is_accepted_and_checked(tmp_path):
    from kiosk.core.pin import hash_pin, verify_pin

    good = hash_pin("7305")
    config = load_config(write(tmp_path, f'[mediator]\npin_hash = "{good}"\n'))
    assert verify_pin("7305", config.mediator["pin_hash"])
    assert config.mediator["pin"] is None
    line = one_problem(tmp_path, '[mediator]\npin_hash = "7305"\n')
    assert "mediator.pin_hash: not a PIN hash written by `kiosk set-pin`" in line


def test_demo_has_the_documented_demo_pin_hashed():
    from kiosk.core.pin import verify_pin

    config = load_config(None)
    assert verify_pin("2468", config.mediator["pin_hash"])
    assert not verify_pin("1234", config.mediator["pin_hash"])


def test_a_device_without_a_pin_hash_must_not_start(tmp_path):
    from kiosk.core.config import device_problems
    from kiosk.core.pin import hash_pin

    path = write(tmp_path, "[screen]\ndpi = 100\n")
    config = load_config(path)
    assert config.mediator["pin_hash"] == "" and config.mediator["pin"] is None
    problems = device_problems(config)
    assert len(problems) == 1 and "mediator.pin_hash: missing" in problems[0] and "set-pin" in problems[0]
    ok = load_config(write(tmp_path, f'[mediator]\npin_hash = "{hash_pin("7305")}"\n', "ok.toml"))
    assert device_problems(ok) == []
    assert device_problems(load_config(None)) == []


def test_the_example_config_is_valid_and_has_no_pin_in_clear():
    from kiosk.paths import ROOT

    example = ROOT / "deploy" / "config.example.toml"
    config = load_config(example)
    assert "\npin =" not in example.read_text(encoding="utf-8")
    assert config.devices["preview_keep_seconds"] == 120


@pytest.mark.parametrize("url", ["https://www.france-services.gouv.fr/" + "a" * 5000,
                                 "https://exemple.fr/\\u0007", "https://exemple.fr/\\navis",
                                 "https://exemplé.fr/"])
def test_satisfaction_address_fits_a_qr_code(tmp_path, url):
    line = one_problem(tmp_path, f'[receipt]\nsatisfaction_url = "{url}"\n')
    assert "receipt.satisfaction_url: expected an address starting with https://" in line and len(line) < 400
