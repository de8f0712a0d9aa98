"""Schema upgrade at start: back up the SQLite file, upgrade to head, refuse a newer database."""
from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url


class DatabaseTooNew(RuntimeError):
    pass


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("sollhaben.persistence") / "migrations"))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def check_not_newer(engine: Engine) -> None:
    current = current_revision(engine)
    if current is not None and current not in known_revisions():
        raise DatabaseTooNew(
            f"Die Datenbank hat den Stand {current}, den diese Programmversion nicht kennt. "
            "Sie wurde mit einer neueren Version von Sollhaben bearbeitet. Bitte Sollhaben aktualisieren."
        )


def sqlite_path(engine: Engine) -> Path | None:
    url = make_url(str(engine.url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def backup_sqlite(engine: Engine, target: Path | None = None) -> Path | None:
    """Consistent copy through SQLite's online backup API (safe while WAL is in use)."""
    source_path = sqlite_path(engine)
    if source_path is None or not source_path.exists():
        return None
    if target is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup_dir = source_path.parent / "backups"
        backup_dir.mkdir(exist_ok=True)
        target = backup_dir / f"{source_path.stem}-{stamp}{source_path.suffix}"
    source = sqlite3.connect(source_path)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    return target


def needs_upgrade(engine: Engine) -> bool:
    return current_revision(engine) != head_revision()


def upgrade(engine: Engine, backup: bool = True) -> Path | None:
    """Bring the schema to head; returns the backup file when one was made."""
    check_not_newer(engine)
    if not needs_upgrade(engine):
        return None
    backup_file = None
    if backup and current_revision(engine) is not None:
        backup_file = backup_sqlite(engine)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return backup_file


def integrity_check(engine: Engine) -> list[str]:
    """`PRAGMA integrity_check` and foreign keys on SQLite; a connection test elsewhere."""
    problems: list[str] = []
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = [r[0] for r in connection.execute(text("PRAGMA integrity_check"))]
            problems += [r for r in rows if r != "ok"]
            fk = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
            problems += [f"Fremdschlüssel verletzt: Tabelle {r[0]}, Zeile {r[1]}" for r in fk]
        else:
            connection.execute(text("SELECT 1"))
    if current_revision(engine) != head_revision():
        problems.append(f"Schema-Stand {current_revision(engine)} statt {head_revision()}")
    return problems
