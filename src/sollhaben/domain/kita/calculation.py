"""The month calculation of a child's billing data: every line, its discounts and its payer split.

`compute_child_month` computes the lines of one period for one month. It knows the billing modes,
tiers, discounts, the partial-month rule and the payer split; it does not know the run's rules
(fee-free months, the month after leaving, recalculation) — `run_plan` applies those by choosing the
months, the `scope` and the `billed` counts.

A line with a problem (missing catalogue version, no tier, discounts above the fee, shares that do
not add up, no payer …) is not returned; a `Problem` naming it is, so the run preview lists it and
the run does not bill it.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Mapping

from sollhaben.domain.kita.change_marks import summary_change_marks
from sollhaben.domain.kita.model import (
    EXTRA_COST_MODES,
    BillingMode,
    BillingPeriod,
    Catalogue,
    ChildMonthFacts,
    ComputedLine,
    ExtraLine,
    FacilitySettings,
    FeeLine,
    LineDeduction,
    LineKind,
    MealCoverage,
    PartialMonth,
    PayerAmount,
    PayerShare,
    Problem,
)
from sollhaben.domain.kita.pricing import (
    UnitDeduction,
    deductions_per_unit,
    first_negative,
    fmt,
    line_keys,
    line_resets,
    meal_payer_id,
    money,
    negative_net_message,
    resolve_tier,
    unit_suffix,
)
from sollhaben.domain.money import Currency, Money, round_cents, split_by_weights

__all__ = ["compute_child_month", "summary_change_marks", "round_pro_rata", "LineScope", "BilledValue", "LineMemo"]

PRO_RATA_PLACES = Decimal("0.000001")


class LineScope(str, Enum):
    """Which lines of the period a month bills."""

    ALL = "ALL"
    RESETTING_EXTRAS = "RESETTING_EXTRAS"  # fee-free month, month after leaving: only extra costs with reset


@dataclass(frozen=True)
class BilledValue:
    """What a run billed for a resetting line: the count (PER_UNIT) or the amount (INDIVIDUAL with reset)."""

    count: int = 0
    amount: Money | None = None


def round_pro_rata(amount: Money, days: int, month_days: int) -> Money:
    """`amount` × days / month_days, rounded by `round_cents` (half away from zero).

    The quotient is formed from integers first, so a true half cent (1.5 Cent) is exactly
    representable and rounds up; an inexact factor like 1/30 could round it down."""
    return Money(round_cents(Decimal(amount.minor * days) / Decimal(month_days)), amount.currency)


@dataclass(frozen=True)
class _Ctx:
    period: BillingPeriod
    catalogue: Catalogue
    settings: FacilitySettings
    facts: ChildMonthFacts
    currency: Currency
    billed: Mapping[str, BilledValue] | None


class _LineProblem(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def compute_child_month(period: BillingPeriod, catalogue: Catalogue, settings: FacilitySettings,
                        facts: ChildMonthFacts, currency: Currency | str, *, scope: LineScope = LineScope.ALL,
                        billed: Mapping[str, BilledValue] | None = None,
                        keys: tuple[list[str], list[str]] | None = None, memo: LineMemo | None = None,
                        ) -> tuple[list[ComputedLine], list[Problem]]:
    """The lines of `period` for `facts.month`, and the problems of the lines that cannot be billed.

    `scope`: all lines, or only extra costs with reset. `billed`: for the line keys it names, the
    count or individual amount of a resetting line is taken from it instead of the form (the run
    passes what it already billed, because the form was reset since). `keys`: `line_keys(period)`
    when the caller has it already. `memo`: a `LineMemo` of the run (same catalogue, settings and
    currency for every call): a line object computed before for the same key, period payers and
    facts gives back the same `ComputedLine` instead of being computed again."""
    ctx = _Ctx(period, catalogue, settings, facts, Currency(currency), billed)
    lines: list[ComputedLine] = []
    problems: list[Problem] = []
    fee_keys, extra_keys = keys if keys is not None else line_keys(period)
    work: list[tuple[str, FeeLine | ExtraLine]] = []
    if scope is LineScope.ALL:
        work += zip(fee_keys, period.fee_lines)
    work += zip(extra_keys, period.extra_lines)
    if memo is not None:
        found = memo.found
        common = (facts.month.index, facts.care_days, facts.sibling_position, facts.children_in_household,
                  facts.income_tier, scope)
    for key, line in work:
        is_fee = type(line) is FeeLine
        try:
            if memo is None:
                priced = _price_fee(ctx, key, line) if is_fee else _price_extra(ctx, key, line, scope)
            else:
                billed_value = billed.get(key) if billed is not None else None
                if is_fee:
                    signature = (key, line.fee_group_id, line.tier, line.count, line.amount, line.reset,
                                 line.discount_ids, line.special_discount, billed_value, common)
                else:
                    signature = (key, line.extra_cost_id, line.count, line.amount, line.reset, period.meal_coverage,
                                 billed_value, common)
                priced = found.get(signature, _MISSING)
                if priced is _MISSING:
                    priced = _price_fee(ctx, key, line) if is_fee else _price_extra(ctx, key, line, scope)
                    memo.keep(signature, priced)
            if priced is None:
                continue
            lines.append(_assign(priced, line.payers,
                                 period.fees_payer_id if is_fee else period.extras_payer_id))
        except _LineProblem as problem:
            problems.append(Problem(period.child_id, facts.month, problem.message, key))
    return lines, problems


_MISSING = object()


class LineMemo:
    """The priced lines of a run: what a line costs before it is split over its payers.

    The price of a line (catalogue version, tier, unit amount, deductions, quantity, gross, net,
    the institution that pays covered meals) depends only on the line's fields other than its
    payers, its key, the period's meal coverage, the value billed before, the month's facts and
    the scope — and on the catalogue, settings and currency, which are the same for the whole run
    (one memo per run). Thousands of children share a few dozen such prices, so each is computed
    once; every child then only splits the net over its own payers (`_assign`), exactly as the
    uncached path does. A line whose price has a problem is not kept (it is priced again, so each
    child gets its own problem)."""

    __slots__ = ("found",)

    LIMIT = 200_000

    def __init__(self) -> None:
        self.found: dict[tuple, _Priced | None] = {}

    def keep(self, signature: tuple, priced: "_Priced | None") -> None:
        if len(self.found) >= self.LIMIT:
            self.found.clear()
        self.found[signature] = priced


@dataclass(frozen=True)
class _Priced:
    """A line priced for a month, before the split over its payers."""

    fields: dict  # every field of the ComputedLine but `payers`
    label: str
    unit_net: int
    net: Money
    multiplier: int | None
    prorated: bool
    mode: BillingMode
    institution: int | None


def _billed(ctx: _Ctx, key: str, mode: BillingMode, line: FeeLine | ExtraLine) -> tuple[int, Money | None]:
    if ctx.billed is not None and key in ctx.billed and line_resets(mode, line):
        value = ctx.billed[key]
        return value.count, value.amount
    return line.count, line.amount


def _price_fee(ctx: _Ctx, key: str, line: FeeLine) -> _Priced:
    month = ctx.facts.month
    group = ctx.catalogue.fee_groups.get(line.fee_group_id)
    if group is None:
        raise _LineProblem(f"Beitrag: Beitragsgruppe {line.fee_group_id} gibt es im Standard nicht.")
    label = f"Beitrag „{group.name}“"
    version = group.version_for(month)
    if version is None:
        raise _LineProblem(f"{label}: Der Standard hat für {month} keine gültige Version der Beitragsgruppe.")
    # an income-dependent line carries the tier its income-scale calculation transferred (income-scale.md);
    # a tier in the month's facts takes precedence (callers that compute it for the month)
    income_tier = ctx.facts.income_tier if ctx.facts.income_tier is not None else line.tier
    tier, message = resolve_tier(group, version, line.tier, income_tier=income_tier,
                                 children_in_household=ctx.facts.children_in_household, settings=ctx.settings,
                                 month=month)
    if message:
        raise _LineProblem(f"{label}: {message}")
    count, amount = _billed(ctx, key, group.mode, line)
    base = (amount or Money.zero(ctx.currency)) if group.mode is BillingMode.INDIVIDUAL else tier.amount
    _check_currency(ctx, label, base)
    special = line.special_discount if line.special_discount else None
    if special is not None and group.mode is BillingMode.PER_UNIT:
        raise _LineProblem(f"{label}: Eine Sonderermäßigung gibt es bei Abrechnung nach Anzahl nicht.")
    if special is not None:
        _check_currency(ctx, label, special)
    if group.mode is BillingMode.INDIVIDUAL and base.is_zero():
        deductions, problems = [], []  # no amount entered for the month: nothing to discount or bill
    else:
        deductions, problems = deductions_per_unit(ctx.catalogue, line.discount_ids, special, base, month,
                                                   ctx.facts.sibling_position)
    if problems:
        raise _LineProblem(f"{label}: " + " ".join(message for _, message in problems))
    if first_negative(base, deductions) is not None:
        raise _LineProblem(negative_net_message(label, base, deductions, unit_suffix(group.mode)))
    return _price(ctx, key, label, LineKind.FEE, group.id if group.id is not None else line.fee_group_id,
                  version.id, group.name, group.mode, tier.number if tier else None, base, deductions, count, None,
                  is_meal=False, resets=line_resets(group.mode, line))


def _price_extra(ctx: _Ctx, key: str, line: ExtraLine, scope: LineScope) -> _Priced | None:
    month = ctx.facts.month
    extra = ctx.catalogue.extra_costs.get(line.extra_cost_id)
    if extra is None:
        raise _LineProblem(f"Zusatzkosten {line.extra_cost_id} gibt es im Standard nicht.")
    resets = line_resets(extra.mode, line)
    if scope is LineScope.RESETTING_EXTRAS and not resets:
        return None
    label = f"Zusatzkosten „{extra.name}“"
    if extra.mode not in EXTRA_COST_MODES:
        raise _LineProblem(f"{label}: Zusatzkosten werden nicht nach {extra.mode.label} abgerechnet.")
    version = extra.version_for(month)
    if version is None:
        raise _LineProblem(f"{label}: Der Standard hat für {month} keine gültige Version.")
    count, amount = _billed(ctx, key, extra.mode, line)
    if extra.mode is BillingMode.INDIVIDUAL:
        base = amount or Money.zero(ctx.currency)
    elif version.amount is None:
        raise _LineProblem(f"{label}: Der Standard nennt für {month} keinen Betrag.")
    else:
        base = version.amount
    _check_currency(ctx, label, base)
    institution = None
    if extra.is_meal and ctx.settings.standard_rate_meals and ctx.period.meal_coverage is not MealCoverage.NONE:
        institution = meal_payer_id(ctx.settings, ctx.period.meal_coverage)
        if institution is None:
            raise _LineProblem(f"{label}: Für die Kostenübernahme Essensgeld „{ctx.period.meal_coverage.label}“ "
                               f"ist in der Einrichtung keine Institution hinterlegt.")
    return _price(ctx, key, label, LineKind.EXTRA, extra.id if extra.id is not None else line.extra_cost_id,
                  version.id, extra.name, extra.mode, None, base, [], count, institution, is_meal=extra.is_meal,
                  resets=resets)


def _check_currency(ctx: _Ctx, label: str, amount: Money) -> None:
    if amount.currency is not ctx.currency:
        raise _LineProblem(f"{label}: Der Betrag ist in {amount.currency.value}, abgerechnet wird in "
                           f"{ctx.currency.value}.")
    if amount.minor < 0:
        raise _LineProblem(f"{label}: Der Betrag {fmt(amount)} ist negativ.")


def _price(ctx: _Ctx, key: str, label: str, kind: LineKind, catalogue_id: int, version_id: int | None, name: str,
           mode: BillingMode, tier: int | None, base: Money, unit_deductions: list[UnitDeduction], count: int,
           institution: int | None, *, is_meal: bool, resets: bool) -> _Priced:
    """Multiply the per-unit values by the month's quantity (the split over the payers follows in `_assign`)."""
    currency = base.currency
    deductions = [d.deduction for d in unit_deductions]
    unit_net = base.minor - sum(d.amount.minor for d in deductions) if deductions else base.minor
    month = ctx.facts.month
    multiplier: int | None = None
    prorated = False
    if mode is BillingMode.DAILY:
        multiplier = max(ctx.facts.care_days, 0)
    elif mode is BillingMode.PER_UNIT:
        if count < 0:
            raise _LineProblem(f"{label}: Die Anzahl {count} ist negativ.")
        multiplier = count
    if multiplier is not None:
        quantity = Decimal(multiplier)
        gross, net = money(base.minor * multiplier, currency), money(unit_net * multiplier, currency)
        deductions = [LineDeduction(d.name, money(d.amount.minor * multiplier, currency), d.discount_id)
                      for d in deductions]
    elif (mode is BillingMode.MONTHLY and ctx.settings.partial_month is PartialMonth.PRO_RATA
          and ctx.facts.care_days < month.days):
        days = max(ctx.facts.care_days, 0)
        prorated = True
        quantity = (Decimal(days) / Decimal(month.days)).quantize(PRO_RATA_PLACES)
        gross = round_pro_rata(base, days, month.days)
        net = round_pro_rata(money(unit_net, currency), days, month.days)
        deductions = _prorate_deductions(deductions, gross - net)
    else:
        quantity, gross, net = _ONE, base, money(unit_net, currency)
    fields = dict(key=key, kind=kind, catalogue_id=catalogue_id, version_id=version_id, name=name, mode=mode, tier=tier,
                  quantity=quantity, unit_amount=base, gross=gross, deductions=tuple(deductions), net=net, payers=(),
                  is_meal=is_meal, resets=resets)
    return _Priced(fields, label, unit_net, net, multiplier, prorated, mode, institution)


