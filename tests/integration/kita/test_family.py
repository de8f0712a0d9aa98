"""Siblings in care and children in the household on SQLite and PostgreSQL, for one child and in
bulk for a facility (the billing run's queries)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from sollhaben.domain.kita.model import Contract, ContractStatus
from sollhaben.domain.master_data import PersonInput
from sollhaben.services import households
from sollhaben.services.kita import children
from sollhaben.services.kita.dto import GuardianInput
from sollhaben.services.unit_of_work import read_only
from tests.integration.kita.conftest import TODAY, month, new_person


@dataclass
class Family:
    mother: int
    father: int
    anna: int  # oldest, Sonnenschein, leaves end of July 2026
    ben: int  # Sonnenschein
    cleo: int  # youngest, Mondschein
    dario: int  # other family, Sonnenschein
    emil: int  # half-brother: father is his guardian until 31.01.2026, Sonnenschein


def add_child(db, kita, first, born, facility, guardians, last_day=None, last="Gerber") -> int:
    child = children.create_child(db, kita.id, PersonInput("NATURAL", last, first, birth_date=born), today=TODAY)
    dto = children.save_guardians(db, child.id, child.version, guardians)
    status = ContractStatus.DEREGISTERED if last_day else ContractStatus.ACTIVE
    children.save_contract(db, Contract(dto.id, facility, status, first_day=date(2025, 9, 1), last_day=last_day))
    return child.id


@pytest.fixture
def family(db, kita) -> Family:
    mother = new_person(db, kita.id, "Gerber", "Laura", date(1988, 2, 1))
    father = new_person(db, kita.id, "Gerber", "Reto", date(1986, 7, 4))
    other = new_person(db, kita.id, "Keller", "Sara", date(1990, 3, 3))
    parents = [GuardianInput(mother, "Mutter"), GuardianInput(father, "Vater")]
    return Family(
        mother, father,
        anna=add_child(db, kita, "Anna", date(2020, 2, 1), kita.facility, parents, last_day=date(2026, 7, 31)),
        ben=add_child(db, kita, "Ben", date(2022, 5, 3), kita.facility, parents),
        cleo=add_child(db, kita, "Cleo", date(2023, 9, 10), kita.facility2, parents),
        dario=add_child(db, kita, "Dario", date(2021, 6, 6), kita.facility, [GuardianInput(other)], last="Keller"),
        emil=add_child(db, kita, "Emil", date(2021, 1, 1), kita.facility,
                       [GuardianInput(other), GuardianInput(father, valid_to=date(2026, 1, 31))], last="Keller"))


def test_siblings_share_a_guardian_and_a_facility_in_the_month(db, kita, family):
    assert [s.name for s in children.siblings(db, family.ben, month("03.2026"))] == ["Anna Gerber"]
    # in January the father is still Emil's guardian: Emil is a sibling of Anna, Ben and Dario
    assert [s.name for s in children.siblings(db, family.ben, month("01.2026"))] == ["Anna Gerber", "Emil Keller"]
    assert [s.name for s in children.siblings(db, family.dario, month("01.2026"))] == ["Emil Keller"]
    assert [s.name for s in children.siblings(db, family.emil, month("01.2026"))] == [
        "Anna Gerber", "Dario Keller", "Ben Gerber"]
    # Anna's last care day is 31.07.2026
    assert [s.child_id for s in children.siblings(db, family.ben, month("07.2026"))] == [family.anna]
    assert children.siblings(db, family.ben, month("08.2026")) == []
    assert children.siblings(db, family.anna, month("08.2026")) == []  # not in care herself
    assert children.siblings(db, family.cleo, month("03.2026")) == []  # another facility


def test_sibling_position_oldest_first_with_children_named_manually(db, kita, family):
    assert children.sibling_position(db, family.anna, month("03.2026")) == 1
    assert children.sibling_position(db, family.ben, month("03.2026")) == 2
    assert children.sibling_position(db, family.cleo, month("03.2026")) == 1
    assert children.sibling_position(db, family.cleo, month("03.2026"), [family.anna, family.ben]) == 3
    assert children.sibling_position(db, family.ben, month("08.2026")) == 1  # Anna has left
    assert children.sibling_position(db, family.ben, month("08.2026"), [family.anna]) == 2


def test_bulk_siblings_and_positions_of_a_facility_agree_with_the_single_child(db, kita, family):
    for when in ("01.2026", "03.2026", "08.2026"):
        with read_only(db) as session:
            bulk = children.facility_siblings(session, kita.facility, month(when))
            positions = children.sibling_positions(session, kita.facility, month(when), {family.ben: [family.cleo]})
        for child_id, sibs in bulk.items():
            assert list(sibs) == [s.child_id for s in children.siblings(db, child_id, month(when))]
            extra = [family.cleo] if child_id == family.ben else []
            assert positions[child_id] == children.sibling_position(db, child_id, month(when), extra)
    with read_only(db) as session:
        assert set(children.facility_siblings(session, kita.facility, month("08.2026"))) == {
            family.ben, family.dario, family.emil}
        assert children.sibling_positions(session, kita.facility, month("03.2026"))[family.ben] == 2


def test_children_under_18_in_the_household_on_the_first_of_the_month(db, kita, family):
    assert children.children_in_household(db, family.ben, month("03.2026")) == 1  # no household yet
    teen = new_person(db, kita.id, "Gerber", "Lea", date(2008, 6, 1))  # 18 on 01.06.2026
    home, _ = households.add_to_new_household(db, kita.id, "Familie Gerber", family.mother, date(2019, 1, 1))
    ben_person = children.get_child(db, family.ben).person_id
    anna_person = children.get_child(db, family.anna).person_id
    for person, since in ((teen, date(2019, 1, 1)), (ben_person, date(2022, 5, 3)), (anna_person, date(2020, 2, 1))):
        households.add_member(db, home, person, since, relation="child")
    baby = new_person(db, kita.id, "Gerber", "Pia", date(2026, 3, 15))
    households.add_member(db, home, baby, date(2026, 3, 15), relation="child")

    assert children.children_in_household(db, family.ben, month("03.2026")) == 3  # Lea, Anna, Ben
    assert children.children_in_household(db, family.ben, month("04.2026")) == 4  # Pia from the month after
    assert children.children_in_household(db, family.ben, month("05.2026")) == 4
    assert children.children_in_household(db, family.ben, month("06.2026")) == 3  # Lea is 18 on the 1st
    with read_only(db) as session:
        assert children.household_children(session, [family.ben, family.anna, family.dario], month("04.2026")) == {
            family.ben: 4, family.anna: 4, family.dario: 1}
        assert children.household_children(session, [], month("04.2026")) == {}
