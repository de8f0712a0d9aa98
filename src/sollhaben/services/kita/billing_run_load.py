"""Everything a billing run needs for one facility, in a handful of bulk queries.

No query per child: contracts, periods, lines, discounts, payer shares and manual siblings are each
one SELECT over the facility's children (read as plain tuples through `persistence.bulk_read`),
what earlier runs posted is one range scan over the idempotency keys of the facility, and the facts
(sibling position, children in the household) are one or two queries per month and only when a
line needs them. The domain values are built from the tuples directly, without ORM objects.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, and_, select
from sqlalchemy.orm import Session

from sollhaben.domain.errors import NotFoundError
from sollhaben.domain.kita import model as m
from sollhaben.domain.kita import run_changes
from sollhaben.domain.kita.fast import build
from sollhaben.domain.kita.run_types import ChildRun, PostedAmount
from sollhaben.domain.money import Currency, Money
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence.bulk_read import fetch_tuples
from sollhaben.persistence.models import (
    BillingPeriod,
    BillingRun,
    BillingRunChild,
    Child,
    Contract,
    ExtraLine,
    FeeLine,
    FeeLineDiscount,
    LinePayer,
    Organization,
    PeriodSibling,
    Person,
    Posting,
)
from sollhaben.services.kita.catalogue import catalogue_in
from sollhaben.services.kita.facility import facility_unit, settings_in
from sollhaben.services.kita.family import household_children, sibling_positions

CHUNK = 5_000  # ids per IN list (SQLite allows 32 766 variables per statement)


def key_prefix(facility_id: int, month: Month | None = None, attempt: int | None = None) -> str:
    """The common start of the idempotency keys of a facility (or of one run)."""
    if month is None:
        return f"kita:{facility_id}:"
    return f"kita:{facility_id}:{month.iso()}/{attempt}:"


def key_range(connection: Connection, prefix: str):
    """SQL condition: the posting's idempotency key starts with `prefix`.

    SQLite compares text bytewise, so a range uses the unique index; PostgreSQL's order depends on
    the database collation, so there LIKE is used (the prefix holds no LIKE wildcards)."""
    column = Posting.idempotency_key
    if connection.dialect.name == "sqlite":
        return and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))
    return column.like(prefix + "%")


@dataclass
class RunHistory:
    """The facility's runs so far."""

    last_month: Month | None  # the latest run that was not undone
    last_run_id: int | None
    first_month: Month | None  # the earliest run that was not undone
    reversed_ids: set[int]  # runs that were undone (their postings are cancelled by reversals)
    posted_months: set[Month]  # months with a run that was not undone
    undone_by_month: dict[Month, int]  # month → how many of its runs were undone
    has_runs: bool
    live_ids: list[int] = field(default_factory=list)  # runs that were not undone, oldest first
    unstated_live: bool = False  # a live run without stored inputs (posted before revision 0004)

    def attempt(self, month: Month) -> int:
        return 1 + self.undone_by_month.get(month, 0)


@dataclass
class RunInputs:
    organization_id: int
    currency: Currency
    facility_id: int
    facility_name: str
    settings: m.FacilitySettings
    catalogue: m.Catalogue
    history: RunHistory
    children: list[ChildRun]
    child_names: dict[int, tuple[str, str]]  # child id → (last name, first name)
    line_ids: dict[tuple[int, str, int], int]  # (period id, FEE/EXTRA, index) → line row id
    periods: dict[int, m.BillingPeriod] = field(default_factory=dict)  # by period id
    # change detection (domain/kita/run_changes): what this run stores for the next one
    state: dict = field(default_factory=dict)  # facility_state
    digests: dict[int, int] = field(default_factory=dict)  # child id → digest through the run month
    recalculated: int = 0  # children whose billed months are compared with the postings


_DATES: dict[str, date] = {}


def to_date(value) -> date | None:
    """A date column as read by `fetch_tuples` (SQLite: ISO text) as a `date`."""
    if value is None or isinstance(value, date):
        return value
    found = _DATES.get(value)
    if found is None:
        if len(_DATES) > 50_000:
            _DATES.clear()
        found = _DATES[value] = date.fromisoformat(value)
    return found


