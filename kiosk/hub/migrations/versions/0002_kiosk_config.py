"""Configuration distribution: each kiosk's config (TOML) with a version, and what the kiosk did with it.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("kiosk_configs",
                    sa.Column("kiosk_id", sa.String(32), sa.ForeignKey("kiosks.id"), primary_key=True),
                    sa.Column("version", sa.Integer, nullable=False),
                    sa.Column("body", sa.Text, nullable=False),
                    sa.Column("updated_at", sa.Float, nullable=False))
    with op.batch_alter_table("kiosks") as batch:
        batch.add_column(sa.Column("config_version", sa.Integer))
        batch.add_column(sa.Column("config_status", sa.String(16)))
        batch.add_column(sa.Column("config_reasons", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("kiosks") as batch:
        batch.drop_column("config_reasons")
        batch.drop_column("config_status")
        batch.drop_column("config_version")
    op.drop_table("kiosk_configs")
