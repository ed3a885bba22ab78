"""Visio dispatch: a queue per partner (and language), position and estimated wait, advisors on duty,
taking the next call, ending it with an anonymous outcome, and the counters.

A call row holds the kiosk, its site, the démarche, the help level, the language and timings: never
anything about the citizen. Its page address carries a random token; only the token's hash is kept.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import statistics
import time
from dataclasses import dataclass

from sqlalchemy import Engine, and_, func, insert, select, update

from kiosk.hub.models import users, visio_advisors, visio_calls
from kiosk.hub.store import HubError

ON_DUTY_S = 20.0          # an advisor whose console asked within this time is on duty
SILENT_CALL_S = 30.0      # a waiting call whose page and kiosk stopped asking is dropped
MAX_WAIT_S = 45 * 60.0    # a waiting call older than this is ended ("timeout")
MAX_CALL_S = 60 * 60.0    # a call lasting longer than this is ended ("timeout")
DEFAULT_CALL_S = 8 * 60.0  # a call's length before any call was measured
RECENT_CALLS = 20
FREE_ADVISOR_WAIT_S = 30   # a free advisor sees the call at their next look at the console
OPEN_STATES = ("consent", "waiting", "taken")
END_REASONS = ("citizen", "advisor", "abandoned", "declined", "dropped", "timeout", "no_media")
OUTCOMES = ("solved", "follow_up", "redirected", "not_solved")  # the advisor's optional outcome code


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Advisor:
    user_id: int
    name: str
    partner: str
    languages: tuple[str, ...]


# ---- advisors ------------------------------------------------------------------------------------

def set_advisor(engine: Engine, user_name: str, partner: str, languages: str = "fr") -> None:
    """Attach an advisor account to its partner and the languages it takes calls in ("fr,en")."""
    codes = tuple(code.strip() for code in languages.split(",") if code.strip())
    if not partner or len(partner) > 32 or not codes or any(len(c) > 8 for c in codes):
        raise HubError(400, "Give a partner code and at least one language code, such as fr.")
    with engine.begin() as conn:
        user = conn.execute(select(users.c.id, users.c.role).where(users.c.name == user_name)).first()
        if user is None or user.role != "advisor":
            raise HubError(404, "No advisor account has this name: add it with the role advisor first.")
        conn.execute(visio_advisors.delete().where(visio_advisors.c.user_id == user.id))
        conn.execute(insert(visio_advisors).values(user_id=user.id, partner=partner, languages=",".join(codes)))


def advisor_for(engine: Engine, user) -> Advisor | None:
    with engine.connect() as conn:
        row = conn.execute(select(visio_advisors).where(visio_advisors.c.user_id == user.id)).first()
    if row is None:
        return None
    return Advisor(user.id, user.name, row.partner, tuple(row.languages.split(",")))


def advisor_seen(engine: Engine, advisor: Advisor, now: float | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(update(visio_advisors).where(visio_advisors.c.user_id == advisor.user_id)
                     .values(seen_at=now or time.time()))


def advisors_on_duty(engine: Engine, partner: str, language: str | None = None, now: float | None = None) -> int:
    now = now or time.time()
    with engine.connect() as conn:
        rows = conn.execute(select(visio_advisors.c.languages).where(
            visio_advisors.c.partner == partner, visio_advisors.c.seen_at >= now - ON_DUTY_S)).all()
    return sum(1 for r in rows if language is None or language in r.languages.split(","))


# ---- the citizen's call --------------------------------------------------------------------------

def create_call(engine: Engine, kiosk_id: str, site: str, partner: str, demarche: str, help_level: str,
                language: str) -> tuple[str, str]:
    """(call id, page token). The call waits for the citizen's consent before it joins the queue."""
    call_id, token = secrets.token_hex(8), secrets.token_urlsafe(24)
    with engine.begin() as conn:
        conn.execute(insert(visio_calls).values(
            id=call_id, token_hash=_hash(token), kiosk_id=kiosk_id, site=site, partner=partner[:32],
            demarche=demarche[:64], help_level=help_level[:16], language=language[:8], state="consent",
            created_at=time.time(), seen_at=time.time()))
    return call_id, token


def call_by_token(engine: Engine, token: str):
    with engine.connect() as conn:
        return conn.execute(select(visio_calls).where(visio_calls.c.token_hash == _hash(token))).first()


def call_by_id(engine: Engine, call_id: str):
    with engine.connect() as conn:
        return conn.execute(select(visio_calls).where(visio_calls.c.id == call_id)).first()


