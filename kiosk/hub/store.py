"""What the hub does with its database: kiosks and pairing, event ingestion, alerts, accounts.

Functions take an Engine and plain values, so the web app, the CLI and the tests share them.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kiosk.hub.models import (alerts, content_packages, event_keys, faults, kiosk_configs, kiosks, login_failures,
                              pairing_codes, request_nonces, session_counts, survey_answers, users)

ROLES = ("admin", "mediator", "advisor")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
NONCE_KEEP_S = 900
LOGIN_WINDOW_S = 900
LOGIN_MAX_FAILURES = 5  # per account
LOGIN_MAX_FAILURES_PER_ADDRESS = 30  # a site's staff may share one address

_hasher = PasswordHasher()


class HubError(Exception):
    """A refusal with an HTTP status and a sentence for the caller."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").upper().encode()).hexdigest()


def _insert(engine: Engine, table):
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


# ---- kiosks and pairing --------------------------------------------------------------------------

def add_kiosk(engine: Engine, name: str, site: str, valid_s: int = 3600) -> tuple[str, str]:
    """(kiosk id, one-time pairing code valid `valid_s` seconds)."""
    from kiosk.hub.protocol import is_ident
    if not is_ident(site):
        raise HubError(400, "The site must be a short id in lowercase letters, digits, '-' or '_'.")
    name = name.strip()
    if not 0 < len(name) <= 80:
        raise HubError(400, "The kiosk name must have 1 to 80 characters.")
    kiosk_id = secrets.token_hex(8)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    now = time.time()
    with engine.begin() as conn:
        conn.execute(insert(kiosks).values(id=kiosk_id, name=name, site=site, created_at=now))
        conn.execute(insert(pairing_codes).values(code_hash=_hash_code(code), kiosk_id=kiosk_id,
                                                  expires_at=now + valid_s))
    return kiosk_id, "-".join(code[i:i + 4] for i in range(0, 12, 4))


def new_pairing_code(engine: Engine, kiosk_id: str, valid_s: int = 3600) -> str:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    with engine.begin() as conn:
        conn.execute(insert(pairing_codes).values(code_hash=_hash_code(code), kiosk_id=kiosk_id,
                                                  expires_at=time.time() + valid_s))
    return "-".join(code[i:i + 4] for i in range(0, 12, 4))


def enrol(engine: Engine, code: str) -> dict:
    """Exchange a pairing code for the kiosk's secret (once, before it expires)."""
    now = time.time()
    with engine.begin() as conn:
        row = conn.execute(select(pairing_codes).where(pairing_codes.c.code_hash == _hash_code(code))).first()
        if row is None or row.used_at is not None or row.expires_at < now:
            raise HubError(403, "This pairing code is unknown, already used or expired: "
                                "ask the hub's administrator for a new one.")
        used = conn.execute(update(pairing_codes)
                            .where(pairing_codes.c.code_hash == row.code_hash, pairing_codes.c.used_at.is_(None))
                            .values(used_at=now))
        if used.rowcount != 1:
            raise HubError(403, "This pairing code was already used: ask for a new one.")
        kiosk = conn.execute(select(kiosks).where(kiosks.c.id == row.kiosk_id)).one()
        if kiosk.revoked_at is not None:
            raise HubError(403, "This kiosk was revoked on the hub: ask for a new kiosk entry.")
        secret = secrets.token_hex(32)
        conn.execute(update(kiosks).where(kiosks.c.id == kiosk.id).values(secret=secret, enrolled_at=now))
    return {"kiosk_id": kiosk.id, "name": kiosk.name, "site": kiosk.site, "secret": secret}


def revoke_kiosk(engine: Engine, kiosk_id: str) -> bool:
    with engine.begin() as conn:
        return conn.execute(update(kiosks).where(kiosks.c.id == kiosk_id)
                            .values(revoked_at=time.time())).rowcount == 1


def list_kiosks(engine: Engine) -> list:
    with engine.begin() as conn:
        return conn.execute(select(kiosks).order_by(kiosks.c.site, kiosks.c.name)).all()


@dataclass(frozen=True)
class KioskAuth:
    id: str
    site: str
    secret: str
    revoked: bool


