"""Households and dated membership: who lives with whom from when to when."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from sollhaben.domain.errors import ErrorCollector, NotFoundError, ValidationError
from sollhaben.domain.formatting import format_date
from sollhaben.domain.master_data import check_length
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Household, HouseholdMembership, Organization, Person
from sollhaben.services.dto import HouseholdDTO, MembershipDTO
from sollhaben.services.unit_of_work import read_only, unit_of_work


def _dates_overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return a_from <= (b_to or date.max) and b_from <= (a_to or date.max)


def _check_period(valid_from: date, valid_to: date | None) -> None:
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError("Bis: Das Ende der Zugehörigkeit liegt vor ihrem Beginn.", "valid_to")


def _check_no_overlap(session: Session, person: Person, valid_from: date, valid_to: date | None,
                      field: str, exclude_id: int | None = None) -> None:
    """A person belongs to one household at a time: the periods of one person never overlap
    (both ends count: a membership ending on the 30th and one starting on the 30th overlap)."""
    query = select(HouseholdMembership).where(HouseholdMembership.person_id == person.id)
    if exclude_id is not None:
        query = query.where(HouseholdMembership.id != exclude_id)
    for other in session.scalars(query.order_by(HouseholdMembership.valid_from)):
        if _dates_overlap(valid_from, valid_to, other.valid_from, other.valid_to):
            label = "Ab" if field == "valid_from" else "Bis"
            name = f"{person.first_name} {person.last_name}".strip()
            raise ValidationError(
                f"{label}: {name} gehört vom {format_date(other.valid_from)} an schon zu einem Haushalt; "
                "Zeiträume dürfen sich nicht überschneiden.", field)


def _check_name(name: str) -> str:
    errors = ErrorCollector()
    if not name.strip():
        errors.add("name", "Name: Bitte einen Namen für den Haushalt eingeben.")
    check_length(errors, "name", "Name", name.strip(), 120)
    errors.raise_if_any()
    return name.strip()


def _new_household(session: Session, organization_id: int, name: str) -> Household:
    if session.get(Organization, organization_id) is None:
        raise NotFoundError(f"Organisation {organization_id} gibt es nicht.")
    household = Household(organization_id=organization_id, name=name)
    session.add(household)
    session.flush()
    return household


def create_household(db: Database, organization_id: int, name: str) -> int:
    name = _check_name(name)
    with unit_of_work(db) as session:
        return _new_household(session, organization_id, name).id


def _check_membership_input(valid_from: date, valid_to: date | None, relation: str) -> None:
    _check_period(valid_from, valid_to)
    errors = ErrorCollector()
    check_length(errors, "relation", "Beziehung", relation.strip(), 20)
    errors.raise_if_any()


def _add_member(session: Session, household: Household | None, person_id: int, valid_from: date,
                valid_to: date | None, relation: str) -> int:
    # Lock the person (PostgreSQL): two clerks cannot add overlapping periods at the same time.
    person = session.get(Person, person_id, with_for_update=True)
    if household is None or person is None or person.organization_id != household.organization_id:
        raise NotFoundError("Haushalt oder Person gibt es nicht in dieser Organisation.")
    _check_no_overlap(session, person, valid_from, valid_to, "valid_from")
    membership = HouseholdMembership(household_id=household.id, person_id=person_id,
                                     valid_from=valid_from, valid_to=valid_to, relation=relation.strip())
    session.add(membership)
    session.flush()
    return membership.id


def add_member(db: Database, household_id: int, person_id: int, valid_from: date,
               valid_to: date | None = None, relation: str = "") -> int:
    """A person can belong to one household at a time: periods of one person never overlap."""
    _check_membership_input(valid_from, valid_to, relation)
    with unit_of_work(db, "Der Haushalt") as session:
        return _add_member(session, session.get(Household, household_id), person_id, valid_from, valid_to, relation)


def add_to_new_household(db: Database, organization_id: int, name: str, person_id: int, valid_from: date,
                         valid_to: date | None = None, relation: str = "") -> tuple[int, int]:
    """Create a household with its first member in one transaction: a refused membership leaves
    no empty household behind. Returns (household id, membership id)."""
    name = _check_name(name)
    _check_membership_input(valid_from, valid_to, relation)
    with unit_of_work(db, "Der Haushalt") as session:
        household = _new_household(session, organization_id, name)
        return household.id, _add_member(session, household, person_id, valid_from, valid_to, relation)


def end_membership(db: Database, membership_id: int, valid_to: date) -> None:
    with unit_of_work(db) as session:
        membership = session.get(HouseholdMembership, membership_id)
        if membership is None:
            raise NotFoundError("Diese Haushaltszugehörigkeit gibt es nicht.")
        _check_period(membership.valid_from, valid_to)
        person = session.get(Person, membership.person_id, with_for_update=True)
        _check_no_overlap(session, person, membership.valid_from, valid_to, "valid_to", exclude_id=membership.id)
        membership.valid_to = valid_to


def _membership_dtos(session: Session, memberships: list[HouseholdMembership]) -> list[MembershipDTO]:
    person_ids = {m.person_id for m in memberships}
    names = {pid: f"{first} {last}".strip() for pid, first, last in session.execute(
        select(Person.id, Person.first_name, Person.last_name).where(Person.id.in_(person_ids)))}
    return [MembershipDTO(m.id, m.household_id, m.person_id, names.get(m.person_id, ""), m.valid_from,
                          m.valid_to, m.relation) for m in memberships]


def households_of_person(db: Database, person_id: int) -> list[HouseholdDTO]:
    with read_only(db) as session:
        ids = select(HouseholdMembership.household_id).where(HouseholdMembership.person_id == person_id)
        households = session.scalars(select(Household).options(selectinload(Household.memberships))
                                     .where(Household.id.in_(ids)).order_by(Household.id)).all()
        members = iter(_membership_dtos(session, [m for h in households for m in h.memberships]))
        return [HouseholdDTO(h.id, h.version, h.name, tuple(next(members) for _ in h.memberships))
                for h in households]


def _members_on_query(household_id: int, on: date):
    return (select(HouseholdMembership)
            .where(HouseholdMembership.household_id == household_id, HouseholdMembership.valid_from <= on,
                   (HouseholdMembership.valid_to.is_(None)) | (HouseholdMembership.valid_to >= on))
            .order_by(HouseholdMembership.valid_from, HouseholdMembership.id))


def members_on(db: Database, household_id: int, on: date) -> list[MembershipDTO]:
    """Who lives in the household on that day (both ends of a membership count)."""
    with read_only(db) as session:
        return _membership_dtos(session, list(session.scalars(_members_on_query(household_id, on))))


def household_size(db: Database, household_id: int, on: date) -> int:
    with unit_of_work(db) as session:
        return session.scalar(select(func.count()).select_from(_members_on_query(household_id, on).subquery()))
