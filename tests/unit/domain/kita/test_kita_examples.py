"""The worked examples at the end of kita-billing.md, each computed by hand here."""
from __future__ import annotations

from datetime import date

from sollhaben.domain.kita.calculation import compute_child_month
from sollhaben.domain.kita.model import BillingMode, ChildMonthFacts, TierSource
from sollhaben.domain.kita.run_plan import plan_run
from sollhaben.domain.kita.validation import validate_period
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from tests.unit.domain.kita.builders import (
    CHILD,
    FATHER,
    MEAL_SUBSIDY,
    MOTHER,
    PAYERS,
    applied,
    catalogue,
    child_run,
    contract,
    fee,
    fee_group,
    m,
    pays,
    period,
    request,
    settings,
)

A, B = MOTHER, FATHER


def test_daily_from_the_14th_of_march_with_a_share_per_day_and_a_remainder():
    daily = fee_group(1, "Tagesplatz", BillingMode.DAILY, "12.40")
    cat = catalogue(fee_groups={1: daily})
    p = validate_period(period("03.2026", id=1, fee_lines=[fee(1, payers=(pays(A, "5.00"), pays(B, rest=True)))]),
                        cat, PAYERS, [])
    plan = plan_run(request("03.2026", cat=cat), [child_run([p], [contract(date(2026, 3, 14))])])
    days = 31 - 14 + 1
    assert days == 18
    assert 1240 * days == 22320  # 223.20
    assert 500 * days == 9000 and 22320 - 9000 == 13320  # A 90.00, B 133.20
    line = plan.postings[0].line
    assert (line.quantity, line.gross, line.net) == (18, Money(22320), Money(22320))
    assert [(posting.payer_id, posting.amount) for posting in plan.postings] == [(A, Money(9000)), (B, Money(13320))]


def test_per_unit_meals_with_a_discount_per_unit_and_the_count_reset():
    meals = fee_group(1, "Mittagessen", BillingMode.PER_UNIT, "3.80")
    cat = catalogue(fee_groups={1: meals})
    p = period("01.2026", id=1, fee_lines=[fee(1, count=17, discount_ids=(MEAL_SUBSIDY,))])
    child = child_run([p], [contract(date(2026, 1, 1))])
    plan = plan_run(request("03.2026", cat=cat), [child])
    assert (380 - 80) * 17 == 5100  # 51.00
    assert [posting.amount for posting in plan.postings] == [Money(5100)]
    assert plan.postings[0].line.gross == Money(380 * 17)
    assert plan.postings[0].line.deductions[0].amount == Money(80 * 17)
    after = applied(child, plan)
    assert after.periods[0].fee_lines[0].count == 0


def test_wuerttemberg_household_of_three_from_the_month_after_the_birth():
    group = fee_group(1, "Kindergarten 30 h/Woche", BillingMode.MONTHLY, "162.00", "126.00", "85.00", "28.00",
                      source=TierSource.WUERTTEMBERG)
    cat = catalogue(fee_groups={1: group})
    st = settings(wuerttemberg=True)
    p = period("01.2026", id=1, fee_lines=[fee(1, tier=None)])
    born = date(2026, 4, 20)

    def facts(month: Month) -> ChildMonthFacts:
        # children under 18 in the household on the 1st of the month
        return ChildMonthFacts(CHILD, month, month.days, children_in_household=3 if month.first_day >= born else 2)

    def fee_for(month: str) -> Money:
        lines, problems = compute_child_month(p, cat, st, facts(m(month)), "EUR")
        assert problems == []
        return lines[0].net

    assert fee_for("03.2026") == Money(12600)
    assert fee_for("04.2026") == Money(12600)  # born in April: still 2 children on 1 April
    assert fee_for("05.2026") == Money(8500)
    assert fee_for("12.2026") == Money(8500)


def test_shares_with_a_remainder_sum_to_the_net_exactly():
    group = fee_group(1, "Krippe", BillingMode.MONTHLY, "291.20")
    cat = catalogue(fee_groups={1: group})
    p = period("01.2026", id=1, fee_lines=[fee(1, payers=(pays(A, "100.00"), pays(B, rest=True)))])
    plan = plan_run(request("01.2026", cat=cat), [child_run([p], [contract(date(2026, 1, 1))])])
    assert [(posting.payer_id, posting.amount) for posting in plan.postings] == [(A, Money(10000)), (B, Money(19120))]
    assert sum(posting.amount.minor for posting in plan.postings) == 29120
