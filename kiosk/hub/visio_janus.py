"""The hub's side of Janus: one fresh VideoRoom per call, destroyed after (HTTP API, loopback).

A room lives only as long as its call, with a random PIN known to the two pages of that call; so a
publisher left behind by a crashed browser cannot linger in a permanent room.
"""

from __future__ import annotations

import os
import secrets

import requests

TIMEOUT_S = 3


class JanusUnavailable(Exception):
    """Janus did not answer, or refused: the call cannot be connected now."""


def janus_http_url() -> str:
    return os.environ.get("KIOSK_HUB_JANUS_URL", "http://127.0.0.1:8088/janus")


def janus_ws_url() -> str:
    """The address the browsers use (the call page and the console)."""
    return os.environ.get("KIOSK_HUB_JANUS_WS", "ws://127.0.0.1:8188/")


def janus_admin_key() -> str:
    return os.environ.get("KIOSK_HUB_JANUS_ADMIN_KEY", "kiosk-visio-admin-key")


def _post(url: str, body: dict) -> dict:
    body = {**body, "transaction": secrets.token_hex(8)}
    try:
        answer = requests.post(url, json=body, timeout=TIMEOUT_S).json()
    except (requests.RequestException, ValueError) as exc:
        raise JanusUnavailable(type(exc).__name__) from None
    if answer.get("janus") == "error":
        raise JanusUnavailable(str(answer.get("error", {}).get("code")))
    return answer


def _videoroom(request: dict) -> dict:
    """Send one synchronous request to the VideoRoom plugin through a short-lived session."""
    base = janus_http_url().rstrip("/")
    session = _post(base, {"janus": "create"})["data"]["id"]
    try:
        handle = _post(f"{base}/{session}", {"janus": "attach", "plugin": "janus.plugin.videoroom"})["data"]["id"]
        answer = _post(f"{base}/{session}/{handle}", {"janus": "message", "body": request})
        data = answer.get("plugindata", {}).get("data", {})
        if data.get("error_code"):
            raise JanusUnavailable(str(data["error_code"]))
        return data
    finally:
        try:
            _post(f"{base}/{session}", {"janus": "destroy"})
        except JanusUnavailable:
            pass


def create_room() -> tuple[int, str]:
    """A new room for two (the citizen and the advisor) with a data channel for real-time text."""
    pin = secrets.token_hex(8)
    room = 100_000 + secrets.randbelow(2**31 - 100_000)
    _videoroom({"request": "create", "room": room, "pin": pin, "admin_key": janus_admin_key(),
                "secret": pin, "publishers": 2, "is_private": True, "permanent": False,
                "audiocodec": "opus", "videocodec": "vp8", "bitrate": 1_500_000, "fir_freq": 2,
                "notify_joining": True, "require_pvtid": False})
    return room, pin


def destroy_room(room: int, pin: str) -> None:
    """Remove the room (kicks whoever is left). A room already gone is fine."""
    try:
        _videoroom({"request": "destroy", "room": room, "secret": pin, "permanent": False})
    except JanusUnavailable as exc:
        if str(exc) != "426":  # JANUS_VIDEOROOM_ERROR_NO_SUCH_ROOM
            raise


def janus_alive() -> bool:
    try:
        return requests.get(janus_http_url().rstrip("/") + "/info", timeout=TIMEOUT_S).ok
    except requests.RequestException:
        return False
