"""Engine and session factory: the composition root's view of the database."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, **kwargs) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


@dataclass
class Database:
    """The engine plus one session factory; services open one unit of work per user action."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    user: str = "system"

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self) -> Session:
        session = self.sessions()
        session.info["user"] = self.user
        return session

    def describe(self) -> str:
        """Short text for the status bar: file name or host/database, never a password."""
        parsed = make_url(self.url)
        if parsed.get_backend_name() == "sqlite":
            return f"SQLite: {parsed.database or 'im Speicher'}"
        return f"PostgreSQL: {parsed.host or 'localhost'}/{parsed.database}"

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, user: str = "system") -> Database:
    from sollhaben.persistence import audit  # registers the audit listener on Session

    engine = make_engine(url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    audit.install(sessions)
    return Database(url=url, engine=engine, sessions=sessions, user=user)
