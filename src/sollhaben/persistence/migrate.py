"""Schema upgrade at start: back up the SQLite file, upgrade to head, refuse a newer database.

Alembic is imported only when the schema is not at head: the usual start compares the stored
revision with the head revision read from the revision files (`is_at_head`), which costs a
millisecond instead of the ~150 ms that importing Alembic and loading its script directory take.
"""
from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

VERSION_TABLE = "alembic_version"
_REVISION = re.compile(r"""^revision\s*(?::[^=]*)?=\s*['"]([^'"]+)['"]""", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"""['"]([^'"]+)['"]""")


class DatabaseTooNew(RuntimeError):
    pass


def alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("sollhaben.persistence") / "migrations"))
    return config


def _script_directory():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return _script_directory().get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def known_revisions() -> set[str]:
    return {rev.revision for rev in _script_directory().walk_revisions()}


def script_heads() -> set[str]:
    """Head revisions from the `revision` / `down_revision` lines of the revision files, without
    Alembic (a test checks that Alembic agrees). Empty when the files cannot be read."""
    revisions: set[str] = set()
    parents: set[str] = set()
    versions = resources.files("sollhaben.persistence") / "migrations" / "versions"
    try:
        sources = [entry.read_text(encoding="utf-8") for entry in versions.iterdir()
                   if entry.name.endswith(".py") and not entry.name.startswith("__")]
    except OSError:
        return set()
    for source in sources:
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            return set()  # not a shape we understand: let Alembic decide
        revisions.add(revision.group(1))
        parents.update(_QUOTED.findall(down.group(1)))
    return revisions - parents


def is_at_head(engine: Engine) -> bool:
    """True when the database holds exactly the one head revision (plain SQL, no Alembic)."""
    heads = script_heads()
    if len(heads) != 1:
        return False
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return False
        stored = list(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
    return stored == list(heads)


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
    if is_at_head(engine):  # the usual start: nothing to do, and Alembic stays unloaded
        return None
    from alembic import command

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