def run_history(session: Session, facility_id: int) -> RunHistory:
    rows = session.execute(select(BillingRun.id, BillingRun.month, BillingRun.reversed_by_id,
                                  BillingRun.inputs.is_not(None))
                           .where(BillingRun.facility_id == facility_id, BillingRun.kind == "RUN")
                           .order_by(BillingRun.month, BillingRun.id)).all()
    live = [(rid, month) for rid, month, reversed_by, _stated in rows if reversed_by is None]
    undone: dict[Month, int] = defaultdict(int)
    for _rid, month, reversed_by, _stated in rows:
        if reversed_by is not None:
            undone[month] += 1
    return RunHistory(
        last_month=live[-1][1] if live else None, last_run_id=live[-1][0] if live else None,
        first_month=live[0][1] if live else None,
        reversed_ids={rid for rid, _m, reversed_by, _s in rows if reversed_by is not None},
        posted_months={month for _rid, month in live}, undone_by_month=dict(undone), has_runs=bool(rows),
        live_ids=[rid for rid, _m in live],
        unstated_live=any(not stated for _rid, _m, reversed_by, stated in rows if reversed_by is None))


def organization_of(session: Session, facility_id: int) -> tuple[int, str, Currency]:
    unit = facility_unit(session, facility_id)
    currency = session.scalar(select(Organization.currency).where(Organization.id == unit.organization_id))
    return unit.organization_id, unit.name, Currency(currency)


def load_inputs(session: Session, facility_id: int, month: Month, full_recalculation: bool = False) -> RunInputs:
    """The facility's settings, the organization's catalogue, its run history and every child with
    a contract in the facility: contracts there, all billing periods, and what earlier runs posted
    for the children whose billed months are recalculated.

    Change detection (`domain.kita.run_changes`): a child's billed months are compared with the
    postings only when an input of the child changed since the latest run, or a catalogue entry it
    uses, or the settings; the other children get `recalculate_from` = the month (the month alone
    is planned) and no postings are read for them. `full_recalculation` compares every child and
    month (the reference the change detection is tested against)."""
    organization_id, facility_name, currency = organization_of(session, facility_id)
    settings = settings_in(session, facility_id)
    # The run bills what the periods name: an entry the facility no longer offers stays billable.
    catalogue = catalogue_in(session, organization_id)
    history = run_history(session, facility_id)
    connection = session.connection()
    contracts, names = _contracts(connection, facility_id)
    periods, line_ids = _periods(connection, facility_id, currency)
    facts = _facts(session, facility_id, month, settings, catalogue, periods, history)
    children = [ChildRun(child_id, tuple(periods.get(child_id, ())), tuple(child_contracts), facts.get(child_id))
                for child_id, child_contracts in contracts.items()]
    start = settings.first_billing_month or history.first_month
    state = json.loads(json.dumps(run_changes.facility_state(settings, catalogue, start)))
    previous = history.last_month if history.last_month is not None and history.last_month < month else None
    digests: dict[int, int] = {}
    recalculate: dict[int, Month | None] = {}
    reference = _reference(connection, history, month, state) if not full_recalculation else None
    changes = run_changes.facility_changes(reference[0] if reference else None, state)
    stored = reference[1] if reference else {}
    texts: dict[int, tuple[object, str]] = {}
    for child in children:
        before, digests[child.child_id] = run_changes.child_digests(child, catalogue, start, previous, month, texts)
        if changes.everything:
            recalculate[child.child_id] = None
            continue
        changed = before is None or stored.get(child.child_id) != before
        recalculate[child.child_id] = run_changes.recalculate_from(
            changes, changed, run_changes.entries_of(child.periods) if changes.entries else set(), month)
    wanted = [cid for cid, start_month in recalculate.items() if start_month is None or start_month < month]
    posted: dict[int, list[PostedAmount]] = {}
    if history.has_runs and wanted:
        if reference is not None and not history.unstated_live:
            posted = _posted_stored(connection, history, catalogue, currency, wanted,
                                    everyone=len(wanted) == len(children))
        else:
            posted = _posted(connection, facility_id, history, catalogue, currency)
    run_class = ChildRun  # every field given (see fast.build)
    children = [build(run_class, child_id=child.child_id, periods=child.periods, contracts=child.contracts,
                      facts=child.facts, posted=tuple(posted.get(child.child_id, ())),
                      recalculate_from=recalculate[child.child_id])
                if recalculate[child.child_id] is None or recalculate[child.child_id] < month
                else build(run_class, child_id=child.child_id, periods=child.periods, contracts=child.contracts,
                           facts=child.facts, posted=(), recalculate_from=month)
                for child in children]
    by_id = {p.id: p for ps in periods.values() for p in ps}
    return RunInputs(organization_id, currency, facility_id, facility_name, settings, catalogue, history, children,
                     names, line_ids, by_id, state, digests, len(wanted) if history.has_runs else 0)