_auth_cache: dict[str, tuple[float, KioskAuth | None]] = {}
AUTH_CACHE_S = 3.0


def kiosk_auth(engine: Engine, kiosk_id: str) -> KioskAuth | None:
    """The kiosk's secret and site (cached a few seconds per process: a revocation lands within that)."""
    hit = _auth_cache.get(kiosk_id)
    now = time.monotonic()
    if hit and now - hit[0] < AUTH_CACHE_S:
        return hit[1]
    with engine.begin() as conn:
        row = conn.execute(select(kiosks.c.id, kiosks.c.site, kiosks.c.secret, kiosks.c.revoked_at)
                           .where(kiosks.c.id == kiosk_id)).first()
    auth = None if row is None or row.secret is None else KioskAuth(row.id, row.site, row.secret,
                                                                   row.revoked_at is not None)
    if len(_auth_cache) > 100_000:
        _auth_cache.clear()
    _auth_cache[kiosk_id] = (now, auth)
    return auth


def cached_kiosk_auth(kiosk_id: str, max_age: float) -> KioskAuth | None:
    """The cached credentials of a kiosk if looked up less than `max_age` seconds ago (no database).
    Only for a path whose statement checks the kiosk's row again (kiosk/hub/pg_group.py)."""
    hit = _auth_cache.get(kiosk_id)
    return hit[1] if hit and time.monotonic() - hit[0] < max_age else None


def forget_kiosk_auth(kiosk_id: str) -> None:
    _auth_cache.pop(kiosk_id, None)


def remember_nonce(conn, engine: Engine, kiosk_id: str, nonce: str) -> bool:
    """False when this nonce was seen already (a replayed request)."""
    now = time.time()
    stmt = _insert(engine, request_nonces).values(kiosk_id=kiosk_id, nonce=nonce, seen_at=now)
    stored = conn.execute(stmt.on_conflict_do_nothing().returning(request_nonces.c.nonce)).first()
    if stored is None:
        return False
    if secrets.randbelow(500) == 0:  # now and then, forget nonces older than any valid timestamp
        conn.execute(delete(request_nonces).where(request_nonces.c.seen_at < now - NONCE_KEEP_S))
    return True


# "last contact" is written at most every CONTACT_WRITE_S per kiosk and process (heartbeats always)
CONTACT_WRITE_S = 10.0
_last_contact_written: dict[str, float] = {}


# ---- events ------------------------------------------------------------------------------------

def ingest(conn, engine: Engine, kiosk: KioskAuth, events: list[dict]) -> tuple[list[str], list[str]]:
    """Store each event whose key is new; (stored keys, duplicate keys). Runs inside conn's transaction."""
    now = time.time()
    rows = [{"key": e["key"], "kiosk_id": kiosk.id, "kind": e["kind"], "received_at": now} for e in events]
    # one cached statement for any batch size (SQLAlchemy's "insertmanyvalues" with RETURNING)
    stmt = _insert(engine, event_keys).on_conflict_do_nothing().returning(event_keys.c.key)
    fresh = {r[0] for r in conn.execute(stmt, rows)}
    new = [e for e in events if e["key"] in fresh]
    sessions, fault_rows, alert_rows, beats = [], [], [], []
    for e in new:
        d = e["data"]
        if e["kind"] == "session":
            sessions.append({"kiosk_id": kiosk.id, "site": kiosk.site, "day": d["day"], "hour": d["hour"],
                             "demarche": d["demarche"], "help_level": d["help_level"],
                             "outcome": d["outcome"], "satisfaction": d["satisfaction"],
                             "language": d["language"], "count": d.get("count", 1)})
        elif e["kind"] == "fault":
            fault_rows.append({"kiosk_id": kiosk.id, "site": kiosk.site, "fault": d["fault"], "at": e["at"]})
            if d.get("alert"):
                alert_rows.append({"id": e["key"], "kiosk_id": kiosk.id, "site": kiosk.site, "demarche": d["fault"],
                                   "help_level": "none", "reason": "fault", "created_at": now})
        elif e["kind"] == "help":
            alert_rows.append({"id": e["key"], "kiosk_id": kiosk.id, "site": kiosk.site,
                               "demarche": d["demarche"], "help_level": d["help_level"],
                               "reason": d.get("reason", "urgent" if d["help_level"] == "urgent" else "help"),
                               "created_at": now})
        elif e["kind"] == "heartbeat":
            beats.append(e)
    if sessions:
        conn.execute(insert(session_counts), sessions)
    if fault_rows:
        conn.execute(insert(faults), fault_rows)
    if alert_rows:
        conn.execute(insert(alerts), alert_rows)
        alerts_changed(conn)
    state = {"last_contact": now}
    if beats:
        d = max(beats, key=lambda b: b["at"])["data"]
        state.update(version=d["version"], printer=d["printer"], voice=d["voice"],
                     microphone=d["microphone"], backlog=d["backlog"])
    if beats or now - _last_contact_written.get(kiosk.id, 0) > CONTACT_WRITE_S:
        conn.execute(update(kiosks).where(kiosks.c.id == kiosk.id).values(**state))
        _last_contact_written[kiosk.id] = now
    fresh_keys = [e["key"] for e in new]
    return fresh_keys, [e["key"] for e in events if e["key"] not in fresh]


