"""Welcome screen: what the kiosk does and one big button to start."""

from kiosk.ui.screens.base import BaseScreen


class AttractScreen(BaseScreen):
    pass