def _assign(priced: _Priced, payers: tuple[PayerShare, ...], all_payer_id: int | None) -> ComputedLine:
    """The priced line split over its payers: the institution for covered meals, the payer for all
    fees or extra costs, else the line's payers."""
    if priced.institution is not None:
        parts = (PayerAmount(priced.institution, priced.net),)
    elif all_payer_id is not None:
        parts = (PayerAmount(all_payer_id, priced.net),)
    else:
        parts = _split(priced.label, payers, priced.unit_net, priced.net, priced.multiplier, priced.prorated,
                       priced.mode)
    line = object.__new__(ComputedLine)  # as fast.build, from the shared fields
    values = line.__dict__
    values.update(priced.fields)
    values["payers"] = parts
    return line


_ONE = Decimal(1)


def _prorate_deductions(deductions: list[LineDeduction], total: Money) -> list[LineDeduction]:
    """Spread the prorated total deduction over the discounts in proportion to their full amounts."""
    weights = [d.amount.minor for d in deductions]
    if not deductions:
        return []
    if sum(weights) == 0:
        return [LineDeduction(d.name, Money.zero(total.currency), d.discount_id) for d in deductions]
    parts = split_by_weights(total, weights)
    return [LineDeduction(d.name, part, d.discount_id) for d, part in zip(deductions, parts)]


