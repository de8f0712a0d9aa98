"""Engine and session factory: the composition root's view of the database."""
from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 10_000
#: Page cache per connection (negative: KiB). SQLite's default of 2 MB makes a billing run of
#: 56 000 postings re-read index pages of a posting table that has grown past it; a desktop
#: application can afford 64 MB for its few connections.
CACHE_KIB = 65_536
#: SQLite's default: the committing connection copies the WAL into the database file once it is
#: larger than this many pages.
AUTOCHECKPOINT_PAGES = 1000
_DEFERRED = "sollhaben_checkpoint_deferred"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # The driver's own transaction handling begins late and DEFERRED; we emit BEGIN ourselves
    # (see `_sqlite_begin`), as SQLAlchemy's pysqlite documentation recommends.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cursor.close()


def defer_checkpoint(connection: Connection) -> None:
    """For one large write (a billing run): its commit does not copy the WAL into the database
    file, which took a quarter of a second and more of the user's wait. When the connection goes
    back to the pool, automatic checkpoints are switched on again and a passive checkpoint runs on
    a thread of its own with its own connection (it never blocks readers or writers; whatever it
    cannot copy now, a later commit copies). No-op on PostgreSQL and in-memory databases."""
    if connection.dialect.name != "sqlite" or not connection.engine.url.database \
            or connection.engine.url.database == ":memory:":
        return
    connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
    connection.connection.info[_DEFERRED] = connection.engine.url.database


def _restore_checkpoint(dbapi_connection, record) -> None:
    path = record.info.pop(_DEFERRED, None) if record is not None else None
    if path is None:
        return
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
    cursor.close()
    threading.Thread(target=_checkpoint, args=(path,), name="sqlite-checkpoint").start()


def _checkpoint(path: str) -> None:
    try:
        connection = sqlite3.connect(path, timeout=0)
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            connection.close()
    except sqlite3.Error:
        pass  # the next commit past the threshold checkpoints instead


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
        event.listen(engine, "checkin", _restore_checkpoint)
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
