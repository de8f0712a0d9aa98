"""Undo of the latest run (reversal postings, restored counts and marks, refusals) and the run's
reports (run list as PDF and XLSX, subsidy list) on SQLite and PostgreSQL."""
from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, update

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.kita import model as m
from sollhaben.domain.money import Money
from sollhaben.persistence.models import Account, BillingRun, ExtraLine
from sollhaben.reports.table_pdf import render_table_pdf
from sollhaben.reports.table_xlsx import render_table_xlsx
from sollhaben.services import ledger
from sollhaben.services.kita import billing_data, billing_run, facility
from sollhaben.services.kita.billing_run_report import run_list_report, subsidy_list_report
from sollhaben.services.kita.billing_run_undo import undo_last_run
from sollhaben.services.unit_of_work import read_only, unit_of_work
from tests.integration.kita.billing_run_helpers import (
    RUN_DAY,
    billed_through,
    ledger_problems,
    line_values,
    postings,
    run,
    run_months,
)
from tests.integration.kita.conftest import eur, first_period, month


def _account(db, holder: int) -> int:
    with read_only(db) as session:
        return session.scalar(select(Account.id).where(Account.holder_id == holder))


def test_undo_reverses_the_run_restores_the_counts_and_marks_and_the_month_runs_again(db, kita, setup):
    period = billing_data.save_period(db, first_period(setup)).period
    first = run(db, kita.facility, "03.2026")
    assert line_values(db, period.id) == [("FEE", 0, None), ("EXTRA", 0, None)]
    undone = undo_last_run(db, kita.facility, "bert", today=RUN_DAY)
    assert (undone.run_id, undone.month, undone.reversals, undone.total_reversed) == (
        first.run_id, month("03.2026"), 3, eur("190.60"))
    assert (undone.counts_restored, undone.periods_restored, undone.not_restored) == (1, 1, ())
    assert line_values(db, period.id) == [("FEE", 0, None), ("EXTRA", 17, None)]
    assert billed_through(db, period.id) is None
    reversals = postings(db, source="REVERSAL")
    originals = postings(db)
    assert [(r.holder, r.amount, r.value_month, r.category) for r in reversals] == [
        (o.holder, f"-{o.amount}", o.value_month, o.category) for o in originals]
    assert reversals[0].text == "Storno: Ganztag 45 h März 2026 – Mia"
    for account in {_account(db, setup.mother), _account(db, setup.father)}:
        statement = ledger.statement(db, account)
        assert statement.closing_balance == eur("0.00") and statement.open_items == ()
    assert ledger_problems(db) == []
    rows = billing_run.list_runs(db, kita.facility)
    assert [(r.kind, r.status, r.started_by) for r in rows] == [("UNDO", "POSTED", "bert"), ("RUN", "REVERSED", "anna")]
    again = run(db, kita.facility, "03.2026")  # the month may run again: new keys (attempt 2)
    assert (again.attempt, again.postings, again.total) == (2, 3, eur("190.60"))
    assert len({p.id for p in postings(db)}) == 6
    assert ledger_problems(db) == []


def test_undo_adds_the_undone_count_to_counts_entered_since_and_reports_changed_amounts(db, kita, setup):
    period = billing_data.save_period(db, first_period(setup, extra_lines=(
        m.ExtraLine(setup.meals, count=17, payers=(m.PayerShare(setup.mother),)),
        m.ExtraLine(setup.trip, amount=eur("12.00"), reset=True, payers=(m.PayerShare(setup.mother),))))).period
    run(db, kita.facility, "03.2026")
    with unit_of_work(db) as session:  # April's meals and a new trip amount entered after the run
        session.execute(update(ExtraLine).where(ExtraLine.period_id == period.id, ExtraLine.position == 0)
                        .values(count=4))
        session.execute(update(ExtraLine).where(ExtraLine.period_id == period.id, ExtraLine.position == 1)
                        .values(amount_minor=900))
    undone = undo_last_run(db, kita.facility, "anna", today=RUN_DAY)
    assert line_values(db, period.id) == [("FEE", 0, None), ("EXTRA", 21, None), ("EXTRA", 0, 900)]
    (note,) = undone.not_restored
    assert "wurde seit der Sollstellung geändert" in note and "12.00" in note


def test_only_the_latest_run_can_be_undone_one_after_the_other(db, kita, setup):
    billing_data.save_period(db, first_period(setup))
    march, april = run_months(db, kita.facility, "03.2026", "04.2026")
    with pytest.raises(ValidationError, match="Nur die letzte Sollstellung \\(04.2026\\) kann rückgängig gemacht "
                                              "werden, nicht die für 03.2026"):
        undo_last_run(db, kita.facility, "anna", run_id=march.run_id)
    assert undo_last_run(db, kita.facility, "anna", run_id=april.run_id).month == month("04.2026")
    assert undo_last_run(db, kita.facility, "anna").month == month("03.2026")
    with pytest.raises(ValidationError, match="keine Sollstellung, die rückgängig gemacht werden könnte"):
        undo_last_run(db, kita.facility, "anna")
    assert ledger_problems(db) == []


def test_undo_is_refused_while_a_payment_is_allocated_to_an_item_of_the_run(db, kita, setup):
    billing_data.save_period(db, first_period(setup))
    run(db, kita.facility, "03.2026")
    mother = _account(db, setup.mother)
    ledger.book_payment(db, mother, date(2026, 3, 20), eur("50.00"))
    before = (postings(db, source=None), billing_run.list_runs(db, kita.facility))
    with pytest.raises(ValidationError, match="kann nicht rückgängig gemacht werden, weil Zahlungen oder "
                                              "Gutschriften ihren Buchungen zugeordnet sind \\(Nr. 1\\)"):
        undo_last_run(db, kita.facility, "anna")
    assert (postings(db, source=None), billing_run.list_runs(db, kita.facility)) == before
    assert ledger_problems(db) == []