def _reference(connection: Connection, history: RunHistory, month: Month, state: dict):
    """(facility state, {child id: digest}) stored by the facility's latest run that was not undone,
    or None: no such run, a run of this month or later (a repeated or refused month is planned in
    full), a live run without stored inputs, or inputs of another version."""
    if history.last_run_id is None or history.last_month >= month or history.unstated_live:
        return None
    (stored,) = connection.execute(select(BillingRun.inputs).where(BillingRun.id == history.last_run_id)).one()
    if isinstance(stored, str):
        stored = json.loads(stored)
    if not stored or stored.get("v") != state.get("v"):
        return None
    digests = dict(fetch_tuples(connection, select(BillingRunChild.child_id, BillingRunChild.inputs)
                                .where(BillingRunChild.run_id == history.last_run_id)))
    return stored, digests


def _posted_stored(connection: Connection, history: RunHistory, catalogue: m.Catalogue, currency: Currency,
                   child_ids: list[int], everyone: bool) -> dict[int, list[PostedAmount]]:
    """What the facility's live runs posted for these children, from `billing_run_child.posted`
    (the same rows, in the same order, as `_posted` reads from the postings)."""
    resetting = _resetting(catalogue)
    live = history.live_ids
    query = (select(BillingRunChild.child_id, BillingRunChild.run_id, BillingRunChild.posted)
             .where(BillingRunChild.run_id.in_(live), BillingRunChild.posted != ""))
    rows = []
    if everyone:
        rows = connection.execute(query).all()
    else:
        for chunk in _chunks(child_ids):
            rows += connection.execute(query.where(BillingRunChild.child_id.in_(chunk))).all()
    rows.sort(key=lambda row: (row[0], row[1]))
    months: dict[str, Month] = {}
    amounts: dict[str, Money] = {}
    result: dict[int, list[PostedAmount]] = defaultdict(list)
    for child_id, _run_id, text in rows:
        target = result[child_id]
        for item in text.split(";"):
            index, line_key, payer, amount, quantity, unit = item.split(",")
            value_month = months.get(index)
            if value_month is None:
                value_month = months[index] = Month.from_index(int(index))
            money = amounts.get(amount)
            if money is None:
                money = amounts[amount] = Money(int(amount), currency)
            if line_key.partition("#")[0] in resetting:
                target.append(PostedAmount(value_month, line_key, int(payer), money,
                                           Decimal(quantity) if quantity else None,
                                           Money(int(unit), currency) if unit else None))
            else:
                target.append(PostedAmount(value_month, line_key, int(payer), money))
    return result


def _children_of(facility_id: int):
    return select(Contract.child_id).where(Contract.facility_id == facility_id)


def _contracts(connection: Connection, facility_id: int):
    rows = fetch_tuples(connection, select(
        Contract.child_id, Contract.id, Contract.status, Contract.registered_on, Contract.first_day,
        Contract.last_day, Contract.version, Person.last_name, Person.first_name)
        .join(Child, Child.id == Contract.child_id).join(Person, Person.id == Child.person_id)
        .where(Contract.facility_id == facility_id)
        .order_by(Person.last_name, Person.first_name, Contract.child_id, Contract.first_day, Contract.id))
    contracts: dict[int, list[m.Contract]] = {}
    names: dict[int, tuple[str, str]] = {}
    statuses = {s.value: s for s in m.ContractStatus}
    for child_id, cid, status, registered, first, last, version, last_name, first_name in rows:
        contracts.setdefault(child_id, []).append(build(
            m.Contract, child_id=child_id, facility_id=facility_id, status=statuses[status],
            registered_on=to_date(registered), first_day=to_date(first), last_day=to_date(last), id=cid,
            version=version))
        names[child_id] = (last_name, first_name or "")
    return contracts, names