def queue_call(engine: Engine, call_id: str) -> bool:
    """The citizen said "Commencer": the call joins its partner's queue."""
    now = time.time()
    with engine.begin() as conn:
        done = conn.execute(update(visio_calls).where(visio_calls.c.id == call_id, visio_calls.c.state == "consent")
                            .values(state="waiting", queued_at=now, seen_at=now)).rowcount
    return bool(done)


def connect_external(engine: Engine, call_id: str) -> bool:
    """The citizen said "Commencer" to a partner with its own video service: no queue here, the
    call is under way at once (the partner's page does its own waiting)."""
    now = time.time()
    with engine.begin() as conn:
        done = conn.execute(update(visio_calls).where(visio_calls.c.id == call_id, visio_calls.c.state == "consent")
                            .values(state="taken", queued_at=now, taken_at=now, seen_at=now)).rowcount
    return bool(done)


def end_call(engine: Engine, call_id: str, reason: str, outcome: str | None = None):
    """End an open call (first ending wins); the row as it was, to destroy its room. None if already ended."""
    if reason not in END_REASONS:
        raise HubError(400, "Unknown reason.")
    if outcome is not None and outcome not in OUTCOMES:
        raise HubError(400, "Choose one of the outcome codes, or none.")
    with engine.begin() as conn:
        row = conn.execute(select(visio_calls).where(visio_calls.c.id == call_id)).first()
        if row is None or row.state == "ended":
            return None
        if reason in ("citizen", "dropped") and row.state in ("consent", "waiting"):
            reason = "declined" if row.state == "consent" else "abandoned" if reason == "citizen" else "dropped"
        done = conn.execute(update(visio_calls).where(visio_calls.c.id == call_id, visio_calls.c.state == row.state)
                            .values(state="ended", ended_at=time.time(), end_reason=reason, outcome=outcome)).rowcount
    return row if done else None


def set_outcome(engine: Engine, call_id: str, advisor: Advisor, outcome: str) -> bool:
    """The advisor's outcome code, given after the call ended (whoever hung up)."""
    if outcome not in OUTCOMES:
        raise HubError(400, "Choose one of the outcome codes, or none.")
    with engine.begin() as conn:
        return bool(conn.execute(update(visio_calls).where(
            visio_calls.c.id == call_id, visio_calls.c.advisor_id == advisor.user_id,
            visio_calls.c.state == "ended", visio_calls.c.outcome.is_(None)).values(outcome=outcome)).rowcount)


def recent_call_s(engine: Engine, partner: str) -> float:
    """The median length of the partner's last calls (taken to ended), or a default before any."""
    with engine.connect() as conn:
        rows = conn.execute(select(visio_calls.c.taken_at, visio_calls.c.ended_at).where(
            visio_calls.c.partner == partner, visio_calls.c.taken_at.is_not(None),
            visio_calls.c.ended_at.is_not(None)).order_by(visio_calls.c.ended_at.desc()).limit(RECENT_CALLS)).all()
    lengths = [r.ended_at - r.taken_at for r in rows if r.ended_at >= r.taken_at]
    return statistics.median(lengths) if lengths else DEFAULT_CALL_S


def call_status(engine: Engine, call_id: str, seen: bool = True) -> dict:
    """What the citizen's side shows and says: state, position in the queue (1 = next), estimated
    wait in seconds (None while no advisor is on duty), and why it ended."""
    now = time.time()
    with engine.begin() as conn:
        if seen:
            conn.execute(update(visio_calls).where(visio_calls.c.id == call_id,
                                                   visio_calls.c.state.in_(OPEN_STATES)).values(seen_at=now))
        row = conn.execute(select(visio_calls).where(visio_calls.c.id == call_id)).first()
        if row is None:
            raise HubError(404, "This call is unknown.")
        status = {"state": row.state, "partner": row.partner, "end_reason": row.end_reason}
        if row.state != "waiting":
            return status
        ahead = conn.execute(select(func.count()).select_from(visio_calls).where(
            visio_calls.c.partner == row.partner, visio_calls.c.language == row.language,
            visio_calls.c.state == "waiting", visio_calls.c.queued_at < row.queued_at)).scalar_one()
        busy = conn.execute(select(func.count()).select_from(visio_calls).where(
            visio_calls.c.partner == row.partner, visio_calls.c.state == "taken")).scalar_one()
    on_duty = advisors_on_duty(engine, row.partner, row.language, now)
    position = ahead + 1
    status.update(position=position, on_duty=on_duty, waited_s=round(now - row.queued_at),
                  wait_s=estimated_wait_s(position, on_duty, busy, recent_call_s(engine, row.partner)))
    return status


