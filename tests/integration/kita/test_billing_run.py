"""The billing run through the database (SQLite and PostgreSQL): the spec's worked examples end to
end, the rules of a month (fee-free month, after leaving, resets), months in order and double runs,
the preview, and the ledger invariant. Recalculation, undo and reports: test_billing_run_*.py."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import PersonInput
from sollhaben.services import households
from sollhaben.services.kita import billing_data, billing_run, catalogue, children, facility
from sollhaben.services.kita.billing_run_load import load_inputs
from sollhaben.services.unit_of_work import unit_of_work
from tests.integration.kita.billing_run_helpers import (
    RUN_DAY,
    billed_through,
    ledger_problems,
    line_values,
    postings,
    run,
    run_months,
    run_rows,
    summary,
)
from tests.integration.kita.conftest import TODAY, eur, first_period, month, new_person, valid


def _period(db, setup, **change) -> int:
    return billing_data.save_period(db, first_period(setup, **change)).period.id


# --- the worked examples of the spec -------------------------------------------------------------------

def test_daily_example_two_payers_one_with_a_share_per_day(db, kita, setup):
    """12.40 per day, contract from 14.03.2026 → 18 days → 223.20; 5.00 per day → 90.00 and 133.20."""
    _period(db, setup, fee_lines=(m.FeeLine(setup.daily, tier=1, payers=(
        m.PayerShare(setup.mother, eur("5.00")), m.PayerShare(setup.father, takes_remainder=True))),), extra_lines=())
    result = run(db, kita.facility, "03.2026")
    assert (result.postings, result.total) == (2, eur("223.20"))
    mother, father = postings(db)
    assert (mother.holder, mother.amount, father.holder, father.amount) == (setup.mother, "90.00", setup.father,
                                                                            "133.20")
    assert (mother.value_month, mother.category, mother.due_date) == ("03.2026", "KITA_FEE", date(2026, 3, 15))
    assert mother.text == "Tagesplatz März 2026 – Mia"
    detail = mother.detail
    assert (detail["child"], detail["line"], detail["catalogue_id"], detail["tier"], detail["quantity"],
            detail["unit_amount"], detail["share"], detail["mode"], detail["kind"]) == (
        setup.child, f"FEE:{setup.daily}", setup.daily, 1, "18", 1240, 9000, "DAILY", "REGULAR")
    assert detail["version_id"] is not None and detail["recalculation_month"] is None
    assert ledger_problems(db) == []


def test_per_unit_meals_example_and_the_count_is_reset(db, kita, setup):
    """Price 3.80, discount 0.80 per unit, count 17 → 51.00; the count is 0 after the run."""
    lunch = catalogue.save_fee_group(db, kita.id, m.FeeGroup("Mittagessen (Beitrag)", m.BillingMode.PER_UNIT,
                                                             m.TierSource.CHOSEN, (m.FeeGroupVersion(
                                                                 valid("01.2026"), (m.Tier(1, "", eur("3.80")),)),))
                                     ).group.id
    period_id = _period(db, setup, fee_lines=(m.FeeLine(lunch, tier=1, count=17, discount_ids=(setup.fixed,),
                                                    payers=(m.PayerShare(setup.mother),)),), extra_lines=())
    result = run(db, kita.facility, "03.2026")
    (posting,) = postings(db)
    assert (posting.amount, posting.detail["quantity"], posting.detail["unit_amount"]) == ("51.00", "17", 380)
    assert posting.detail["deductions"] == [{"name": "Essenszuschuss", "amount": 1360, "discount_id": setup.fixed}]
    assert result.resets == 1
    assert line_values(db, period_id) == [("FEE", 0, None)]
    assert billed_through(db, period_id) == "03.2026"


def test_wuerttemberg_example_the_tier_follows_the_household(db, kita, setup):
    """Household of 2 children under 18 → tier 2 (126.00); from the month after the third child is
    born → tier 3 (85.00)."""
    child_person = children.get_child(db, setup.child).person_id
    home, _ = households.add_to_new_household(db, kita.id, "Familie Gerber", setup.mother, date(2019, 1, 1))
    sister = new_person(db, kita.id, "Gerber", "Lina", date(2020, 2, 1))
    for person, since in ((child_person, date(2022, 5, 3)), (sister, date(2020, 2, 1))):
        households.add_member(db, home, person, since, relation="child")
    baby = new_person(db, kita.id, "Gerber", "Pia", date(2026, 4, 10))
    households.add_member(db, home, baby, date(2026, 4, 10), relation="child")
    _period(db, setup, fee_lines=(m.FeeLine(setup.wuerttemberg, payers=(m.PayerShare(setup.mother),)),), extra_lines=())
    run_months(db, kita.facility, "03.2026", "05.2026")
    assert summary(db) == [("03.2026", setup.mother, f"FEE:{setup.wuerttemberg}", "126.00"),
                           ("04.2026", setup.mother, f"FEE:{setup.wuerttemberg}", "126.00"),
                           ("05.2026", setup.mother, f"FEE:{setup.wuerttemberg}", "85.00")]
    assert [p.detail["tier"] for p in postings(db)] == [2, 2, 3]


def test_shares_example_the_postings_sum_to_the_net_exactly(db, kita, setup):
    """Net 291.20, payer A share 100.00, payer B the remainder → 100.00 and 191.20."""
    krippe = catalogue.save_fee_group(db, kita.id, m.FeeGroup("Krippe", m.BillingMode.MONTHLY, m.TierSource.CHOSEN, (
        m.FeeGroupVersion(valid("01.2026"), (m.Tier(1, "", eur("291.20")),)),))).group.id
    _period(db, setup, fee_lines=(m.FeeLine(krippe, tier=1, payers=(
        m.PayerShare(setup.mother, eur("100.00")), m.PayerShare(setup.father, takes_remainder=True))),), extra_lines=())
    run(db, kita.facility, "03.2026")
    assert [(b.holder, b.amount) for b in postings(db)] == [(setup.mother, "100.00"), (setup.father, "191.20")]
    assert sum(p.detail["share"] for p in postings(db)) == 29120


# --- the rules of a month --------------------------------------------------------------------------------

def test_a_fee_free_month_bills_only_extra_costs_with_reset(db, kita, setup):
    craft = catalogue.save_extra_cost(db, kita.id, m.ExtraCost("Bastelgeld", m.BillingMode.MONTHLY, False, (
        m.ExtraCostVersion(valid("01.2026"), eur("5.00")),))).extra_cost.id
    facility.save_facility_settings(db, replace(facility.get_facility_settings(db, kita.facility),
                                                fee_free_months=frozenset({8})))
    period_id = _period(db, setup, valid=valid("08.2026"), extra_lines=(
        m.ExtraLine(setup.meals, count=12, payers=(m.PayerShare(setup.mother),)),
        m.ExtraLine(craft, payers=(m.PayerShare(setup.mother),)),
        m.ExtraLine(setup.trip, amount=eur("7.50"), reset=True, payers=(m.PayerShare(setup.mother),)),
        m.ExtraLine(setup.trip, amount=eur("3.00"), payers=(m.PayerShare(setup.mother),))))
    run(db, kita.facility, "08.2026")
    assert summary(db) == [("08.2026", setup.mother, f"EXTRA:{setup.meals}", "45.60"),
                           ("08.2026", setup.mother, f"EXTRA:{setup.trip}", "7.50")]
    assert [p.category for p in postings(db)] == ["MEALS", "KITA_EXTRA"]
    assert line_values(db, period_id) == [("FEE", 0, None), ("EXTRA", 0, None), ("EXTRA", 0, None),
                                          ("EXTRA", 0, 0), ("EXTRA", 0, 300)]
    run(db, kita.facility, "09.2026")  # September bills fees and every extra cost again
    september = [s for s in summary(db) if s[0] == "09.2026"]
    assert [s[2] for s in september] == [f"FEE:{setup.monthly}", f"FEE:{setup.monthly}", f"EXTRA:{craft}",
                                         f"EXTRA:{setup.trip}#2"]


def test_after_leaving_only_extra_costs_with_reset_are_billed_once_more(db, kita, setup):
    craft = catalogue.save_extra_cost(db, kita.id, m.ExtraCost("Bastelgeld", m.BillingMode.MONTHLY, False, (
        m.ExtraCostVersion(valid("01.2026"), eur("5.00")),))).extra_cost.id
    period_id = _period(db, setup, extra_lines=(m.ExtraLine(setup.meals, count=10, payers=(m.PayerShare(setup.mother),)),
                                            m.ExtraLine(craft, payers=(m.PayerShare(setup.mother),))))
    (contract,) = children.get_child(db, setup.child).contracts
    children.save_contract(db, replace(contract.contract, status=m.ContractStatus.DEREGISTERED,
                                       last_day=date(2026, 4, 30)))
    run_months(db, kita.facility, "03.2026", "04.2026")
    with unit_of_work(db) as session:  # the meals of April, counted after the April run
        from sqlalchemy import update

        from sollhaben.persistence.models import ExtraLine
        session.execute(update(ExtraLine).where(ExtraLine.period_id == period_id, ExtraLine.position == 0)
                        .values(count=8))
    run_months(db, kita.facility, "05.2026", "06.2026")
    may = [s for s in summary(db) if s[0] == "05.2026"]
    assert may == [("05.2026", setup.mother, f"EXTRA:{setup.meals}", "30.40")]  # 8 × 3.80, no fee, no craft money
    assert [s for s in summary(db) if s[0] == "06.2026"] == []  # nothing after that


def test_a_line_with_a_problem_is_listed_in_the_preview_and_not_billed(db, kita, setup):
    _period(db, setup, fee_lines=(m.FeeLine(setup.monthly, tier=2, payers=(m.PayerShare(setup.mother),)),
                                  m.FeeLine(setup.wuerttemberg, payers=(m.PayerShare(setup.mother),))))
    facility.save_facility_settings(db, replace(facility.get_facility_settings(db, kita.facility),
                                                wuerttemberg=False))  # switched off after the period was saved
    preview = billing_run.preview_run(db, kita.facility, month("03.2026"))
    assert preview.refusal == ""
    (problem,) = preview.problems
    assert (problem.line_key, problem.child_name, problem.month) == (f"FEE:{setup.wuerttemberg}", "Gerber, Mia",
                                                                     month("03.2026"))
    assert problem.message == ("Beitrag „30 h“: Die Beitragsgruppe folgt dem Württemberger Modell, das in der "
                               "Einrichtung nicht eingeschaltet ist.")
    assert [line.line_key for line in preview.lines] == [f"FEE:{setup.monthly}", f"EXTRA:{setup.meals}"]
    result = run(db, kita.facility, "03.2026")
    assert (result.postings, len(result.problems)) == (2, 1)


def test_the_preview_shows_lines_totals_and_problems_and_writes_nothing(db, kita, setup):
    _period(db, setup)
    preview = billing_run.preview_run(db, kita.facility, month("03.2026"))
    assert [(x.payer_name, x.name, x.amount, x.text) for x in preview.lines] == [
        ("Gerber, Laura", "Ganztag 45 h", eur("100.00"), "Ganztag 45 h März 2026 – Mia"),
        ("Gerber, Reto", "Ganztag 45 h", eur("26.00"), "Ganztag 45 h März 2026 – Mia"),
        ("Gerber, Laura", "Mittagessen", eur("64.60"), "Mittagessen März 2026 – Mia")]
    totals = preview.totals
    assert [(t.name, t.amount) for t in totals.by_fee_group] == [("Ganztag 45 h", eur("126.00"))]
    assert [(t.name, t.amount) for t in totals.by_extra_cost] == [("Mittagessen", eur("64.60"))]
    assert [(t.name, t.amount, t.postings) for t in totals.by_payer] == [("Gerber, Laura", eur("164.60"), 2),
                                                                         ("Gerber, Reto", eur("26.00"), 1)]
    assert (preview.total, preview.recalculations, preview.resets, preview.children) == (eur("190.60"), (), 1, 1)
    assert (postings(db), run_rows(db)) == ([], 0)


# --- months in order, double runs ----------------------------------------------------------------------

def test_months_run_in_order_from_the_first_billing_month(db, kita, setup):
    _period(db, setup)
    facility.save_facility_settings(db, replace(facility.get_facility_settings(db, kita.facility),
                                                first_billing_month=month("03.2026")))
    with pytest.raises(ValidationError, match="die erste Sollstellung ist für 03.2026, nicht für 04.2026") as caught:
        run(db, kita.facility, "04.2026")
    assert caught.value.errors[0].field == "month"
    run(db, kita.facility, "03.2026")
    with pytest.raises(ValidationError, match="als Nächstes ist 04.2026 an der Reihe, nicht 05.2026"):
        run(db, kita.facility, "05.2026")
    with pytest.raises(ValidationError, match="03.2026 ist für die Einrichtung „Kita Sonnenschein“ bereits abgerechnet"):
        run(db, kita.facility, "03.2026")
    assert billing_run.preview_run(db, kita.facility, month("03.2026")).refusal.startswith(
        "Abrechnungsmonat: 03.2026 ist für die Einrichtung")
    assert (len(postings(db)), run_rows(db)) == (3, 1)


def test_a_repeated_run_posts_nothing_twice_even_when_the_refusal_is_bypassed(db, kita, setup, monkeypatch):
    _period(db, setup)
    run(db, kita.facility, "03.2026")
    first = summary(db)
    monkeypatch.setattr(billing_run, "refusal", lambda inputs, month: "")
    again = run(db, kita.facility, "03.2026")
    assert again.postings == 0 and summary(db) == first
    with db.session() as session:  # the same keys again (a concurrent run of the same plan): refused by the index
        from sqlalchemy.exc import IntegrityError

        inputs = load_inputs(session, kita.facility, month("03.2026"))
        inputs.history.posted_months.clear()
        inputs.children[0] = replace(inputs.children[0], posted=())
        plan = billing_run.compute_plan(inputs, month("03.2026"))
        assert len(plan.postings) == 2  # the fee lines again (the meal count was reset to 0)
        with pytest.raises(IntegrityError):
            billing_run._write(session, inputs, plan, "anna", RUN_DAY, None)
        session.rollback()
    assert summary(db) == first


def test_a_cancelled_run_leaves_the_database_as_it_was(db, kita, setup):
    period_id = _period(db, setup)
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 2  # after planning, right before the commit

    with pytest.raises(billing_run.RunCancelled):
        billing_run.post_run(db, kita.facility, month("03.2026"), "anna", cancelled=cancelled, today=RUN_DAY)
    assert (postings(db), run_rows(db)) == ([], 0)
    assert line_values(db, period_id) == [("FEE", 0, None), ("EXTRA", 17, None)]
    assert billed_through(db, period_id) is None
    progress = []
    result = billing_run.post_run(db, kita.facility, month("03.2026"), "anna", today=RUN_DAY,
                                  progress=lambda done, total, text: progress.append((done, total)))
    assert result.postings == 3 and progress[-1] == (1, 1)


def test_the_run_opens_the_payers_accounts_once_and_records_itself(db, kita, setup):
    _period(db, setup)
    first = run(db, kita.facility, "03.2026", user="Anna Muster")
    second = run(db, kita.facility, "04.2026")
    assert (first.accounts_opened, second.accounts_opened) == (2, 0)
    (april, march) = billing_run.list_runs(db, kita.facility)
    assert (march.kind, march.status, march.started_by, march.postings, march.children, march.total) == (
        "RUN", "POSTED", "Anna Muster", 3, 1, eur("190.60"))
    assert april.month == month("04.2026") and april.total == eur("126.00")
    assert {p.detail["facility"] for p in postings(db)} == {kita.facility}
    assert ledger_problems(db) == []


def test_a_second_facility_bills_its_own_children_only(db, kita, setup):
    _period(db, setup)
    other = children.create_child(db, kita.id, PersonInput("NATURAL", "Keller", "Noah", birth_date=date(2021, 1, 2)),
                                  today=TODAY)
    dto = children.save_payers(db, other.id, other.version, [setup.father])
    children.save_contract(db, m.Contract(other.id, kita.facility2, m.ContractStatus.ACTIVE,
                                          first_day=date(2026, 1, 1)))
    billing_data.save_period(db, m.BillingPeriod(other.id, valid("01.2026"), fee_lines=(
        m.FeeLine(setup.monthly, tier=1, payers=(m.PayerShare(setup.father),)),), version=0))
    del dto
    assert run(db, kita.facility2, "03.2026").total == eur("162.00")
    assert run(db, kita.facility, "03.2026").total == eur("190.60")
    assert {p.detail["facility"] for p in postings(db)} == {kita.facility, kita.facility2}


def test_the_detail_json_is_valid_for_any_name_and_holds_the_deductions(db, kita, setup):
    odd = catalogue.save_fee_group(db, kita.id, m.FeeGroup('Krippe "Öko" \\ 45 h', m.BillingMode.MONTHLY,
                                                           m.TierSource.CHOSEN, (m.FeeGroupVersion(
                                                               valid("01.2026"), (m.Tier(1, "", eur("291.20")),)),))
                                   ).group.id
    _period(db, setup, fee_lines=(m.FeeLine(odd, tier=1, discount_ids=(setup.fixed,), special_discount=eur("1.20"),
                                            payers=(m.PayerShare(setup.mother),)),), extra_lines=())
    run(db, kita.facility, "03.2026")
    (posting,) = postings(db)
    assert posting.text == 'Krippe "Öko" \\ 45 h März 2026 – Mia' and posting.amount == "289.20"
    detail = posting.detail
    assert (detail["name"], detail["gross"], detail["net"], detail["share"], detail["meal"]) == (
        'Krippe "Öko" \\ 45 h', 29120, 28920, 28920, False)
    assert detail["deductions"] == [{"name": "Essenszuschuss", "amount": 80, "discount_id": setup.fixed},
                                    {"name": "Sonderermäßigung", "amount": 120, "discount_id": None}]
