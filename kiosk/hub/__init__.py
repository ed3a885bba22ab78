"""The hub: the server a France Services site (or a department) runs for its kiosks.

Only `signing` and `protocol` are pure Python (the kiosk imports them); the server modules
need the `hub` extra (`pip install -e ".[hub]"`).
"""