def _split(label: str, payers: tuple[PayerShare, ...], unit_net: int, net: Money, multiplier: int | None,
           prorated: bool, mode: BillingMode) -> tuple[PayerAmount, ...]:
    """The net over the line's payers; the parts always sum to the net exactly.

    Shares are per unit (day, unit, month; `unit_net` in minor units). Fixed shares are paid as
    entered (× days or units), the remainder payer gets the rest. In a pro-rata month the net is
    split in proportion to the full-month parts (largest remainder, ties to the earlier payer).
    A single payer without a share takes the remainder."""
    if len(payers) == 1 and (payers[0].takes_remainder or payers[0].share is None):  # the common case
        return (PayerAmount(payers[0].payer_id, net),)
    if not payers:
        raise _LineProblem(f"{label}: Kein Zahler – bitte in der Zeile einen Zahler eintragen oder im Layer "
                           f"Grunddaten einen Zahler für alles.")
    remainder = [p for p in payers if p.takes_remainder]
    if len(remainder) > 1:
        raise _LineProblem(f"{label}: Mehr als ein Zahler übernimmt den Restbeitrag.")
    if any(p.share is None for p in payers if not p.takes_remainder):
        raise _LineProblem(f"{label}: Für einen Zahler fehlt der Anteil.")
    currency = net.currency
    if net.minor == 0:
        return tuple(PayerAmount(p.payer_id, money(0, currency)) for p in payers)
    fixed = sum(p.share.minor for p in payers if not p.takes_remainder)
    if fixed > unit_net or (not remainder and fixed != unit_net):
        unit = unit_suffix(mode)
        verb = "übersteigen" if fixed > unit_net else "ergeben nicht"
        raise _LineProblem(f"{label}: Die Anteile ({fmt(money(fixed, currency))}{unit}) {verb} den Betrag "
                           f"({fmt(money(unit_net, currency))}{unit}).")
    unit_parts = [unit_net - fixed if p.takes_remainder else p.share.minor for p in payers]
    if multiplier is not None:
        amounts = [money(part * multiplier, currency) for part in unit_parts]
    elif prorated:
        amounts = split_by_weights(net, unit_parts)
    else:
        amounts = [money(part, currency) for part in unit_parts]
    return tuple(PayerAmount(p.payer_id, amount) for p, amount in zip(payers, amounts))
