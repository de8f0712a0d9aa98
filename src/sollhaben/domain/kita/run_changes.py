"""Change detection for the billing run: which children's billed months can have changed.

Every run recalculates the months already billed (spec: changes to past months are found). Doing
that for every child and month makes the run of month 12 plan twelve months per child, although
almost nothing changed. A child's billed months can only come out differently when an *input* of
the engine changed since the run that last billed them. This module describes those inputs
canonically, so a service can store them with a run and compare them at the next one:

- **per child** (`child_digests`): a 64-bit digest of everything of the child that the engine
  reads for a billed month — its billing periods with every line, discount, payer share, special
  discount, payer for all fees / extra costs, meal coverage and manually named siblings, its
  contracts in the facility (care days, the month after leaving) — and the facts of each month
  from the first billing month on that its lines use: the sibling position (a sibling-ladder
  discount), the children in the household (a Württemberg group), the income tier (an
  income-dependent group). Left out, because a billed month never reads them: the counts of
  PER_UNIT lines and the amounts of INDIVIDUAL lines with reset (taken from the postings), the
  billed-through mark, row versions and ids.
- **per facility** (`facility_state`): the settings that change amounts (partial month, fee-free
  months, Württemberg, standard-rate meals and its institutions), the month recalculation starts
  from, and every catalogue entry's mode and value per month (versions, tiers, discount values,
  extra-cost amounts; not names, labels or version ids). `facility_changes` compares two states
  and says from which month each changed entry differs, so a price version added for a past
  month recalculates the children who use the entry from that month on — and a version entered
  in advance for a later month recalculates nothing.

`recalculate_from` combines both into `ChildRun.recalculate_from`: None (every billed month) when
the child's digest differs or is not known, the target month (nothing to recalculate) when
nothing it uses changed, else the first month a changed entry or the fee-free months affect.

Why skipping is safe: after a run, what is posted for a child equals what its inputs gave then,
for every billed month (the plan is idempotent: planned again, it posts nothing), except lines
with a problem, which keep what was posted until an input changes. The engine is a pure function
of the inputs above and what is posted; so with equal inputs it would post nothing for a billed
month, and skipping the comparison posts the same nothing. The reference is the latest run that
was not undone (an undo takes its postings back, and its stored inputs with them).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from hashlib import blake2b
import marshal

from sollhaben.domain.kita.model import (
    BillingPeriod,
    Catalogue,
    ChildMonthFacts,
    Contract,
    DiscountKind,
    FacilitySettings,
    TierSource,
)
from sollhaben.domain.kita.run_types import ChildRun
from sollhaben.domain.months import Month

#: Bumped whenever what the digests or the facility state cover changes: a stored state of
#: another version is not compared (the next run recalculates every child once).
INPUTS_VERSION = 3

FEE, DISCOUNT, EXTRA = "F", "D", "E"


# --- per child --------------------------------------------------------------------------------------

def _minor(money) -> int | None:
    return None if money is None else money.minor


def _payers_state(payers, states: dict) -> tuple:
    found = states.get(id(payers))
    if found is None or found[0] is not payers:
        found = states[id(payers)] = (payers, tuple(
            (p.payer_id, None if p.share is None else p.share.minor, p.takes_remainder) for p in payers))
    return found[1]


def child_state(periods: Iterable[BillingPeriod], contracts: Iterable[Contract],
                texts: dict[int, tuple[object, object]] | None = None) -> bytes:
    """What a child's billed months read of its own data, canonically (the same in every process):
    nested tuples of ints, bools, None and enum values, serialized in C by `marshal` format 2
    (which has no back-references, so equal values give equal bytes whether or not objects are
    shared). Formatting each line as text in Python cost a tenth of the run. `texts`: states of payer
    tuples made before in the same run (the loader shares equal payer tuples between lines); each
    entry keeps its object, so a recycled `id()` cannot hit."""
    states = {} if texts is None else texts
    parts = []
    for period in periods:
        valid = period.valid
        fees = tuple((line.fee_group_id, line.tier, line.reset,
                      None if line.reset or line.amount is None else line.amount.minor, line.discount_ids,
                      None if line.special_discount is None else line.special_discount.minor,
                      _payers_state(line.payers, states)) for line in period.fee_lines)
        extras = tuple((line.extra_cost_id, line.reset, None if line.reset or line.amount is None else line.amount.minor,
                        _payers_state(line.payers, states)) for line in period.extra_lines)
        parts.append((valid.valid_from.index, valid.valid_to.index if valid.valid_to is not None else None,
                      period.fees_payer_id, period.extras_payer_id, period.meal_coverage.value,
                      period.extra_siblings, fees, extras))
    parts.append(tuple((c.first_day.toordinal() if c.first_day else None,
                        c.last_day.toordinal() if c.last_day else None) for c in contracts))
    return marshal.dumps(parts, 2)


def facts_used(periods: Iterable[BillingPeriod], catalogue: Catalogue) -> tuple[bool, bool, bool]:
    """Which facts the child's lines read: (sibling position, children in household, income tier)."""
    ladder = household = income = False
    for period in periods:
        for line in period.fee_lines:
            group = catalogue.fee_groups.get(line.fee_group_id)
            if group is not None:
                household = household or group.tier_source is TierSource.WUERTTEMBERG
                income = income or group.tier_source is TierSource.INCOME
            for discount_id in line.discount_ids:
                discount = catalogue.discounts.get(discount_id)
                ladder = ladder or (discount is not None and discount.kind is DiscountKind.SIBLING_LADDER)
    return ladder, household, income