# On PostgreSQL a batch of session counters and heartbeats (what kiosks send all day) is stored by
# one statement in autocommit, so one round trip: the nonce, the idempotency ledger, the counters
# of the keys that are new, and the kiosk's contact and device state. A replayed nonce stores nothing.
PG_ONE_STATEMENT_KINDS = frozenset({"session", "heartbeat"})
_PG_BATCH_SQL = """
WITH nonce AS (
    INSERT INTO request_nonces (kiosk_id, nonce, seen_at) VALUES (%(kiosk)s, %(nonce)s, %(now)s)
    ON CONFLICT DO NOTHING RETURNING 1
), fresh AS (
    INSERT INTO event_keys (key, kiosk_id, kind, received_at)
    SELECT k, %(kiosk)s, kind, %(now)s FROM unnest(%(keys)s::text[], %(kinds)s::text[]) AS e(k, kind)
    WHERE EXISTS (SELECT 1 FROM nonce)
    ON CONFLICT DO NOTHING RETURNING key
), counted AS (
    INSERT INTO session_counts (kiosk_id, site, day, hour, demarche, help_level, outcome, satisfaction,
                                language, count)
    SELECT %(kiosk)s, %(site)s, s.day, s.hour, s.demarche, s.help_level, s.outcome, s.satisfaction,
           s.language, s.count
    FROM unnest(%(s_keys)s::text[], %(s_day)s::text[], %(s_hour)s::int[], %(s_demarche)s::text[],
                %(s_help)s::text[], %(s_outcome)s::text[], %(s_satisfaction)s::int[], %(s_language)s::text[],
                %(s_count)s::int[])
         AS s(key, day, hour, demarche, help_level, outcome, satisfaction, language, count)
    JOIN fresh ON fresh.key = s.key
    RETURNING 1
), contact AS (
    UPDATE kiosks SET last_contact = %(now)s,
        version = COALESCE(%(version)s, version), printer = COALESCE(%(printer)s, printer),
        voice = COALESCE(%(voice)s, voice), microphone = COALESCE(%(microphone)s, microphone),
        backlog = COALESCE(%(backlog)s, backlog)
    WHERE id = %(kiosk)s AND %(write_contact)s AND EXISTS (SELECT 1 FROM nonce)
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM nonce), ARRAY(SELECT key FROM fresh), (SELECT count(*) FROM counted),
       (SELECT count(*) FROM contact)
"""


def pg_one_statement(engine: Engine, events: list[dict]) -> bool:
    return engine.dialect.name == "postgresql" and all(e["kind"] in PG_ONE_STATEMENT_KINDS for e in events)


