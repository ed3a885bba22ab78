"""Recap of the visit and the satisfaction question (five faces, one touch)."""

from kiosk.ui.screens.base import BaseScreen


class EndScreen(BaseScreen):
    pass
