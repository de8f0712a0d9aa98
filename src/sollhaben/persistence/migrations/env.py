"""Alembic environment; the connection is handed in by sollhaben.persistence.migrate."""
from __future__ import annotations

from alembic import context

from sollhaben.persistence import models  # noqa: F401  (registers the tables)
from sollhaben.persistence.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():  # pragma: no cover
    raise SystemExit("offline migrations are not supported; use `sollhaben db upgrade`")
run_migrations_online()
