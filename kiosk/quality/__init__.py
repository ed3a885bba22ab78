"""Quality tools, not part of the kiosk a citizen uses: the test driver (real app, injected
touches and keys, screenshots), the tour of every screen and the accessibility audit.

They drive the real Kivy app: import them only after `kiosk.app.create_app()`.
"""
