"""The `kiosk` command line: a command's parser alone when the command is named."""

from __future__ import annotations

import subprocess
import sys

from kiosk.cli import _command_word, build_parser


def test_the_command_word_is_found_after_the_global_options():
    assert _command_word(["run"]) == "run"
    assert _command_word(["--config", "kiosk.toml", "-v", "print-test", "--lang", "ar"]) == "print-test"
    assert _command_word(["-v"]) is None
    assert _command_word([]) is None


def test_a_named_command_gets_its_own_parser_and_help_lists_them_all():
    alone = build_parser(["print-test"])
    assert set(alone._subparsers._group_actions[0].choices) == {"print-test"}
    every = build_parser([])
    assert {"run", "print-test", "hub", "audit", "speak", "intents"} <= set(every._subparsers._group_actions[0].choices)
    # a command named differently from its module: the full parser
    assert "audit" in build_parser(["audit"])._subparsers._group_actions[0].choices


def test_kiosk_run_imports_no_other_command():
    code = ("import sys; from kiosk.cli import build_parser; build_parser(['run']); "
            "print(sorted(m for m in sys.modules if m.startswith('kiosk.commands.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['kiosk.commands.run']"
