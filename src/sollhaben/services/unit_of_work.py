"""One unit of work per user action: commit on success, roll back on any error."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sollhaben.domain.errors import ConflictError
from sollhaben.persistence.database import Database


@contextmanager
def unit_of_work(db: Database, what: str = "Datensatz") -> Iterator[Session]:
    session = db.session()
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


def check_version(expected: int | None, actual: int, what: str) -> None:
    """A form saves only the version it loaded; anything else is someone else's change."""
    if expected is not None and expected != actual:
        raise ConflictError(what)
