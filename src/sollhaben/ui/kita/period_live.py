"""The live figures of the layers Beitrag and Zusatzkosten, from the domain: per unit (the tier,
each discount with what it deducts and what remains, the open remainder after each payer's share)
through `pricing`, and the month's amounts and payer split through `calculation.compute_child_month`
— the same functions the validation and the billing run use. The UI computes no money itself."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from sollhaben.domain.kita import model as m
from sollhaben.domain.kita.calculation import compute_child_month
from sollhaben.domain.kita.pricing import deductions_per_unit, line_keys, resolve_tier
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.ui.kita.period_context import PeriodContext


@dataclass
class LinePreview:
    figure: str = ""  # the mode's figure: monthly amount, daily amount × days, unit price = total
    discounts: dict[int, str] = field(default_factory=dict)  # discount position in the line → text
    special: str = ""
    opens: dict[int, str] = field(default_factory=dict)  # payer position in the line → text
    result: str = ""  # the month's amounts, or why the line cannot be billed
    problem: bool = False


def _names(ctx: PeriodContext) -> dict[int, str]:
    return {p.person_id: p.name for p in ctx.child.payers}


def _opens(ctx: PeriodContext, line, unit_net: Money | None) -> dict[int, str]:
    """Per payer: the remainder still open after its share, or what the remainder payer takes."""
    if unit_net is None:
        return {}
    texts, running = {}, unit_net
    fixed = [p.share for p in line.payers if not p.takes_remainder and p.share is not None]
    rest = unit_net - Money(sum(s.minor for s in fixed), unit_net.currency)
    for j, payer in enumerate(line.payers):
        if payer.takes_remainder or (len(line.payers) == 1 and payer.share is None):
            texts[j] = f"Rest {ctx.money(rest)}"
        elif payer.share is not None:
            running = running - payer.share
            texts[j] = (f"offen {ctx.money(running)}" if running.minor >= 0
                        else f"zu viel {ctx.money(-running)}")
    return texts


def _result(ctx: PeriodContext, month: Month, computed: m.ComputedLine | None, problem: str | None) -> str:
    if problem:
        return problem
    if computed is None:
        return ""
    names = _names(ctx)
    split = " · ".join(f"{names.get(p.payer_id, f'Nr. {p.payer_id}')} {ctx.money(p.amount)}" for p in computed.payers)
    return f"Monat {month}: {ctx.money(computed.net)}" + (f" → {split}" if split else "")


def preview(ctx: PeriodContext, period: m.BillingPeriod, month: Month,
            fee_positions: list[int], extra_positions: list[int]) -> tuple[dict[int, LinePreview], dict[int, LinePreview]]:
    """Previews of the fee and extra lines by form position; `*_positions` name the form position of
    each line of `period` (lines without a catalogue entry are left out of the period)."""
    facts = ctx.facts(month, period.extra_siblings)
    computed, problems = compute_child_month(period, ctx.catalogue, ctx.settings, facts, ctx.currency)
    by_key = {c.key: c for c in computed}
    problem_by_key = {p.line_key: p.message for p in problems}
    fee_keys, extra_keys = line_keys(period)
    fees = {pos: _fee(ctx, month, facts, line, by_key.get(key), problem_by_key.get(key), period)
            for pos, key, line in zip(fee_positions, fee_keys, period.fee_lines)}
    extras = {pos: _extra(ctx, month, facts, line, by_key.get(key), problem_by_key.get(key), period)
              for pos, key, line in zip(extra_positions, extra_keys, period.extra_lines)}
    return fees, extras


def _fee(ctx, month, facts, line: m.FeeLine, computed, problem, period) -> LinePreview:
    out = LinePreview(result=_result(ctx, month, computed, problem), problem=bool(problem))
    group = ctx.catalogue.fee_groups.get(line.fee_group_id)
    version = group.version_for(month) if group else None
    if version is None:
        return out
    income_tier = facts.income_tier if facts.income_tier is not None else line.tier  # as the engine reads it
    tier, _message = resolve_tier(group, version, line.tier, income_tier=income_tier,
                                  children_in_household=facts.children_in_household, settings=ctx.settings,
                                  month=month)
    automatic = group.tier_source is not m.TierSource.CHOSEN and group.mode is not m.BillingMode.INDIVIDUAL
    how = "aus Staffelberechnung" if group.tier_source is m.TierSource.INCOME else "automatisch"
    prefix = f"Staffel {tier.number} ({how}) · " if automatic and tier else ""
    if group.mode is m.BillingMode.INDIVIDUAL:
        base = line.amount or Money.zero(ctx.currency)
    elif tier is not None and tier.amount is not None:
        base = tier.amount
    else:
        out.figure = prefix.rstrip(" ·")
        return out
    deductions, _problems = deductions_per_unit(ctx.catalogue, line.discount_ids, line.special_discount, base,
                                                month, facts.sibling_position)
    running = base
    for item in deductions:
        running = running - item.deduction.amount
        text = f"-{ctx.money(item.deduction.amount)} → {ctx.money(running)}"  # the minus of format_money
        if item.field == "special_discount":
            out.special = text
        else:
            out.discounts[int(item.field.split("[")[1].rstrip("]"))] = text
    out.figure = prefix + _figure(ctx, group.mode, base, running, line.count, facts.care_days, computed)
    if not (period.fees_payer_id is not None):
        out.opens = _opens(ctx, line, running if running.minor >= 0 else None)
    return out


def _extra(ctx, month, facts, line: m.ExtraLine, computed, problem, period) -> LinePreview:
    out = LinePreview(result=_result(ctx, month, computed, problem), problem=bool(problem))
    extra = ctx.catalogue.extra_costs.get(line.extra_cost_id)
    version = extra.version_for(month) if extra else None
    if version is None:
        return out
    if extra.mode is m.BillingMode.INDIVIDUAL:
        base = line.amount or Money.zero(ctx.currency)
    elif version.amount is None:
        return out
    else:
        base = version.amount
    out.figure = _figure(ctx, extra.mode, base, base, line.count, facts.care_days, computed)
    if period.extras_payer_id is None:
        out.opens = _opens(ctx, line, base)
    return out


def _figure(ctx, mode: m.BillingMode, base: Money, unit_net: Money, count: int, days: int, computed) -> str:
    total = ctx.money(computed.net) if computed is not None else "–"
    if mode is m.BillingMode.MONTHLY:
        return f"Monatsbetrag {ctx.money(base)}"
    if mode is m.BillingMode.DAILY:
        return f"Tagesbetrag {ctx.money(base)} × {days} Tage = {total}"
    if mode is m.BillingMode.PER_UNIT:
        net = f" (abzügl. Ermäßigung {ctx.money(unit_net)})" if unit_net != base else ""
        return f"× Einzelbetrag {ctx.money(base)}{net} = Gesamt {total}"
    return ""


def with_lines(period: m.BillingPeriod, fee_lines, extra_lines) -> m.BillingPeriod:
    return replace(period, fee_lines=tuple(fee_lines), extra_lines=tuple(extra_lines))
