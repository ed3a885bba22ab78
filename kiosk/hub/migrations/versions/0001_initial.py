"""The hub's first tables.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("hub_meta",
                    sa.Column("key", sa.String(64), primary_key=True),
                    sa.Column("value", sa.Text, nullable=False))
    op.create_table("kiosks",
                    sa.Column("id", sa.String(32), primary_key=True),
                    sa.Column("name", sa.String(80), nullable=False),
                    sa.Column("site", sa.String(64), nullable=False, index=True),
                    sa.Column("secret", sa.String(64)),
                    sa.Column("created_at", sa.Float, nullable=False),
                    sa.Column("enrolled_at", sa.Float),
                    sa.Column("revoked_at", sa.Float),
                    sa.Column("last_contact", sa.Float),
                    sa.Column("version", sa.String(32)),
                    sa.Column("printer", sa.String(16)),
                    sa.Column("voice", sa.String(16)),
                    sa.Column("microphone", sa.String(16)),
                    sa.Column("backlog", sa.Integer))
    op.create_table("pairing_codes",
                    sa.Column("code_hash", sa.String(64), primary_key=True),
                    sa.Column("kiosk_id", sa.String(32), sa.ForeignKey("kiosks.id"), nullable=False),
                    sa.Column("expires_at", sa.Float, nullable=False),
                    sa.Column("used_at", sa.Float))
    op.create_table("request_nonces",
                    sa.Column("kiosk_id", sa.String(32), primary_key=True),
                    sa.Column("nonce", sa.String(64), primary_key=True),
                    sa.Column("seen_at", sa.Float, nullable=False, index=True))
    op.create_table("event_keys",
                    sa.Column("key", sa.String(64), primary_key=True),
                    sa.Column("kiosk_id", sa.String(32), nullable=False),
                    sa.Column("kind", sa.String(16), nullable=False),
                    sa.Column("received_at", sa.Float, nullable=False))
    op.create_table("session_counts",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("kiosk_id", sa.String(32), nullable=False, index=True),
                    sa.Column("site", sa.String(64), nullable=False, index=True),
                    sa.Column("day", sa.String(10), nullable=False, index=True),
                    sa.Column("hour", sa.Integer, nullable=False),
                    sa.Column("demarche", sa.String(64), nullable=False),
                    sa.Column("help_level", sa.String(16), nullable=False),
                    sa.Column("outcome", sa.String(16), nullable=False),
                    sa.Column("satisfaction", sa.Integer, nullable=False),
                    sa.Column("language", sa.String(8), nullable=False),
                    sa.Column("count", sa.Integer, nullable=False))
    op.create_table("faults",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("kiosk_id", sa.String(32), nullable=False, index=True),
                    sa.Column("site", sa.String(64), nullable=False),
                    sa.Column("fault", sa.String(64), nullable=False),
                    sa.Column("at", sa.Float, nullable=False, index=True))
    op.create_table("alerts",
                    sa.Column("id", sa.String(64), primary_key=True),
                    sa.Column("kiosk_id", sa.String(32), nullable=False),
                    sa.Column("site", sa.String(64), nullable=False, index=True),
                    sa.Column("demarche", sa.String(64), nullable=False),
                    sa.Column("help_level", sa.String(16), nullable=False),
                    sa.Column("reason", sa.String(16), nullable=False),
                    sa.Column("created_at", sa.Float, nullable=False, index=True),
                    sa.Column("answered_at", sa.Float),
                    sa.Column("answered_by", sa.String(64)))
    op.create_table("users",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("name", sa.String(64), nullable=False, unique=True),
                    sa.Column("role", sa.String(16), nullable=False),
                    sa.Column("site", sa.String(64)),
                    sa.Column("password_hash", sa.String(200), nullable=False),
                    sa.Column("created_at", sa.Float, nullable=False))
    op.create_table("login_failures",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("name", sa.String(64), nullable=False, index=True),
                    sa.Column("at", sa.Float, nullable=False))
    op.create_table("survey_answers",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("site", sa.String(64), nullable=False, index=True),
                    sa.Column("demarche", sa.String(64), nullable=False),
                    sa.Column("day", sa.String(10), nullable=False),
                    sa.Column("language", sa.String(8), nullable=False),
                    sa.Column("solved", sa.String(8), nullable=False),
                    sa.Column("missing", sa.String(16), nullable=False),
                    sa.Column("rating", sa.Integer, nullable=False))


def downgrade() -> None:
    for name in ("survey_answers", "login_failures", "users", "alerts", "faults", "session_counts",
                 "event_keys", "request_nonces", "pairing_codes", "kiosks", "hub_meta"):
        op.drop_table(name)
