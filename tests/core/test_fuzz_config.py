"""Hypothesis fuzzing of the device config: validate() on arbitrary nested TOML-like documents,
load_config() on arbitrary text and bytes. Nothing but ConfigError may come out, every problem is
one line naming the file, and a valid result only holds values its schema accepts.

Crashes found become the named regression tests at the end of this file."""

from __future__ import annotations

import datetime as dt
import string

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kiosk.core.config import SCHEMA, Config, ConfigError, load_config, validate

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.booleans(), st.integers(min_value=-2**63, max_value=2**63 - 1), st.floats(allow_nan=True),
    st.text(max_size=60), st.sampled_from(["fr", "en", "2468", "preview:receipts", "escpos+tcp://[::1",
                                           "escpos+tcp://h:0", "preview:../x", "https://a.b", ""]),
    st.datetimes(), st.dates(), st.times(),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) |
                      st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=20)
known_keys = st.sampled_from([k for keys in SCHEMA.values() for k in keys])
sections = st.dictionaries(st.one_of(known_keys, st.text(max_size=12)), values, max_size=6)
documents = st.dictionaries(st.one_of(st.sampled_from(list(SCHEMA)), st.text(max_size=12)),
                            st.one_of(sections, values), max_size=5)


def check_outcome(call, source: str) -> None:
    try:
        config = call()
    except ConfigError as exc:
        assert exc.problems, "a ConfigError names at least one problem"
        for line in exc.problems:
            assert "\n" not in line and line.startswith(source), line
            assert len(line) < 1000, line[:200]
        return
    assert isinstance(config, Config)
    for section, keys in SCHEMA.items():
        assert set(config.values[section]) == set(keys)


@FUZZ
@given(documents)
def test_validate_never_raises_anything_but_config_error(raw):
    check_outcome(lambda: validate(raw, source="fuzz.toml"), "fuzz.toml")


@FUZZ
@given(st.dictionaries(st.sampled_from(list(SCHEMA)), sections, max_size=4))
def test_validate_on_known_sections(raw):
    check_outcome(lambda: validate(raw, source="fuzz.toml"), "fuzz.toml")


toml_fragments = st.lists(st.one_of(
    st.sampled_from(["[site]", "[devices]", "[mediator]", "[screen]", "[session]", "[languages]",
                     'name = "x"', "name = { fr = \"a\", en = \"b\" }", 'printer = "escpos+tcp://[::1"',
                     'pin = "٢٤٦٨"', "pin_hash = \"scrypt$1$1$1$AAAA$BBBB\"", "dpi = 1e400",
                     "dpi = 0x10", "a = [[[[[[[[[[1]]]]]]]]]]", '"\\u0000" = 1', "[[site]]",
                     "x = 1979-05-27T07:32:00Z", "\ufeff", 'name = """\n"""', "available = []"]),
    st.text(alphabet=string.printable, max_size=30),
    st.text(max_size=20),
), max_size=12).map("\n".join)


@FUZZ
@given(toml_fragments)
@example("\ufeff[site]\nname = \"Brioude\"\n")
@example("[site]\nname = " + "[" * 3000 + "]" * 3000)
def test_load_config_on_arbitrary_text(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("cfg") / "fuzz.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass") if _encodable(text) else \
        path.write_bytes(text.encode("utf-8", errors="replace"))
    check_outcome(lambda: load_config(path), str(path))


@FUZZ
@given(st.binary(max_size=200))
def test_load_config_on_arbitrary_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("cfg") / "fuzz.toml"
    path.write_bytes(data)
    check_outcome(lambda: load_config(path), str(path))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# ---- regressions found by fuzzing -----------------------------------------------------------------

def test_regression_non_string_keys_in_a_section():
    """validate() is also given dicts that TOML cannot write (the hub sends JSON-like data)."""
    check_outcome(lambda: validate({"site": {5: "x"}}, source="fuzz.toml"), "fuzz.toml")
    check_outcome(lambda: validate({5: {}}, source="fuzz.toml"), "fuzz.toml")


def test_regression_a_site_text_table_with_nested_values():
    check_outcome(lambda: validate({"site": {"name": {"fr": {"fr": "x"}}}}, source="fuzz.toml"), "fuzz.toml")


def test_regression_dates_and_huge_numbers_as_values():
    for value in (dt.datetime(2025, 1, 1), dt.time(1, 2), 10**30, float("nan"), float("inf")):
        check_outcome(lambda: validate({"screen": {"dpi": value}, "site": {"name": value}}, source="f.toml"),
                      "f.toml")


def test_regression_a_document_that_is_not_a_table():
    check_outcome(lambda: validate(["site"], source="fuzz.toml"), "fuzz.toml")  # type: ignore[arg-type]


def test_regression_a_key_with_a_line_break_stays_on_one_line():
    """Found by fuzzing: {'site': {'\\n': []}} gave a problem split over two lines."""
    check_outcome(lambda: validate({"site": {"name": [], "\n": []}}, source="fuzz.toml"), "fuzz.toml")
    check_outcome(lambda: validate({"sec\ntion": {}}, source="fuzz.toml"), "fuzz.toml")


def test_regression_unhashable_language_codes():
    """Found by fuzzing: languages.available = [[]] raised TypeError (unhashable list)."""
    check_outcome(lambda: validate({"languages": {"available": [[]]}}, source="fuzz.toml"), "fuzz.toml")


def test_regression_a_wide_nested_value_is_shown_short():
    """Found by fuzzing: a table of long keys as a number's value gave a 1000+ character line."""
    wide = {f"key-{i}-" + "x" * 70: {f"inner-{j}-" + "y" * 70: j for j in range(6)} for i in range(6)}
    with_bad = {"session": {"inactivity_seconds": wide}}
    check_outcome(lambda: validate(with_bad, source="fuzz.toml"), "fuzz.toml")