def _periods(connection: Connection, facility_id: int, currency: Currency):
    """Every period of the facility's children with its lines, as domain values (7 SELECTs)."""
    children = _children_of(facility_id)

    def rows(*columns, where, order):
        return fetch_tuples(connection, select(*columns).where(where.in_(children)).order_by(*order))

    periods = rows(BillingPeriod.id, BillingPeriod.child_id, BillingPeriod.valid_from, BillingPeriod.valid_to,
                   BillingPeriod.siblings_manual, BillingPeriod.fees_payer_id, BillingPeriod.extras_payer_id,
                   BillingPeriod.meal_coverage, BillingPeriod.billed_through, BillingPeriod.version,
                   where=BillingPeriod.child_id, order=(BillingPeriod.child_id, BillingPeriod.valid_from))
    fee_lines = rows(FeeLine.id, FeeLine.period_id, FeeLine.fee_group_id, FeeLine.tier, FeeLine.count,
                     FeeLine.amount_minor, FeeLine.reset, FeeLine.special_discount_minor,
                     where=FeeLine.child_id, order=(FeeLine.period_id, FeeLine.position))
    discounts = rows(FeeLineDiscount.fee_line_id, FeeLineDiscount.discount_id, where=FeeLineDiscount.child_id,
                     order=(FeeLineDiscount.fee_line_id, FeeLineDiscount.position))
    extra_lines = rows(ExtraLine.id, ExtraLine.period_id, ExtraLine.extra_cost_id, ExtraLine.count,
                       ExtraLine.amount_minor, ExtraLine.reset,
                       where=ExtraLine.child_id, order=(ExtraLine.period_id, ExtraLine.position))
    payers = rows(LinePayer.fee_line_id, LinePayer.extra_line_id, LinePayer.person_id, LinePayer.share_minor,
                  LinePayer.takes_remainder, where=LinePayer.child_id,
                  order=(LinePayer.fee_line_id, LinePayer.extra_line_id, LinePayer.position))
    siblings = rows(PeriodSibling.period_id, PeriodSibling.sibling_child_id, where=PeriodSibling.child_id,
                    order=(PeriodSibling.period_id, PeriodSibling.position))

    money_cache: dict[int, Money] = {}

    def money(minor: int | None) -> Money | None:
        if minor is None:
            return None
        found = money_cache.get(minor)
        if found is None:
            found = money_cache[minor] = Money(minor, currency)
        return found

    # The domain values are built with `fast.build` (no per-field __setattr__ of a frozen
    # dataclass). Equal values are built once and shared: payer shares, and whole form lines — a
    # facility's children have a few dozen distinct lines between them, and the engine computes a
    # shared line object once per month (`calculation.LineMemo`). Months and validities are shared.
    payer_rows: dict[int, list[tuple]] = defaultdict(list)  # fee line id → (person, share, remainder)
    extra_payer_rows: dict[int, list[tuple]] = defaultdict(list)
    for fee_line_id, extra_line_id, person_id, share, remainder in payers:
        target = payer_rows[fee_line_id] if fee_line_id is not None else extra_payer_rows[extra_line_id]
        target.append((person_id, share, bool(remainder)))
    share_class = m.PayerShare
    shares: dict[tuple, m.PayerShare] = {}  # a parent usually pays several lines the same way
    payer_tuples: dict[tuple, tuple[m.PayerShare, ...]] = {(): ()}

    def payer_tuple(rows: tuple) -> tuple[m.PayerShare, ...]:
        found = payer_tuples.get(rows)
        if found is None:
            parts = []
            for row in rows:
                share = shares.get(row)
                if share is None:
                    share = shares[row] = build(share_class, payer_id=row[0], share=money(row[1]),
                                                takes_remainder=row[2])
                parts.append(share)
            found = payer_tuples[rows] = tuple(parts)
        return found

    line_discounts: dict[int, list[int]] = defaultdict(list)
    for fee_line_id, discount_id in discounts:
        line_discounts[fee_line_id].append(discount_id)
    period_siblings: dict[int, list[int]] = defaultdict(list)
    for period_id, sibling in siblings:
        period_siblings[period_id].append(sibling)

    line_ids: dict[tuple[int, str, int], int] = {}
    fees: dict[int, list[m.FeeLine]] = defaultdict(list)
    fee_class, extra_class, empty = m.FeeLine, m.ExtraLine, ()
    shared_lines: dict[tuple, object] = {}
    for line_id, period_id, group_id, tier, count, amount, reset, special in fee_lines:
        period_lines = fees[period_id]
        line_ids[(period_id, "FEE", len(period_lines))] = line_id
        key = ("F", group_id, tier, count or 0, amount, bool(reset), special,
               tuple(line_discounts[line_id]) if line_id in line_discounts else empty,
               tuple(payer_rows[line_id]) if line_id in payer_rows else empty)
        line = shared_lines.get(key)
        if line is None:
            line = shared_lines[key] = build(
                fee_class, fee_group_id=group_id, tier=tier, count=count or 0, amount=money(amount),
                reset=bool(reset), discount_ids=key[7], special_discount=money(special), payers=payer_tuple(key[8]))
        period_lines.append(line)
    extras: dict[int, list[m.ExtraLine]] = defaultdict(list)
    for line_id, period_id, cost_id, count, amount, reset in extra_lines:
        period_lines = extras[period_id]
        line_ids[(period_id, "EXTRA", len(period_lines))] = line_id
        key = ("E", cost_id, count or 0, amount, bool(reset),
               tuple(extra_payer_rows[line_id]) if line_id in extra_payer_rows else empty)
        line = shared_lines.get(key)
        if line is None:
            line = shared_lines[key] = build(extra_class, extra_cost_id=cost_id, count=count or 0,
                                             amount=money(amount), reset=bool(reset), payers=payer_tuple(key[5]))
        period_lines.append(line)
    coverage = {c.value: c for c in m.MealCoverage}
    months: dict[int, Month] = {}
    validities: dict[tuple[int, int | None], Validity] = {}

    def month(index: int | None) -> Month | None:
        if index is None:
            return None
        found = months.get(index)
        if found is None:
            found = months[index] = Month.from_index(index)
        return found

    result: dict[int, list[m.BillingPeriod]] = {}
    period_class = m.BillingPeriod
    for pid, child_id, start, end, manual, fees_payer, extras_payer, meals, billed, version in periods:
        valid = validities.get((start, end))
        if valid is None:
            valid = validities[(start, end)] = Validity(month(start), month(end))
        result.setdefault(child_id, []).append(build(
            period_class, child_id=child_id, valid=valid, fee_lines=tuple(fees.get(pid, empty)),
            extra_lines=tuple(extras.get(pid, empty)), siblings_manual=manual,
            extra_siblings=tuple(period_siblings.get(pid, empty)), fees_payer_id=fees_payer,
            extras_payer_id=extras_payer, meal_coverage=coverage[meals], billed_through=month(billed), id=pid,
            version=version))
    return result, line_ids


