"""kiosk: self-service kiosk software for France Services points."""

__version__ = "0.1.0"
