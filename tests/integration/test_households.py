"""Households and dated membership on SQLite and PostgreSQL: periods never overlap per person,
household size and members at a date."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.master_data import PersonInput
from sollhaben.persistence.models import Household, HouseholdMembership
from sollhaben.services import households, organizations, persons
from tests.conftest import make_org_input

TODAY = date(2026, 11, 24)


@pytest.fixture
def org(db):
    return organizations.create_organization(db, make_org_input("CH"))


@pytest.fixture
def family(db, org):
    def person(first, born):
        return persons.save_person(db, org.id, PersonInput("NATURAL", "Gerber", first, birth_date=born), today=TODAY).id
    return {"laura": person("Laura", date(1985, 4, 12)), "reto": person("Reto", date(1983, 1, 30)),
            "nina": person("Nina", date(2016, 8, 1)), "luca": person("Luca", date(2019, 3, 19))}


def membership_count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(HouseholdMembership))


def household_count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Household))


def test_household_with_members_over_time(db, org, family):
    home = households.create_household(db, org.id, "  Familie Gerber ")
    households.add_member(db, home, family["laura"], date(2015, 1, 1), relation="parent")
    households.add_member(db, home, family["reto"], date(2015, 1, 1), date(2022, 6, 30), relation="parent")
    households.add_member(db, home, family["nina"], date(2016, 8, 1), relation="child")
    households.add_member(db, home, family["luca"], date(2019, 3, 19), relation="child")

    assert households.household_size(db, home, date(2014, 12, 31)) == 0
    assert households.household_size(db, home, date(2015, 1, 1)) == 2
    assert households.household_size(db, home, date(2019, 3, 18)) == 3
    assert households.household_size(db, home, date(2019, 3, 19)) == 4
    assert households.household_size(db, home, date(2022, 6, 30)) == 4  # the last day still counts
    assert households.household_size(db, home, date(2022, 7, 1)) == 3

    on = households.members_on(db, home, date(2022, 7, 1))
    assert [(m.person_name, m.relation, m.valid_from, m.valid_to) for m in on] == [
        ("Laura Gerber", "parent", date(2015, 1, 1), None),
        ("Nina Gerber", "child", date(2016, 8, 1), None),
        ("Luca Gerber", "child", date(2019, 3, 19), None),
    ]
    assert [m.person_id for m in households.members_on(db, home, date(2017, 1, 1))] == [
        family["laura"], family["reto"], family["nina"]]

    (found,) = households.households_of_person(db, family["nina"])
    assert (found.id, found.name, found.version) == (home, "Familie Gerber", 1)
    assert [(m.person_name, m.valid_to) for m in found.members] == [
        ("Laura Gerber", None), ("Reto Gerber", date(2022, 6, 30)), ("Nina Gerber", None), ("Luca Gerber", None)]


def test_a_person_moves_from_one_household_to_the_next(db, org, family):
    parents = households.create_household(db, org.id, "Familie Gerber")
    own = households.create_household(db, org.id, "Reto Gerber")
    first = households.add_member(db, parents, family["reto"], date(2015, 1, 1), relation="parent")
    households.end_membership(db, first, date(2022, 6, 30))
    households.add_member(db, own, family["reto"], date(2022, 7, 1))  # the day after: no overlap

    assert [h.name for h in households.households_of_person(db, family["reto"])] == ["Familie Gerber", "Reto Gerber"]
    assert households.household_size(db, parents, date(2022, 7, 1)) == 0
    assert households.household_size(db, own, date(2022, 7, 1)) == 1


@pytest.mark.parametrize("valid_from, valid_to", [
    (date(2020, 1, 1), None),                       # open end covers everything later
    (date(2010, 1, 1), date(2015, 1, 1)),           # ends on the first day of the other
    (date(2016, 5, 1), date(2016, 5, 31)),          # inside
    (date(2014, 1, 1), None),                       # encloses
])
def test_overlapping_membership_is_refused_in_german(db, org, family, valid_from, valid_to):
    home = households.create_household(db, org.id, "Familie Gerber")
    other = households.create_household(db, org.id, "Grosseltern")
    households.add_member(db, home, family["nina"], date(2015, 1, 1))
    before = membership_count(db)
    with pytest.raises(ValidationError) as caught:
        households.add_member(db, other, family["nina"], valid_from, valid_to)
    (error,) = caught.value.errors
    assert error.field == "valid_from"
    assert error.message == ("Ab: Nina Gerber gehört vom 01.01.2015 an schon zu einem Haushalt; "
                             "Zeiträume dürfen sich nicht überschneiden.")
    assert membership_count(db) == before
    with pytest.raises(ValidationError, match="überschneiden"):  # nor twice in the same household
        households.add_member(db, home, family["nina"], valid_from, valid_to)
    assert households.household_size(db, other, date(2016, 5, 15)) == 0


def test_end_before_start_is_refused(db, org, family):
    home = households.create_household(db, org.id, "Familie Gerber")
    with pytest.raises(ValidationError) as caught:
        households.add_member(db, home, family["luca"], date(2020, 1, 1), date(2019, 12, 31))
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("valid_to", "Bis: Das Ende der Zugehörigkeit liegt vor ihrem Beginn.")]
    membership = households.add_member(db, home, family["luca"], date(2020, 1, 1))
    with pytest.raises(ValidationError, match="liegt vor ihrem Beginn"):
        households.end_membership(db, membership, date(2019, 1, 1))
    assert households.members_on(db, home, date(2030, 1, 1))[0].valid_to is None
    # a membership of one day is allowed
    households.end_membership(db, membership, date(2020, 1, 1))
    assert households.household_size(db, home, date(2020, 1, 1)) == 1
    assert households.household_size(db, home, date(2020, 1, 2)) == 0


def test_ending_later_must_not_overlap_the_next_membership(db, org, family):
    parents = households.create_household(db, org.id, "Familie Gerber")
    own = households.create_household(db, org.id, "Reto Gerber")
    first = households.add_member(db, parents, family["reto"], date(2015, 1, 1), date(2022, 6, 30))
    households.add_member(db, own, family["reto"], date(2022, 7, 1))
    with pytest.raises(ValidationError) as caught:
        households.end_membership(db, first, date(2023, 12, 31))
    assert [e.field for e in caught.value.errors] == ["valid_to"]
    assert "überschneiden" in caught.value.errors[0].message
    assert households.members_on(db, parents, date(2022, 6, 30))[0].valid_to == date(2022, 6, 30)
    households.end_membership(db, first, date(2021, 12, 31))  # shortening is fine
    assert households.household_size(db, parents, date(2022, 1, 1)) == 0


def test_household_name_is_required_and_limited(db, org):
    with pytest.raises(ValidationError) as caught:
        households.create_household(db, org.id, "   ")
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("name", "Name: Bitte einen Namen für den Haushalt eingeben.")]
    with pytest.raises(ValidationError, match="Name: höchstens 120 Zeichen erlaubt."):
        households.create_household(db, org.id, "H" * 121)
    with pytest.raises(NotFoundError):
        households.create_household(db, 999, "Familie Niemand")
    assert household_count(db) == 0


def test_relation_is_limited(db, org, family):
    home = households.create_household(db, org.id, "Familie Gerber")
    with pytest.raises(ValidationError, match="Beziehung: höchstens 20 Zeichen erlaubt."):
        households.add_member(db, home, family["nina"], date(2016, 8, 1), relation="Tochter der Lebenspartnerin")
    assert membership_count(db) == 0


def test_members_must_belong_to_the_organization(db, org, family):
    other = organizations.create_organization(db, make_org_input("DE"))
    foreign_home = households.create_household(db, other.id, "Fremd")
    stranger = persons.save_person(db, other.id, PersonInput("NATURAL", "Fremd"), today=TODAY).id
    home = households.create_household(db, org.id, "Familie Gerber")
    with pytest.raises(NotFoundError, match="Haushalt oder Person gibt es nicht"):
        households.add_member(db, home, stranger, date(2020, 1, 1))
    with pytest.raises(NotFoundError):
        households.add_member(db, foreign_home, family["laura"], date(2020, 1, 1))
    with pytest.raises(NotFoundError):
        households.add_member(db, 999, family["laura"], date(2020, 1, 1))
    with pytest.raises(NotFoundError):
        households.end_membership(db, 999, date(2020, 1, 1))
    assert membership_count(db) == 0


def test_person_without_household(db, org, family):
    assert households.households_of_person(db, family["laura"]) == []
    assert households.household_size(db, 999, date(2020, 1, 1)) == 0


def test_a_new_household_and_its_first_member_are_one_transaction(db, org, family):
    first, _ = households.add_to_new_household(db, org.id, "Familie Gerber", family["laura"], date(2020, 1, 1),
                                               relation="parent")
    assert [m.person_id for m in households.members_on(db, first, date(2021, 1, 1))] == [family["laura"]]
    before = (household_count(db), membership_count(db))
    with pytest.raises(ValidationError) as refused:  # Laura lives in the first household already
        households.add_to_new_household(db, org.id, "Wohngemeinschaft", family["laura"], date(2022, 1, 1))
    assert refused.value.errors[0].field == "valid_from"
    assert (household_count(db), membership_count(db)) == before  # no empty household left behind
    with pytest.raises(ValidationError, match="Name: Bitte einen Namen"):
        households.add_to_new_household(db, org.id, "  ", family["reto"], date(2022, 1, 1))
    assert (household_count(db), membership_count(db)) == before
