"""Change marks of the summary layer: where a catalogue price changes inside a period.

A line gets a mark at a month when the catalogue values it uses differ from the month before:
the amount of its chosen tier (or the whole tier table for automatic tiers), the value of one of
its discounts, or the amount of its extra cost — including a version that starts or ends there.
A new version with the same values makes no mark.
"""
from __future__ import annotations

from sollhaben.domain.kita.model import BillingPeriod, Catalogue, ExtraLine, FeeLine, TierSource
from sollhaben.domain.kita.pricing import line_keys
from sollhaben.domain.months import Month


def _boundaries(versions) -> set[Month]:
    months = set()
    for version in versions:
        months.add(version.valid.valid_from)
        if version.valid.valid_to is not None:
            months.add(version.valid.valid_to + 1)
    return months


def _fee_signature(catalogue: Catalogue, line: FeeLine, month: Month):
    group = catalogue.fee_groups.get(line.fee_group_id)
    version = group.version_for(month) if group else None
    if version is None:
        price = None
    elif group.tier_source is TierSource.CHOSEN:
        tier = version.tier(line.tier) if line.tier is not None else None
        price = tier.amount if tier else None
    else:
        price = tuple((t.number, t.amount) for t in version.tiers)
    discounts = []
    for discount_id in line.discount_ids:
        discount = catalogue.discounts.get(discount_id)
        v = discount.version_for(month) if discount else None
        discounts.append(None if v is None else (v.fixed, v.percent, v.ladder))
    return price, tuple(discounts)


def _extra_signature(catalogue: Catalogue, line: ExtraLine, month: Month):
    extra = catalogue.extra_costs.get(line.extra_cost_id)
    version = extra.version_for(month) if extra else None
    return None if version is None else ("v", version.amount)


def summary_change_marks(period: BillingPeriod, catalogue: Catalogue) -> list[tuple[str, Month]]:
    """(line key, month) for every month inside the period where the line's catalogue price changes.

    Months after `valid_from` only (the first month is the period's own start); for an open period
    every change entered in advance counts. In the order of the lines, then of the months."""
    start, end = period.valid.valid_from, period.valid.valid_to
    marks: list[tuple[str, Month]] = []
    fee_keys, extra_keys = line_keys(period)
    for key, line in zip(fee_keys, period.fee_lines):
        group = catalogue.fee_groups.get(line.fee_group_id)
        versions = list(group.versions) if group else []
        for discount_id in line.discount_ids:
            discount = catalogue.discounts.get(discount_id)
            versions += discount.versions if discount else ()
        marks += _marks(key, _boundaries(versions), start, end, lambda mo, ln=line: _fee_signature(catalogue, ln, mo))
    for key, line in zip(extra_keys, period.extra_lines):
        extra = catalogue.extra_costs.get(line.extra_cost_id)
        months = _boundaries(extra.versions) if extra else set()
        marks += _marks(key, months, start, end, lambda mo, ln=line: _extra_signature(catalogue, ln, mo))
    return marks


def _marks(key: str, months: set[Month], start: Month, end: Month | None, signature) -> list[tuple[str, Month]]:
    return [(key, month) for month in sorted(months)
            if start < month and (end is None or month <= end) and signature(month) != signature(month - 1)]
