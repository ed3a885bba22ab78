"""Fixtures shared by every test folder."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def runtime(tmp_path, monkeypatch) -> Path:
    """A private runtime folder (what systemd's RuntimeDirectory gives the kiosk)."""
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("RUNTIME_DIRECTORY", str(folder))
    return folder
