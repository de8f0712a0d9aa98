"""One unit of work per user action: commit on success, roll back on any error."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sollhaben.domain.errors import ConflictError
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.database import SQLITE_BEGIN, Database


# The unit of work a service call runs in, per thread: nested units of work join it, so a use case
# that calls several services (the child editor saves child, guardians, payers, contract and period)
# commits all of them or none. Keyed by the Database so two databases never share a session.
_CURRENT: ContextVar[tuple[Database, Session] | None] = ContextVar("sollhaben_unit_of_work", default=None)


def _joined(db: Database) -> Session | None:
    current = _CURRENT.get()
    return current[1] if current is not None and current[0] is db else None


@contextmanager
def unit_of_work(db: Database, what: str = "Datensatz") -> Iterator[Session]:
    """A writing unit of work. On SQLite it holds the write lock from its start (BEGIN IMMEDIATE),
    so two writers queue instead of one failing; on PostgreSQL rows are locked where needed.
    Inside another unit of work of the same database it joins that one: the outermost commits."""
    outer = _joined(db)
    if outer is not None:
        try:
            yield outer
            outer.flush()  # surface this part's constraint and version errors here, by its name
        except StaleDataError:
            raise ConflictError(what) from None
        return
    session = db.session()
    if db.is_sqlite:
        session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
    token = _CURRENT.set((db, session))
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
        _CURRENT.reset(token)
        session.close()


@contextmanager
def read_only(db: Database) -> Iterator[Session]:
    """A unit of work that only reads: never waits for a writer, and is always rolled back.
    Inside a writing unit of work it reads through that one (and sees its uncommitted changes)."""
    outer = _joined(db)
    if outer is not None:
        yield outer
        return
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
