"""Fixtures for the core tests: pure Python, no Kivy, no display."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk import paths
from kiosk.core.catalogue import Catalogue, demarche_ids, load_catalogue
from kiosk.core.i18n import Translator
from kiosk.core.journey import Journey

SHIPPED_IDS = demarche_ids(paths.INTENTS_TSV)
LANGS = ("fr", "en")


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The shipped content, loaded once (tests must not mutate it)."""
    return load_catalogue()


@pytest.fixture
def make_journey(catalogue):
    """Build a fresh Journey on the shipped content; keyword arguments go to Journey."""

    def make(**kwargs) -> Journey:
        kwargs.setdefault("site", {"name": "France Services de Test", "opening_hours": "9 h à 17 h",
                                   "mediator_hours": "Un médiateur est là le matin"})
        return Journey(catalogue, Translator(), **kwargs)

    return make


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A writable copy of the shipped content folder."""
    dest = tmp_path / "content"
    shutil.copytree(paths.CONTENT_DIR, dest)
    return dest


def walk(journey: Journey, *events: str):
    """Apply events in order; return the last screen model."""
    model = journey.screen()
    for event in events:
        model = journey.handle(event)
    return model


def path_to_demarche(catalogue: Catalogue, demarche_id: str) -> list[str]:
    theme = catalogue.demarches[demarche_id].theme
    return ["start", f"theme:{theme}", f"demarche:{demarche_id}"]


def action_ids(model) -> list[str]:
    return [a.id for a in model.actions + model.nav]
