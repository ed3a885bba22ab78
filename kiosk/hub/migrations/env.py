"""Alembic environment: the connection comes from kiosk.hub.db.migrate (config.attributes)."""

from alembic import context

from kiosk.hub.models import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
