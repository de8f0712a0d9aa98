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

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sollhaben.domain.errors import NotFoundError
from sollhaben.domain.kita import model as m
from sollhaben.domain.months import Month
from sollhaben.persistence import kita_mapping as mapping
from sollhaben.persistence.models import (
    Account,
    BillingPeriod,
    Child,
    ChildPayer,
    Contract,
    FeeAssessmentLetter,
    Organization,
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


def _contracts(session: Session, facility_id: int, child_ids: set[int] | None) -> dict[int, list[m.Contract]]:
    query = select(Contract).where(Contract.facility_id == facility_id).order_by(Contract.child_id, Contract.first_day,
                                                                                Contract.id)
    result: dict[int, list[m.Contract]] = defaultdict(list)
    for row in session.scalars(query):
        if child_ids is None or row.child_id in child_ids:
            result[row.child_id].append(mapping.contract_to_domain(row))
    return dict(result)


def _periods(session: Session, child_ids: list[int], currency: str) -> dict[int, list[m.BillingPeriod]]:
    result: dict[int, list[m.BillingPeriod]] = {}
    for chunk in chunks(child_ids):
        rows = session.scalars(select(BillingPeriod).options(*mapping.period_loader())
                               .where(BillingPeriod.child_id.in_(chunk))
                               .order_by(BillingPeriod.child_id, BillingPeriod.valid_from)).all()
        for row in rows:
            result.setdefault(row.child_id, []).append(mapping.period_to_domain(row, currency))
        session.expunge_all()  # the ORM rows are no longer needed: keep the identity map small
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


def payer_children(session: Session, payer_id: int, facility: m.FacilitySettings) -> set[int] | None:
    """The children a payer may pay for: those with the payer on their payer list; None (every
    child) when the payer is an institution that pays covered meals of the facility."""
    if payer_id in (facility.hardship_fund_payer_id, facility.sibling_meal_payer_id):
        return None
    return set(session.scalars(select(ChildPayer.child_id).where(ChildPayer.person_id == payer_id)))


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
    if payer_ids is not None:
        query = query.where(FeeAssessmentLetter.payer_id.in_(payer_ids))
    return {row[0]: IssuedLetter(*row) for row in session.execute(query)}  # the latest wins


def load_snapshot(session: Session, facility_id: int, from_month: Month, payer_id: int | None = None) -> Snapshot:
    """The facility's data for letters from `from_month` on; with `payer_id` only the children
    that payer may pay for."""
    unit = facility_unit(session, facility_id)
    org = load_org(session, unit.organization_id)
    settings = settings_in(session, facility_id)
    # Letters state what the periods name: an entry the facility no longer offers stays billable.
    catalogue = catalogue_in(session, org.id)
    wanted = payer_children(session, payer_id, settings) if payer_id is not None else None
    contracts = _contracts(session, facility_id, wanted)
    child_month = {cid: month for cid, cs in contracts.items()
                   if (month := _in_care_from(cs, from_month)) is not None}
    periods = _periods(session, sorted(child_month), org.currency)
    snapshot = Snapshot(org, facility_id, unit.name, settings, catalogue, from_month, contracts, periods, child_month)
    snapshot.child_person = _child_persons(session, child_month)
    _facts(session, snapshot)
    payer_ids = {payer_id} if payer_id is not None else None
    snapshot.last_letters = _last_letters(session, facility_id, payer_ids)
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
    created = [Account(organization_id=organization_id, holder_id=pid, key="main", label="", module="",
                       currency=currency, number=f"{pid:06d}") for pid in sorted(set(person_ids)) if pid not in found]
    if created:
        session.add_all(created)
        session.flush()
        found.update((account.holder_id, account.id) for account in created)
    return found

