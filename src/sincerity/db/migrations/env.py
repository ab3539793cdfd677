"""Alembic environment: migrations run on the connection `sincerity.db.migrate` hands over."""

from __future__ import annotations

from alembic import context

from sincerity.db.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    version_table_schema=context.config.attributes.get("schema"),
)
with context.begin_transaction():
    context.run_migrations()
