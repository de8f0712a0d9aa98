"""Fixtures of the Kita billing service tests: an organization with two facilities, an office,
institutions and helpers to count rows (a refused save stores nothing)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import PersonInput, UnitInput
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity
from sollhaben.services import organizations, persons
from tests.conftest import make_org_input

TODAY = date(2026, 11, 24)


@dataclass(frozen=True)
class KitaOrg:
    id: int
    facility: int
    facility2: int
    office: int
    youth_office: int  # institution
    social_office: int  # institution


def new_person(db, org_id: int, last: str, first: str = "", born: date | None = None,
               kind: str = "NATURAL") -> int:
    return persons.save_person(db, org_id, PersonInput(kind, last, first, birth_date=born), today=TODAY).id


@pytest.fixture
def kita(db) -> KitaOrg:
    org = organizations.create_organization(db, make_org_input("DE"))
    sun = organizations.save_unit(db, org.id, UnitInput("Kita Sonnenschein", "FACILITY")).id
    moon = organizations.save_unit(db, org.id, UnitInput("Kita Mondschein", "FACILITY")).id
    office = organizations.save_unit(db, org.id, UnitInput("Amt für Kinder", "OFFICE")).id
    youth = new_person(db, org.id, "Jugendamt Stuttgart", kind="INSTITUTION")
    social = new_person(db, org.id, "Sozialamt Stuttgart", kind="INSTITUTION")
    return KitaOrg(org.id, sun, moon, office, youth, social)


def count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


def month(text: str) -> Month:
    return Month.parse(text)


def valid(start: str, end: str = "") -> Validity:
    return Validity.parse(start, end)


def monthly_group(name: str = "Ganztag 45 h", amounts=("162.00", "126.00", "85.00", "28.00"),
                  source: m.TierSource = m.TierSource.CHOSEN, start: str = "01.2026") -> m.FeeGroup:
    tiers = tuple(m.Tier(i + 1, f"Stufe {i + 1}", eur(a)) for i, a in enumerate(amounts))
    return m.FeeGroup(name, m.BillingMode.MONTHLY, source, (m.FeeGroupVersion(valid(start), tiers),))
