"""The hub's tables (SQLAlchemy 2 Core). The Alembic migrations create them; keep both in step.

Times are Unix seconds (float) so SQLite and PostgreSQL compare them the same way.
Nothing here can hold anything personal: counts, closed-list values, short ids.
"""

from __future__ import annotations

from sqlalchemy import (BigInteger, Column, Float, ForeignKey, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)

metadata = MetaData()

hub_meta = Table(
    "hub_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

kiosks = Table(
    "kiosks", metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(80), nullable=False),
    Column("site", String(64), nullable=False, index=True),
    Column("secret", String(64), nullable=True),  # set when the pairing code is exchanged
    Column("created_at", Float, nullable=False),
    Column("enrolled_at", Float),
    Column("revoked_at", Float),
    Column("last_contact", Float),
    Column("version", String(32)),
    Column("printer", String(16)),
    Column("voice", String(16)),
    Column("microphone", String(16)),
    Column("backlog", Integer),
    # what the kiosk did with the last config it was offered (migration 0002)
    Column("config_version", Integer),
    Column("config_status", String(16)),  # applied | refused
    Column("config_reasons", Text),
    # what the kiosk did with the last content package it was offered (migration 0004)
    Column("content_version", Integer),
    Column("content_status", String(16)),  # applied | refused
    Column("content_reasons", Text),
)

kiosk_configs = Table(
    "kiosk_configs", metadata,
    Column("kiosk_id", String(32), ForeignKey("kiosks.id"), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("body", Text, nullable=False),  # TOML, validated by the kiosk itself before use
    Column("updated_at", Float, nullable=False),
)

pairing_codes = Table(
    "pairing_codes", metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("kiosk_id", String(32), ForeignKey("kiosks.id"), nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("used_at", Float),
)

request_nonces = Table(
    "request_nonces", metadata,
    Column("kiosk_id", String(32), primary_key=True),
    Column("nonce", String(64), primary_key=True),
    Column("seen_at", Float, nullable=False, index=True),
)

# the idempotency ledger: one row per event key ever stored, so a retry never counts twice
event_keys = Table(
    "event_keys", metadata,
    Column("key", String(64), primary_key=True),
    Column("kiosk_id", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("received_at", Float, nullable=False),
)

session_counts = Table(
    "session_counts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kiosk_id", String(32), nullable=False, index=True),
    Column("site", String(64), nullable=False, index=True),
    Column("day", String(10), nullable=False, index=True),
    Column("hour", Integer, nullable=False),
    Column("demarche", String(64), nullable=False),
    Column("help_level", String(16), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("satisfaction", Integer, nullable=False),
    Column("language", String(8), nullable=False),
    Column("count", Integer, nullable=False),
)

faults = Table(
    "faults", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kiosk_id", String(32), nullable=False, index=True),
    Column("site", String(64), nullable=False),
    Column("fault", String(64), nullable=False),
    Column("at", Float, nullable=False, index=True),
)

alerts = Table(
    "alerts", metadata,
    Column("id", String(64), primary_key=True),  # the kiosk's idempotency key
    Column("kiosk_id", String(32), nullable=False),
    Column("site", String(64), nullable=False, index=True),
    Column("demarche", String(64), nullable=False),
    Column("help_level", String(16), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("created_at", Float, nullable=False, index=True),
    Column("answered_at", Float),
    Column("answered_by", String(64)),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("site", String(64)),  # None: every site
    Column("password_hash", String(200), nullable=False),
    Column("created_at", Float, nullable=False),
)

login_failures = Table(
    "login_failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, index=True),
    Column("at", Float, nullable=False),
)

survey_answers = Table(
    "survey_answers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site", String(64), nullable=False, index=True),
    Column("demarche", String(64), nullable=False),
    Column("day", String(10), nullable=False),
    Column("language", String(8), nullable=False),
    Column("solved", String(8), nullable=False),
    Column("missing", String(16), nullable=False),
    Column("rating", Integer, nullable=False),
)

# visio (migration 0003): one row per call; site, démarche, help level and timings only
visio_calls = Table(
    "visio_calls", metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # the call page's address, hashed
    Column("kiosk_id", String(32), nullable=False),
    Column("site", String(64), nullable=False),
    Column("partner", String(32), nullable=False),
    Column("demarche", String(64), nullable=False),
    Column("help_level", String(16), nullable=False),
    Column("language", String(8), nullable=False),
    Column("state", String(16), nullable=False),  # consent | waiting | taken | ended
    Column("created_at", Float, nullable=False),
    Column("queued_at", Float),
    Column("taken_at", Float),
    Column("ended_at", Float),
    Column("seen_at", Float),  # the citizen's side's last poll: a silent call is dropped
    Column("end_reason", String(16)),
    Column("advisor_id", Integer),
    Column("room", BigInteger),
    Column("room_pin", String(32)),
    Column("outcome", String(16)),
)

visio_advisors = Table(
    "visio_advisors", metadata,
    Column("user_id", Integer, primary_key=True),
    Column("partner", String(32), nullable=False),
    Column("languages", String(64), nullable=False),  # comma-separated codes: "fr,en"
    Column("seen_at", Float),  # the console's last poll: on duty while recent
)

# démarches content (migration 0004): packages of content files, for every kiosk or one site's
content_packages = Table(
    "content_packages", metadata,
    Column("version", Integer, primary_key=True, autoincrement=True),
    Column("site", String(64), index=True),  # None: every site
    Column("files", Text, nullable=False),  # JSON {"name.toml": "text"}, validated by each kiosk
    Column("created_at", Float, nullable=False),
)

__all__ = ["metadata", "hub_meta", "kiosks", "kiosk_configs", "pairing_codes", "request_nonces", "event_keys",
           "session_counts", "faults", "alerts", "users", "login_failures", "survey_answers",
           "visio_calls", "visio_advisors", "content_packages", "UniqueConstraint"]
