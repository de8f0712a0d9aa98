"""`column IN (many values)` as one statement with one parameter.

A bank file brings 20 000 keys, references and account ids; an IN list of that many bind
parameters costs SQLAlchemy and the driver more than the query itself (and SQLite limits the number
of parameters). One parameter instead: PostgreSQL `column = ANY(:array)`, SQLite
`column IN (SELECT value FROM json_each(:json))`.
"""
from __future__ import annotations

import json
from typing import Sequence

from sqlalchemy import ColumnElement, Integer, String, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def among(session: Session, column, values: Sequence) -> ColumnElement[bool]:
    """`column` is one of `values` (all ints or all strings)."""
    values = list(values)
    integers = bool(values) and isinstance(values[0], int)
    if session.connection().dialect.name == "postgresql":
        array = bindparam(None, values, type_=ARRAY(Integer if integers else String))
        return column == any_(array)
    table = func.json_each(bindparam(None, json.dumps(values), type_=String)).table_valued("value")
    return column.in_(select(table.c.value))