def ingest_pg_batch(engine: Engine, kiosk: KioskAuth, nonce: str, events: list[dict]) -> tuple[list[str], list[str]]:
    """`remember_nonce` + `ingest` for a batch of sessions and heartbeats, in one statement (see above).
    Raises HubError(409) for a replayed nonce."""
    now = time.time()
    sessions = [e for e in events if e["kind"] == "session"]
    beats = [e for e in events if e["kind"] == "heartbeat"]
    beat = max(beats, key=lambda b: b["at"])["data"] if beats else {}
    params = {
        "kiosk": kiosk.id, "site": kiosk.site, "nonce": nonce, "now": now,
        "keys": [e["key"] for e in events], "kinds": [e["kind"] for e in events],
        "s_keys": [e["key"] for e in sessions],
        **{f"s_{column}": [e["data"][field] for e in sessions] for column, field in (
            ("day", "day"), ("hour", "hour"), ("demarche", "demarche"), ("help", "help_level"),
            ("outcome", "outcome"), ("satisfaction", "satisfaction"), ("language", "language"))},
        "s_count": [e["data"].get("count", 1) for e in sessions],
        "version": beat.get("version"), "printer": beat.get("printer"), "voice": beat.get("voice"),
        "microphone": beat.get("microphone"), "backlog": beat.get("backlog"),
        "write_contact": bool(beats) or now - _last_contact_written.get(kiosk.id, 0) > CONTACT_WRITE_S,
    }
    with _autocommit(engine).connect() as conn:
        new_nonce, fresh, _, wrote = conn.exec_driver_sql(_PG_BATCH_SQL, params).one()
    if not new_nonce:
        raise HubError(409, "Replayed request refused.")
    if wrote:
        _last_contact_written[kiosk.id] = now
    if secrets.randbelow(500) == 0:
        with engine.begin() as conn:
            conn.execute(delete(request_nonces).where(request_nonces.c.seen_at < now - NONCE_KEEP_S))
    fresh_set = set(fresh)
    return [e["key"] for e in events if e["key"] in fresh_set], [e["key"] for e in events if e["key"] not in fresh_set]


_autocommit_engines: dict[int, Engine] = {}


def _autocommit(engine: Engine) -> Engine:
    """The same engine and pool, with each statement committed on its own (no BEGIN/COMMIT round trips)."""
    if id(engine) not in _autocommit_engines:
        _autocommit_engines[id(engine)] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return _autocommit_engines[id(engine)]


# ---- alerts ------------------------------------------------------------------------------------

# Mediators' live pages learn of a new or answered alert at once: this process's feeds are woken
# directly, the other app processes through PostgreSQL's NOTIFY (sent when the transaction commits).
ALERTS_CHANNEL = "hub_alerts"
alert_wakers: set = set()  # callables (thread-safe) run after an alert is stored or answered here


def alerts_changed(conn) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"NOTIFY {ALERTS_CHANNEL}")
    for wake in list(alert_wakers):
        wake()


