"""Properties: payer parts sum to the net; a run is idempotent; recalculation reaches the expected total."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from sollhaben.domain.kita.calculation import BilledValue, LineScope, compute_child_month
from sollhaben.domain.kita.model import (
    BillingMode,
    BillingPeriod,
    Catalogue,
    ChildMonthFacts,
    Discount,
    DiscountKind,
    DiscountVersion,
    FeeGroup,
    FeeGroupVersion,
    FeeLine,
    PartialMonth,
    PayerShare,
    Tier,
    TierSource,
)
from sollhaben.domain.kita.pricing import deductions_per_unit
from sollhaben.domain.kita.run_plan import plan_run
from sollhaben.domain.kita.run_types import RunRequest
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity
from tests.unit.domain.kita.builders import (
    CHILD,
    CRAFT,
    FATHER,
    FIXED_20,
    INDIVIDUAL,
    KRIPPE,
    LUNCH,
    MEALS_FEE,
    MOTHER,
    PERCENT_10,
    PERCENT_25,
    SIBLINGS,
    TAGESPLATZ,
    TRIP,
    YOUTH_OFFICE,
    applied,
    catalogue,
    child_run,
    contract,
    extra,
    fee,
    fee_group,
    m,
    settings,
)

MONTH = Month(2026, 3)
PAYER_IDS = (MOTHER, FATHER, YOUTH_OFFICE)


# --- 1. the parts always sum to the net ---------------------------------------------------------------

@st.composite
def single_line_cases(draw):
    mode = draw(st.sampled_from(list(BillingMode)))
    base = draw(st.integers(0, 200_000))
    discounts = {}
    discount_ids = []
    for n in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(list(DiscountKind)))
        if kind is DiscountKind.FIXED:
            version = DiscountVersion(Validity(Month(2020, 1)), fixed=Money(draw(st.integers(0, 20_000))))
        elif kind is DiscountKind.PERCENT:
            version = DiscountVersion(Validity(Month(2020, 1)),
                                      percent=draw(st.decimals(0, 100, places=2, allow_nan=False)))
        else:
            ladder = tuple(draw(st.lists(st.decimals(0, 100, places=1, allow_nan=False), max_size=3)))
            version = DiscountVersion(Validity(Month(2020, 1)), ladder=ladder)
        discounts[50 + n] = Discount(f"E{n}", kind, (version,), id=50 + n)
        discount_ids.append(50 + n)
    tier = None if mode is BillingMode.INDIVIDUAL else 1
    tiers = () if mode is BillingMode.INDIVIDUAL else (Tier(1, "1", Money(base)),)
    group = FeeGroup("G", mode, TierSource.CHOSEN, (FeeGroupVersion(Validity(Month(2020, 1)), tiers),), id=1)
    cat = Catalogue("EUR", {1: group}, discounts, {})
    special = None
    if mode is not BillingMode.PER_UNIT and draw(st.booleans()):
        special = Money(draw(st.integers(0, 50_000)))
    position = draw(st.integers(1, 6))
    deductions, _ = deductions_per_unit(cat, tuple(discount_ids), special, Money(base), MONTH, position)
    if mode is BillingMode.INDIVIDUAL and base == 0:
        deductions = []  # no amount for the month: nothing is discounted (a reset line after the run)
    unit_net = base - sum(d.deduction.amount.minor for d in deductions)
    payers = _payers(draw, max(unit_net, 0))
    line = FeeLine(1, tier, count=draw(st.integers(0, 80)),
                   amount=Money(base) if mode is BillingMode.INDIVIDUAL else None, discount_ids=tuple(discount_ids),
                   special_discount=special, payers=payers)
    period = BillingPeriod(CHILD, Validity(MONTH), (line,))
    partial = draw(st.sampled_from(list(PartialMonth)))
    facts = ChildMonthFacts(CHILD, MONTH, draw(st.integers(0, 31)), sibling_position=position)
    return period, cat, settings(partial_month=partial), facts, unit_net


def _payers(draw, unit_net: int) -> tuple[PayerShare, ...]:
    count = draw(st.integers(1, 3))
    cuts = sorted(draw(st.lists(st.integers(0, unit_net), min_size=count - 1, max_size=count - 1)))
    shares = [b - a for a, b in zip([0] + cuts, cuts + [unit_net])]
    remainder = draw(st.none() | st.integers(0, count - 1))
    return tuple(PayerShare(PAYER_IDS[i], None if i == remainder else Money(share), i == remainder)
                 for i, share in enumerate(shares))


@given(single_line_cases())
@hsettings(max_examples=300, deadline=None)
def test_payer_parts_always_sum_to_the_net(case):
    period, cat, st_, facts, unit_net = case
    lines, problems = compute_child_month(period, cat, st_, facts, "EUR")
    if unit_net < 0:
        assert lines == [] and "übersteigen den Beitrag" in problems[0].message
        return
    assert problems == []
    (line,) = lines
    assert sum(part.amount.minor for part in line.payers) == line.net.minor
    assert all(part.amount.minor >= 0 for part in line.payers)
    assert line.net.minor >= 0
    assert line.gross.minor - sum(d.amount.minor for d in line.deductions) == line.net.minor
    assert all(d.amount.minor >= 0 for d in line.deductions)


# --- 2 and 3. runs over a random history -----------------------------------------------------------------

def krippe_versions(draw) -> FeeGroup:
    """Krippe with random price changes (as if versions were entered or corrected afterwards)."""
    starts = sorted(set(draw(st.lists(st.integers(1, 7), max_size=3))))
    bounds = [Month(2020, 1)] + [Month(2026, s) for s in starts if s > 1]
    versions = []
    for i, start in enumerate(bounds):
        end = bounds[i + 1] - 1 if i + 1 < len(bounds) else None
        amount = Money(draw(st.integers(15_000, 40_000)))
        tier_table = (Tier(1, "1", amount), Tier(2, "2", amount - Money(3000)))
        versions.append(FeeGroupVersion(Validity(start, end), tier_table, id=1000 + i))
    return fee_group(KRIPPE, "Krippe", BillingMode.MONTHLY, versions=tuple(versions))


def line_payers(draw, per_unit_cap: int) -> tuple[PayerShare, ...]:
    first, second = draw(st.permutations(PAYER_IDS))[:2]
    if draw(st.booleans()):
        return (PayerShare(first, None, True),)
    return (PayerShare(first, Money(draw(st.integers(0, per_unit_cap)))), PayerShare(second, None, True))


@st.composite
def billing_data(draw):
    """One random state of a child's billing data, contracts and the statute — always billable."""
    fee_lines = []
    if draw(st.booleans()):
        discounts = draw(st.lists(st.sampled_from([FIXED_20, PERCENT_10, SIBLINGS]), max_size=2, unique=True))
        fee_lines.append(fee(KRIPPE, tier=draw(st.sampled_from([1, 2])), discount_ids=tuple(discounts),
                             payers=line_payers(draw, 5000)))
    if draw(st.booleans()):
        fee_lines.append(fee(TAGESPLATZ, discount_ids=tuple(draw(st.lists(st.sampled_from([PERCENT_25]), max_size=1))),
                             payers=line_payers(draw, 300)))
    if draw(st.booleans()):
        fee_lines.append(fee(MEALS_FEE, count=draw(st.integers(0, 22)), payers=line_payers(draw, 90)))
    if draw(st.booleans()):
        fee_lines.append(fee(INDIVIDUAL, tier=None, amount=Money(draw(st.integers(0, 9000))), reset=draw(st.booleans()),
                             payers=(PayerShare(draw(st.sampled_from(PAYER_IDS)), None, True),)))
    extra_lines = []
    if draw(st.booleans()):
        extra_lines.append(extra(LUNCH, count=draw(st.integers(0, 22)), payers=line_payers(draw, 100)))
    if draw(st.booleans()):
        extra_lines.append(extra(CRAFT, payers=line_payers(draw, 200)))
    if draw(st.booleans()):
        extra_lines.append(extra(TRIP, amount=Money(draw(st.integers(0, 5000))), reset=draw(st.booleans())))
    start = draw(st.integers(1, 3))
    period = BillingPeriod(CHILD, Validity(Month(2026, start)), tuple(fee_lines), tuple(extra_lines), id=1,
                           fees_payer_id=draw(st.none() | st.sampled_from(PAYER_IDS)) if not fee_lines else None)
    first = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 80)))
    last = first + timedelta(days=draw(st.integers(0, 200))) if draw(st.booleans()) else None
    sibling = draw(st.integers(1, 3))
    return period, (contract(first, last),), catalogue(fee_groups={KRIPPE: krippe_versions(draw)}), sibling


