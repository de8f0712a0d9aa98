"""The lines of the fee assessment letters: every child of the snapshot computed with the domain
calculation (`compute_child_month`) for its month, split by payer. No money is computed here
beyond adding up what the calculation returns.

The "offener Betrag" rule (seed 001, "Zusatzkosten auf der Festsetzung"): lines whose amount
changes every month — PER_UNIT (count × price) and INDIVIDUAL with the reset flag — get no share
on the letter; INDIVIDUAL without reset is a fixed monthly amount and is stated. For the open
PER_UNIT lines the calculation runs with a count of 1, which gives the unit price after discounts
(shown in the small print); INDIVIDUAL lines with reset run with no amount.

Change detection fingerprints, per payer, what the letter states for a regular month: a child's
partial first month and the length of the month (DAILY lines) do not count as changes, so the
lines are computed once more for the whole month where the first one is partial, and DAILY lines
are fingerprinted per day.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from sollhaben.domain.formatting import format_money
from sollhaben.domain.kita import model as m
from sollhaben.domain.kita.calculation import compute_child_month
from sollhaben.domain.kita.pricing import line_keys
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.reports.kita_assessment_model import AssessmentChild, AssessmentLine, Deduction
from sollhaben.reports.kita_assessment_texts import MODE_LABELS
from sollhaben.services.kita.fee_assessment_load import Snapshot

SPECIAL_DISCOUNT = "Sonderermäßigung"


@dataclass
class PayerPart:
    """What one payer's letter holds, before address and payment are added."""

    payer_id: int
    children: list[AssessmentChild] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    fingerprint: list = field(default_factory=list)  # JSON-able, per child: [child id, name, lines]


@dataclass
class Built:
    parts: dict[int, PayerPart]  # payer id → its part, for every payer with a line or a problem
    without_data: list[tuple[int, Month]]  # (child id, month): in care, but no billing period for the month


def _open_period(period: m.BillingPeriod, catalogue: m.Catalogue) -> m.BillingPeriod:
    """The period as the letter computes it: count 1 for PER_UNIT lines (the unit price), no
    amount and no discounts for INDIVIDUAL lines with reset (their amount is open; a discount
    without an amount would be refused as larger than the fee)."""
    def mode(line) -> m.BillingMode | None:
        entry = (catalogue.fee_groups.get(line.fee_group_id) if isinstance(line, m.FeeLine)
                 else catalogue.extra_costs.get(line.extra_cost_id))
        return entry.mode if entry is not None else None

    def neutral(line):
        found = mode(line)
        if found is m.BillingMode.PER_UNIT:
            return replace(line, count=1) if line.count != 1 else line
        if found is m.BillingMode.INDIVIDUAL and line.reset:  # open: no amount, so nothing to deduct either
            if isinstance(line, m.FeeLine) and (line.amount is not None or line.discount_ids or line.special_discount):
                return replace(line, amount=None, discount_ids=(), special_discount=None)
            return replace(line, amount=None) if line.amount is not None else line
        return line

    fees = tuple(neutral(line) for line in period.fee_lines)
    extras = tuple(neutral(line) for line in period.extra_lines)
    if fees == period.fee_lines and extras == period.extra_lines:
        return period
    return replace(period, fee_lines=fees, extra_lines=extras)


def _number(value: Decimal, country: str) -> str:
    text = format(value.normalize(), "f")
    return text if country == "CH" else text.replace(".", ",")


def _deduction_name(d: m.LineDeduction, catalogue: m.Catalogue, month: Month, position: int, country: str) -> str:
    if d.discount_id is None:
        return SPECIAL_DISCOUNT
    discount = catalogue.discounts.get(d.discount_id)
    version = discount.version_for(month) if discount is not None else None
    if discount is None or version is None:
        return d.name
    if discount.kind is m.DiscountKind.PERCENT and version.percent is not None:
        return f"{d.name} ({_number(version.percent, country)} %)"
    if discount.kind is m.DiscountKind.SIBLING_LADDER:
        return f"{d.name} ({position}. Kind)"
    return d.name


def _tier_label(line: m.ComputedLine, catalogue: m.Catalogue, month: Month) -> str:
    if line.kind is not m.LineKind.FEE or line.tier is None:
        return ""
    group = catalogue.fee_groups.get(line.catalogue_id)
    version = group.version_for(month) if group is not None else None
    tier = version.tier(line.tier) if version is not None else None
    return (tier.label if tier is not None and tier.label else f"Stufe {line.tier}")


def _detail(line: m.ComputedLine, facts: m.ChildMonthFacts, country: str, names: list[str]) -> str:
    def fmt(value: Money) -> str:
        return format_money(value, country)

    if line.mode is m.BillingMode.PER_UNIT:
        text = f"{fmt(line.unit_amount)} je Einheit"
        if line.deductions:
            text += f", abzüglich {', '.join(names)}: {fmt(line.net)} je Einheit"
        return text
    if line.mode is m.BillingMode.INDIVIDUAL and line.resets:
        return "Der Betrag wird jeden Monat neu festgelegt."
    if line.mode is m.BillingMode.DAILY:
        days = int(line.quantity)
        return f"{fmt(line.unit_amount)} je Tag × {days} {'Tag' if days == 1 else 'Tage'}"
    if line.mode is m.BillingMode.MONTHLY and line.quantity != 1:
        return f"anteilig für {facts.care_days} von {facts.month.days} Tagen"
    return ""


def _cached(snapshot: Snapshot, key: tuple, make) -> str:
    """Tier labels and discount names repeat for every child: made once per snapshot."""
    found = snapshot.labels.get(key)
    if found is None:
        found = snapshot.labels[key] = make()
    return found


