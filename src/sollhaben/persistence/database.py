"""Engine and session factory: the composition root's view of the database."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # The driver's own transaction handling begins late and DEFERRED; we emit BEGIN ourselves
    # (see `_sqlite_begin`), as SQLAlchemy's pysqlite documentation recommends.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


#: Execution option: how a transaction on this connection begins on SQLite.
SQLITE_BEGIN = "sqlite_begin"


def _sqlite_begin(connection) -> None:
    """BEGIN IMMEDIATE for units of work that write: they take the write lock before their first
    read, so a second writer waits (busy timeout) instead of failing with "database is locked"
    when it later upgrades a read transaction whose snapshot another writer has moved on. Readers
    begin DEFERRED and, in WAL mode, never wait for a writer."""
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, **kwargs) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
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
