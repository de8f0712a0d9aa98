"""Bulk writing for the bank import: ids taken up front, rows written without RETURNING.

- PostgreSQL: ids from the table's sequence in one query (`nextval` over `generate_series`), rows
  written with COPY (psycopg) — tens of thousands of rows in a fraction of a second.
- SQLite: the writing unit of work holds the database's write lock from its start (BEGIN
  IMMEDIATE), so nobody else can insert meanwhile; ids continue after the highest one. Rows are
  written with the driver's executemany.

Both run in the caller's transaction: a later error rolls everything back.
"""
from __future__ import annotations

import json
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

