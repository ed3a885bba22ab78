"""An optional reason for the satisfaction answer: choices, never free text."""

from kiosk.ui.screens.base import BaseScreen


class FeedbackScreen(BaseScreen):
    pass