def alert_state(row, now: float, repeat_s: float) -> tuple[str, int]:
    """(state, repeats): answered, or pending until `repeat_s` passes, then repeated every repeat_s."""
    if row.answered_at is not None:
        return "answered", 0
    repeats = int((now - row.created_at) // repeat_s)
    return ("repeated" if repeats > 0 else "pending"), repeats


def alerts_status(engine: Engine, kiosk: KioskAuth, ids: list[str], repeat_s: float,
                  since: float | None = None) -> dict[str, dict]:
    """State of each watched alert; with `since`, an alert of this kiosk created after it and not
    watched yet shows up too (so a long poll ends when the kiosk raises another alert)."""
    now = time.time()
    wanted = alerts.c.id.in_(ids) if since is None else or_(alerts.c.id.in_(ids), alerts.c.created_at > since)
    with engine.begin() as conn:
        rows = {r.id: r for r in conn.execute(select(alerts).where(wanted, alerts.c.kiosk_id == kiosk.id))}
    for extra in set(rows) - set(ids):
        ids = [*ids, extra]
    out = {}
    for alert_id in ids:
        row = rows.get(alert_id)
        if row is None:
            out[alert_id] = {"state": "unknown", "repeats": 0}
        else:
            state, repeats = alert_state(row, now, repeat_s)
            out[alert_id] = {"state": state, "repeats": repeats}
    return out


def open_alerts(engine: Engine, site: str | None, repeat_s: float, keep_answered_s: float = 300,
                limit: int = 100) -> list[dict]:
    """Alerts a mediator should see: unanswered ones of the last 4 hours, answered ones for a while."""
    now = time.time()
    query = (select(alerts, kiosks.c.name.label("kiosk_name"))
             .join(kiosks, kiosks.c.id == alerts.c.kiosk_id)
             .where(alerts.c.created_at > now - 4 * 3600,
                    or_(alerts.c.answered_at.is_(None), alerts.c.answered_at > now - keep_answered_s))
             .order_by(alerts.c.created_at.desc()).limit(limit))
    if site:
        query = query.where(alerts.c.site == site)
    with engine.begin() as conn:
        rows = conn.execute(query).all()
    out = []
    for r in rows:
        state, repeats = alert_state(r, now, repeat_s)
        out.append({"id": r.id, "kiosk": r.kiosk_name, "site": r.site, "demarche": r.demarche,
                    "help_level": r.help_level, "reason": r.reason, "state": state, "repeats": repeats,
                    "age_s": int(now - r.created_at), "answered_by": r.answered_by})
    return out


def answer_alert(engine: Engine, alert_id: str, by: str, site: str | None) -> bool:
    cond = [alerts.c.id == alert_id, alerts.c.answered_at.is_(None)]
    if site:
        cond.append(alerts.c.site == site)
    with engine.begin() as conn:
        done = conn.execute(update(alerts).where(and_(*cond))
                            .values(answered_at=time.time(), answered_by=by)).rowcount == 1
        if done:
            alerts_changed(conn)
        return done


# ---- accounts ------------------------------------------------------------------------------------

def add_user(engine: Engine, name: str, role: str, password: str, site: str | None = None) -> None:
    if role not in ROLES:
        raise HubError(400, f"The role must be one of {', '.join(ROLES)}.")
    if len(password) < 10:
        raise HubError(400, "The password must have at least 10 characters.")
    if not 0 < len(name) <= 64:
        raise HubError(400, "The name must have 1 to 64 characters.")
    with engine.begin() as conn:
        existing = conn.execute(select(users.c.id).where(users.c.name == name)).first()
        values = dict(role=role, site=site, password_hash=_hasher.hash(password))
        if existing:
            conn.execute(update(users).where(users.c.id == existing.id).values(**values))
        else:
            conn.execute(insert(users).values(name=name, created_at=time.time(), **values))


def login(engine: Engine, name: str, password: str, client: str):
    """The user row when the password is right; HubError 429 after too many failures."""
    now = time.time()
    keys = [f"user:{name[:50]}", f"ip:{client[:50]}"]
    with engine.begin() as conn:
        recent = dict(conn.execute(select(login_failures.c.name, func.count())
                                   .where(login_failures.c.name.in_(keys),
                                          login_failures.c.at > now - LOGIN_WINDOW_S)
                                   .group_by(login_failures.c.name)).all())
        if recent.get(keys[0], 0) >= LOGIN_MAX_FAILURES or recent.get(keys[1], 0) >= LOGIN_MAX_FAILURES_PER_ADDRESS:
            raise HubError(429, "Too many attempts. Wait 15 minutes, then try again.")
        row = conn.execute(select(users).where(users.c.name == name)).first()
    ok = False
    if row is not None:
        try:
            ok = _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher.hash(password or "x")  # same work whether or not the name exists
    if not ok:
        with engine.begin() as conn:
            conn.execute(insert(login_failures), [{"name": k, "at": now} for k in keys])
        return None
    return row


def user_by_id(engine: Engine, user_id: int):
    with engine.begin() as conn:
        return conn.execute(select(users).where(users.c.id == user_id)).first()


# ---- survey --------------------------------------------------------------------------------------

SOLVED = ("yes", "partly", "no")
MISSING = ("nothing", "document", "appointment", "answer", "help", "other")


def add_survey_answer(engine: Engine, token_fields: dict, solved: str, missing: str, rating: int) -> None:
    if solved not in SOLVED or missing not in MISSING or rating not in (1, 2, 3, 4, 5):
        raise HubError(422, "Please choose one answer for each question.")
    with engine.begin() as conn:
        conn.execute(insert(survey_answers).values(
            site=token_fields["site"], demarche=token_fields["demarche"], day=token_fields["day"],
            language=token_fields["language"], solved=solved, missing=missing, rating=rating))


# ---- configuration distribution ---------------------------------------------------------------

MAX_CONFIG_BYTES = 64 * 1024


def set_config(engine: Engine, body: str, kiosk_id: str | None = None, site: str | None = None) -> dict[str, int]:
    """Offer a config (TOML text) to one kiosk or every kiosk of a site; {kiosk id: new version}.

    The hub does not judge the content: each kiosk validates it with its own rules before use and
    reports back (see report_config), so a kiosk of an older version refuses what it cannot read.
    """
    if len(body.encode()) > MAX_CONFIG_BYTES:
        raise HubError(413, f"The config is larger than {MAX_CONFIG_BYTES} bytes.")
    now = time.time()
    with engine.begin() as conn:
        query = select(kiosks.c.id).where(kiosks.c.revoked_at.is_(None))
        query = query.where(kiosks.c.id == kiosk_id) if kiosk_id else query.where(kiosks.c.site == site)
        targets = conn.execute(query).scalars().all()
        versions = {}
        for target in targets:
            current = conn.execute(select(kiosk_configs.c.version)
                                   .where(kiosk_configs.c.kiosk_id == target)).scalar()
            if current is None:
                conn.execute(insert(kiosk_configs).values(kiosk_id=target, version=1, body=body, updated_at=now))
                versions[target] = 1
            else:
                conn.execute(update(kiosk_configs).where(kiosk_configs.c.kiosk_id == target)
                             .values(version=current + 1, body=body, updated_at=now))
                versions[target] = current + 1
    return versions


def config_for(engine: Engine, kiosk_id: str) -> tuple[int, str] | None:
    with engine.begin() as conn:
        row = conn.execute(select(kiosk_configs.c.version, kiosk_configs.c.body)
                           .where(kiosk_configs.c.kiosk_id == kiosk_id)).first()
    return (row.version, row.body) if row else None


def report_config(engine: Engine, kiosk_id: str, version: int, applied: bool, reasons: list[str]) -> None:
    with engine.begin() as conn:
        conn.execute(update(kiosks).where(kiosks.c.id == kiosk_id).values(
            config_version=version, config_status="applied" if applied else "refused",
            config_reasons="\n".join(reasons)[:4000] or None))


# ---- démarches content ----------------------------------------------------------------------------

MAX_CONTENT_BYTES = 8 * 1024 * 1024


def set_content(engine: Engine, files: dict[str, str], site: str | None = None) -> int:
    """Offer a content package (every démarche file and themes.toml) to every kiosk, or one site's;
    returns its version. Each kiosk validates it with its own rules before use (report_content)."""
    body = json.dumps(files, ensure_ascii=False, sort_keys=True)
    if len(body.encode()) > MAX_CONTENT_BYTES:
        raise HubError(413, f"The content is larger than {MAX_CONTENT_BYTES} bytes.")
    with engine.begin() as conn:
        return conn.execute(insert(content_packages).values(site=site, files=body, created_at=time.time())
                            .returning(content_packages.c.version)).scalar_one()


def content_for(engine: Engine, kiosk: "KioskAuth", have: int) -> tuple[int, dict] | None:
    """The newest package meant for this kiosk's site (or every site), when newer than `have`."""
    with engine.begin() as conn:
        row = conn.execute(select(content_packages.c.version, content_packages.c.files)
                           .where(or_(content_packages.c.site.is_(None), content_packages.c.site == kiosk.site),
                                  content_packages.c.version > have)
                           .order_by(content_packages.c.version.desc()).limit(1)).first()
    return (row.version, json.loads(row.files)) if row else None


def report_content(engine: Engine, kiosk_id: str, version: int, applied: bool, reasons: list[str]) -> None:
    with engine.begin() as conn:
        conn.execute(update(kiosks).where(kiosks.c.id == kiosk_id).values(
            content_version=version, content_status="applied" if applied else "refused",
            content_reasons="\n".join(reasons)[:4000] or None))
