"""Fixtures of the income-scale service tests: the spec's configuration, a facility billing an
income-dependent fee group (tiers 100 / 140 / 180 / 215 / 250 / 290), and a child whose mother and
father are its guardians, with a contract from 01.12.2025 and a billing period from 01.2026 at tier 5."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from sollhaben.domain.income import model as im
from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import PersonInput
from sollhaben.domain.months import Validity
from sollhaben.persistence.models import (
    BillingPeriod,
    FeeLine,
    IncomeAssessment,
    IncomeAssessmentPerson,
    IncomeItem,
    IncomeTransfer,
)
from sollhaben.services.income import assessments, configuration
from sollhaben.services.kita import billing_data, catalogue, children, facility
from sollhaben.services.kita.dto import GuardianInput
from tests.integration.kita.conftest import eur, kita, month, new_person, valid  # noqa: F401  (fixture)

TODAY = date(2026, 4, 10)  # the transfer of the spec's example happens in April 2026
TYPES = (("Lohn/Gehalt", "+"), ("Rente", "+"), ("Unterhalt erhalten", "+"), ("Elterngeld", "+"),
         ("Werbungskosten", "-"), ("Unterhalt gezahlt", "-"))


@dataclass
class Family:
    org: int
    facility: int
    facility2: int
    child: int
    mother: int
    father: int
    grandma: int  # a person of the organization not linked to the child
    income_group: int
    chosen_group: int
    types: dict[str, int]  # label → item type id
    period: int  # the billing period from 01.2026 (income line at tier 5, mother pays)


def scale(start: str = "01.2020", end: str | None = None, **overrides) -> im.IncomeScaleVersion:
    values = dict(
        valid=Validity(month(start), month(end) if end else None),
        thresholds=(im.IncomeThreshold(2, eur("1800.00")), im.IncomeThreshold(3, eur("2100.00")),
                    im.IncomeThreshold(4, eur("2400.00"))),
        increment_per_person=eur("300.00"),
        brackets=(im.TierBracket(eur("0.00"), 1), im.TierBracket(eur("250.00"), 2), im.TierBracket(eur("500.00"), 3),
                  im.TierBracket(eur("750.00"), 4), im.TierBracket(eur("1000.00"), 5)),
        highest_tier=6, exemption_percent=Decimal("5"), exemption_fixed=eur("50.00"))
    values.update(overrides)
    return im.IncomeScaleVersion(**values)


def income_line(f: Family, tier: int | None = 5) -> m.FeeLine:
    return m.FeeLine(f.income_group, tier=tier, payers=(m.PayerShare(f.mother),))


@pytest.fixture
def family(db, kita) -> Family:  # noqa: F811
    tiers = tuple(m.Tier(i + 1, f"Staffel {i + 1}", eur(a))
                  for i, a in enumerate(("100.00", "140.00", "180.00", "215.00", "250.00", "290.00")))
    income_group = catalogue.save_fee_group(db, kita.id, m.FeeGroup(
        "Kindergarten einkommensabhängig", m.BillingMode.MONTHLY, m.TierSource.INCOME,
        (m.FeeGroupVersion(valid("01.2025"), tiers),))).group.id
    chosen_group = catalogue.save_fee_group(db, kita.id, m.FeeGroup(
        "Krippe Ganztag", m.BillingMode.MONTHLY, m.TierSource.CHOSEN,
        (m.FeeGroupVersion(valid("01.2025"), tiers[:2]),))).group.id
    facility.save_facility_settings(db, m.FacilitySettings(kita.facility, first_billing_month=month("01.2026"),
                                                           version=0))
    types = {label: configuration.save_item_type(db, kita.id, im.IncomeItemType(label, im.ItemSign(sign), i)).item_type.id
             for i, (label, sign) in enumerate(TYPES)}
    configuration.save_version(db, kita.id, scale())
    child = children.create_child(db, kita.id, PersonInput("NATURAL", "Gerber", "Mia", birth_date=date(2021, 5, 3)),
                                  today=TODAY)
    mother = new_person(db, kita.id, "Gerber", "Laura", date(1988, 2, 1))
    father = new_person(db, kita.id, "Gerber", "Reto", date(1986, 7, 4))
    grandma = new_person(db, kita.id, "Huber", "Erna", date(1950, 1, 1))
    dto = children.save_guardians(db, child.id, child.version, [GuardianInput(mother), GuardianInput(father)])
    children.save_payers(db, child.id, dto.version, [mother, father])
    children.save_contract(db, m.Contract(child.id, kita.facility, m.ContractStatus.ACTIVE,
                                          first_day=date(2025, 12, 1)))
    f = Family(kita.id, kita.facility, kita.facility2, child.id, mother, father, grandma, income_group, chosen_group,
               types, 0)
    f.period = billing_data.save_period(db, m.BillingPeriod(child.id, valid("01.2026"), (income_line(f),),
                                                            version=0)).period.id
    return f


def example(f: Family, start: str | None = "01.2026", end: str | None = None, **overrides) -> im.IncomeAssessment:
    """The spec's example: person 1 annual salary 30 000, expenses 1 200, maintenance paid 2 400; person 2
    monthly salary 800; household of 4 → tier 3."""
    t = f.types
    values = dict(
        child_id=f.child, facility_id=f.facility, valid_from=month(start) if start else None,
        valid_to=month(end) if end else None, household_size=4, declaration_date=date(2026, 3, 20),
        persons=(im.AssessmentPerson(f.mother, False, (im.IncomeItem(t["Lohn/Gehalt"], eur("30000.00")),
                                                        im.IncomeItem(t["Werbungskosten"], eur("1200.00")),
                                                        im.IncomeItem(t["Unterhalt gezahlt"], eur("2400.00")))),
                 im.AssessmentPerson(f.father, True, (im.IncomeItem(t["Lohn/Gehalt"], eur("800.00")),))),
        version=0)
    values.update(overrides)
    return im.IncomeAssessment(**values)


def save(db, f: Family, assessment: im.IncomeAssessment):
    return assessments.save_assessment(db, f.org, assessment, today=TODAY)


def counts(db) -> tuple[int, ...]:
    """Rows of every table an assessment or a transfer writes (a refused call stores nothing)."""
    with db.session() as session:
        return tuple(session.scalar(select(func.count()).select_from(model)) for model in (
            IncomeAssessment, IncomeAssessmentPerson, IncomeItem, IncomeTransfer, BillingPeriod, FeeLine))


def periods(db, f: Family) -> list[tuple[str, int | None, str | None]]:
    """(validity, tier of the income line, billed through) of the child's periods."""
    return [(str(p.valid), next((line.tier for line in p.fee_lines if line.fee_group_id == f.income_group), None),
             str(p.billed_through) if p.billed_through else None)
            for p in (billing_data.get_period(db, r.id).period for r in billing_data.list_periods(db, f.child))]


def with_changes(assessment: im.IncomeAssessment, **changes) -> im.IncomeAssessment:
    return replace(assessment, **changes)
