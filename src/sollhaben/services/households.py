"""Households and dated membership: who lives with whom from when to when."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Household, HouseholdMembership, Person
from sollhaben.services.dto import HouseholdDTO, MembershipDTO
from sollhaben.services.unit_of_work import unit_of_work


def _dates_overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return a_from <= (b_to or date.max) and b_from <= (a_to or date.max)


def create_household(db: Database, organization_id: int, name: str) -> int:
    if not name.strip():
        raise ValidationError("Name: Bitte einen Namen für den Haushalt eingeben.", "name")
    with unit_of_work(db) as session:
        household = Household(organization_id=organization_id, name=name.strip())
        session.add(household)
        session.flush()
        return household.id


def add_member(db: Database, household_id: int, person_id: int, valid_from: date,
               valid_to: date | None = None, relation: str = "") -> int:
    """A person can belong to one household at a time: periods of one person never overlap."""
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError("Bis: Das Ende der Zugehörigkeit liegt vor ihrem Beginn.", "valid_to")
    with unit_of_work(db, "Der Haushalt") as session:
        household = session.get(Household, household_id)
        person = session.get(Person, person_id)
        if household is None or person is None or person.organization_id != household.organization_id:
            raise NotFoundError("Haushalt oder Person gibt es nicht in dieser Organisation.")
        existing = session.scalars(select(HouseholdMembership).where(HouseholdMembership.person_id == person_id))
        for other in existing:
            if _dates_overlap(valid_from, valid_to, other.valid_from, other.valid_to):
                raise ValidationError(
                    f"Ab: {person.first_name} {person.last_name} gehört vom {other.valid_from:%d.%m.%Y} an "
                    "schon zu einem Haushalt; Zeiträume dürfen sich nicht überschneiden.", "valid_from")
        membership = HouseholdMembership(household_id=household_id, person_id=person_id,
                                         valid_from=valid_from, valid_to=valid_to, relation=relation)
        session.add(membership)
        session.flush()
        return membership.id


def end_membership(db: Database, membership_id: int, valid_to: date) -> None:
    with unit_of_work(db) as session:
        membership = session.get(HouseholdMembership, membership_id)
        if membership is None:
            raise NotFoundError("Diese Haushaltszugehörigkeit gibt es nicht.")
        if valid_to < membership.valid_from:
            raise ValidationError("Bis: Das Ende der Zugehörigkeit liegt vor ihrem Beginn.", "valid_to")
        membership.valid_to = valid_to


def households_of_person(db: Database, person_id: int) -> list[HouseholdDTO]:
    with unit_of_work(db) as session:
        ids = select(HouseholdMembership.household_id).where(HouseholdMembership.person_id == person_id)
        households = session.scalars(select(Household).options(selectinload(Household.memberships))
                                     .where(Household.id.in_(ids)).order_by(Household.id)).all()
        person_ids = {m.person_id for h in households for m in h.memberships}
        names = {pid: f"{first} {last}".strip() for pid, first, last in session.execute(
            select(Person.id, Person.first_name, Person.last_name).where(Person.id.in_(person_ids)))}
        return [HouseholdDTO(h.id, h.version, h.name, tuple(
            MembershipDTO(m.id, h.id, m.person_id, names.get(m.person_id, ""), m.valid_from, m.valid_to, m.relation)
            for m in h.memberships)) for h in households]


def household_size(db: Database, household_id: int, on: date) -> int:
    with unit_of_work(db) as session:
        members = session.scalars(select(HouseholdMembership).where(HouseholdMembership.household_id == household_id))
        return sum(1 for m in members if m.valid_from <= on and (m.valid_to is None or on <= m.valid_to))
