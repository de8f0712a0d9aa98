"""Two writers on one SQLite file (the GUI thread and the worker, or two processes) wait for each
other instead of failing with "database is locked"; readers never wait for a writer."""
from __future__ import annotations

import threading
import time
from datetime import date

from sollhaben.domain.master_data import PersonInput
from sollhaben.services import organizations, persons
from sollhaben.services.unit_of_work import read_only, unit_of_work
from sollhaben.persistence.models import Person
from tests.conftest import make_org_input

TODAY = date(2026, 11, 25)


def test_a_second_writer_waits_for_the_first_instead_of_failing(sqlite_db):
    org = organizations.create_organization(sqlite_db, make_org_input("DE"))
    person = persons.save_person(sqlite_db, org.id, PersonInput("NATURAL", "Muster", "Anna"), today=TODAY)
    first_holds_lock, errors = threading.Event(), []

    def first_writer():
        with unit_of_work(sqlite_db) as session:
            row = session.get(Person, person.id)  # read, then write: the classic upgrade
            row.note = "erster"
            session.flush()  # holds the write lock until commit
            first_holds_lock.set()
            time.sleep(0.5)

    thread = threading.Thread(target=first_writer)
    thread.start()
    first_holds_lock.wait(5)
    try:
        with unit_of_work(sqlite_db) as session:  # waits for the first one's commit, then sees it
            row = session.get(Person, person.id)
            assert row.note == "erster"
            row.note = "zweiter"
    except Exception as exc:  # noqa: BLE001 - the assertion below reports it
        errors.append(exc)
    thread.join()
    assert errors == []
    assert persons.get_person(sqlite_db, person.id).note == "zweiter"


def test_a_reader_does_not_wait_for_a_writer(sqlite_db):
    org = organizations.create_organization(sqlite_db, make_org_input("DE"))
    persons.save_person(sqlite_db, org.id, PersonInput("NATURAL", "Muster", "Anna"), today=TODAY)
    holding, release = threading.Event(), threading.Event()

    def writer():
        with unit_of_work(sqlite_db) as session:
            session.add(Person(organization_id=org.id, kind="NATURAL", last_name="Neu", first_name=""))
            session.flush()
            holding.set()
            release.wait(5)

    thread = threading.Thread(target=writer)
    thread.start()
    holding.wait(5)
    start = time.perf_counter()
    with read_only(sqlite_db) as session:
        names = [p.last_name for p in session.query(Person).all()]
    rows = persons.list_person_rows(sqlite_db, org.id)
    waited = time.perf_counter() - start
    release.set()
    thread.join()
    assert names == ["Muster"] and [r.last_name for r in rows] == ["Muster"]  # the committed state
    assert waited < 2  # did not wait for the writer (which holds its lock up to 5 s)


def test_a_deferred_checkpoint_runs_after_the_large_write_and_automatic_ones_come_back(sqlite_db):
    from sqlalchemy import text

    from sollhaben.persistence.database import AUTOCHECKPOINT_PAGES, defer_checkpoint

    org = organizations.create_organization(sqlite_db, make_org_input("DE"))
    with unit_of_work(sqlite_db) as session:
        connection = session.connection()
        defer_checkpoint(connection)
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        for n in range(300):  # well over what fits the page cache's default spill
            session.add(Person(organization_id=org.id, kind="NATURAL", last_name=f"Name {n}", first_name="x" * 500))
    for thread in threading.enumerate():
        if thread.name == "sqlite-checkpoint":
            thread.join(10)
    with read_only(sqlite_db) as session:
        # the pool hands out the same connection: automatic checkpoints are on again
        assert session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == AUTOCHECKPOINT_PAGES
        assert session.execute(text("SELECT count(*) FROM person WHERE first_name = :x"),
                               {"x": "x" * 500}).scalar() == 300
    import sqlite3

    path = sqlite_db.engine.url.database
    # immutable=1 reads the database file alone, not the WAL: the rows are there, so the
    # background checkpoint copied them
    probe = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        assert probe.execute("SELECT count(*) FROM person WHERE length(first_name) = 500").fetchone()[0] == 300
    finally:
        probe.close()
