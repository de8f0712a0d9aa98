"""Everything the fee assessment letters of one facility need, in a handful of bulk queries.

`load_snapshot` reads the organization, the facility's settings, the catalogue, the contracts of
the facility, the billing periods of the children in care from the month on (or of the children of
one payer), the persons (children and payers), the facts of the calculation (sibling position,
children in the household; only when a line needs them) and the letters issued so far. No query
per child: a print run of 10 000 letters reads the same handful.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from sollhaben.domain.errors import NotFoundError
from sollhaben.domain.kita import model as m
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.bulk_read import fetch_tuples
from sollhaben.persistence.models import (
    Account,
    BillingPeriod,
    Child,
    ChildPayer,
    Contract,
    ExtraLine,
    FeeAssessmentLetter,
    FeeLine,
    FeeLineDiscount,
    LinePayer,
    Organization,
    PeriodSibling,
    Person,
)
from sollhaben.services.kita.catalogue import catalogue_in
from sollhaben.services.kita.facility import facility_unit, settings_in
from sollhaben.services.kita.family import household_children, sibling_positions

CHUNK = 5_000  # ids per IN list (SQLite allows 32 766 variables per statement)


@dataclass(frozen=True)
class OrgInfo:
    id: int
    name: str
    country: str
    currency: str
    street: str
    house_number: str
    postal_code: str
    town: str
    address_country: str
    phone: str
    email: str
    website: str
    iban: str  # the default bank account ("" without one)
    bic: str
    creditor_id: str  # SEPA creditor identifier
    options: dict


@dataclass(frozen=True)
class PersonInfo:
    id: int
    kind: str  # NATURAL or INSTITUTION
    last_name: str
    first_name: str
    salutation: str
    birth_date: date | None
    address_extra: str
    street: str
    house_number: str
    postal_code: str
    town: str
    country: str


@dataclass(frozen=True)
class IssuedLetter:
    payer_id: int
    from_month: Month
    issued_at: datetime
    issued_by: str
    data_hash: str


@dataclass
class Snapshot:
    org: OrgInfo
    facility_id: int
    facility_name: str
    settings: m.FacilitySettings
    catalogue: m.Catalogue
    from_month: Month
    contracts: dict[int, list[m.Contract]]  # child id → its contracts in the facility (by first day)
    periods: dict[int, list[m.BillingPeriod]]  # child id → its periods (by validity)
    child_month: dict[int, Month]  # child id → the month its lines are computed for
    persons: dict[int, PersonInfo] = field(default_factory=dict)  # children (by person id) and payers
    child_person: dict[int, int] = field(default_factory=dict)  # child id → person id
    facts: dict[tuple[int, Month], tuple[int, int]] = field(default_factory=dict)  # → (sibling position, household)
    last_letters: dict[int, IssuedLetter] = field(default_factory=dict)  # payer id → latest letter
    labels: dict[tuple, str] = field(default_factory=dict)  # texts made once per run (fee_assessment_build)


def chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def load_org(session: Session, organization_id: int) -> OrgInfo:
    org = session.scalar(select(Organization).options(selectinload(Organization.bank_accounts))
                         .where(Organization.id == organization_id))
    if org is None:
        raise NotFoundError(f"Organisation {organization_id} gibt es nicht.")
    accounts = sorted(org.bank_accounts, key=lambda b: (not b.is_default, b.id))
    return OrgInfo(org.id, org.name, org.legal_country, org.currency, org.street, org.house_number, org.postal_code,
                   org.town, org.country, org.phone, org.email, org.website, accounts[0].iban if accounts else "",
                   accounts[0].bic if accounts else "", org.sepa_creditor_id or "", dict(org.options or {}))


def _in_care_from(contracts: list[m.Contract], month: Month) -> Month | None:
    """The first month from `month` on with care days under one of the contracts, or None."""
    best: Month | None = None
    for c in contracts:
        if c.first_day is None or (c.last_day is not None and c.last_day < month.first_day):
            continue
        start = max(month, Month.of(c.first_day))
        if best is None or start < best:
            best = start
    return best


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)  # SQLite returns ISO text to plain tuple reads


def _month(value) -> Month | None:
    """A month column read as its index (plain tuples) or as a Month (through SQLAlchemy)."""
    if value is None or isinstance(value, Month):
        return value
    return Month.from_index(value)


def _contracts(session: Session, facility_id: int, child_ids: set[int] | None) -> dict[int, list[m.Contract]]:
    rows = fetch_tuples(session.connection(), select(
        Contract.child_id, Contract.id, Contract.status, Contract.registered_on, Contract.first_day, Contract.last_day,
        Contract.version).where(Contract.facility_id == facility_id)
        .order_by(Contract.child_id, Contract.first_day, Contract.id))
    statuses = {s.value: s for s in m.ContractStatus}
    result: dict[int, list[m.Contract]] = defaultdict(list)
    for child_id, cid, status, registered, first, last, version in rows:
        if child_ids is None or child_id in child_ids:
            result[child_id].append(m.Contract(child_id, facility_id, statuses[status], _date(registered),
                                               _date(first), _date(last), cid, version))
    return dict(result)


def _periods(session: Session, children, wanted: set[int], currency: str) -> dict[int, list[m.BillingPeriod]]:
    """The periods with their lines, as domain values, of the children in `wanted`. `children`
    is a SELECT of child ids that contains them (the facility's children): six SELECTs of plain
    tuples whatever the number. None reads the wanted ids in chunks instead (a few payers)."""
    result: dict[int, list[m.BillingPeriod]] = {}
    connection = session.connection()
    money_cache: dict[int, Money] = {}

    def money(minor: int | None) -> Money | None:
        if minor is None:
            return None
        found = money_cache.get(minor)
        if found is None:
            found = money_cache[minor] = Money(minor, currency)
        return found

    coverage = {c.value: c for c in m.MealCoverage}

    def rows(*columns, owner, order):
        if children is not None:
            return fetch_tuples(connection, select(*columns).where(owner.in_(children)).order_by(*order))
        found = []
        for chunk in chunks(sorted(wanted)):
            found += session.execute(select(*columns).where(owner.in_(chunk)).order_by(*order)).all()
        return found

    periods = rows(BillingPeriod.id, BillingPeriod.child_id, BillingPeriod.valid_from, BillingPeriod.valid_to,
                   BillingPeriod.siblings_manual, BillingPeriod.fees_payer_id, BillingPeriod.extras_payer_id,
                   BillingPeriod.meal_coverage, BillingPeriod.billed_through, BillingPeriod.version,
                   owner=BillingPeriod.child_id, order=(BillingPeriod.child_id, BillingPeriod.valid_from))
    fee_lines = rows(FeeLine.id, FeeLine.period_id, FeeLine.fee_group_id, FeeLine.tier, FeeLine.count,
                     FeeLine.amount_minor, FeeLine.reset, FeeLine.special_discount_minor,
                     owner=FeeLine.child_id, order=(FeeLine.period_id, FeeLine.position))
    discounts = rows(FeeLineDiscount.fee_line_id, FeeLineDiscount.discount_id, owner=FeeLineDiscount.child_id,
                     order=(FeeLineDiscount.fee_line_id, FeeLineDiscount.position))
    extra_lines = rows(ExtraLine.id, ExtraLine.period_id, ExtraLine.extra_cost_id, ExtraLine.count,
                       ExtraLine.amount_minor, ExtraLine.reset, owner=ExtraLine.child_id,
                       order=(ExtraLine.period_id, ExtraLine.position))
    payers = rows(LinePayer.fee_line_id, LinePayer.extra_line_id, LinePayer.person_id, LinePayer.share_minor,
                  LinePayer.takes_remainder, owner=LinePayer.child_id,
                  order=(LinePayer.fee_line_id, LinePayer.extra_line_id, LinePayer.position))
    siblings = rows(PeriodSibling.period_id, PeriodSibling.sibling_child_id, owner=PeriodSibling.child_id,
                    order=(PeriodSibling.period_id, PeriodSibling.position))
    fee_payers: dict[int, list[m.PayerShare]] = defaultdict(list)
    extra_payers: dict[int, list[m.PayerShare]] = defaultdict(list)
    for fee_line_id, extra_line_id, person_id, share, remainder in payers:
        target = fee_payers[fee_line_id] if fee_line_id is not None else extra_payers[extra_line_id]
        target.append(m.PayerShare(person_id, money(share), bool(remainder)))
    line_discounts: dict[int, list[int]] = defaultdict(list)
    for fee_line_id, discount_id in discounts:
        line_discounts[fee_line_id].append(discount_id)
    period_siblings: dict[int, list[int]] = defaultdict(list)
    for period_id, sibling in siblings:
        period_siblings[period_id].append(sibling)
    fees: dict[int, list[m.FeeLine]] = defaultdict(list)
    for line_id, period_id, group_id, tier, count, amount, reset, special in fee_lines:
        fees[period_id].append(m.FeeLine(group_id, tier, count or 0, money(amount), bool(reset),
                                         tuple(line_discounts.get(line_id, ())), money(special),
                                         tuple(fee_payers.get(line_id, ()))))
    extras: dict[int, list[m.ExtraLine]] = defaultdict(list)
    for line_id, period_id, cost_id, count, amount, reset in extra_lines:
        extras[period_id].append(m.ExtraLine(cost_id, count or 0, money(amount), bool(reset),
                                             tuple(extra_payers.get(line_id, ()))))
    for pid, child_id, start, end, manual, fees_payer, extras_payer, meals, billed, version in periods:
        if child_id not in wanted:
            continue
        valid = Validity(_month(start), _month(end))
        result.setdefault(child_id, []).append(m.BillingPeriod(
            child_id, valid, tuple(fees.get(pid, ())), tuple(extras.get(pid, ())), manual,
            tuple(period_siblings.get(pid, ())), fees_payer, extras_payer, coverage[meals],
            _month(billed), pid, version))
    return result


def _persons(session: Session, person_ids: Iterable[int]) -> dict[int, PersonInfo]:
    found: dict[int, PersonInfo] = {}
    ids = sorted(set(person_ids))
    columns = (Person.id, Person.kind, Person.last_name, Person.first_name, Person.salutation, Person.birth_date,
               Person.address_extra, Person.street, Person.house_number, Person.postal_code, Person.town,
               Person.country)
    for chunk in chunks(ids):
        for row in session.execute(select(*columns).where(Person.id.in_(chunk))):
            found[row[0]] = PersonInfo(*row)
    return found


def payer_children(session: Session, payer_ids: Sequence[int], facility: m.FacilitySettings) -> set[int] | None:
    """The children the payers may pay for: those with one of them on their payer list; None
    (every child) when one is an institution that pays covered meals of the facility."""
    if {facility.hardship_fund_payer_id, facility.sibling_meal_payer_id} & set(payer_ids):
        return None
    found: set[int] = set()
    for chunk in chunks(sorted(set(payer_ids))):
        found.update(session.scalars(select(ChildPayer.child_id).where(ChildPayer.person_id.in_(chunk))))
    return found


def _facts(session: Session, snapshot: Snapshot) -> None:
    """Sibling positions and children in the household per child month, only when a line needs
    them (a sibling-ladder discount, a Württemberg fee group); else the defaults (1, 1)."""
    catalogue = snapshot.catalogue
    ladder = {did for did, d in catalogue.discounts.items() if d.kind is m.DiscountKind.SIBLING_LADDER}
    household = {gid for gid, g in catalogue.fee_groups.items() if g.tier_source is m.TierSource.WUERTTEMBERG}
    need_siblings: dict[Month, dict[int, tuple[int, ...]]] = defaultdict(dict)
    need_household: dict[Month, list[int]] = defaultdict(list)
    for child_id, month in snapshot.child_month.items():
        period = next((p for p in snapshot.periods.get(child_id, ()) if p.valid.contains(month)), None)
        if period is None:
            continue
        lines = period.fee_lines
        if any(d in ladder for line in lines for d in line.discount_ids):
            need_siblings[month][child_id] = period.extra_siblings
        if snapshot.settings.wuerttemberg and any(line.fee_group_id in household for line in lines):
            need_household[month].append(child_id)
    positions: dict[tuple[int, Month], int] = {}
    for month, wanted in need_siblings.items():
        extra = {cid: ids for cid, ids in wanted.items() if ids}
        found = sibling_positions(session, snapshot.facility_id, month, extra)
        positions.update(((cid, month), found.get(cid, 1)) for cid in wanted)
    households: dict[tuple[int, Month], int] = {}
    for month, child_ids in need_household.items():
        for chunk in chunks(child_ids):
            households.update(((cid, month), n) for cid, n in household_children(session, list(chunk), month).items())
    for key in set(positions) | set(households):
        snapshot.facts[key] = (positions.get(key, 1), households.get(key, 1))


def _last_letters(session: Session, facility_id: int, payer_ids: set[int] | None) -> dict[int, IssuedLetter]:
    query = (select(FeeAssessmentLetter.payer_id, FeeAssessmentLetter.from_month, FeeAssessmentLetter.issued_at,
                    FeeAssessmentLetter.issued_by, FeeAssessmentLetter.data_hash)
             .where(FeeAssessmentLetter.facility_id == facility_id)
             .order_by(FeeAssessmentLetter.issued_at, FeeAssessmentLetter.id))
    if payer_ids is not None and len(payer_ids) <= CHUNK:
        query = query.where(FeeAssessmentLetter.payer_id.in_(payer_ids))
    return {row[0]: IssuedLetter(*row) for row in session.execute(query)}  # the latest wins


def load_snapshot(session: Session, facility_id: int, from_month: Month,
                  payer_ids: Sequence[int] | None = None) -> Snapshot:
    """The facility's data for letters from `from_month` on; with `payer_ids` only the children
    those payers may pay for (a print run for a few payers reads a few children)."""
    unit = facility_unit(session, facility_id)
    org = load_org(session, unit.organization_id)
    settings = settings_in(session, facility_id)
    # Letters state what the periods name: an entry the facility no longer offers stays billable.
    catalogue = catalogue_in(session, org.id)
    wanted = payer_children(session, payer_ids, settings) if payer_ids is not None else None
    contracts = _contracts(session, facility_id, wanted)
    child_month = {cid: month for cid, cs in contracts.items()
                   if (month := _in_care_from(cs, from_month)) is not None}
    few = wanted is not None and len(wanted) <= CHUNK
    children = None if few else select(Contract.child_id).where(Contract.facility_id == facility_id)
    periods = _periods(session, children, set(child_month), org.currency)
    snapshot = Snapshot(org, facility_id, unit.name, settings, catalogue, from_month, contracts, periods, child_month)
    snapshot.child_person = _child_persons(session, child_month)
    _facts(session, snapshot)
    snapshot.last_letters = _last_letters(session, facility_id, set(payer_ids) if payer_ids is not None else None)
    return snapshot


def _child_persons(session: Session, child_month: dict[int, Month]) -> dict[int, int]:
    result: dict[int, int] = {}
    for chunk in chunks(sorted(child_month)):
        result.update(session.execute(select(Child.id, Child.person_id).where(Child.id.in_(chunk))).all())
    return result


def load_persons(session: Session, snapshot: Snapshot, payer_ids: Iterable[int]) -> None:
    """Names and addresses of the children and the given payers."""
    snapshot.persons.update(_persons(session, [*snapshot.child_person.values(), *payer_ids]))


def main_accounts(session: Session, organization_id: int, currency: str, person_ids: Sequence[int]) -> dict[int, int]:
    """The main ledger account of each person (created on first use, as `ledger.open_account`
    does): the account in the payment reference. The only write of a print run before it records."""
    found: dict[int, int] = {}
    for chunk in chunks(sorted(set(person_ids))):
        found.update(session.execute(select(Account.holder_id, Account.id).where(
            Account.organization_id == organization_id, Account.key == "main", Account.holder_id.in_(chunk))).all())
    missing = [pid for pid in sorted(set(person_ids)) if pid not in found]
    if missing:
        now = utcnow()
        session.execute(insert(Account), [
            {"organization_id": organization_id, "holder_id": pid, "key": "main", "label": "", "module": "",
             "currency": currency, "number": f"{pid:06d}", "created_at": now} for pid in missing])
        for chunk in chunks(missing):
            found.update(session.execute(select(Account.holder_id, Account.id).where(
                Account.organization_id == organization_id, Account.key == "main",
                Account.holder_id.in_(chunk))).all())
    return found
