"""The mediator has been called: what happens now."""

from kiosk.ui.screens.base import BaseScreen


class MediatorScreen(BaseScreen):
    pass
