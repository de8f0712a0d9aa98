"""Recalculation (Nachberechnung): every billed month is compared with what the data give now."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from sollhaben.domain.kita.model import (
    BillingMode,
    ChildMonthFacts,
    ExtraCost,
    ExtraCostVersion,
    FeeGroupVersion,
    TierSource,
)
from sollhaben.domain.kita.run_plan import plan_run
from sollhaben.domain.kita.run_types import PostedAmount, PostingKind
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity
from tests.unit.domain.kita.builders import (
    CHILD,
    EXTRA_HOURS,
    FATHER,
    FIXED_20,
    INCOME_GROUP,
    KRIPPE,
    LUNCH,
    MOTHER,
    TAGESPLATZ,
    TRIP,
    always,
    applied,
    catalogue,
    child_run,
    contract,
    eur,
    extra,
    fee,
    fee_group,
    m,
    pays,
    period,
    request,
    settings,
    summary,
    tiers,
)

JAN = date(2026, 1, 1)


def billed_through_march(p, cat=None, facts_source=None, st=None):
    """The child with January to March billed by three runs on `p`."""
    child = child_run([p], [contract(JAN)], facts_source=facts_source)
    for month in ("01.2026", "02.2026", "03.2026"):
        child = applied(child, plan_run(request(month, st, cat), [child]))
    return child


def april(child, new_period=None, cat=None, st=None, facts_source=None):
    if new_period is not None:
        child = replace(child, periods=(new_period,))
    if facts_source is not None:
        child = replace(child, facts=facts_source)
    return plan_run(request("04.2026", st, cat), [child])


def recalculations(plan):
    return [row for row, p in zip(summary(plan), plan.postings) if p.kind is PostingKind.RECALCULATION]


def test_unchanged_data_recalculate_nothing():
    child = billed_through_march(period("01.2026", id=1, fee_lines=[fee(KRIPPE)]))
    plan = april(child)
    assert summary(plan) == [("04.2026", "FEE:1", MOTHER, "291.20", "R")]


def test_changed_tier_posts_the_difference_per_month():
    child = billed_through_march(period("01.2026", id=1, fee_lines=[fee(KRIPPE)]))
    plan = april(child, period("01.2026", id=1, fee_lines=[fee(KRIPPE, tier=2)]))
    # 250.00 − 291.20 = −41.20 for each billed month, booked to that month
    assert summary(plan) == [("01.2026", "FEE:1", MOTHER, "-41.20", "N"), ("02.2026", "FEE:1", MOTHER, "-41.20", "N"),
                             ("03.2026", "FEE:1", MOTHER, "-41.20", "N"), ("04.2026", "FEE:1", MOTHER, "250.00", "R")]
    first = plan.postings[0]
    assert first.idempotency_key == "kita:7:2026-04/1:2026-01:100:FEE:1:1:recalculation"
    assert (first.share, first.posted_before, first.tier, first.run_month, first.due_date) == (
        eur("250.00"), eur("291.20"), 2, m("04.2026"), date(2026, 4, 15))
    assert plan.total(PostingKind.RECALCULATION) == eur("-123.60")


def test_changed_fee_group_credits_the_old_line_and_bills_the_new_one():
    child = billed_through_march(period("01.2026", id=1, fee_lines=[fee(KRIPPE)]))
    plan = april(child, period("01.2026", id=1, fee_lines=[fee(TAGESPLATZ)]))
    assert recalculations(plan) == [
        ("01.2026", "FEE:2", MOTHER, "384.40", "N"), ("01.2026", "FEE:1", MOTHER, "-291.20", "N"),
        ("02.2026", "FEE:2", MOTHER, "347.20", "N"), ("02.2026", "FEE:1", MOTHER, "-291.20", "N"),
        ("03.2026", "FEE:2", MOTHER, "384.40", "N"), ("03.2026", "FEE:1", MOTHER, "-291.20", "N")]
    credit = plan.postings[1]
    assert (credit.line, credit.name, credit.catalogue_id, credit.share) == (None, "Krippe Ganztag", KRIPPE,
                                                                             Money.zero())


def test_added_discount_is_credited():
    child = billed_through_march(period("01.2026", id=1, fee_lines=[fee(KRIPPE)]))
    plan = april(child, period("01.2026", id=1, fee_lines=[fee(KRIPPE, discount_ids=(FIXED_20,))]))
    assert recalculations(plan) == [(f"0{n}.2026", "FEE:1", MOTHER, "-20.00", "N") for n in (1, 2, 3)]


def test_changed_payer_credits_the_old_payer_and_bills_the_new_one():
    child = billed_through_march(period("01.2026", id=1, fee_lines=[fee(KRIPPE)]))
    p = period("01.2026", id=1, fee_lines=[fee(KRIPPE, payers=(pays(MOTHER, "100.00"), pays(FATHER, rest=True)))])
    plan = april(child, p)
    assert recalculations(plan)[:2] == [("01.2026", "FEE:1", MOTHER, "-191.20", "N"),
                                        ("01.2026", "FEE:1", FATHER, "191.20", "N")]
    assert len(recalculations(plan)) == 6


def test_a_new_period_from_a_billed_month_recalculates_from_there():
    old = period("01.2026", id=1, fee_lines=[fee(KRIPPE)])
    child = billed_through_march(old)
    closed = replace(old, valid=Validity(m("01.2026"), m("01.2026")))
    new = period("02.2026", id=2, fee_lines=[fee(KRIPPE)], fees_payer_id=FATHER)
    plan = plan_run(request("04.2026"), [replace(child, periods=(closed, new))])
    assert summary(plan) == [
        ("02.2026", "FEE:1", FATHER, "291.20", "N"), ("02.2026", "FEE:1", MOTHER, "-291.20", "N"),
        ("03.2026", "FEE:1", FATHER, "291.20", "N"), ("03.2026", "FEE:1", MOTHER, "-291.20", "N"),
        ("04.2026", "FEE:1", FATHER, "291.20", "R")]


def test_price_changed_by_a_catalogue_version_entered_late():
    child = billed_through_march(period("01.2026", id=1, fee_lines=[fee(KRIPPE)]))
    late = fee_group(KRIPPE, "Krippe Ganztag", BillingMode.MONTHLY, versions=(
        FeeGroupVersion(Validity(m("01.2020"), m("01.2026")), tiers("291.20", "250.00"), id=101),
        FeeGroupVersion(always("02.2026"), tiers("300.00", "250.00"), id=102)))
    plan = april(child, cat=catalogue(fee_groups={KRIPPE: late}))
    assert summary(plan) == [("02.2026", "FEE:1", MOTHER, "8.80", "N"), ("03.2026", "FEE:1", MOTHER, "8.80", "N"),
                             ("04.2026", "FEE:1", MOTHER, "300.00", "R")]
    assert plan.postings[0].version_id == 102


def test_changed_income_tier_is_recalculated():
    p = period("01.2026", id=1, fee_lines=[fee(INCOME_GROUP, tier=None)])
    child = billed_through_march(p, facts_source=lambda month: ChildMonthFacts(CHILD, month, 0, income_tier=1))
    # the income calculation transferred in April applies from February
    later = {Month(2026, n): ChildMonthFacts(CHILD, Month(2026, n), 0, income_tier=3) for n in (2, 3, 4)}
    later[m("01.2026")] = ChildMonthFacts(CHILD, m("01.2026"), 0, income_tier=1)
    plan = april(child, facts_source=later)
    assert summary(plan) == [("02.2026", "FEE:4", MOTHER, "200.00", "N"), ("03.2026", "FEE:4", MOTHER, "200.00", "N"),
                             ("04.2026", "FEE:4", MOTHER, "300.00", "R")]


def test_count_of_a_billed_month_comes_from_the_postings():
    p = period("01.2026", id=1, extra_lines=[extra(LUNCH, count=17)])
    child = child_run([p], [contract(JAN)])
    child = applied(child, plan_run(request("01.2026"), [child]))
    assert child.posted[0].quantity == 17 and child.periods[0].extra_lines[0].count == 0
    # February's count is typed in; the lunch price of January was wrong and is corrected to 4.00
    child = replace(child, periods=(replace(p, extra_lines=(extra(LUNCH, count=5),)),))
    corrected = ExtraCost("Mittagessen", BillingMode.PER_UNIT, True, (
        ExtraCostVersion(always("01.2020"), eur("4.00"), id=2001),), id=LUNCH)
    plan = plan_run(request("02.2026", cat=catalogue(extra_costs={LUNCH: corrected})), [child])
    # January: 17 × 4.00 − 64.60 = 3.40 (not 5 × 4.00 − 64.60); February: 5 × 4.00
    assert summary(plan) == [("01.2026", "EXTRA:20", MOTHER, "3.40", "N"),
                             ("02.2026", "EXTRA:20", MOTHER, "20.00", "R")]
    assert plan.postings[0].quantity == 17
    assert [r.line_key for r in plan.resets] == ["EXTRA:20"]  # only February's form count is reset


def test_reset_individual_amount_of_a_billed_month_comes_from_the_postings():
    p = period("01.2026", id=1, extra_lines=[extra(TRIP, amount=eur("25.00"), reset=True)])
    child = child_run([p], [contract(JAN)])
    child = applied(child, plan_run(request("01.2026"), [child]))
    assert child.periods[0].extra_lines[0].amount == Money.zero()
    # the payer of the trip changes for January: the billed 25.00 moves, it is not lost
    moved = replace(p, extra_lines=(extra(TRIP, amount=eur("0.00"), reset=True, payers=(pays(FATHER),)),))
    plan = plan_run(request("02.2026"), [replace(child, periods=(moved,))])
    assert summary(plan) == [("01.2026", "EXTRA:22", FATHER, "25.00", "N"),
                             ("01.2026", "EXTRA:22", MOTHER, "-25.00", "N")]


def test_exchanged_per_unit_entry_takes_over_the_billed_count():
    p = period("01.2026", id=1, fee_lines=[fee(EXTRA_HOURS, count=6)])
    child = child_run([p], [contract(JAN)])
    child = applied(child, plan_run(request("01.2026"), [child]))
    extra_hours_2 = fee_group(8, "Zusatzstunden Krippe", BillingMode.PER_UNIT, "6.00")
    cat = catalogue(fee_groups={8: extra_hours_2})
    exchanged = replace(child, periods=(period("01.2026", id=1, fee_lines=[fee(8)]),))
    plan = plan_run(request("02.2026", cat=cat), [exchanged])
    # the six hours billed as FEE:5 (30.00) are now billed as FEE:8 at 6.00
    assert summary(plan) == [("01.2026", "FEE:8", MOTHER, "36.00", "N"), ("01.2026", "FEE:5", MOTHER, "-30.00", "N")]


def test_a_line_with_a_problem_in_a_billed_month_keeps_what_was_posted():
    child = billed_through_march(period("01.2026", id=1, fee_lines=[fee(KRIPPE)]))
    plan = april(child, period("01.2026", id=1, fee_lines=[fee(KRIPPE, tier=None)]))
    assert plan.postings == ()
    assert [(str(p.month), p.line_key) for p in plan.problems] == [
        ("01.2026", "FEE:1"), ("02.2026", "FEE:1"), ("03.2026", "FEE:1"), ("04.2026", "FEE:1")]


def test_a_removed_contract_month_is_credited():
    child = billed_through_march(period("01.2026", id=1, fee_lines=[fee(KRIPPE)]))
    # the contract really started in February
    plan = plan_run(request("04.2026"), [replace(child, contracts=(contract(date(2026, 2, 1)),))])
    assert recalculations(plan) == [("01.2026", "FEE:1", MOTHER, "-291.20", "N")]


def test_recalculation_starts_at_the_first_billing_month_and_the_childs_hint():
    child = billed_through_march(period("01.2026", id=1, fee_lines=[fee(KRIPPE)]))
    changed = replace(child, periods=(period("01.2026", id=1, fee_lines=[fee(KRIPPE, tier=2)]),))
    st = settings(first_billing_month=m("02.2026"))
    assert [row[0] for row in recalculations(plan_run(request("04.2026", st), [changed]))] == ["02.2026", "03.2026"]
    hinted = replace(changed, recalculate_from=m("03.2026"))
    assert [row[0] for row in recalculations(plan_run(request("04.2026"), [hinted]))] == ["03.2026"]


def test_a_further_correction_in_a_later_run_gets_its_own_key():
    child = billed_through_march(period("01.2026", id=1, fee_lines=[fee(KRIPPE)]))
    child = replace(child, periods=(period("01.2026", id=1, fee_lines=[fee(KRIPPE, tier=2)]),))
    april_plan = plan_run(request("04.2026"), [child])
    child = applied(child, april_plan)
    discounted = period("01.2026", id=1, fee_lines=[fee(KRIPPE, tier=2, discount_ids=(FIXED_20,))])
    child = replace(child, periods=(discounted,))
    may_plan = plan_run(request("05.2026"), [child])
    assert recalculations(may_plan)[0] == ("01.2026", "FEE:1", MOTHER, "-20.00", "N")
    assert may_plan.postings[0].idempotency_key == "kita:7:2026-05/1:2026-01:100:FEE:1:1:recalculation"
    assert april_plan.postings[0].idempotency_key == "kita:7:2026-04/1:2026-01:100:FEE:1:1:recalculation"
    assert may_plan.postings[0].posted_before == eur("250.00")


def test_posted_rows_of_one_line_and_payer_add_up():
    posted = [PostedAmount(m("01.2026"), "FEE:1", MOTHER, eur("291.20"), quantity=None),
              PostedAmount(m("01.2026"), "FEE:1", MOTHER, eur("-41.20"))]
    child = child_run([period("01.2026", id=1, fee_lines=[fee(KRIPPE, tier=2)])], [contract(JAN)], posted)
    assert summary(plan_run(request("02.2026"), [child])) == [("02.2026", "FEE:1", MOTHER, "250.00", "R")]


def test_wuerttemberg_tier_changed_by_the_household():
    settings_w = settings(wuerttemberg=True)
    group = fee_group(3, "Kindergarten 30 h", BillingMode.MONTHLY, "162.00", "126.00", "85.00", "28.00",
                      source=TierSource.WUERTTEMBERG)
    p = period("01.2026", id=1, fee_lines=[fee(3, tier=None)])

    def household(born: date | None):
        def facts(month: Month) -> ChildMonthFacts:
            children = 3 if born is not None and month.first_day > born else 2
            return ChildMonthFacts(CHILD, month, 0, children_in_household=children)
        return facts

    cat = catalogue(fee_groups={3: group})
    child = billed_through_march(p, cat=cat, facts_source=household(None), st=settings_w)
    # the third child, born 10.02.2026, is entered in the household register only in April
    plan = april(child, cat=cat, st=settings_w, facts_source=household(date(2026, 2, 10)))
    assert summary(plan) == [("03.2026", "FEE:3", MOTHER, "-41.00", "N"), ("04.2026", "FEE:3", MOTHER, "85.00", "R")]
