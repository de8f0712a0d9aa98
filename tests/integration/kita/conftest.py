"""Fixtures of the Kita billing service tests: an organization with two facilities, an office,
institutions and helpers to count rows (a refused save stores nothing)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pytest
from sqlalchemy import func, select, update

from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import PersonInput, UnitInput
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence.models import BillingPeriod, ExtraLine, FeeLine, FeeLineDiscount, LinePayer
from sollhaben.services import organizations, persons
from sollhaben.services.kita import catalogue, children, facility
from sollhaben.services.kita.dto import GuardianInput
from sollhaben.services.unit_of_work import unit_of_work
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


# --- a child with a statute, payers and a contract from 14.03.2026 ------------------------------

@dataclass
class Setup:
    child: int
    mother: int
    father: int
    monthly: int  # Ganztag 45 h, tiers 162 / 126 / 85 / 28
    daily: int  # 12.40 per day
    individual: int
    wuerttemberg: int  # 30 h, tiers 162 / 126 / 85 / 28 by children in the household
    meals: int  # PER_UNIT 3.80
    trip: int  # INDIVIDUAL extra cost
    fixed: int  # 0.80 (per unit on PER_UNIT lines)
    hardship: int  # 200.00 per month


@pytest.fixture
def setup(db, kita) -> Setup:
    def group(name, mode, amounts, source=m.TierSource.CHOSEN):
        tiers = tuple(m.Tier(i + 1, "", eur(a) if a else None) for i, a in enumerate(amounts))
        return catalogue.save_fee_group(db, kita.id, m.FeeGroup(name, mode, source, (
            m.FeeGroupVersion(valid("01.2026"), tiers),))).group.id

    monthly = catalogue.save_fee_group(db, kita.id, monthly_group()).group.id
    daily = group("Tagesplatz", m.BillingMode.DAILY, ("12.40",))
    individual = group("Individuell", m.BillingMode.INDIVIDUAL, ())
    wuerttemberg = group("30 h", m.BillingMode.MONTHLY, ("162.00", "126.00", "85.00", "28.00"),
                         m.TierSource.WUERTTEMBERG)
    meals = catalogue.save_extra_cost(db, kita.id, m.ExtraCost("Mittagessen", m.BillingMode.PER_UNIT, True, (
        m.ExtraCostVersion(valid("01.2026"), eur("3.80")),))).extra_cost.id
    trip = catalogue.save_extra_cost(db, kita.id, m.ExtraCost("Ausflug", m.BillingMode.INDIVIDUAL, False, (
        m.ExtraCostVersion(valid("01.2026"), None),))).extra_cost.id
    fixed = catalogue.save_discount(db, kita.id, m.Discount("Essenszuschuss", m.DiscountKind.FIXED, (
        m.DiscountVersion(valid("01.2026"), fixed=eur("0.80")),))).discount.id
    hardship = catalogue.save_discount(db, kita.id, m.Discount("Härtefall", m.DiscountKind.FIXED, (
        m.DiscountVersion(valid("01.2026"), fixed=eur("200.00")),))).discount.id
    facility.save_facility_settings(db, m.FacilitySettings(kita.facility, wuerttemberg=True, version=0))
    child = children.create_child(db, kita.id, PersonInput("NATURAL", "Gerber", "Mia", birth_date=date(2022, 5, 3)),
                                  today=TODAY)
    mother = new_person(db, kita.id, "Gerber", "Laura", date(1988, 2, 1))
    father = new_person(db, kita.id, "Gerber", "Reto", date(1986, 7, 4))
    dto = children.save_guardians(db, child.id, child.version, [GuardianInput(mother), GuardianInput(father)])
    children.save_payers(db, child.id, dto.version, [mother, father, kita.youth_office])
    children.save_contract(db, m.Contract(child.id, kita.facility, m.ContractStatus.ACTIVE,
                                          first_day=date(2026, 3, 14)))
    return Setup(child.id, mother, father, monthly, daily, individual, wuerttemberg, meals, trip, fixed, hardship)


def first_period(s: Setup, **change) -> m.BillingPeriod:
    return replace(m.BillingPeriod(
        child_id=s.child, valid=valid("03.2026"),
        fee_lines=(m.FeeLine(s.monthly, tier=2, payers=(m.PayerShare(s.mother, eur("100.00")),
                                                         m.PayerShare(s.father, takes_remainder=True))),),
        extra_lines=(m.ExtraLine(s.meals, count=17, payers=(m.PayerShare(s.mother),)),), version=0), **change)


def stored_rows(db) -> tuple[int, ...]:
    return tuple(count(db, model) for model in (BillingPeriod, FeeLine, FeeLineDiscount, ExtraLine, LinePayer))


def set_billed_through(db, period_id: int, billed: Month) -> None:
    """What the billing run does after posting (the run is not part of these tests)."""
    with unit_of_work(db) as session:
        session.execute(update(BillingPeriod).where(BillingPeriod.id == period_id)
                        .values(billed_through=billed, version=BillingPeriod.version + 1))
