"""Guide me: one step per screen, with 'done' and 'I'm stuck'."""

from kiosk.ui.screens.base import BaseScreen


class GuideScreen(BaseScreen):
    pass
