"""The hub's settings, from the environment so that every app process (uvicorn worker) agrees."""

from __future__ import annotations

import os
from dataclasses import dataclass

from kiosk.hub.db import database_url


@dataclass(frozen=True)
class HubSettings:
    database_url: str
    alert_repeat_s: float = 120.0
    pool_size: int = 10

    @classmethod
    def from_env(cls) -> "HubSettings":
        return cls(
            database_url=database_url(os.environ.get("KIOSK_HUB_DATA_DIR"), os.environ.get("KIOSK_HUB_DATABASE_URL")),
            alert_repeat_s=float(os.environ.get("KIOSK_HUB_ALERT_REPEAT_SECONDS", "120")),
            pool_size=int(os.environ.get("KIOSK_HUB_POOL_SIZE", "10")),
        )
