"""Alembic environment: runs on the connection handed over by ``storage.db``."""

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

from storage.models import PARTIAL_WHERE  # (and the tables, on the metadata)

# The models name only SQLite's condition of a partial index; what autogenerate writes must
# name PostgreSQL's too.
for table in SQLModel.metadata.tables.values():
    for index in table.indexes:
        if PARTIAL_WHERE in index.info:
            index.dialect_kwargs["postgresql_where"] = text(index.info[PARTIAL_WHERE])

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