def _facts_of(child: ChildRun, month: Month) -> ChildMonthFacts | None:
    source = child.facts
    if source is None:
        return None
    return source(month) if callable(source) else source.get(month)


def _digest(h) -> int:
    return int.from_bytes(h.digest(), "big", signed=True)


def child_digests(child: ChildRun, catalogue: Catalogue, start: Month | None, previous: Month | None,
                  target: Month, texts: dict[int, tuple[object, str]] | None = None) -> tuple[int | None, int]:
    """(digest of the child's inputs through `previous`, through `target`).

    The first covers the facts of the months start … previous (what the run of `previous`
    stored), the second start … target (what this run stores). None for the first without a
    previous month."""
    h = blake2b(child_state(child.periods, child.contracts, texts), digest_size=8)
    ladder, household, income = facts_used(child.periods, catalogue)
    before = None
    if start is None or not (ladder or household or income):
        digest = _digest(h)
        return (digest if previous is not None else None), digest
    first = min(start, target)
    if previous is not None and previous < first:
        before = _digest(h)
    for index in range(first.index, target.index + 1):
        month = Month.from_index(index)
        facts = _facts_of(child, month)
        position, members, tier = (1, 1, None) if facts is None else (
            facts.sibling_position, facts.children_in_household, facts.income_tier)
        h.update(repr((index, position if ladder else None, members if household else None,
                       tier if income else None)).encode())
        if previous is not None and month == previous:
            before = _digest(h.copy())
    return before, _digest(h)


def entries_of(periods: Iterable[BillingPeriod]) -> set[tuple[str, int]]:
    """The catalogue entries the child's periods name."""
    used: set[tuple[str, int]] = set()
    for period in periods:
        for line in period.fee_lines:
            used.add((FEE, line.fee_group_id))
            used.update((DISCOUNT, d) for d in line.discount_ids)
        used.update((EXTRA, line.extra_cost_id) for line in period.extra_lines)
    return used


# --- per facility -------------------------------------------------------------------------------------

def _validity(valid) -> list:
    return [valid.valid_from.index, valid.valid_to.index if valid.valid_to is not None else None]


