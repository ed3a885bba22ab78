"""One démarche in plain words, with the three levels of help always in view."""

from kiosk.ui.screens.base import BaseScreen


class DemarcheScreen(BaseScreen):
    pass
