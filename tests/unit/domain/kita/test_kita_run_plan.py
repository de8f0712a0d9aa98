"""The billing run's plan: months in order, fee-free months, leaving, resets, idempotency keys."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.kita.model import LineKind
from sollhaben.domain.kita.run_plan import check_run_month, plan_child, plan_run
from sollhaben.domain.kita.run_types import BilledPeriod, PlannedReset, PostedAmount, PostingKind
from sollhaben.domain.money import Money
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
    TAGESPLATZ,
    TRIP,
    applied,
    child_run,
    contract,
    eur,
    extra,
    fee,
    m,
    pays,
    period,
    request,
    settings,
    summary,
)

# --- months in order ---------------------------------------------------------------------------------

def test_the_first_run_is_the_first_billing_month():
    check_run_month(m("01.2026"), None, m("01.2026"))
    check_run_month(m("03.2026"), None, None)
    with pytest.raises(ValidationError) as caught:
        check_run_month(m("02.2026"), None, m("01.2026"))
    assert caught.value.errors[0].field == "month"
    assert str(caught.value) == ("Abrechnungsmonat: Die Einrichtung rechnet ab 01.2026 ab; die erste Sollstellung "
                                 "ist für 01.2026, nicht für 02.2026.")


def test_months_are_run_in_order():
    check_run_month(m("01.2027"), m("12.2026"))
    with pytest.raises(ValidationError, match="Die Sollstellung für 12.2026 ist bereits gebucht."):
        check_run_month(m("12.2026"), m("12.2026"))
    with pytest.raises(ValidationError, match="als Nächstes ist 01.2027 an der Reihe, nicht 03.2027"):
        check_run_month(m("03.2027"), m("12.2026"))
    with pytest.raises(ValidationError, match="11.2026 liegt vor der letzten Sollstellung"):
        check_run_month(m("11.2026"), m("12.2026"))


# --- the regular month ---------------------------------------------------------------------------------

def test_a_month_bills_every_line_per_payer_with_the_ledger_detail():
    p = period("01.2026", id=5, fee_lines=[fee(KRIPPE, discount_ids=(FIXED_20,),
                                               payers=(pays(MOTHER, "100.00"), pays(FATHER, rest=True)))],
               extra_lines=[extra(CRAFT)])
    plan = plan_run(request("03.2026", settings(due_day=10)), [child_run([p], [contract(date(2026, 1, 1))])])
    assert summary(plan) == [("03.2026", "FEE:1", MOTHER, "100.00", "R"), ("03.2026", "FEE:1", FATHER, "171.20", "R"),
                             ("03.2026", "EXTRA:21", MOTHER, "5.00", "R")]
    first = plan.postings[0]
    assert first.idempotency_key == "kita:7:2026-03/1:2026-03:100:FEE:1:1:regular"
    assert (first.facility_id, first.child_id, first.run_month, first.due_date) == (7, CHILD, m("03.2026"),
                                                                                   date(2026, 3, 10))
    assert (first.line_kind, first.catalogue_id, first.version_id, first.tier, first.name) == (
        LineKind.FEE, KRIPPE, 100, 1, "Krippe Ganztag")
    assert (first.quantity, first.unit_amount, first.share, first.posted_before) == (
        Decimal(1), eur("291.20"), eur("100.00"), Money.zero())
    assert [(d.name, d.amount) for d in first.deductions] == [("Zuschuss Gemeinde", eur("20.00"))]
    assert not first.is_recalculation
    assert plan.billed_periods == (BilledPeriod(CHILD, 5),)
    assert plan.total() == eur("276.20") and plan.children == 1


def test_months_before_the_contract_or_outside_every_period_bill_nothing():
    p = period("01.2026", "04.2026", id=5, fee_lines=[fee(KRIPPE)])
    child = child_run([p], [contract(date(2026, 3, 1))])
    assert plan_run(request("02.2026"), [child]).postings == ()
    assert plan_run(request("05.2026"), [child]).postings == ()
    assert plan_run(request("05.2026"), [child]).billed_periods == ()
    assert len(plan_run(request("03.2026"), [child]).postings) == 1


def test_a_line_with_a_problem_is_not_billed_and_reported():
    p = period("01.2026", id=5, fee_lines=[fee(KRIPPE, tier=None), fee(TAGESPLATZ)])
    plan = plan_run(request("02.2026"), [child_run([p], [contract(date(2026, 1, 1))])])
    assert summary(plan) == [("02.2026", "FEE:2", MOTHER, "347.20", "R")]
    assert [(pr.line_key, pr.month, pr.message) for pr in plan.problems] == [
        ("FEE:1", m("02.2026"), "Beitrag „Krippe Ganztag“: Bitte eine Staffel wählen.")]


# --- resets ------------------------------------------------------------------------------------------------

def test_counts_and_reset_amounts_are_reset_after_billing():
    p = period("01.2026", id=5, fee_lines=[fee(MEALS_FEE, count=17), fee(INDIVIDUAL, tier=None, amount=eur("40.00"))],
               extra_lines=[extra(LUNCH, count=0), extra(TRIP, amount=eur("12.00"), reset=True)])
    plan = plan_run(request("02.2026"), [child_run([p], [contract(date(2026, 1, 1))])])
    assert plan.resets == (PlannedReset(CHILD, 5, LineKind.FEE, 0, "FEE:7", 17, None),
                           PlannedReset(CHILD, 5, LineKind.EXTRA, 1, "EXTRA:22", 0, eur("12.00")))


def test_a_line_with_a_problem_keeps_its_count():
    p = period("01.2026", id=5, fee_lines=[fee(MEALS_FEE, count=17, payers=(pays(MOTHER, "1.00"),
                                                                             pays(FATHER, "1.00")))])
    plan = plan_run(request("02.2026"), [child_run([p], [contract(date(2026, 1, 1))])])
    assert plan.postings == () and plan.resets == ()
    assert "Die Anteile (2,00 EUR pro Einheit) ergeben nicht den Betrag (3,80 EUR pro Einheit)" in (
        plan.problems[0].message)


# --- fee-free month ----------------------------------------------------------------------------------------

def fee_free_child():
    p = period("01.2026", id=5, fee_lines=[fee(KRIPPE), fee(TAGESPLATZ), fee(MEALS_FEE, count=3)],
               extra_lines=[extra(LUNCH, count=15), extra(CRAFT), extra(TRIP, amount=eur("8.00")),
                            extra(TRIP, amount=eur("6.00"), reset=True)])
    return child_run([p], [contract(date(2026, 1, 1))])


def test_fee_free_month_bills_only_extra_costs_with_reset():
    plan = plan_run(request("08.2026", settings(fee_free_months=frozenset({8}))), [fee_free_child()])
    # no fee lines (MONTHLY, DAILY or PER_UNIT), no MONTHLY extra, no INDIVIDUAL extra without reset
    assert summary(plan) == [("08.2026", "EXTRA:20", MOTHER, "57.00", "R"),
                             ("08.2026", "EXTRA:22#2", MOTHER, "6.00", "R")]
    # the PER_UNIT fee line was not billed, so its count stays for the next run
    assert [r.line_key for r in plan.resets] == ["EXTRA:20", "EXTRA:22#2"]


def test_the_same_month_without_fee_freedom_bills_everything():
    plan = plan_run(request("08.2026"), [fee_free_child()])
    assert [p.line_key for p in plan.postings] == ["FEE:1", "FEE:2", "FEE:7", "EXTRA:20", "EXTRA:21", "EXTRA:22",
                                                   "EXTRA:22#2"]
    assert plan.postings[1].amount == eur("384.40")  # 31 days × 12.40


# --- after the child leaves --------------------------------------------------------------------------------

def leaving_child(**kwargs):
    p = period("01.2026", id=5, fee_lines=[fee(KRIPPE)],
               extra_lines=[extra(LUNCH, count=9), extra(CRAFT), extra(TRIP, amount=eur("8.00")),
                            extra(TRIP, amount=eur("6.00"), reset=True)], **kwargs)
    return child_run([p], [contract(date(2026, 1, 1), date(2026, 5, 15))])


def test_the_last_contract_month_bills_everything():
    plan = plan_run(request("05.2026"), [leaving_child()])
    assert [p.line_key for p in plan.postings] == ["FEE:1", "EXTRA:20", "EXTRA:21", "EXTRA:22", "EXTRA:22#2"]


def test_the_month_after_leaving_bills_extra_costs_with_reset_once_more():
    plan = plan_run(request("06.2026"), [leaving_child()])
    assert summary(plan) == [("06.2026", "EXTRA:20", MOTHER, "34.20", "R"),
                             ("06.2026", "EXTRA:22#2", MOTHER, "6.00", "R")]
    assert [r.line_key for r in plan.resets] == ["EXTRA:20", "EXTRA:22#2"]
    assert plan_run(request("07.2026"), [leaving_child()]).postings == ()


def test_the_month_after_leaving_bills_even_when_fee_free():
    plan = plan_run(request("06.2026", settings(fee_free_months=frozenset({6}))), [leaving_child()])
    assert [p.line_key for p in plan.postings] == ["EXTRA:20", "EXTRA:22#2"]


def test_the_month_after_leaving_uses_the_last_period_when_none_covers_it():
    child = leaving_child()
    closed = replace(child.periods[0], valid=child.periods[0].valid.closed_before(m("06.2026")))
    plan = plan_run(request("06.2026"), [child_run([closed], child.contracts)])
    assert [p.line_key for p in plan.postings] == ["EXTRA:20", "EXTRA:22#2"]
    assert plan.billed_periods == (BilledPeriod(CHILD, 5),)


def test_a_new_contract_after_a_gap_bills_normally():
    p = period("01.2026", id=5, fee_lines=[fee(KRIPPE)], extra_lines=[extra(LUNCH, count=4)])
    contracts = [contract(date(2026, 1, 1), date(2026, 3, 31)), contract(date(2026, 4, 1))]
    plan = plan_run(request("04.2026"), [child_run([p], contracts)])
    assert [p.line_key for p in plan.postings] == ["FEE:1", "EXTRA:20"]


# --- repeated runs and keys ------------------------------------------------------------------------------

def test_planning_again_after_posting_plans_nothing_and_resets_nothing():
    child = leaving_child()
    plan = plan_run(request("05.2026"), [child])
    after = applied(child, plan)
    again = plan_run(request("05.2026"), [after])
    assert again.postings == () and again.resets == ()
    # the count the clerk enters afterwards belongs to the next run, not to the repeated one
    assert after.periods[0].extra_lines[0].count == 0
    typed = replace(after, periods=(replace(after.periods[0], extra_lines=(
        extra(LUNCH, count=11),) + after.periods[0].extra_lines[1:]),))
    again = plan_run(request("05.2026"), [typed])
    assert again.postings == () and again.resets == ()


def test_a_count_typed_after_a_month_with_no_meals_waits_for_the_next_run():
    p = period("01.2026", id=5, fee_lines=[fee(KRIPPE)], extra_lines=[extra(LUNCH, count=0)])
    child = child_run([p], [contract(date(2026, 1, 1))])
    after = applied(child, plan_run(request("03.2026"), [child]))
    typed = replace(after, periods=(replace(p, extra_lines=(extra(LUNCH, count=8),)),))
    assert plan_run(request("03.2026"), [typed]).postings == ()
    april = plan_run(request("04.2026"), [typed])
    assert summary(april) == [("04.2026", "FEE:1", MOTHER, "291.20", "R"),
                              ("04.2026", "EXTRA:20", MOTHER, "30.40", "R")]


def test_the_attempt_after_an_undo_gives_new_keys():
    child = leaving_child()
    first = plan_run(request("05.2026"), [child]).postings[0].idempotency_key
    second = plan_run(request("05.2026", attempt=2), [child]).postings[0].idempotency_key
    assert first == "kita:7:2026-05/1:2026-05:100:FEE:1:1:regular"
    assert second == "kita:7:2026-05/2:2026-05:100:FEE:1:1:regular"


def test_every_key_of_a_run_is_unique():
    child = leaving_child()
    posted = [PostedAmount(m("04.2026"), "FEE:1", FATHER, eur("291.20"))]
    plan = plan_run(request("05.2026", first_billed_month=m("01.2026")), [child_run(child.periods, child.contracts,
                                                                                      posted)])
    keys = [p.idempotency_key for p in plan.postings]
    assert len(keys) == len(set(keys))
    assert {p.kind for p in plan.postings} == {PostingKind.REGULAR, PostingKind.RECALCULATION}


def test_plan_child_and_plan_run_agree():
    child = leaving_child()
    plan = plan_run(request("05.2026"), [child, child_run(child.periods, child.contracts, child_id=CHILD)])
    assert plan.postings[: len(plan.postings) // 2] == plan_child(request("05.2026"), child).postings
    assert plan.children == 2
