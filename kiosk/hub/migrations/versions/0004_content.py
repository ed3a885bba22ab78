"""Content distribution: packages of démarches files, and what each kiosk did with the last one.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("content_packages",
                    sa.Column("version", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("site", sa.String(64), index=True),
                    sa.Column("files", sa.Text, nullable=False),
                    sa.Column("created_at", sa.Float, nullable=False))
    with op.batch_alter_table("kiosks") as batch:
        batch.add_column(sa.Column("content_version", sa.Integer))
        batch.add_column(sa.Column("content_status", sa.String(16)))
        batch.add_column(sa.Column("content_reasons", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("kiosks") as batch:
        batch.drop_column("content_reasons")
        batch.drop_column("content_status")
        batch.drop_column("content_version")
    op.drop_table("content_packages")
