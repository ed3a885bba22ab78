"""Visio: the calls waiting or under way (one row per call, nothing personal) and the advisors' partner.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("visio_calls",
                    sa.Column("id", sa.String(32), primary_key=True),
                    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
                    sa.Column("kiosk_id", sa.String(32), nullable=False),
                    sa.Column("site", sa.String(64), nullable=False),
                    sa.Column("partner", sa.String(32), nullable=False),
                    sa.Column("demarche", sa.String(64), nullable=False),
                    sa.Column("help_level", sa.String(16), nullable=False),
                    sa.Column("language", sa.String(8), nullable=False),
                    sa.Column("state", sa.String(16), nullable=False),
                    sa.Column("created_at", sa.Float, nullable=False),
                    sa.Column("queued_at", sa.Float),
                    sa.Column("taken_at", sa.Float),
                    sa.Column("ended_at", sa.Float),
                    sa.Column("seen_at", sa.Float),
                    sa.Column("end_reason", sa.String(16)),
                    sa.Column("advisor_id", sa.Integer),
                    sa.Column("room", sa.BigInteger),
                    sa.Column("room_pin", sa.String(32)),
                    sa.Column("outcome", sa.String(16)))
    op.create_index("ix_visio_calls_partner_state", "visio_calls", ["partner", "state"])
    op.create_index("ix_visio_calls_ended_at", "visio_calls", ["ended_at"])
    op.create_table("visio_advisors",
                    sa.Column("user_id", sa.Integer, primary_key=True),
                    sa.Column("partner", sa.String(32), nullable=False),
                    sa.Column("languages", sa.String(64), nullable=False),
                    sa.Column("seen_at", sa.Float))


def downgrade() -> None:
    op.drop_table("visio_advisors")
    op.drop_index("ix_visio_calls_ended_at", "visio_calls")
    op.drop_index("ix_visio_calls_partner_state", "visio_calls")
    op.drop_table("visio_calls")
