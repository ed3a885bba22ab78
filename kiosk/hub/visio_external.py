"""Partners with their own video service (a LiveKit "Visio", a Jitsi server, a Teams web link):
an address template per partner, set on the hub as JSON in KIOSK_HUB_VISIO_PARTNER_URLS, e.g.

    {"DGFiP": "https://visio.impots.example/rejoindre/{room}"}

`{room}` becomes a name made from the call's random id. The citizen's path is the same as with
Janus (consent, the call page with its big "Raccrocher", the kiosk's fresh browser profile wiped
after, the return to the recap): the partner's page is shown in a frame of the hub's call page.
The kiosk's Chromium policy must grant the camera and microphone to the partner's origin too.
"""

from __future__ import annotations

import json
import logging
import os
from urllib.parse import urlsplit

log = logging.getLogger(__name__)


def partner_templates() -> dict[str, str]:
    raw = os.environ.get("KIOSK_HUB_VISIO_PARTNER_URLS", "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        log.error("visio: KIOSK_HUB_VISIO_PARTNER_URLS is not JSON; partners' own visio is off")
        return {}
    return {str(k): str(v) for k, v in value.items()
            if isinstance(v, str) and v.startswith(("https://", "http://")) and "{room}" in v}


def external_url(partner: str, call_id: str) -> str | None:
    template = partner_templates().get(partner)
    return template.format(room=f"france-services-{call_id}") if template else None


def frame_origins() -> list[str]:
    """The partners' origins, for the call page's CSP (frame-src)."""
    return sorted({f"{urlsplit(t).scheme}://{urlsplit(t).netloc}" for t in partner_templates().values()})