def facts_for(sibling: int):
    return lambda month: ChildMonthFacts(CHILD, month, 0, sibling_position=sibling)


def expected_month_total(child, month: Month, run_month: Month, cat, st_) -> int:
    """Σ net the current data give for `month`, with billed counts taken from the postings (independent of run_plan)."""
    care = sum(c.care_days(month) for c in child.contracts)
    left = any(c.last_day and Month.of(c.last_day) == month - 1 for c in child.contracts)
    covering = [p for p in child.periods if p.valid.contains(month)]
    if care:
        scope = LineScope.RESETTING_EXTRAS if month.month in st_.fee_free_months else LineScope.ALL
    elif left:
        scope = LineScope.RESETTING_EXTRAS
        covering = covering or [p for p in child.periods if p.valid.contains(month - 1)]
    else:
        return 0
    if not covering:
        return 0
    detail = {}
    for row in child.posted:
        if row.month == month and row.quantity is not None:
            detail.setdefault(row.line_key, row)
    billed = defaultdict(BilledValue)
    for key, row in detail.items():
        billed[key] = BilledValue(int(row.quantity), row.unit_amount)
    if month == run_month:
        billed = dict(billed)  # keys without postings: from the form
    else:
        keys = [f"FEE:{line.fee_group_id}" for line in covering[0].fee_lines] + [
            f"EXTRA:{line.extra_cost_id}" for line in covering[0].extra_lines]
        billed = {key: billed[key] for key in keys}
    lines, problems = compute_child_month(covering[0], cat, st_, ChildMonthFacts(
        CHILD, month, care, sibling_position=child.facts(month).sibling_position), "EUR", scope=scope, billed=billed)
    assert problems == []
    return sum(line.net.minor for line in lines)


