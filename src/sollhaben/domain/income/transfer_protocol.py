"""The records of a transfer and its protocol (layer „Protokoll“), in German for the clerk.

Each entry has a kind, a text and the structured values the list shows in its own columns
(month, payer, amount, period); the service stores them with the transfer.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Mapping, Sequence

from sollhaben.domain.kita.model import Problem
from sollhaben.domain.kita.pricing import fmt
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity


@dataclass(frozen=True)
class PeriodClosure:
    """A stored period whose `valid_to` changes from `before.valid_to` to `after.valid_to`."""

    period_id: int | None
    before: Validity
    after: Validity
    locked_through: Month | None  # its last billed, locked month (closing it is allowed and logged)


@dataclass(frozen=True)
class PeriodCreation:
    """A new period copied from `source_id`: with the new tier, or (None) with the old tiers after `valid_to`."""

    source_id: int | None
    valid: Validity
    tier: int | None


@dataclass(frozen=True)
class TierChange:
    """An income-dependent line and its tier, old → new (`period_id` None: in a period the plan creates)."""

    period_id: int | None
    valid: Validity  # the months of the period that carry the new tier (or, when locked, keep the old one)
    line_index: int  # position in the period's fee_lines
    line_key: str
    fee_group_id: int
    name: str
    old_tier: int | None
    new_tier: int


@dataclass(frozen=True)
class ExpectedDifference:
    """What the next billing run posts for a billed month, line and payer (expected − posted)."""

    month: Month
    payer_id: int
    line_key: str
    name: str
    posted: Money
    expected: Money
    difference: Money


class ProtocolKind(str, Enum):
    TRANSFERRED = "TRANSFERRED"
    PERIOD_CLOSED = "PERIOD_CLOSED"
    PERIOD_CREATED = "PERIOD_CREATED"
    TIER_CHANGED = "TIER_CHANGED"
    LOCKED_KEPT = "LOCKED_KEPT"  # billed and locked months keep their tier
    DIFFERENCE = "DIFFERENCE"  # the next run's recalculation per payer and month
    PROBLEM = "PROBLEM"  # what the next run will report for an income-dependent line
    NOTHING_CHANGED = "NOTHING_CHANGED"


@dataclass(frozen=True)
class ProtocolEntry:
    kind: ProtocolKind
    text: str
    month: Month | None = None
    payer_id: int | None = None
    amount: Money | None = None
    period_id: int | None = None


def _tier(tier: int | None) -> str:
    return f"Staffel {tier}" if tier is not None else "keine Staffel"


def _months(valid: Validity) -> str:
    if valid.valid_to == valid.valid_from:
        return str(valid.valid_from)
    return f"{valid.valid_from} bis {valid.valid_to}" if valid.valid_to else f"ab {valid.valid_from}"


def build_protocol(tier: int, validity: Validity, closures: Sequence[PeriodClosure],
                   creations: Sequence[PeriodCreation], tier_changes: Sequence[TierChange],
                   locked: Sequence[TierChange], differences: Sequence[ExpectedDifference],
                   problems: Sequence[Problem], touched: bool, run_month: Month,
                   payer_names: Mapping[int, str]) -> tuple[ProtocolEntry, ...]:
    """The entries in the order the clerk reads them: what was transferred, the periods, the lines, the
    locked months, the expected differences per month and payer, the problems."""
    entries = [ProtocolEntry(ProtocolKind.TRANSFERRED, f"Staffel {tier} übertragen für {validity}.")]
    for closure in closures:
        text = f"Abrechnungszeitraum {closure.before} geschlossen: Gültig bis {closure.after.valid_to}."
        if closure.locked_through is not None:
            text += (f" Er ist bis {closure.locked_through} abgerechnet und gesperrt; sein Inhalt bleibt "
                     f"unverändert.")
        entries.append(ProtocolEntry(ProtocolKind.PERIOD_CLOSED, text, period_id=closure.period_id))
    for creation in creations:
        what = f"mit {_tier(creation.tier)}" if creation.tier is not None else "mit den bisherigen Staffeln"
        entries.append(ProtocolEntry(ProtocolKind.PERIOD_CREATED, f"Neuer Abrechnungszeitraum {creation.valid} "
                                                                  f"{what} (Kopie des bisherigen Zeitraums).",
                                     month=creation.valid.valid_from))
    for change in tier_changes:
        entries.append(ProtocolEntry(ProtocolKind.TIER_CHANGED, f"Beitragsgruppe „{change.name}“, Zeitraum "
                                                                f"{change.valid}: {_tier(change.old_tier)} → "
                                                                f"{_tier(change.new_tier)}.",
                                     month=change.valid.valid_from, period_id=change.period_id))
    for change in locked:
        entries.append(ProtocolEntry(ProtocolKind.LOCKED_KEPT, f"Beitragsgruppe „{change.name}“, "
                                                               f"{_months(change.valid)}: abgerechnet und gesperrt "
                                                               f"– bleibt bei {_tier(change.old_tier)}, es wird "
                                                               f"nichts nachberechnet.",
                                     month=change.valid.valid_from, period_id=change.period_id))
    entries += _difference_entries(differences, run_month, payer_names)
    for problem in problems:
        entries.append(ProtocolEntry(ProtocolKind.PROBLEM, f"{problem.month}: {problem.message}", month=problem.month))
    if not touched:
        entries.append(ProtocolEntry(ProtocolKind.NOTHING_CHANGED, f"Die Abrechnungsdaten des Kindes haben für "
                                                                   f"{validity} keine einkommensabhängige "
                                                                   f"Beitragsgruppe; nichts geändert."))
    elif not closures and not creations and not tier_changes and not locked:
        entries.append(ProtocolEntry(ProtocolKind.NOTHING_CHANGED, f"Die einkommensabhängigen Beitragsgruppen haben "
                                                                   f"für {validity} bereits Staffel {tier}; nichts "
                                                                   f"geändert."))
    return tuple(entries)


def _difference_entries(differences: Sequence[ExpectedDifference], run_month: Month,
                        payer_names: Mapping[int, str]) -> list[ProtocolEntry]:
    """One entry per billed month and payer (the lines of the payer in that month added up)."""
    sums: dict[tuple[Month, int], list[ExpectedDifference]] = {}
    for difference in differences:
        sums.setdefault((difference.month, difference.payer_id), []).append(difference)
    entries = []
    for (month, payer_id), parts in sorted(sums.items()):
        currency = parts[0].difference.currency
        amount = Money(sum(p.difference.minor for p in parts), currency)
        posted = Money(sum(p.posted.minor for p in parts), currency)
        expected = Money(sum(p.expected.minor for p in parts), currency)
        payer = payer_names.get(payer_id, f"Zahler {payer_id}")
        entries.append(ProtocolEntry(
            ProtocolKind.DIFFERENCE, f"{month}, {payer}: Die Sollstellung {run_month} bucht {fmt(amount)} nach "
                                     f"(gebucht {fmt(posted)}, neu {fmt(expected)}).",
            month=month, payer_id=payer_id, amount=amount))
    return entries
