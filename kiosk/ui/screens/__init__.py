"""The screen registry: how each screen of kiosk/core/screens.py is drawn.

One entry per screen name drives the construction of the screen the first time it is shown,
with its kv file loaded then. A screen that only lays out a model is the generic
`BaseScreen` (base.py + base.kv) with a few layout settings; a screen with behaviour of its own
has a class and a kv file side by side.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

SCREENS_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class ScreenSpec:
    """`cls`: "module:Class" of a screen with behaviour (default: the generic BaseScreen);
    `layout`: BaseScreen's layout settings (see base.py)."""

    cls: str = "kiosk.ui.screens.base:BaseScreen"
    layout: dict = field(default_factory=dict)

    @property
    def kv_file(self) -> Path:
        module = self.cls.partition(":")[0]
        return SCREENS_DIR / (module.rpartition(".")[2] + ".kv")


def _content(body: bool, portrait: int, landscape: int, tiles: bool = False) -> ScreenSpec:
    """A layout-only screen: actions in the scrolling body (or fixed below/beside it), the
    number of columns of its choices in each orientation, choices as big tiles."""
    return ScreenSpec(layout=dict(actions_in_body=body, portrait_cols=portrait,
                                  landscape_cols=landscape, tile_buttons=tiles))


SCREENS: dict[str, ScreenSpec] = {
    "attract": _content(True, 1, 1, tiles=True),
    "themes": _content(True, 2, 3, tiles=True),
    "demarches": _content(True, 1, 2),
    "demarche": _content(False, 1, 1),
    "guide": _content(False, 1, 1),
    "teach": _content(False, 1, 1),
    "mediator": _content(False, 1, 1),
    "end": _content(True, 5, 5),            # the five faces side by side
    "feedback": _content(True, 1, 2),
    "search": ScreenSpec("kiosk.ui.screens.search:SearchScreen"),
    "pin": ScreenSpec("kiosk.ui.screens.pin:PinScreen"),
    "mediator_panel": ScreenSpec("kiosk.ui.screens.mediator_panel:MediatorPanelScreen"),
}


def load_kv(path: Path) -> None:
    """Load a kv file once: a screen's just before the screen is first built (the app loads
    base.kv at start), the alert card's and the keyboard's at their first use (a faster start)."""
    from kivy.lang import Builder

    if str(path) not in Builder.files:
        Builder.load_file(str(path))


def build_screen(name: str):
    """The screen widget for a screen name (built on first use: a faster start)."""
    spec = SCREENS[name]
    load_kv(SCREENS_DIR / "base.kv")
    load_kv(spec.kv_file)
    module, _, cls_name = spec.cls.partition(":")
    cls = getattr(importlib.import_module(module), cls_name)
    return cls(name=name, **spec.layout)