def _detail(value) -> dict:
    if value is None:
        return {}
    return value if isinstance(value, dict) else json.loads(value)


def _resetting(catalogue: m.Catalogue) -> set[str]:
    """Line keys (without "#n") whose count or amount is read back from the postings."""
    resetting = {f"FEE:{gid}" for gid, g in catalogue.fee_groups.items()
                 if g.mode in (m.BillingMode.PER_UNIT, m.BillingMode.INDIVIDUAL)}
    resetting |= {f"EXTRA:{eid}" for eid, e in catalogue.extra_costs.items()
                  if e.mode in (m.BillingMode.PER_UNIT, m.BillingMode.INDIVIDUAL)}
    return resetting


def _posted(connection: Connection, facility_id: int, history: RunHistory, catalogue: m.Catalogue,
            currency: Currency) -> dict[int, list[PostedAmount]]:
    """What the facility's runs that were not undone posted, per child, in posting order.

    Value month, child, line and payer come from the idempotency key
    (`kita:<facility>:<run>/<attempt>:<value month>:<child>:<line>:<payer>:<kind>`); the detail is
    parsed only for lines whose count or amount the run resets (it holds what was billed)."""
    resetting = _resetting(catalogue)
    rows = fetch_tuples(connection, select(Posting.idempotency_key, Posting.amount_minor, Posting.source_id,
                                           Posting.detail)
                        .where(key_range(connection, key_prefix(facility_id))).order_by(Posting.id))
    reversed_ids = history.reversed_ids
    months: dict[str, Month] = {}
    result: dict[int, list[PostedAmount]] = defaultdict(list)
    for key, amount, source_id, detail in rows:
        if source_id in reversed_ids:
            continue
        parts = key.split(":")
        value_month, child, line_key, payer = parts[3], parts[4], f"{parts[5]}:{parts[6]}", parts[7]
        month = months.get(value_month)
        if month is None:
            year, mon = value_month.split("-")
            month = months[value_month] = Month(int(year), int(mon))
        quantity = unit_amount = None
        if line_key.partition("#")[0] in resetting:
            data = _detail(detail)
            if data.get("quantity") is not None:
                quantity = Decimal(data["quantity"])
            if data.get("unit_amount") is not None:
                unit_amount = Money(int(data["unit_amount"]), currency)
        result[int(child)].append(PostedAmount(month, line_key, int(payer), Money(int(amount), currency), quantity,
                                               unit_amount))
    return result


