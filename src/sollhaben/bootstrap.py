"""Composition root without Qt: open the database and bring its schema up to date."""
from __future__ import annotations

from sollhaben.config import current_user, database_url
from sollhaben.persistence import migrate
from sollhaben.persistence.database import Database, open_database


def open_and_upgrade(url: str | None = None, backup: bool = True) -> Database:
    """Back up, migrate, or refuse (DatabaseTooNew) — the app never starts half-migrated."""
    db = open_database(database_url(url), user=current_user())
    try:
        migrate.upgrade(db.engine, backup=backup)
    except Exception:
        db.dispose()
        raise
    return db
