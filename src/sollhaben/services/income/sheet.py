"""The calculation sheet (Berechnungsblatt) of an assessment: gathers what `reports.income_sheet`
prints — the organization as sender, the first person as recipient, the child, the facility, the
figures, and the monthly fee of each income-dependent fee line of the child at the assessed tier —
and renders it. Read-only; nothing is recorded."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from sollhaben.domain.income import model as im
from sollhaben.domain.income.calculation import IncomeCalculation, calculate
from sollhaben.domain.income.transfer import is_income_dependent
from sollhaben.domain.kita.calculation import compute_child_month
from sollhaben.domain.kita.model import ChildMonthFacts
from sollhaben.persistence import income_mapping as mapping
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Child, Organization, Person, Unit
from sollhaben.reports import letter_texts
from sollhaben.reports.income_sheet_model import IncomeSheet, SheetFeeLine, sheet_from
from sollhaben.reports.kita_assessment_texts import salutation_line
from sollhaben.reports.letter_model import Sender
from sollhaben.services.income.configuration import config_in
from sollhaben.services.income.context import assessment_row
from sollhaben.services.kita import billing_data
from sollhaben.services.kita.catalogue import catalogue_in
from sollhaben.services.kita.facility import settings_in
from sollhaben.services.unit_of_work import read_only


def _name(person: Person) -> str:
    return " ".join(p for p in (person.first_name, person.last_name) if p) or person.last_name


def _recipient(person: Person, country: str) -> tuple[str, ...]:
    salutation = "Herrn" if person.salutation == "Herr" and country == "DE" else person.salutation
    name = " ".join(p for p in (salutation, person.first_name, person.last_name) if p)
    return letter_texts.recipient_lines(name, person.address_extra, person.street, person.house_number,
                                        person.postal_code, person.town, person.country or country, country)


def _fee_lines(session: Session, assessment: im.IncomeAssessment, calculation: IncomeCalculation,
               organization_id: int, currency: str) -> tuple[SheetFeeLine, ...]:
    """The child's income-dependent lines in the period valid in `valid_from`, priced at the tier."""
    month = assessment.valid_from
    periods = [p for _row, p in billing_data.periods_in(session, assessment.child_id, currency)]
    period = next((p for p in periods if p.valid.contains(month)), None)
    if period is None:
        return ()
    catalogue = catalogue_in(session, organization_id)
    income_lines = [line for line in period.fee_lines if is_income_dependent(catalogue.fee_groups.get(line.fee_group_id))]
    if not income_lines:
        return ()
    tier = calculation.tier
    priced = replace(period, fee_lines=tuple(replace(line, tier=tier) for line in income_lines), extra_lines=())
    settings = settings_in(session, assessment.facility_id) if assessment.facility_id else None
    facts = ChildMonthFacts(assessment.child_id, month, month.days, income_tier=tier)
    lines, _problems = compute_child_month(priced, catalogue, settings, facts, currency) if settings else ([], [])
    by_group = {line.catalogue_id: line for line in lines}
    result = []
    for line in income_lines:
        group = catalogue.fee_groups[line.fee_group_id]
        computed = by_group.get(line.fee_group_id)
        result.append(SheetFeeLine(group.name, tier, computed.net if computed is not None else None))
    return tuple(result)


def sheet_in(session: Session, assessment_id: int, today: date) -> IncomeSheet:
    row = assessment_row(session, assessment_id)
    config = config_in(session, row.organization_id)
    currency = config.currency.value
    assessment = mapping.assessment_to_domain(row, currency)
    calculation = calculate(assessment, config)
    org = session.get(Organization, row.organization_id)
    country = org.legal_country
    sender = Sender(org.name, org.street, org.house_number, org.postal_code, org.town, org.country,
                    org.phone, org.email, org.website)
    person_ids = [p.person_id for p in assessment.persons]
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids or [0])))}
    child = session.get(Child, assessment.child_id)
    child_person = session.get(Person, child.person_id)
    facility = session.get(Unit, assessment.facility_id) if assessment.facility_id else None
    first = people.get(person_ids[0]) if person_ids else None
    recipient = _recipient(first, country) if first is not None else (sender.name,)
    salutation = salutation_line(first.salutation, first.first_name, first.last_name, False, country) \
        if first is not None else ""
    return sheet_from(assessment, config, calculation, country=country, sender=sender, recipient=recipient,
                      person_names={pid: _name(p) for pid, p in people.items()},
                      child_name=_name(child_person), child_birth_date=child_person.birth_date,
                      facility_name=facility.name if facility else "", place=org.town, date=today,
                      salutation=salutation,
                      fee_lines=_fee_lines(session, assessment, calculation, row.organization_id, currency))


def sheet_pdf(db: Database, assessment_id: int, today: date | None = None) -> bytes:
    """One assessment's calculation sheet as PDF bytes."""
    from sollhaben.reports.income_sheet import render_sheet

    with read_only(db) as session:
        sheet = sheet_in(session, assessment_id, today or date.today())
    return render_sheet(sheet)


def sheets_pdf(db: Database, assessment_ids: Sequence[int], today: date | None = None, progress=None,
               cancelled=None) -> bytes:
    """Several sheets in one PDF (a print run), with progress and cancel as the worker passes them."""
    from sollhaben.reports.income_sheet import render_sheets

    with read_only(db) as session:
        sheets = [sheet_in(session, assessment_id, today or date.today()) for assessment_id in assessment_ids]
    return render_sheets(sheets, progress, cancelled, combined=True)