def _assessment_line(line: m.ComputedLine, share: Money, snapshot: Snapshot,
                     facts: m.ChildMonthFacts) -> AssessmentLine:
    country, month, catalogue = snapshot.org.country, facts.month, snapshot.catalogue
    position = facts.sibling_position
    names = [_cached(snapshot, ("discount", d.discount_id, d.name, month, position),
                     lambda d=d: _deduction_name(d, catalogue, month, position, country)) for d in line.deductions]
    detail = _detail(line, facts, country, names)
    tier = _cached(snapshot, ("tier", line.kind, line.catalogue_id, line.tier, month),
                   lambda: _tier_label(line, catalogue, month))
    common = dict(kind=line.kind.value, name=line.name, mode_label=MODE_LABELS[line.mode.value], tier=tier,
                  detail=detail)
    if line.resets:  # "offener Betrag"
        return AssessmentLine(**common)
    deductions = tuple(Deduction(name, d.amount) for name, d in zip(names, line.deductions))
    return AssessmentLine(monthly=line.gross, deductions=deductions, net=line.net, share=share,
                          shared=len(line.payers) > 1, **common)


def _per_unit(amount: int, line: m.ComputedLine) -> int:
    """DAILY amounts per day: the length of the month is no change of the billing data."""
    if line.mode is m.BillingMode.DAILY and line.quantity:
        return amount // int(line.quantity)
    return amount


def _fingerprint(line: m.ComputedLine, share: Money) -> list:
    deductions = [[d.discount_id, d.name, _per_unit(d.amount.minor, line)] for d in line.deductions]
    return [line.key, line.name, line.mode.value, line.tier, _per_unit(line.gross.minor, line), deductions,
            _per_unit(line.net.minor, line), None if line.resets else _per_unit(share.minor, line)]


def _line_payers(period: m.BillingPeriod, key: str) -> set[int]:
    """The payers a line names (for a problem of that line)."""
    fee_keys, extra_keys = line_keys(period)
    for keys, lines, all_payer in ((fee_keys, period.fee_lines, period.fees_payer_id),
                                   (extra_keys, period.extra_lines, period.extras_payer_id)):
        if key in keys:
            if all_payer is not None:
                return {all_payer}
            return {p.payer_id for p in lines[keys.index(key)].payers}
    return set()


def _until(contracts: list[m.Contract]) -> Month | None:
    if not contracts or any(c.last_day is None for c in contracts if c.first_day is not None):
        return None
    return max((c.last_month for c in contracts if c.last_month is not None), default=None)


def _child_name(snapshot: Snapshot, child_id: int) -> tuple[str, object]:
    person = snapshot.persons.get(snapshot.child_person.get(child_id, -1))
    if person is None:
        return f"Kind {child_id}", None
    return f"{person.first_name} {person.last_name}".strip(), person.birth_date


def compute(snapshot: Snapshot) -> Built:
    """Every payer's part of the letters (children, lines, problems, fingerprint)."""
    parts: dict[int, PayerPart] = {}
    without: list[tuple[int, Month]] = []
    settings, catalogue, currency = snapshot.settings, snapshot.catalogue, snapshot.org.currency

    def part(payer_id: int) -> PayerPart:
        found = parts.get(payer_id)
        if found is None:
            found = parts[payer_id] = PayerPart(payer_id)
        return found

    for child_id, month in sorted(snapshot.child_month.items()):
        period = next((p for p in snapshot.periods.get(child_id, ()) if p.valid.contains(month)), None)
        if period is None:
            without.append((child_id, month))
            continue
        contracts = snapshot.contracts.get(child_id, [])
        care_days = min(sum(c.care_days(month) for c in contracts), month.days)
        position, household = snapshot.facts.get((child_id, month), (1, 1))
        facts = m.ChildMonthFacts(child_id, month, care_days, position, household, None)
        computed = _open_period(period, catalogue)
        lines, problems = compute_child_month(computed, catalogue, settings, facts, currency)
        regular = lines
        if care_days < month.days:
            regular, _ = compute_child_month(computed, catalogue, settings, replace(facts, care_days=month.days),
                                             currency)
        regular_by_key = {line.key: line for line in regular}
        name, born = _child_name(snapshot, child_id)
        per_payer: dict[int, tuple[list, list, list]] = {}
        for line in lines:
            for payer in line.payers:
                fees, extras, prints = per_payer.setdefault(payer.payer_id, ([], [], []))
                (fees if line.kind is m.LineKind.FEE else extras).append(_assessment_line(line, payer.amount,
                                                                                        snapshot, facts))
                full = regular_by_key.get(line.key, line)
                full_share = next((p.amount for p in full.payers if p.payer_id == payer.payer_id), payer.amount)
                prints.append(_fingerprint(full, full_share))
        for problem in problems:
            payers = _line_payers(period, problem.line_key) or set(per_payer)
            for payer_id in payers:
                part(payer_id).problems.append(f"{name}: {problem.message}")
        partial = care_days < month.days and any(
            line.mode is m.BillingMode.DAILY or (line.mode is m.BillingMode.MONTHLY and line.quantity != 1)
            for line in lines)
        until = _until(contracts)
        for payer_id, (fees, extras, prints) in per_payer.items():
            fixed = [line.share for line in fees + extras if line.share is not None]
            total = Money(sum(s.minor for s in fixed), currency)
            part(payer_id).children.append(AssessmentChild(
                child_id, name, born, month, tuple(fees), tuple(extras), until,
                (care_days, month.days) if partial else None, total))
            part(payer_id).fingerprint.append([child_id, name, prints])
    return Built(parts, without)
