"""A child's billing data (Abrechnungsdaten): the periods with their layers.

Saving a period is one unit of work: the domain validation (`validate_period`, every field rule
and the overlap and lock rules) runs against the stored periods, the catalogue the child's
facility offers, the payer list and the facility settings; the open period before a new one is
closed (`close_previous`); then the period and its lines are stored, audited under the child.
Quick entry (counts and individual amounts of a whole facility) is in `quick_entry.py`.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from sollhaben.domain.errors import ErrorCollector, NotFoundError, ValidationError
from sollhaben.domain.formatting import format_date
from sollhaben.domain.kita import model as m
from sollhaben.domain.kita.periods import lock_message
from sollhaben.domain.kita.validation import close_previous, validate_period
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence import kita_mapping as mapping
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import BillingPeriod, Child, Contract
from sollhaben.services.kita.catalogue import catalogue_in, organization_currency
from sollhaben.services.kita.children import load_child, payer_ids_in
from sollhaben.services.kita.dto import PeriodDTO, PeriodRow
from sollhaben.services.kita.facility import settings_in
from sollhaben.services.kita.family import household_children, sibling_position_in
from sollhaben.services.kita.quick_entry import quick_entry_rows, save_quick_entry  # noqa: F401  (API)
from sollhaben.services.unit_of_work import check_version, read_only, touch, unit_of_work

WHAT = "Die Abrechnungsdaten"


# --- context of a child's periods -----------------------------------------------------------------

def periods_in(session: Session, child_id: int, currency: str) -> list[tuple[BillingPeriod, m.BillingPeriod]]:
    """The child's stored periods (rows and domain values), in order of validity."""
    rows = session.scalars(select(BillingPeriod).options(*mapping.period_loader())
                           .where(BillingPeriod.child_id == child_id).order_by(BillingPeriod.valid_from)).all()
    return [(row, mapping.period_to_domain(row, currency)) for row in rows]


def facility_periods(session: Session, facility_id: int, currency: str) -> dict[int, list[m.BillingPeriod]]:
    """The periods (with lines) of every child with a contract in the facility, in order of
    validity: what a billing run computes and recalculates. Five SELECTs whatever the number."""
    children = select(Contract.child_id).where(Contract.facility_id == facility_id)
    rows = session.scalars(select(BillingPeriod).options(*mapping.period_loader())
                           .where(BillingPeriod.child_id.in_(children))
                           .order_by(BillingPeriod.child_id, BillingPeriod.valid_from)).all()
    result: dict[int, list[m.BillingPeriod]] = {}
    for row in rows:
        result.setdefault(row.child_id, []).append(mapping.period_to_domain(row, currency))
    return result


def _contracts(session: Session, child_id: int) -> list[m.Contract]:
    return [mapping.contract_to_domain(r) for r in session.scalars(
        select(Contract).where(Contract.child_id == child_id).order_by(Contract.first_day, Contract.id))]


def facility_for(contracts: list[m.Contract], valid: Validity) -> int | None:
    """The facility whose settings and offer apply to a period: the one with care in its first
    month, else the first contract touching the period, else the child's latest contract."""
    first = valid.valid_from
    active = [c for c in contracts if c.active_in(first)]
    if active:
        return active[0].facility_id
    for c in contracts:
        if c.first_day is None:
            continue
        start, end = Month.of(c.first_day), c.last_month
        if valid.overlaps(Validity(start, end)):
            return c.facility_id
    return contracts[-1].facility_id if contracts else None


def _check_contract_start(errors: ErrorCollector, contracts: list[m.Contract], period: m.BillingPeriod) -> None:
    starts = [c.first_day for c in contracts if c.first_day is not None]
    if not starts:
        errors.add("valid_from", "Gültig ab: Das Kind hat noch keinen Vertrag mit erstem Betreuungstag; bitte zuerst "
                                 "den Vertrag erfassen.")
        return
    first = min(starts)
    if period.valid.valid_from < Month.of(first):
        errors.add("valid_from", f"Gültig ab: {period.valid.valid_from} liegt vor dem Vertragsbeginn "
                                 f"({format_date(first)}); Abrechnungsdaten gelten frühestens ab dem Monat des ersten "
                                 "Betreuungstags.")


def _check_extra_siblings(errors: ErrorCollector, session: Session, child: Child, period: m.BillingPeriod) -> None:
    """Children named manually for the sibling ladder: other children of the organization, once."""
    known = set(session.scalars(select(Child.id).where(Child.id.in_(set(period.extra_siblings)),
                                                       Child.organization_id == child.organization_id)))
    for i, sibling in enumerate(period.extra_siblings):
        field = f"extra_siblings[{i}]"
        if sibling == child.id:
            errors.add(field, "Geschwister (manuell): Das Kind kann nicht sein eigenes Geschwister sein.")
        elif sibling not in known:
            errors.add(field, f"Geschwister (manuell): Kind {sibling} gibt es in dieser Organisation nicht.")
        elif sibling in period.extra_siblings[:i]:
            errors.add(field, "Geschwister (manuell): Das Kind ist doppelt eingetragen.")


def _facts(session: Session, child_id: int, facility_id: int | None, contracts: list[m.Contract],
           period: m.BillingPeriod) -> m.ChildMonthFacts:
    """What the calculation knows about the child in the period's first month (income tier: the
    income-scale calculation is not part of this module yet, so None)."""
    month = period.valid.valid_from
    care_days = sum(c.care_days(month) for c in contracts if facility_id is None or c.facility_id == facility_id)
    position = sibling_position_in(session, child_id, month, period.extra_siblings)
    return m.ChildMonthFacts(child_id, month, min(care_days, month.days), position,
                             household_children(session, [child_id], month)[child_id], None)


