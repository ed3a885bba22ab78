"""Teach me: the steps and the hard words explained."""

from kiosk.ui.screens.base import BaseScreen


class TeachScreen(BaseScreen):
    pass
