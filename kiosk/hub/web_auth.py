"""Session cookies and CSRF tokens for the hub's pages, signed with the hub's master secret.

Stateless: any app process can check them. A session names the user, its expiry and a piece of
the password hash, so changing a password ends that user's sessions everywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from fastapi import Request

SESSION_COOKIE = "hub_session"
PRE_COOKIE = "hub_pre"
SESSION_S = 12 * 3600


def _mac(master: str, text: str) -> str:
    return hmac.new(master.encode(), text.encode(), hashlib.sha256).hexdigest()


def make_session(master: str, user) -> str:
    expiry = int(time.time()) + SESSION_S
    body = f"{user.id}.{expiry}"
    return f"{body}.{_mac(master, 'session:' + body + ':' + user.password_hash[-16:])}"


def session_user(request: Request):
    """The signed-in user row, or None."""
    from kiosk.hub.store import user_by_id
    value = request.cookies.get(SESSION_COOKIE, "")
    parts = value.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    if int(parts[1]) < time.time():
        return None
    user = user_by_id(request.app.state.engine, int(parts[0]))
    if user is None:
        return None
    expected = _mac(request.app.state.master_secret,
                    f"session:{parts[0]}.{parts[1]}:{user.password_hash[-16:]}")
    return user if hmac.compare_digest(expected, parts[2]) else None


def csrf_token(request: Request) -> str:
    """Bound to the session cookie (or, before login, to the pre-login cookie)."""
    basis = request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRE_COOKIE) or ""
    return _mac(request.app.state.master_secret, "csrf:" + basis)[:40]


def csrf_ok(request: Request, given: str | None) -> bool:
    basis = request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRE_COOKIE)
    return bool(basis) and hmac.compare_digest(csrf_token(request), given or "")


def new_pre_cookie() -> str:
    return secrets.token_hex(16)


def cookie_flags(request: Request) -> dict:
    """HttpOnly, SameSite=Strict, and Secure whenever the hub is reached over https."""
    return {"httponly": True, "samesite": "strict", "secure": request.url.scheme == "https", "path": "/"}
