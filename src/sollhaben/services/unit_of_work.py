"""One unit of work per user action: commit on success, roll back on any error."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sollhaben.domain.errors import ConflictError
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.database import SQLITE_BEGIN, Database


@contextmanager
def unit_of_work(db: Database, what: str = "Datensatz") -> Iterator[Session]:
    """A writing unit of work. On SQLite it holds the write lock from its start (BEGIN IMMEDIATE),
    so two writers queue instead of one failing; on PostgreSQL rows are locked where needed."""
    session = db.session()
    if db.is_sqlite:
        session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
    try:
        yield session
        session.commit()
    except StaleDataError:
        session.rollback()
        raise ConflictError(what) from None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_only(db: Database) -> Iterator[Session]:
    """A unit of work that only reads: never waits for a writer, and is always rolled back."""
    session = db.session()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def check_version(expected: int | None, actual: int, what: str) -> None:
    """A form saves only the version it loaded; anything else is someone else's change."""
    if expected is not None and expected != actual:
        raise ConflictError(what)


def touch(row) -> None:
    """Mark a versioned row as changed when only its child rows (bank accounts, roles) changed:
    the UPDATE moves its version on, so a form loaded before this change cannot overwrite it."""
    row.updated_at = utcnow()


def sync_children(collection: list, wanted: list[dict], factory: Callable[..., object], key: str) -> bool:
    """Make an ordered child collection (bank accounts) hold the wanted values; True if it changed.

    Rows are kept position by position while their `key` matches and are updated in place, so the
    audit log shows old → new per field; the remaining rows are removed and new ones appended."""
    changed, keep = False, 0
    for row, values in zip(collection, wanted):
        if getattr(row, key) != values[key]:
            break
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
        keep += 1
    for row in list(collection[keep:]):
        collection.remove(row)
        changed = True
    for values in wanted[keep:]:
        collection.append(factory(**values))
        changed = True
    return changed