def _locked_through(settings: m.FacilitySettings | None, billed: Month | None) -> Month | None:
    return billed if settings is not None and settings.lock_billed else None


# --- reading --------------------------------------------------------------------------------------

def list_periods(db: Database, child_id: int) -> list[PeriodRow]:
    with read_only(db) as session:
        child = load_child(session, child_id)
        contracts = _contracts(session, child.id)
        currency = organization_currency(session, child.organization_id)
        rows, settings_by_facility = [], {}
        for row, period in periods_in(session, child.id, currency):
            facility_id = facility_for(contracts, period.valid)
            if facility_id and facility_id not in settings_by_facility:
                settings_by_facility[facility_id] = settings_in(session, facility_id)
            settings = settings_by_facility.get(facility_id)
            locked = _locked_through(settings, period.billed_through) is not None
            rows.append(PeriodRow(row.id, row.version, period.valid, period.billed_through, len(period.fee_lines),
                                  len(period.extra_lines), locked))
        return rows


def _period_dto(session: Session, contracts: list[m.Contract], period: m.BillingPeriod) -> PeriodDTO:
    facility_id = facility_for(contracts, period.valid)
    settings = settings_in(session, facility_id) if facility_id else None
    locked = _locked_through(settings, period.billed_through)
    return PeriodDTO(period, locked, lock_message(locked) if locked else "")


def get_period(db: Database, period_id: int) -> PeriodDTO:
    with read_only(db) as session:
        row = session.scalar(select(BillingPeriod).options(*mapping.period_loader())
                             .where(BillingPeriod.id == period_id))
        if row is None:
            raise NotFoundError(f"Zeitraum {period_id} gibt es nicht.")
        child = load_child(session, row.child_id)
        period = mapping.period_to_domain(row, organization_currency(session, child.organization_id))
        return _period_dto(session, _contracts(session, child.id), period)


def new_period(db: Database, child_id: int, today: date | None = None) -> m.BillingPeriod:
    """The form of a new period: the first starts in the month of the first care day; a later one
    copies the lines of the latest period and starts after its start and its billed months."""
    with read_only(db) as session:
        child = load_child(session, child_id)
        contracts = _contracts(session, child.id)
        currency = organization_currency(session, child.organization_id)
        periods = [p for _, p in periods_in(session, child.id, currency)]
    if not periods:
        starts = [c.first_day for c in contracts if c.first_day is not None]
        start = Month.of(min(starts)) if starts else Month.of(today or date.today())
        return m.BillingPeriod(child_id=child_id, valid=Validity(start), version=0)
    latest = periods[-1]
    start = max(latest.valid.valid_from + 1, (latest.billed_through + 1) if latest.billed_through else latest.valid.valid_from)
    return replace(latest, valid=Validity(start), billed_through=None, id=None, version=0)


# --- writing --------------------------------------------------------------------------------------

def save_period(db: Database, period: m.BillingPeriod) -> PeriodDTO:
    """Store a new (id None) or edited period; `period.version` is the version the form loaded.
    Raises ValidationError with every field error (nothing stored) or ConflictError."""
    with unit_of_work(db, WHAT) as session:
        child = load_child(session, period.child_id, lock=True)  # one save per child at a time
        currency = organization_currency(session, child.organization_id)
        stored = periods_in(session, child.id, currency)
        row = None
        if period.id is not None:
            row = next((r for r, _ in stored if r.id == period.id), None)
            if row is None:
                raise NotFoundError(f"Zeitraum {period.id} gibt es für dieses Kind nicht.")
            check_version(period.version, row.version, WHAT)
        contracts = _contracts(session, child.id)
        errors = ErrorCollector()
        _check_contract_start(errors, contracts, period)
        _check_extra_siblings(errors, session, child, period)
        facility_id = facility_for(contracts, period.valid)
        settings = settings_in(session, facility_id) if facility_id else None
        catalogue = catalogue_in(session, child.organization_id, facility_id)
        if row is not None:
            billed = row.billed_through
        else:  # a new period must start after every billed month of the child
            billed = max((p.billed_through for _, p in stored if p.billed_through), default=None)
        try:
            normalized = validate_period(
                period, catalogue, frozenset(payer_ids_in(session, child.id)), [p for _, p in stored], settings,
                _locked_through(settings, billed), facts=_facts(session, child.id, facility_id, contracts, period))
        except ValidationError as exc:
            errors.errors.extend(exc.errors)
        errors.raise_if_any()
        rows_by_id = {r.id: r for r, _ in stored}
        for closed in close_previous([p for _, p in stored], normalized):
            rows_by_id[closed.id].valid_to = closed.valid.valid_to
        if row is None:
            row = BillingPeriod(child_id=child.id, fee_lines=[], extra_lines=[], siblings=[])
            session.add(row)
            mapping.apply_period(row, normalized)
        elif mapping.apply_period(row, normalized):
            touch(row)  # lines changed: the period's version moves on
        session.flush()
        return _period_dto(session, contracts, mapping.period_to_domain(row, currency))


def delete_period(db: Database, period_id: int, version: int | None) -> None:
    """Delete a period none of whose months is billed."""
    with unit_of_work(db, WHAT) as session:
        row = session.scalar(select(BillingPeriod).options(*mapping.period_loader())
                             .where(BillingPeriod.id == period_id))
        if row is None:
            raise NotFoundError(f"Zeitraum {period_id} gibt es nicht.")
        load_child(session, row.child_id, lock=True)
        check_version(version, row.version, WHAT)
        if row.billed_through is not None:
            raise ValidationError(f"Zeitraum {Validity(row.valid_from, row.valid_to)}: ist bis {row.billed_through} "
                                  "abgerechnet und kann nicht gelöscht werden.", "")
        session.delete(row)
