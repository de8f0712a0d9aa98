"""Nested units of work join the outermost one: a use case of several service calls commits all of
them or none; reads inside see the transaction's own changes."""
from __future__ import annotations

import threading

import pytest

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.master_data import PersonInput
from sollhaben.services import organizations, persons
from sollhaben.services.unit_of_work import read_only, unit_of_work
from sollhaben.persistence.models import Person
from tests.conftest import make_org_input


def count(db) -> int:
    with read_only(db) as session:
        return session.query(Person).count()


def test_several_service_calls_commit_together_or_not_at_all(db):
    org = organizations.create_organization(db, make_org_input("CH"))
    with pytest.raises(ValidationError):
        with unit_of_work(db):
            first = persons.save_person(db, org.id, PersonInput("NATURAL", "Muster", "Anna"))
            assert persons.get_person(db, first.id).last_name == "Muster"  # visible inside
            persons.save_person(db, org.id, PersonInput("NATURAL", ""))  # refused: no last name
    assert count(db) == 0  # the first person was rolled back with the refused second
    with unit_of_work(db):
        persons.save_person(db, org.id, PersonInput("NATURAL", "Muster", "Anna"))
        persons.save_person(db, org.id, PersonInput("NATURAL", "Keller", "Beat"))
    assert count(db) == 2


def test_another_thread_does_not_join(sqlite_db):
    org = organizations.create_organization(sqlite_db, make_org_input("CH"))
    seen: list[int] = []
    with unit_of_work(sqlite_db):
        persons.save_person(sqlite_db, org.id, PersonInput("NATURAL", "Muster", "Anna"))
        worker = threading.Thread(target=lambda: seen.append(count(sqlite_db)))
        worker.start()
        worker.join()
    assert seen == [0]  # the worker thread read committed data in its own session
    assert count(sqlite_db) == 1
