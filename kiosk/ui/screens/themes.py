"""First choice: the subject, as large pictogram tiles."""

from kiosk.ui.screens.base import BaseScreen


class ThemesScreen(BaseScreen):
    pass
