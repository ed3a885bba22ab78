"""The démarches of one subject."""

from kiosk.ui.screens.base import BaseScreen


class DemarchesScreen(BaseScreen):
    pass
