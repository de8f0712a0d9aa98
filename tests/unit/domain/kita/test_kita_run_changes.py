"""Change detection (run_changes) and the line memo give exactly what the full computation gives.

The property: over random histories of billing data, contracts, sibling positions, statute prices
and fee-free months, a run that recalculates only what the change detection names posts the very
same postings as a run that recalculates every child and month."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from sollhaben.domain.kita import run_changes
from sollhaben.domain.kita.calculation import LineMemo, compute_child_month
from sollhaben.domain.kita.model import (
    BillingPeriod,
    ChildMonthFacts,
    FeeGroupVersion,
    PartialMonth,
    Tier,
)
from sollhaben.domain.kita.run_plan import plan_run
from sollhaben.domain.kita.run_types import RunRequest
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity
from tests.unit.domain.kita.builders import (
    CHILD,
    KRIPPE,
    applied,
    catalogue,
    child_run,
    contract,
    fee,
    settings,
)
from tests.unit.domain.kita.test_kita_properties import (
    billing_data,
    krippe_versions,
    single_line_cases,
)

START = Month(2026, 1)


def _state(st_, cat) -> dict:
    return json.loads(json.dumps(run_changes.facility_state(st_, cat, st_.first_billing_month)))


def _postings(plan) -> list[tuple]:
    return [(p.idempotency_key, p.amount, p.share, p.posted_before, p.quantity, p.unit_amount, p.line)
            for p in plan.postings]


@st.composite
def steps(draw):
    """What changed before a run: nothing; the whole billing data; one thing of it (a tier, the
    payers of a line, the contract's end, a count for the next run); the statute's prices (all of
    them, or from some month on); the fee-free months; the sibling position from some month on (a
    sibling joined or left)."""
    kind = draw(st.sampled_from(["nothing", "nothing", "data", "tier", "payers", "contract_end", "count",
                                 "prices", "price_from", "fee_free", "sibling"]))
    if kind == "data":
        return kind, draw(billing_data())
    if kind == "prices":
        return kind, krippe_versions(draw)
    if kind == "price_from":
        return kind, (Month(2026, draw(st.integers(1, 9))), draw(st.integers(15_000, 40_000)))
    if kind == "fee_free":
        return kind, draw(st.frozensets(st.integers(1, 12), max_size=2))
    if kind == "sibling":
        return kind, (draw(st.integers(1, 3)), Month(2026, draw(st.integers(1, 8))))
    if kind == "contract_end":
        return kind, draw(st.none() | st.integers(0, 250))
    if kind == "count":
        return kind, draw(st.integers(0, 9))
    return kind, None


def _price_from(group, since: Month, amount: int):
    """The group's versions up to the month before `since`, then a new price from `since` on."""
    kept = []
    for version in group.versions:
        if version.valid.valid_from >= since:
            continue
        end = version.valid.valid_to
        if end is None or end >= since:
            version = replace(version, valid=Validity(version.valid.valid_from, since - 1))
        kept.append(version)
    tiers = (Tier(1, "1", Money(amount)), Tier(2, "2", Money(amount - 3000)))
    return replace(group, versions=tuple(kept) + (FeeGroupVersion(Validity(since), tiers, id=7000 + since.index),))


def _change_lines(period: BillingPeriod, kind: str, value) -> BillingPeriod:
    fee_lines = []
    for line in period.fee_lines:
        if kind == "tier" and line.fee_group_id == KRIPPE:
            line = replace(line, tier=2 if line.tier == 1 else 1)
        elif kind == "payers" and line.payers:
            line = replace(line, payers=tuple(replace(p, payer_id={1: 2, 2: 3, 3: 1}[p.payer_id]) for p in line.payers))
        elif kind == "count":
            line = replace(line, count=value if line.count is not None else 0)
        fee_lines.append(line)
    extra_lines = [replace(line, count=value) if kind == "count" else line for line in period.extra_lines]
    return replace(period, fee_lines=tuple(fee_lines), extra_lines=tuple(extra_lines))


def _facts(positions: tuple[int, int, Month]):
    before, after, since = positions

    def facts(month: Month) -> ChildMonthFacts:
        return ChildMonthFacts(CHILD, month, 0, sibling_position=after if month >= since else before)
    return facts


@given(billing_data(), st.lists(steps(), min_size=1, max_size=8), st.sampled_from(list(PartialMonth)))
@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_change_detection_posts_exactly_what_full_recalculation_posts(first, history, partial):
    period, contracts, cat, sibling = first
    st_ = settings(partial_month=partial, first_billing_month=START)
    positions = (sibling, sibling, START)
    child = child_run([period], contracts, facts_source=_facts(positions))
    stored_state, stored_digest = None, None
    skipped = 0
    for n, (kind, change) in enumerate([("nothing", None)] + history):
        month = START + n
        if kind == "data":
            period, contracts, _cat, _sibling = change
            child = replace(child, periods=(period,), contracts=contracts)
        elif kind in ("tier", "payers", "count"):
            child = replace(child, periods=tuple(_change_lines(p, kind, change) for p in child.periods))
        elif kind == "contract_end":
            first_day = child.contracts[0].first_day
            end = None if change is None else max(first_day, date(2026, 1, 1) + timedelta(days=change))
            child = replace(child, contracts=(replace(child.contracts[0], last_day=end),))
        elif kind == "prices":
            cat = replace(cat, fee_groups={**cat.fee_groups, KRIPPE: change})
        elif kind == "price_from":
            cat = replace(cat, fee_groups={**cat.fee_groups, KRIPPE: _price_from(cat.fee_groups[KRIPPE], *change)})
        elif kind == "fee_free":
            st_ = replace(st_, fee_free_months=change)
        elif kind == "sibling":
            positions = (positions[1], change[0], change[1])
            child = replace(child, facts=_facts(positions))
        request = RunRequest(st_.facility_id, month, st_, cat)
        full = plan_run(request, [child])
        # what the service does: compare with what the previous run stored
        state = _state(st_, cat)
        changes = run_changes.facility_changes(stored_state, state)
        previous = month - 1 if n else None
        before, digest = run_changes.child_digests(child, cat, START, previous, month)
        start = run_changes.recalculate_from(changes, before is None or before != stored_digest,
                                             run_changes.entries_of(child.periods), month)
        if start is not None and start >= month:
            detected = replace(child, posted=(), recalculate_from=month)
            skipped += 1
        else:
            detected = replace(child, recalculate_from=start)
        plan = plan_run(request, [detected])
        assert _postings(plan) == _postings(full), (kind, month)
        assert plan.resets == full.resets and plan.billed_periods == full.billed_periods
        child = applied(child, full)
        stored_state, stored_digest = state, digest
    event(f"runs without recalculation: {'some' if skipped > 1 else 'only the first'}")


def test_an_unchanged_child_is_not_recalculated_and_a_changed_one_is():
    cat, st_ = catalogue(), settings(first_billing_month=START)
    period = BillingPeriod(CHILD, Validity(START), (fee(KRIPPE, tier=2),), id=1)
    child = child_run([period], [contract(date(2026, 1, 1))])
    _, stored = run_changes.child_digests(child, cat, START, None, Month(2026, 3))
    before, _ = run_changes.child_digests(child, cat, START, Month(2026, 3), Month(2026, 4))
    assert before == stored
    changes = run_changes.facility_changes(_state(st_, cat), _state(st_, cat))
    assert run_changes.recalculate_from(changes, False, run_changes.entries_of(child.periods),
                                        Month(2026, 4)) == Month(2026, 4)
    # the tier of the line changes: the digest differs
    edited = replace(child, periods=(replace(period, fee_lines=(fee(KRIPPE, tier=1),)),))
    assert run_changes.child_digests(edited, cat, START, Month(2026, 3), Month(2026, 4))[0] != stored
    # a count entered for the next run is no change (billed months take theirs from the postings)
    counted = replace(child, periods=(replace(period, extra_lines=()),))
    assert run_changes.child_digests(counted, cat, START, Month(2026, 3), Month(2026, 4))[0] == stored


def test_a_price_version_for_a_past_month_recalculates_from_that_month_and_one_in_advance_nothing():
    st_ = settings(first_billing_month=START)
    cat = catalogue()
    old = _state(st_, cat)
    group = cat.fee_groups[KRIPPE]

    def with_version(start: Month):
        first = replace(group.versions[0], valid=Validity(group.versions[0].valid.valid_from, start - 1))
        new = FeeGroupVersion(Validity(start), (Tier(1, "1", Money(30000)), Tier(2, "2", Money(26000))), id=9)
        return replace(cat, fee_groups={**cat.fee_groups, KRIPPE: replace(group, versions=(first, new))})

    past = run_changes.facility_changes(old, _state(st_, with_version(Month(2026, 5))))
    assert past.entries == {("F", KRIPPE): Month(2026, 5)} and not past.everything
    assert run_changes.recalculate_from(past, False, {("F", KRIPPE)}, Month(2026, 12)) == Month(2026, 5)
    assert run_changes.recalculate_from(past, False, {("E", 20)}, Month(2026, 12)) == Month(2026, 12)
    ahead = run_changes.facility_changes(old, _state(st_, with_version(Month(2027, 1))))
    assert run_changes.recalculate_from(ahead, False, {("F", KRIPPE)}, Month(2026, 12)) == Month(2026, 12)
    # a renamed entry or a new version id changes no amount
    renamed = replace(cat, fee_groups={**cat.fee_groups, KRIPPE: replace(group, name="Krippe neu")})
    assert run_changes.facility_changes(old, _state(st_, renamed)).entries == {}


def test_settings_that_change_amounts_recalculate_everything_the_fee_free_months_from_the_first_affected():
    cat = catalogue()
    base = settings(first_billing_month=START)
    old = _state(base, cat)
    assert run_changes.facility_changes(old, _state(replace(base, partial_month=PartialMonth.PRO_RATA),
                                                    cat)).everything
    assert not run_changes.facility_changes(old, _state(replace(base, due_day=28, lock_billed=True), cat)).everything
    changes = run_changes.facility_changes(old, _state(replace(base, fee_free_months=frozenset({8})), cat))
    assert changes.all_from == Month(2026, 8) and not changes.everything
    assert run_changes.facility_changes(None, old).everything


def test_first_difference_of_version_lists():
    a = [[10, 19, 1], [20, None, 2]]
    assert run_changes.first_difference(a, a) is None
    assert run_changes.first_difference(a, [[10, 14, 1], [15, None, 2]]) == 15
    assert run_changes.first_difference(a, [[10, 19, 1], [20, 29, 2], [30, None, 3]]) == 30
    assert run_changes.first_difference(a, [[12, 19, 1], [20, None, 2]]) == 10


# --- the line memo -------------------------------------------------------------------------------------

@given(single_line_cases(), st.permutations([1, 2, 3]))
@hsettings(max_examples=300, deadline=None)
def test_the_line_memo_gives_what_the_full_computation_gives(case, other_payers):
    """A line priced once and split per child equals the line computed from scratch, for every
    child that shares it (here: the same line for three children, the second and third with other
    payers, each computed twice) — one memo per run, as the run uses it (one catalogue and settings)."""
    period, cat, st_, facts, _unit_net = case
    renumber = dict(zip([1, 2, 3], other_payers))
    memo = LineMemo()
    for _round in range(2):
        for n in range(3):
            child = CHILD + n
            lines = tuple(replace(line, payers=tuple(replace(p, payer_id=renumber[p.payer_id]) for p in line.payers))
                          if n else line for line in period.fee_lines)
            mine = replace(period, child_id=child, fee_lines=lines)
            month_facts = replace(facts, child_id=child)
            plain = compute_child_month(mine, cat, st_, month_facts, "EUR")
            fast = compute_child_month(mine, cat, st_, month_facts, "EUR", memo=memo)
            assert fast == plain


@given(billing_data(), st.integers(1, 12))
@hsettings(max_examples=150, deadline=None)
def test_a_plan_with_the_memo_equals_the_lines_computed_one_by_one(data, months):
    """plan_run (which uses the memo) bills each month what compute_child_month bills without it."""
    period, contracts, cat, sibling = data
    st_ = settings(first_billing_month=START)
    periods = (period,)  # nothing posted: every month is the first billing of its lines
    for n in range(months):
        month = START + n
        child = child_run(periods, contracts, facts_source=_facts((sibling, sibling, START)), recalculate_from=month)
        plan = plan_run(RunRequest(st_.facility_id, month, st_, cat), [child, replace(child, child_id=CHILD + 1)])
        care = sum(c.care_days(month) for c in contracts)
        if care and period.valid.contains(month) and month.month not in st_.fee_free_months:
            lines, _ = compute_child_month(period, cat, st_, ChildMonthFacts(CHILD, month, care, sibling), "EUR")
            mine = [p for p in plan.postings if p.child_id == CHILD]
            assert [p.line for p in mine if p.line is not None] == [
                line for line in lines for part in line.payers if part.amount.minor]
            assert sum(p.amount.minor for p in mine) == sum(line.net.minor for line in lines)