# --- reports -----------------------------------------------------------------------------------------

def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_run_list_as_pdf_and_xlsx(db, kita, setup):
    period = billing_data.save_period(db, first_period(setup)).period
    run(db, kita.facility, "03.2026")
    billing_data.save_period(db, replace(billing_data.get_period(db, period.id).period, fee_lines=(
        m.FeeLine(setup.monthly, tier=1, payers=(m.PayerShare(setup.mother, eur("100.00")),
                                                 m.PayerShare(setup.father, takes_remainder=True))),)))
    april = run(db, kita.facility, "04.2026")
    report = run_list_report(db, april.run_id)
    assert report.title == "Sollstellungsliste 04.2026" and report.country == "DE"
    text = _pdf_text(render_table_pdf(report))
    assert "Sollstellungsliste 04.2026" in text and "Kita Sonnenschein – Sollstellung Nr." in text
    assert "Gerber, Mia" in text and "Gerber, Reto" in text and "Ganztag 45 h" in text
    assert "Nachberechnungen" in text and "36,00" in text  # March: tier 1 (162.00) instead of tier 2
    assert "Summen je Beitragsgruppe" in text and "Summen je Zahler" in text and "Seite 1 von" in text
    book = load_workbook(io.BytesIO(render_table_xlsx(report)))
    sheet = book[book.sheetnames[0]]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1] == ["Kind", "Zeile", "Monat", "Staffel", "Menge", "Einzelbetrag", "Zahler", "Betrag"]
    assert ["Gerber, Mia", "Ganztag 45 h", "04.2026", 1, 1, 162, "Gerber, Laura", 100] in rows
    recalc = book[book.sheetnames[1]]
    assert ["Gerber, Mia", "Ganztag 45 h", "03.2026", "Gerber, Reto", 62, 26, 36] in [
        [c.value for c in row] for row in recalc.iter_rows()]
    groups = [[c.value for c in row] for row in book[book.sheetnames[2]].iter_rows()]
    assert groups[-1] == ["Summe", 3, 198]  # 162.00 for April and 36.00 recalculated


def test_the_subsidy_list_shows_covered_meals_with_reason_and_totals(db, kita, setup):
    facility.save_facility_settings(db, replace(facility.get_facility_settings(db, kita.facility),
                                                standard_rate_meals=True, hardship_fund_payer_id=kita.youth_office,
                                                sibling_meal_payer_id=kita.social_office))
    billing_data.save_period(db, first_period(setup, meal_coverage=m.MealCoverage.HARDSHIP_FUND))
    run(db, kita.facility, "03.2026")
    meals = [b for b in postings(db) if b.category == "MEALS"]
    assert [(b.holder, b.amount) for b in meals] == [(kita.youth_office, "64.60")]
    report = subsidy_list_report(db, kita.facility, month("03.2026"))
    (section, by_reason) = report.sections
    assert [tuple(r) for r in section.rows] == [("Gerber, Mia", "aus dem Härtefallfonds", "Mittagessen", 17,
                                                 eur("3.80"), "Jugendamt Stuttgart", eur("64.60"))]
    assert section.totals[0][-1] == eur("64.60")
    assert [tuple(r) for r in by_reason.rows] == [("aus dem Härtefallfonds", 1, eur("64.60"))]
    text = _pdf_text(render_table_pdf(report))
    assert "Zuschussliste Essensgeld März 2026" in text and "64,60" in text
    cells = [[c.value for c in row] for row in load_workbook(io.BytesIO(render_table_xlsx(report))).active.iter_rows()]
    assert ["Gerber, Mia", "aus dem Härtefallfonds", "Mittagessen", 17, 3.8, "Jugendamt Stuttgart", 64.6] in cells
    assert subsidy_list_report(db, kita.facility, month("04.2026")).sections[0].rows == []


def test_the_run_row_records_who_when_counts_and_totals(db, kita, setup):
    billing_data.save_period(db, first_period(setup))
    result = run(db, kita.facility, "03.2026", user="Clara")
    with read_only(db) as session:
        row = session.get(BillingRun, result.run_id)
        assert (row.started_by, row.status, row.currency, row.month) == ("Clara", "POSTED", "EUR", month("03.2026"))
        assert row.finished_at is not None and row.finished_at >= row.started_at
        assert row.counts == {"attempt": 1, "children": 1, "children_billed": 1, "postings": 3, "regular": 3,
                              "recalculation": 0, "children_recalculated": 0, "accounts_opened": 2, "resets": 1, "periods": 1,
                              "problems": 0}
        assert row.totals["total"] == 19060 and row.totals["fee_groups"] == {str(setup.monthly): 12600}
        assert Money(row.totals["extra_costs"][str(setup.meals)], "EUR") == eur("64.60")


def test_the_subsidy_reason_comes_from_the_child_when_one_institution_pays_both(db, kita, setup):
    """One institution for both reasons: the list names the reason entered for the child."""
    facility.save_facility_settings(db, replace(facility.get_facility_settings(db, kita.facility),
                                                standard_rate_meals=True, hardship_fund_payer_id=kita.youth_office,
                                                sibling_meal_payer_id=kita.youth_office))
    billing_data.save_period(db, first_period(setup, meal_coverage=m.MealCoverage.FROM_SECOND_SIBLING))
    run(db, kita.facility, "03.2026")
    (section, by_reason) = subsidy_list_report(db, kita.facility, month("03.2026")).sections
    assert [r[1] for r in section.rows] == ["ab 2. Geschwisterkind"]
    assert [r[0] for r in by_reason.rows] == ["ab 2. Geschwisterkind"]