def facility_state(settings: FacilitySettings, catalogue: Catalogue, start: Month | None) -> dict:
    """The facility-wide inputs as JSON-ready values (stored with the run)."""
    fees = {str(gid): [g.mode.value, g.tier_source.value,
                       [_validity(v.valid) + [[[t.number, _minor(t.amount)] for t in v.tiers]] for v in g.versions]]
            for gid, g in catalogue.fee_groups.items()}
    discounts = {str(did): [d.kind.value,
                            [_validity(v.valid) + [[_minor(v.fixed), None if v.percent is None else str(v.percent),
                                                    [str(x) for x in v.ladder]]] for v in d.versions]]
                 for did, d in catalogue.discounts.items()}
    extras = {str(eid): [e.mode.value, e.is_meal, [_validity(v.valid) + [[_minor(v.amount)]] for v in e.versions]]
              for eid, e in catalogue.extra_costs.items()}
    return {"v": INPUTS_VERSION, "start": start.index if start is not None else None, "currency": catalogue.currency,
            "settings": [settings.partial_month.value, settings.wuerttemberg, settings.standard_rate_meals,
                         settings.hardship_fund_payer_id, settings.sibling_meal_payer_id],
            "fee_free": sorted(settings.fee_free_months), FEE: fees, DISCOUNT: discounts, EXTRA: extras}


@dataclass(frozen=True)
class FacilityChanges:
    """What changed facility-wide since the reference run."""

    everything: bool = False  # recalculate every child and month (settings, start, a mode, no reference)
    all_from: Month | None = None  # every child from this month (the fee-free months changed)
    entries: Mapping[tuple[str, int], Month | None] = field(default_factory=dict)  # None: from the start


def _value_at(versions: list, index: int):
    for valid_from, valid_to, value in versions:
        if valid_from <= index and (valid_to is None or index <= valid_to):
            return value
    return None


def first_difference(old_versions: list, new_versions: list) -> int | None:
    """The first month index where two version lists give another value (None: they never differ).

    Values are constant between the starts and the ends of the versions of both lists, so it is
    enough to compare at those bounds."""
    bounds = set()
    for versions in (old_versions, new_versions):
        for valid_from, valid_to, _value in versions:
            bounds.add(valid_from)
            if valid_to is not None:
                bounds.add(valid_to + 1)
    for index in sorted(bounds):
        if _value_at(old_versions, index) != _value_at(new_versions, index):
            return index
    return None


def facility_changes(old: dict | None, new: dict) -> FacilityChanges:
    """Compare the stored facility state with the current one (both as stored: JSON values)."""
    if old is None or old.get("v") != new.get("v") or any(
            old.get(part) != new.get(part) for part in ("start", "currency", "settings")):
        return FacilityChanges(everything=True)
    all_from = None
    if old["fee_free"] != new["fee_free"]:
        changed = set(old["fee_free"]) ^ set(new["fee_free"])
        start = new["start"]
        if start is None:
            return FacilityChanges(everything=True)
        # the first month from the start whose calendar month changed
        offset = next(k for k in range(12) if Month.from_index(start + k).month in changed)
        all_from = Month.from_index(start + offset)
    entries: dict[tuple[str, int], Month | None] = {}
    for kind in (FEE, DISCOUNT, EXTRA):
        before, now = old.get(kind, {}), new.get(kind, {})
        for entry_id in set(before) | set(now):
            a, b = before.get(entry_id), now.get(entry_id)
            if a == b:
                continue
            if a is None or b is None or a[:-1] != b[:-1]:  # added, removed, or its mode changed
                if a is not None and b is not None:
                    return FacilityChanges(everything=True)  # a mode or meal flag: postings of any child
                entries[(kind, int(entry_id))] = None
                continue
            index = first_difference(a[-1], b[-1])
            if index is not None:
                entries[(kind, int(entry_id))] = Month.from_index(index)
    return FacilityChanges(False, all_from, entries)


def recalculate_from(changes: FacilityChanges, child_changed: bool, used: set[tuple[str, int]],
                     target: Month) -> Month | None:
    """`ChildRun.recalculate_from` for a child: None = every billed month, `target` = none."""
    if changes.everything or child_changed:
        return None
    start = target
    if changes.all_from is not None:
        start = min(start, changes.all_from)
    for entry in used:
        if entry in changes.entries:
            month = changes.entries[entry]
            if month is None:
                return None
            start = min(start, month)
    return start
