"""Recalculation (Nachberechnung) through the database: every run compares each billed month with
what the billing data give now and posts the difference, booked to the month it concerns."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from sqlalchemy import update

from sollhaben.domain.kita import model as m
from sollhaben.persistence.models import ExtraLine, FeeTier
from sollhaben.services.kita import billing_data, billing_run, catalogue
from sollhaben.services.unit_of_work import unit_of_work
from tests.integration.kita.billing_run_helpers import ledger_problems, postings, run, run_months, summary
from tests.integration.kita.conftest import eur, first_period, month, valid


def _single_payer_period(db, setup) -> m.BillingPeriod:
    """Ganztag tier 2 (126.00), mother pays; meals 17 × 3.80."""
    return billing_data.save_period(db, first_period(setup, fee_lines=(
        m.FeeLine(setup.monthly, tier=2, payers=(m.PayerShare(setup.mother),)),))).period


def _edit(db, period_id: int, **change) -> None:
    period = billing_data.get_period(db, period_id).period
    billing_data.save_period(db, replace(period, **change))


def _fee(setup, group=None, tier=2, payer=None, **kwargs) -> tuple[m.FeeLine, ...]:
    return (m.FeeLine(group or setup.monthly, tier=tier, payers=(m.PayerShare(payer or setup.mother),), **kwargs),)


def _recalculated(db) -> list[tuple[str, int, str, str]]:
    return [(b.value_month, b.holder, b.detail["line"], b.amount) for b in postings(db)
            if b.detail["kind"] == "RECALCULATION"]


def test_a_changed_tier_posts_the_difference_to_the_month_it_concerns(db, kita, setup):
    period = _single_payer_period(db, setup)
    run(db, kita.facility, "03.2026")
    _edit(db, period.id, fee_lines=_fee(setup, tier=1))  # 162.00 instead of 126.00, from March
    result = run(db, kita.facility, "04.2026")
    assert _recalculated(db) == [("03.2026", setup.mother, f"FEE:{setup.monthly}", "36.00")]
    assert result.recalculation_postings == 1 and result.totals.recalculation == eur("36.00")
    (recalc,) = [b for b in postings(db) if b.detail["kind"] == "RECALCULATION"]
    assert recalc.text == "Nachberechnung Ganztag 45 h März 2026 – Mia"
    assert (recalc.detail["recalculation_month"], recalc.detail["posted_before"], recalc.detail["share"],
            recalc.detail["run_month"]) == ("2026-03", 12600, 16200, "2026-04")
    preview = billing_run.preview_run(db, kita.facility, month("05.2026"))
    assert preview.recalculations == ()  # recalculated once, nothing more to do
    assert ledger_problems(db) == []


def test_a_changed_fee_group_credits_the_old_line_and_bills_the_new_one(db, kita, setup):
    period = _single_payer_period(db, setup)
    run(db, kita.facility, "03.2026")
    _edit(db, period.id, fee_lines=_fee(setup, group=setup.daily, tier=1))
    preview = billing_run.preview_run(db, kita.facility, month("04.2026"))
    assert [(x.value_month, x.line_key, x.amount) for x in preview.recalculations] == [
        (month("03.2026"), f"FEE:{setup.daily}", eur("223.20")), (month("03.2026"), f"FEE:{setup.monthly}",
                                                                  eur("-126.00"))]
    run(db, kita.facility, "04.2026")
    assert _recalculated(db) == [("03.2026", setup.mother, f"FEE:{setup.daily}", "223.20"),
                                 ("03.2026", setup.mother, f"FEE:{setup.monthly}", "-126.00")]
    assert ledger_problems(db) == []


def test_a_new_discount_is_recalculated(db, kita, setup):
    percent = catalogue.save_discount(db, kita.id, m.Discount("Familienpass", m.DiscountKind.PERCENT, (
        m.DiscountVersion(valid("01.2026"), percent=Decimal("10")),))).discount.id
    period = _single_payer_period(db, setup)
    run(db, kita.facility, "03.2026")
    _edit(db, period.id, fee_lines=_fee(setup, discount_ids=(percent,)))
    run(db, kita.facility, "04.2026")
    assert _recalculated(db) == [("03.2026", setup.mother, f"FEE:{setup.monthly}", "-12.60")]
    april = [b for b in postings(db) if b.value_month == "04.2026" and b.detail["line"] == f"FEE:{setup.monthly}"]
    assert april[0].amount == "113.40"


def test_a_changed_payer_credits_the_old_payer_and_bills_the_new_one(db, kita, setup):
    period = _single_payer_period(db, setup)
    run(db, kita.facility, "03.2026")
    _edit(db, period.id, fee_lines=_fee(setup, payer=setup.father))
    run(db, kita.facility, "04.2026")
    assert sorted(_recalculated(db)) == sorted([("03.2026", setup.father, f"FEE:{setup.monthly}", "126.00"),
                                                ("03.2026", setup.mother, f"FEE:{setup.monthly}", "-126.00")])
    assert ledger_problems(db) == []


def test_a_changed_catalogue_price_is_recalculated(db, kita, setup):
    _single_payer_period(db, setup)
    run(db, kita.facility, "03.2026")
    # A retroactive statute change (the catalogue editor refuses to change a billed version, so
    # the amount is changed in the table here): the next run recalculates March.
    with unit_of_work(db) as session:
        session.execute(update(FeeTier).where(FeeTier.fee_group_id == setup.monthly, FeeTier.number == 2)
                        .values(amount_minor=13000))
    run(db, kita.facility, "04.2026")
    assert _recalculated(db) == [("03.2026", setup.mother, f"FEE:{setup.monthly}", "4.00")]


def test_a_billed_count_is_taken_from_the_postings_not_from_the_reset_form(db, kita, setup):
    period = _single_payer_period(db, setup)
    run(db, kita.facility, "03.2026")  # meals: 17 × 3.80 = 64.60, count reset to 0
    with unit_of_work(db) as session:  # the clerk enters April's meals
        session.execute(update(ExtraLine).where(ExtraLine.period_id == period.id).values(count=5))
    _edit(db, period.id, fee_lines=_fee(setup, tier=1))  # a change that makes March recalculate
    run(db, kita.facility, "04.2026")
    assert _recalculated(db) == [("03.2026", setup.mother, f"FEE:{setup.monthly}", "36.00")]  # no meal difference
    april_meals = [b for b in postings(db) if b.value_month == "04.2026" and b.category == "MEALS"]
    assert [(b.amount, b.detail["quantity"]) for b in april_meals] == [("19.00", "5")]


def test_three_months_then_a_change_recalculates_every_billed_month(db, kita, setup):
    period = _single_payer_period(db, setup)
    run_months(db, kita.facility, "03.2026", "05.2026")
    _edit(db, period.id, fee_lines=_fee(setup, tier=3))  # 85.00: −41.00 for March, April and May
    run(db, kita.facility, "06.2026")
    assert _recalculated(db) == [(f"0{n}.2026", setup.mother, f"FEE:{setup.monthly}", "-41.00") for n in (3, 4, 5)]
    assert ledger_problems(db) == []
