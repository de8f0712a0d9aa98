"""Bulk writing for the bank import: ids taken up front, rows written without RETURNING.

- PostgreSQL: ids from the table's sequence in one query (`nextval` over `generate_series`), rows
  written with COPY (psycopg) — tens of thousands of rows in a fraction of a second.
- SQLite: the writing unit of work holds the database's write lock from its start (BEGIN
  IMMEDIATE), so nobody else can insert meanwhile; ids continue after the highest one. Rows are
  written with the driver's executemany.

Both run in the caller's transaction: a later error rolls everything back.

`RowWriter` overlaps the server's work with ours on PostgreSQL: a COPY of 20 000 rows keeps the
server busy (foreign-key checks, index updates) for longer than it takes us to build the rows, so
the batches are handed to one background thread that runs the COPYs in order on the transaction's
connection while the caller builds the next batch. The caller does not touch the session until the
writer is closed; closing waits for every batch and raises the first error of the writer (the
transaction then rolls back as before). On SQLite the rows are written at once, as before.
"""
from __future__ import annotations

import json
import queue
import threading
from datetime import datetime, timezone

from sqlalchemy import JSON, Table, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sollhaben.persistence.base import MinorUnits, UtcDateTime


def take_ids(session: Session, table: Table, count: int) -> list[int]:
    """`count` fresh primary keys of `table` for rows this transaction inserts."""
    if count == 0:
        return []
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        rows = connection.execute(text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) "
                                       "FROM generate_series(1, :n)"), {"t": table.name, "n": count})
        return [int(r[0]) for r in rows]
    highest = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(int(highest) + 1, int(highest) + 1 + count))


def _copy_value(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc)
    return value


def write_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert `rows` (all with the same keys, values as the model's Python types)."""
    if not rows:
        return
    connection = session.connection()
    try:
        if connection.dialect.name == "postgresql":
            _copy(connection.connection.dbapi_connection, table, rows)
        else:
            _executemany(connection, table, rows)
    except connection.dialect.dbapi.IntegrityError as exc:
        raise _integrity_error(table, exc) from exc


def _integrity_error(table: Table, exc: Exception) -> IntegrityError:
    """The driver's error as SQLAlchemy's, as a statement through the session would raise it (the
    bank import turns it into „… soeben von jemand anderem eingelesen“)."""
    return IntegrityError(f"bulk insert into {table.name}", None, exc)


def _copy(dbapi_connection, table: Table, rows: list[dict]) -> None:
    """PostgreSQL: COPY … FROM STDIN on the driver's connection."""
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    # only JSON and timestamp columns need a conversion; the rest goes in as it is
    special = [i for i, c in enumerate(columns)
               if isinstance(table.c[c].type, (JSON, UtcDateTime))]
    timestamps: dict[datetime, datetime] = {}  # a run's rows share one created_at: convert it once
    cursor = dbapi_connection.cursor()
    try:
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            write = copy.write_row
            for row in rows:
                value = [row[c] for c in columns]
                for index in special:
                    item = value[index]
                    if isinstance(item, datetime):
                        converted = timestamps.get(item)
                        if converted is None:
                            converted = timestamps[item] = _copy_value(item)
                        value[index] = converted
                    else:
                        value[index] = _copy_value(item)
                write(value)
    finally:
        cursor.close()


def _executemany(connection, table: Table, rows: list[dict]) -> None:
    # SQLite: the driver's executemany. Integers, texts and None go in as they are; dates, times
    # and JSON through the columns' own bind processors (the format SQLAlchemy reads back), each
    # distinct date or time converted once
    dialect = connection.dialect
    columns = list(rows[0])
    convert: list[tuple[int, object, dict]] = []
    for index, name in enumerate(columns):
        column_type = table.c[name].type
        processor = column_type._cached_bind_processor(dialect)
        if processor is not None and not isinstance(column_type, MinorUnits):
            convert.append((index, processor, {}))
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" for _ in columns)})'
    values = []
    for row in rows:
        value = [row[c] for c in columns]
        for index, processor, cache in convert:
            item = value[index]
            if item is None:
                continue
            if isinstance(item, (dict, list)):
                value[index] = processor(item)
            else:
                converted = cache.get(item)
                if converted is None:
                    converted = cache[item] = processor(item)
                value[index] = converted
        values.append(value)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.executemany(statement, values)
    finally:
        cursor.close()


class RowWriter:
    """`write(table, rows)` in order; on PostgreSQL in a background thread (see the module docstring).
    Use as a context manager: leaving it waits for the writer, also when the caller raised."""

    def __init__(self, session: Session) -> None:
        self._session = session
        connection = session.connection()
        self._background = connection.dialect.name == "postgresql"
        self._error: BaseException | None = None
        if self._background:
            self._dbapi = connection.connection.dbapi_connection
            self._driver_integrity_error = connection.dialect.dbapi.IntegrityError
            self._jobs: queue.Queue = queue.Queue()
            self._thread = threading.Thread(target=self._run, name="bank-import-copy", daemon=True)
            self._thread.start()

    def write(self, table: Table, rows: list[dict]) -> None:
        """Queue `rows` (not changed by the caller afterwards)."""
        if not rows:
            return
        if not self._background:
            write_rows(self._session, table, rows)
        elif self._error is None:  # after an error the rest is not written; close() raises it
            self._jobs.put((table, rows))

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._error is None:
                try:
                    _copy(self._dbapi, *job)
                except self._driver_integrity_error as exc:
                    self._error = _integrity_error(job[0], exc)
                    self._error.__cause__ = exc
                except BaseException as exc:  # handed to the caller's thread by close()
                    self._error = exc

    def close(self) -> None:
        if self._background and self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def __enter__(self) -> "RowWriter":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.close()
            return
        try:  # the caller's error wins; the writer's (if any) would only follow from it
            self.close()
        except BaseException:
            pass