@given(st.lists(billing_data(), min_size=1, max_size=6), st.frozensets(st.integers(1, 12), max_size=2),
       st.sampled_from(list(PartialMonth)))
@hsettings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_runs_are_idempotent_and_reach_the_expected_total(states, fee_free, partial):
    st_ = settings(fee_free_months=fee_free, partial_month=partial, first_billing_month=m("01.2026"))
    child = child_run([], [])
    for n, (period, contracts, cat, sibling) in enumerate(states):
        run_month = Month(2026, 1) + n
        # keep the counts and amounts the runs have reset: the new state is what the clerk entered since
        child = replace(child, periods=(period,), contracts=contracts, facts=facts_for(sibling))
        plan = plan_run(_request(run_month, st_, cat), [child])
        event(f"recalculation postings: {'yes' if plan.recalculations else 'no'}")
        assert plan.problems == ()
        keys = [p.idempotency_key for p in plan.postings]
        assert len(keys) == len(set(keys))
        child = applied(child, plan)
        again = plan_run(_request(run_month, st_, cat), [child])
        assert again.postings == () and again.resets == ()
        posted = defaultdict(int)
        for row in child.posted:
            posted[row.month] += row.amount.minor
        for index in range(Month(2026, 1).index, run_month.index + 1):
            month = Month.from_index(index)
            assert posted[month] == expected_month_total(child, month, run_month, cat, st_), month


def _request(month: Month, st_, cat) -> RunRequest:
    return RunRequest(st_.facility_id, month, st_, cat)


def test_the_history_strategy_bills_something():
    """Guard against a vacuous property: a plain state bills."""
    period = BillingPeriod(CHILD, Validity(Month(2026, 1)), (fee(KRIPPE),), id=1)
    child = child_run([period], [contract(date(2026, 1, 1))])
    plan = plan_run(_request(Month(2026, 1), settings(), catalogue()), [child])
    assert plan.total() == Money(29120)
    assert Decimal(plan.postings[0].quantity) == 1