def _facts(session: Session, facility_id: int, month: Month, settings: m.FacilitySettings,
           catalogue: m.Catalogue, periods: dict[int, list[m.BillingPeriod]],
           history: RunHistory) -> dict[int, dict[Month, m.ChildMonthFacts]]:
    """Sibling positions and children in the household per child and month, loaded only when a
    line needs them (a sibling-ladder discount, a Württemberg fee group); else the defaults."""
    ladder = {did for did, d in catalogue.discounts.items() if d.kind is m.DiscountKind.SIBLING_LADDER}
    household_groups = {gid for gid, g in catalogue.fee_groups.items() if g.tier_source is m.TierSource.WUERTTEMBERG}
    need_siblings = need_household = False
    for child_periods in periods.values():
        for period in child_periods:
            for line in period.fee_lines:
                need_siblings = need_siblings or any(d in ladder for d in line.discount_ids)
                need_household = need_household or line.fee_group_id in household_groups
    need_household = need_household and settings.wuerttemberg
    if not (need_siblings or need_household):
        return {}
    start = settings.first_billing_month or history.first_month or month
    result: dict[int, dict[Month, m.ChildMonthFacts]] = defaultdict(dict)
    child_ids = list(periods)
    for index in range(min(start, month).index, month.index + 1):
        current = Month.from_index(index)
        positions: dict[int, int] = {}
        if need_siblings:
            extra = {}
            for child_id, child_periods in periods.items():
                period = next((p for p in child_periods if p.valid.contains(current)), None)
                if period is not None and period.extra_siblings:
                    extra[child_id] = period.extra_siblings
            positions = sibling_positions(session, facility_id, current, extra)
        households: dict[int, int] = {}
        if need_household:
            for chunk in _chunks(child_ids):
                households.update(household_children(session, chunk, current))
        for child_id in child_ids:
            result[child_id][current] = m.ChildMonthFacts(child_id, current, 0, positions.get(child_id, 1),
                                                          households.get(child_id, 1), None)
    return result


def _chunks(ids: Sequence[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def person_names(connection: Connection, person_ids: set[int]) -> dict[int, str]:
    """Person id → "Last, First" (institutions: their name)."""
    names: dict[int, str] = {}
    ids = sorted(person_ids)
    for chunk in _chunks(ids):
        for pid, last, first in connection.execute(select(Person.id, Person.last_name, Person.first_name)
                                                   .where(Person.id.in_(chunk))):
            names[pid] = f"{last}, {first}" if first else last
    return names


def require_facility(session: Session, facility_id: int) -> None:
    if facility_id is None:
        raise NotFoundError("Einrichtung: bitte eine Einrichtung wählen.")
    facility_unit(session, facility_id)