def estimated_wait_s(position: int, on_duty: int, busy: int, call_s: float) -> int | None:
    """None while no advisor is on duty. A free advisor takes the next calls almost at once; after
    them, the advisors in a call are, on average, half-way through it."""
    if on_duty == 0:
        return None
    free = max(0, on_duty - busy)
    if position <= free:
        return FREE_ADVISOR_WAIT_S
    return round((math.ceil((position - free) / on_duty) - 0.5) * call_s)


# ---- the advisor's side --------------------------------------------------------------------------

def queue_for(engine: Engine, advisor: Advisor) -> list[dict]:
    """The waiting calls an advisor may take, oldest first: site, démarche, help level, waited time."""
    now = time.time()
    with engine.connect() as conn:
        rows = conn.execute(select(visio_calls).where(
            visio_calls.c.partner == advisor.partner, visio_calls.c.state == "waiting",
            visio_calls.c.language.in_(advisor.languages)).order_by(visio_calls.c.queued_at).limit(50)).all()
    return [{"id": r.id, "site": r.site, "demarche": r.demarche, "help_level": r.help_level,
             "language": r.language, "waited_s": round(now - r.queued_at)} for r in rows]


def current_call(engine: Engine, advisor: Advisor):
    with engine.connect() as conn:
        return conn.execute(select(visio_calls).where(visio_calls.c.advisor_id == advisor.user_id,
                                                      visio_calls.c.state == "taken")).first()


def take_next(engine: Engine, advisor: Advisor, make_room, drop_room) -> dict | None:
    """Give the advisor the oldest waiting call, in a fresh room from `make_room()` -> (room, pin).
    None when the queue is empty. `make_room` may raise (Janus down): nothing is taken then."""
    if current_call(engine, advisor) is not None:
        raise HubError(409, "End your current call before taking the next one.")
    for item in queue_for(engine, advisor):
        room, pin = make_room()
        with engine.begin() as conn:
            done = conn.execute(update(visio_calls).where(visio_calls.c.id == item["id"],
                                                          visio_calls.c.state == "waiting")
                                .values(state="taken", taken_at=time.time(), advisor_id=advisor.user_id,
                                        room=room, room_pin=pin)).rowcount
        if done:
            return {**item, "room": room, "pin": pin}
        drop_room(room, pin)  # another advisor was faster: this room is not needed
    return None


def sweep(engine: Engine, now: float | None = None) -> list:
    """End calls nobody watches any more, waiting too long, or lasting too long. The rows ended
    (the caller destroys their rooms)."""
    now = now or time.time()
    ended = []
    with engine.connect() as conn:
        rows = conn.execute(select(visio_calls).where(visio_calls.c.state.in_(OPEN_STATES), and_(
            (visio_calls.c.seen_at < now - SILENT_CALL_S) | (visio_calls.c.created_at < now - MAX_WAIT_S)
            | (visio_calls.c.taken_at < now - MAX_CALL_S)))).all()
    for row in rows:
        silent = row.seen_at is not None and row.seen_at < now - SILENT_CALL_S
        if row.state == "taken":
            if row.taken_at < now - MAX_CALL_S:
                reason = "timeout"
            elif silent:
                reason = "dropped"
            else:
                continue
        else:
            reason = "dropped" if silent else "timeout"
        gone = end_call(engine, row.id, reason)
        if gone is not None:
            ended.append(gone)
    return ended


def counters(engine: Engine, partner: str | None = None, since: float = 0.0) -> dict:
    """Anonymous counts: calls asked, taken, abandoned while waiting, declined at consent, dropped,
    and each outcome code."""
    where = [visio_calls.c.created_at >= since]
    if partner:
        where.append(visio_calls.c.partner == partner)
    with engine.connect() as conn:
        rows = conn.execute(select(visio_calls.c.state, visio_calls.c.end_reason, visio_calls.c.taken_at,
                                   visio_calls.c.outcome).where(*where)).all()
    result = {"calls": len(rows), "taken": sum(1 for r in rows if r.taken_at is not None),
              "waiting": sum(1 for r in rows if r.state == "waiting"),
              "outcomes": {code: 0 for code in OUTCOMES}}
    for reason in END_REASONS:
        result[reason] = sum(1 for r in rows if r.end_reason == reason)
    for r in rows:
        if r.outcome in OUTCOMES:
            result["outcomes"][r.outcome] += 1
    return result
