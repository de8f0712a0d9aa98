"""Kita billing: ORM rows ↔ domain value objects (`sollhaben.domain.kita.model`).

Reading needs the child collections loaded: use the loader options below (`fee_group_loader`,
`period_loader` …); every relationship is lazy="raise". Writing keeps child rows position by
position and updates them in place, so the audit log shows old → new per field; surplus rows are
removed and missing ones appended (a position is never deleted and inserted in one flush).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable, Sequence, TypeVar

from sqlalchemy.orm import selectinload

from sollhaben.domain.kita import model as m
from sollhaben.domain.money import Money
from sollhaben.domain.months import Validity
from sollhaben.persistence.models import (
    BillingPeriod,
    Contract,
    Discount,
    DiscountVersion,
    ExtraCost,
    ExtraCostVersion,
    ExtraLine,
    FacilitySettings,
    FeeGroup,
    FeeGroupVersion,
    FeeLine,
    FeeLineDiscount,
    FeeTier,
    LinePayer,
    PeriodSibling,
)

# --- numbers ----------------------------------------------------------------------------------------


def percent_to_bp(percent: Decimal) -> int:
    """25 % → 2500 basis points. Raises ValueError for more than two decimals (validate first)."""
    if isinstance(percent, float):
        raise TypeError("percent must be Decimal, not float")
    scaled = Decimal(percent) * 100
    if scaled != scaled.to_integral_value():
        raise ValueError(f"percent {percent} has more than two decimals")
    return int(scaled)


def bp_to_percent(bp: int) -> Decimal:
    """2500 → Decimal('25'), 1250 → Decimal('12.5')."""
    return Decimal(bp) / 100


def money(minor: int | None, currency: str) -> Money | None:
    return None if minor is None else Money(minor, currency)


def minor(amount: Money | None) -> int | None:
    return None if amount is None else amount.minor


def _validity(row) -> Validity:
    return Validity(row.valid_from, row.valid_to)


# --- loader options -------------------------------------------------------------------------------

def fee_group_loader():
    return selectinload(FeeGroup.versions).selectinload(FeeGroupVersion.tiers)


def discount_loader():
    return selectinload(Discount.versions)


def extra_cost_loader():
    return selectinload(ExtraCost.versions)


def period_loader() -> tuple:
    """Everything `period_to_domain` reads, in five SELECTs whatever the number of periods."""
    fee_lines = selectinload(BillingPeriod.fee_lines)
    extra_lines = selectinload(BillingPeriod.extra_lines)
    return (fee_lines.selectinload(FeeLine.discounts), fee_lines.selectinload(FeeLine.payers),
            extra_lines.selectinload(ExtraLine.payers), selectinload(BillingPeriod.siblings))


# --- catalogue: rows → domain -----------------------------------------------------------------------

def fee_group_to_domain(row: FeeGroup, currency: str) -> m.FeeGroup:
    versions = tuple(
        m.FeeGroupVersion(_validity(v), tuple(m.Tier(t.number, t.label, money(t.amount_minor, currency))
                                              for t in v.tiers), id=v.id)
        for v in row.versions)
    return m.FeeGroup(row.name, m.BillingMode(row.mode), m.TierSource(row.tier_source), versions, id=row.id,
                      code=row.code)


def discount_version_to_domain(v: DiscountVersion, currency: str) -> m.DiscountVersion:
    ladder = []
    for bp in (v.ladder_2_bp, v.ladder_3_bp, v.ladder_4_bp):
        if bp is None:
            break
        ladder.append(bp_to_percent(bp))
    return m.DiscountVersion(_validity(v), fixed=money(v.fixed_minor, currency),
                             percent=None if v.percent_bp is None else bp_to_percent(v.percent_bp),
                             ladder=tuple(ladder), id=v.id)


def discount_to_domain(row: Discount, currency: str) -> m.Discount:
    return m.Discount(row.name, m.DiscountKind(row.kind),
                      tuple(discount_version_to_domain(v, currency) for v in row.versions), id=row.id)


def extra_cost_to_domain(row: ExtraCost, currency: str) -> m.ExtraCost:
    versions = tuple(m.ExtraCostVersion(_validity(v), money(v.amount_minor, currency), id=v.id)
                     for v in row.versions)
    return m.ExtraCost(row.name, m.BillingMode(row.mode), row.is_meal, versions, id=row.id)


# --- catalogue: domain → rows -----------------------------------------------------------------------

def apply_fee_group_version(row: FeeGroupVersion, version: m.FeeGroupVersion, group: FeeGroup) -> None:
    set_if_changed(row, valid_from=version.valid.valid_from, valid_to=version.valid.valid_to)
    # tiers are keyed by number: kept rows are updated, others removed or added
    wanted = {t.number: t for t in version.tiers}
    for tier in [t for t in row.tiers if t.number not in wanted]:
        row.tiers.remove(tier)
    existing = {t.number: t for t in row.tiers}
    for number, tier in wanted.items():
        if number in existing:
            set_if_changed(existing[number], label=tier.label, amount_minor=minor(tier.amount))
        else:
            row.tiers.append(FeeTier(group=group, number=number, label=tier.label, amount_minor=minor(tier.amount)))


def apply_discount_version(row: DiscountVersion, version: m.DiscountVersion) -> None:
    ladder = [percent_to_bp(p) for p in version.ladder] + [None] * (3 - len(version.ladder))
    set_if_changed(row, valid_from=version.valid.valid_from, valid_to=version.valid.valid_to,
                   fixed_minor=minor(version.fixed),
                   percent_bp=None if version.percent is None else percent_to_bp(version.percent),
                   ladder_2_bp=ladder[0], ladder_3_bp=ladder[1], ladder_4_bp=ladder[2])


def apply_extra_cost_version(row: ExtraCostVersion, version: m.ExtraCostVersion) -> None:
    set_if_changed(row, valid_from=version.valid.valid_from, valid_to=version.valid.valid_to,
                   amount_minor=minor(version.amount))


# --- facility settings and contracts --------------------------------------------------------------

def settings_to_domain(row: FacilitySettings) -> m.FacilitySettings:
    return m.FacilitySettings(
        facility_id=row.facility_id, fee_free_months=frozenset(row.fee_free_months or ()),
        partial_month=m.PartialMonth(row.partial_month), due_day=row.due_day, lock_billed=row.lock_billed,
        wuerttemberg=row.wuerttemberg, standard_rate_meals=row.standard_rate_meals,
        hardship_fund_payer_id=row.hardship_fund_payer_id, sibling_meal_payer_id=row.sibling_meal_payer_id,
        first_billing_month=row.first_billing_month, version=row.version)


def apply_settings(row: FacilitySettings, settings: m.FacilitySettings) -> bool:
    return set_if_changed(
        row, fee_free_months=sorted(settings.fee_free_months), partial_month=settings.partial_month.value,
        due_day=settings.due_day, lock_billed=settings.lock_billed, wuerttemberg=settings.wuerttemberg,
        standard_rate_meals=settings.standard_rate_meals, hardship_fund_payer_id=settings.hardship_fund_payer_id,
        sibling_meal_payer_id=settings.sibling_meal_payer_id, first_billing_month=settings.first_billing_month)


def contract_to_domain(row: Contract) -> m.Contract:
    return m.Contract(row.child_id, row.facility_id, m.ContractStatus(row.status), row.registered_on,
                      row.first_day, row.last_day, id=row.id, version=row.version)


# --- billing periods --------------------------------------------------------------------------------

def _payers(rows: Sequence[LinePayer], currency: str) -> tuple[m.PayerShare, ...]:
    return tuple(m.PayerShare(p.person_id, money(p.share_minor, currency), p.takes_remainder) for p in rows)


def period_to_domain(row: BillingPeriod, currency: str) -> m.BillingPeriod:
    """The period with its lines (load with `period_loader()`)."""
    fee_lines = tuple(
        m.FeeLine(fee_group_id=f.fee_group_id, tier=f.tier, count=f.count, amount=money(f.amount_minor, currency),
                  reset=f.reset, discount_ids=tuple(d.discount_id for d in f.discounts),
                  special_discount=money(f.special_discount_minor, currency), payers=_payers(f.payers, currency))
        for f in row.fee_lines)
    extra_lines = tuple(
        m.ExtraLine(extra_cost_id=e.extra_cost_id, count=e.count, amount=money(e.amount_minor, currency),
                    reset=e.reset, payers=_payers(e.payers, currency))
        for e in row.extra_lines)
    return m.BillingPeriod(
        child_id=row.child_id, valid=Validity(row.valid_from, row.valid_to), fee_lines=fee_lines,
        extra_lines=extra_lines, siblings_manual=row.siblings_manual,
        extra_siblings=tuple(s.sibling_child_id for s in row.siblings), fees_payer_id=row.fees_payer_id,
        extras_payer_id=row.extras_payer_id, meal_coverage=m.MealCoverage(row.meal_coverage),
        billed_through=row.billed_through, id=row.id, version=row.version)


def _sync_payers(line, shares: Sequence[m.PayerShare], child_id: int) -> bool:
    def make(position: int, share: m.PayerShare) -> LinePayer:
        return LinePayer(child_id=child_id, position=position, person_id=share.payer_id,
                         share_minor=minor(share.share), takes_remainder=share.takes_remainder)

    def update(row: LinePayer, share: m.PayerShare) -> bool:
        return set_if_changed(row, person_id=share.payer_id, share_minor=minor(share.share),
                              takes_remainder=share.takes_remainder)

    return sync_positions(line.payers, shares, make, update)


def _sync_fee_line(row: FeeLine, line: m.FeeLine, child_id: int) -> bool:
    changed = set_if_changed(row, fee_group_id=line.fee_group_id, tier=line.tier, count=line.count,
                             amount_minor=minor(line.amount), reset=line.reset,
                             special_discount_minor=minor(line.special_discount))
    changed |= sync_positions(
        row.discounts, line.discount_ids,
        lambda position, discount_id: FeeLineDiscount(child_id=child_id, position=position, discount_id=discount_id),
        lambda d, discount_id: set_if_changed(d, discount_id=discount_id))
    return _sync_payers(row, line.payers, child_id) | changed


def _sync_extra_line(row: ExtraLine, line: m.ExtraLine, child_id: int) -> bool:
    changed = set_if_changed(row, extra_cost_id=line.extra_cost_id, count=line.count,
                             amount_minor=minor(line.amount), reset=line.reset)
    return _sync_payers(row, line.payers, child_id) | changed


def apply_period(row: BillingPeriod, period: m.BillingPeriod) -> bool:
    """Make the stored period (loaded with `period_loader()`, or new with empty lists) hold
    `period`; True if anything changed. `billed_through` is the run's, never the form's."""
    child_id = row.child_id
    changed = set_if_changed(
        row, valid_from=period.valid.valid_from, valid_to=period.valid.valid_to,
        siblings_manual=period.siblings_manual, fees_payer_id=period.fees_payer_id,
        extras_payer_id=period.extras_payer_id, meal_coverage=period.meal_coverage.value)

    def new_fee_line(position: int, line: m.FeeLine) -> FeeLine:
        fee_line = FeeLine(child_id=child_id, position=position, discounts=[], payers=[])
        _sync_fee_line(fee_line, line, child_id)
        return fee_line

    def new_extra_line(position: int, line: m.ExtraLine) -> ExtraLine:
        extra_line = ExtraLine(child_id=child_id, position=position, payers=[])
        _sync_extra_line(extra_line, line, child_id)
        return extra_line

    changed |= sync_positions(row.fee_lines, period.fee_lines, new_fee_line,
                              lambda r, line: _sync_fee_line(r, line, child_id))
    changed |= sync_positions(row.extra_lines, period.extra_lines, new_extra_line,
                              lambda r, line: _sync_extra_line(r, line, child_id))
    changed |= sync_positions(
        row.siblings, period.extra_siblings,
        lambda position, sibling: PeriodSibling(child_id=child_id, position=position, sibling_child_id=sibling),
        lambda s, sibling: set_if_changed(s, sibling_child_id=sibling))
    return changed


# --- helpers --------------------------------------------------------------------------------------

T = TypeVar("T")


def set_if_changed(row, **values) -> bool:
    """Assign only values that differ (an unchanged form writes nothing); True if any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def sync_positions(collection: list, wanted: Sequence[T], make: Callable[[int, T], object],
                   update: Callable[[object, T], bool]) -> bool:
    """Row i holds wanted[i] (`position` = i): update kept rows in place, drop the surplus, append
    the rest. True if anything changed."""
    changed = False
    for row, item in zip(collection, wanted):
        changed |= bool(update(row, item))
    for row in list(collection[len(wanted):]):
        collection.remove(row)
        changed = True
    for position in range(len(collection), len(wanted)):
        collection.append(make(position, wanted[position]))
        changed = True
    return changed
