"""Shared fixtures: a migrated database on SQLite (always) and PostgreSQL (when configured).

`db` is parametrized over both back ends; the PostgreSQL variant runs when
SOLLHABEN_TEST_DATABASE_URL is set (CI sets it) and is skipped otherwise.
"""
from __future__ import annotations

import os
import shutil
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput  # noqa: E402
from sollhaben.persistence import migrate  # noqa: E402
from sollhaben.persistence.base import Base  # noqa: E402
from sollhaben.persistence.database import open_database  # noqa: E402

PG_URL = os.environ.get("SOLLHABEN_TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    db = open_database(f"sqlite:///{path}")
    migrate.upgrade(db.engine, backup=False)
    db.dispose()
    return path


def _with_search_path(url: str, schema: str) -> str:
    """The URL with a libpq `options` parameter that makes `schema` the only search path."""
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def pg_migrated():
    """A schema of this test run's own in the configured database (so two runs on one server
    never truncate each other's tables), migrated once; dropped at the end of the run."""
    if not PG_URL:
        pytest.skip("SOLLHABEN_TEST_DATABASE_URL is not set")
    schema = f"sollhaben_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = open_database(PG_URL)
    with admin.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _with_search_path(PG_URL, schema)
    db = open_database(url)
    migrate.upgrade(db.engine, backup=False)
    db.dispose()
    yield url
    with admin.engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def _truncate_pg(db) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path, sqlite_template):
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copy(sqlite_template, path)
        database = open_database(f"sqlite:///{path}", user="test")
    else:
        url = request.getfixturevalue("pg_migrated")
        database = open_database(url, user="test")
        _truncate_pg(database)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path, sqlite_template):
    path = tmp_path / "test.sqlite"
    shutil.copy(sqlite_template, path)
    database = open_database(f"sqlite:///{path}", user="test")
    yield database
    database.dispose()


def make_org_input(country: str = "CH", name: str | None = None) -> OrganizationInput:
    if country == "CH":
        return OrganizationInput(
            name=name or "Sozialdienst Aaretal", legal_country="CH",
            address=Address("Bahnhofstrasse", "12", "3000", "Bern", "CH"),
            bank_accounts=(BankAccountInput("CH44 3199 9123 0008 8901 2", label="QR-Konto"),),
            enabled_modules=("alimony", "receivables"))
    return OrganizationInput(
        name=name or "Kita-Verbund Musterstadt", legal_country="DE",
        address=Address("Hauptstraße", "5", "70173", "Stuttgart", "DE"),
        bank_accounts=(BankAccountInput("DE89 3704 0044 0532 0130 00", label="Girokonto"),),
        sepa_creditor_id="DE98ZZZ09999999999", enabled_modules=("kita", "income", "receivables"))


@pytest.fixture
def today() -> date:
    return date(2026, 11, 24)
