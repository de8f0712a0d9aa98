"""Quick entry on SQLite and PostgreSQL: the grid of a facility and month, saving many cells in one
transaction, all-or-nothing with every bad cell named, optimistic locking and the lock option."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sollhaben.domain.errors import ConflictError, ValidationError
from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import PersonInput
from sollhaben.services import audit_log
from sollhaben.services.kita import billing_data, children, facility
from sollhaben.services.kita.dto import QuickChange
from tests.integration.kita.conftest import TODAY, eur, first_period, month, set_billed_through, valid


@pytest.fixture
def grid_children(db, kita, setup):
    """Mia (MONTHLY fee, meals PER_UNIT, trip INDIVIDUAL without reset) and Noah (INDIVIDUAL fee
    with reset and a fixed discount, meals), both in care in March 2026; Ella left in February."""
    mia = billing_data.save_period(db, first_period(setup, extra_lines=(
        m.ExtraLine(setup.meals, count=17, payers=(m.PayerShare(setup.mother),)),
        m.ExtraLine(setup.trip, amount=eur("12.00"), payers=(m.PayerShare(setup.father),))))).period

    def child(first, last, born, first_day, last_day=None):
        dto = children.create_child(db, kita.id, PersonInput("NATURAL", last, first, birth_date=born), today=TODAY)
        dto = children.save_payers(db, dto.id, dto.version, [setup.mother])
        status = m.ContractStatus.DEREGISTERED if last_day else m.ContractStatus.ACTIVE
        children.save_contract(db, m.Contract(dto.id, kita.facility, status, first_day=first_day, last_day=last_day))
        return dto.id

    noah = child("Noah", "Arndt", date(2021, 1, 9), date(2025, 9, 1))
    noah_period = billing_data.save_period(db, m.BillingPeriod(
        noah, valid("01.2026"),
        fee_lines=(m.FeeLine(setup.individual, amount=eur("40.00"), reset=True, discount_ids=(setup.fixed,),
                             payers=(m.PayerShare(setup.mother),)),),
        extra_lines=(m.ExtraLine(setup.meals, count=4, payers=(m.PayerShare(setup.mother),)),))).period
    ella = child("Ella", "Zorn", date(2020, 6, 1), date(2025, 9, 1), date(2026, 2, 28))
    billing_data.save_period(db, m.BillingPeriod(ella, valid("01.2026"), extra_lines=(
        m.ExtraLine(setup.meals, count=9, payers=(m.PayerShare(setup.mother),)),)))
    return {"mia": mia, "noah": noah_period}


def test_the_grid_has_a_row_per_child_in_care_and_a_column_per_count_or_amount(db, kita, setup, grid_children):
    grid = billing_data.quick_entry_rows(db, kita.facility, month("03.2026"))
    assert [(c.key, c.name, c.mode) for c in grid.columns] == [
        (f"FEE:{setup.individual}", "Individuell", m.BillingMode.INDIVIDUAL),
        (f"EXTRA:{setup.trip}", "Ausflug", m.BillingMode.INDIVIDUAL),
        (f"EXTRA:{setup.meals}", "Mittagessen", m.BillingMode.PER_UNIT)]
    # Ella left in February: her February meals are counted in March (billed once more after leaving)
    assert [r.name for r in grid.rows] == ["Arndt, Noah", "Gerber, Mia", "Zorn, Ella (abgemeldet)"]
    noah, mia, ella = grid.rows
    assert {k: c.value for k, c in ella.cells.items()} == {f"EXTRA:{setup.meals}": 9}
    assert {k: c.value for k, c in noah.cells.items()} == {f"FEE:{setup.individual}": eur("40.00"),
                                                          f"EXTRA:{setup.meals}": 4}
    assert {k: c.value for k, c in mia.cells.items()} == {f"EXTRA:{setup.trip}": eur("12.00"),
                                                         f"EXTRA:{setup.meals}": 17}
    assert grid.total(f"EXTRA:{setup.meals}") == 30 and grid.total(f"EXTRA:{setup.trip}") == eur("12.00")
    assert [r.name for r in billing_data.quick_entry_rows(db, kita.facility, month("04.2026")).rows] == [
        "Arndt, Noah", "Gerber, Mia"]  # only the month right after leaving
    assert [r.name for r in billing_data.quick_entry_rows(db, kita.facility, month("02.2026")).rows] == [
        "Arndt, Noah", "Zorn, Ella"]  # Mia's contract starts in March
    assert billing_data.quick_entry_rows(db, kita.facility2, month("03.2026")).rows == ()


def test_saving_many_cells_in_one_transaction(db, kita, setup, grid_children):
    grid = billing_data.quick_entry_rows(db, kita.facility, month("03.2026"))
    noah, mia, _ella = grid.rows
    saved = billing_data.save_quick_entry(db, kita.facility, month("03.2026"), [
        QuickChange(mia.child_id, f"EXTRA:{setup.meals}", "19", mia.period_version),
        QuickChange(mia.child_id, f"EXTRA:{setup.trip}", "7,50", mia.period_version),
        QuickChange(noah.child_id, f"FEE:{setup.individual}", eur("55.00"), noah.period_version),
        QuickChange(noah.child_id, f"EXTRA:{setup.meals}", "", noah.period_version)])
    noah, mia, _ella = saved.rows
    assert (mia.cells[f"EXTRA:{setup.meals}"].value, mia.cells[f"EXTRA:{setup.trip}"].value) == (19, eur("7.50"))
    assert (noah.cells[f"FEE:{setup.individual}"].value, noah.cells[f"EXTRA:{setup.meals}"].value) == (eur("55.00"), 0)
    assert mia.period_version == grid.rows[1].period_version + 1
    assert saved == billing_data.quick_entry_rows(db, kita.facility, month("03.2026"))
    period = billing_data.get_period(db, grid_children["mia"].id).period
    assert [(e.count, e.amount) for e in period.extra_lines] == [(19, None), (0, eur("7.50"))]
    assert ("extra_line", "count", "17", "19") in {
        (e.table_name, e.field, e.old_value, e.new_value) for e in audit_log.history(db, "child", setup.child)}


def test_bad_cells_are_all_reported_and_nothing_is_stored(db, kita, setup, grid_children):
    before = billing_data.quick_entry_rows(db, kita.facility, month("03.2026"))
    noah, mia, _ella = before.rows
    with pytest.raises(ValidationError) as exc:
        billing_data.save_quick_entry(db, kita.facility, month("03.2026"), [
            QuickChange(mia.child_id, f"EXTRA:{setup.meals}", "18"),  # fine, but not stored either
            QuickChange(mia.child_id, f"EXTRA:{setup.trip}", "zwölf"),
            QuickChange(noah.child_id, f"EXTRA:{setup.meals}", "-3"),
            QuickChange(noah.child_id, f"EXTRA:{setup.meals}", "2.5"),
            QuickChange(noah.child_id, f"FEE:{setup.individual}", "-1,00"),
            QuickChange(noah.child_id, f"EXTRA:{setup.trip}", "5"),
            QuickChange(999, f"EXTRA:{setup.meals}", "1")])
    assert [(e.field, e.message) for e in exc.value.errors] == [
        (f"cells[{mia.child_id}][EXTRA:{setup.trip}]", "„Gerber, Mia“, Ausflug: „zwölf“ ist kein gültiger Betrag."),
        (f"cells[{noah.child_id}][EXTRA:{setup.meals}]",
         "„Arndt, Noah“, Mittagessen: „-3“ ist keine Anzahl; bitte eine ganze Zahl ab 0 eingeben."),
        (f"cells[{noah.child_id}][EXTRA:{setup.meals}]",
         "„Arndt, Noah“, Mittagessen: „2.5“ ist keine Anzahl; bitte eine ganze Zahl ab 0 eingeben."),
        (f"cells[{noah.child_id}][FEE:{setup.individual}]", "„Arndt, Noah“, Individuell: Der Betrag darf nicht "
                                                            "negativ sein."),
        (f"cells[{noah.child_id}][EXTRA:{setup.trip}]", f"„Arndt, Noah“, Spalte EXTRA:{setup.trip}: Das Kind hat "
                                                        "diese Position nicht."),
        (f"cells[999][EXTRA:{setup.meals}]", "Zeile 999: Das Kind hat im Monat 03.2026 in dieser Einrichtung keine "
                                             "Abrechnungsdaten."),
    ]
    assert billing_data.quick_entry_rows(db, kita.facility, month("03.2026")) == before


def test_an_amount_below_the_discounts_is_refused_at_its_cell(db, kita, setup, grid_children):
    noah = billing_data.quick_entry_rows(db, kita.facility, month("03.2026")).rows[0]
    with pytest.raises(ValidationError) as exc:  # the fixed discount is 0.80
        billing_data.save_quick_entry(db, kita.facility, month("03.2026"), [
            QuickChange(noah.child_id, f"FEE:{setup.individual}", "0,50")])
    (error,) = exc.value.errors
    assert error.field == f"cells[{noah.child_id}][FEE:{setup.individual}]"
    assert error.message.startswith("„Arndt, Noah“: Beitrag, Zeile 1 („Individuell“)")
    assert "darf nicht negativ werden" in error.message
    saved = billing_data.save_quick_entry(db, kita.facility, month("03.2026"), [
        QuickChange(noah.child_id, f"FEE:{setup.individual}", "0,80")])  # net 0: allowed
    assert saved.rows[0].cells[f"FEE:{setup.individual}"].value == eur("0.80")


def test_a_row_changed_since_the_grid_was_loaded_is_a_conflict(db, kita, setup, grid_children):
    mia = billing_data.quick_entry_rows(db, kita.facility, month("03.2026")).rows[1]
    billing_data.save_period(db, replace(grid_children["mia"], siblings_manual=1))
    with pytest.raises(ConflictError, match="Die Abrechnungsdaten von „Gerber, Mia“ wurde inzwischen"):
        billing_data.save_quick_entry(db, kita.facility, month("03.2026"), [
            QuickChange(mia.child_id, f"EXTRA:{setup.meals}", "3", mia.period_version)])
    assert billing_data.quick_entry_rows(db, kita.facility, month("03.2026")).rows[1].cells[
        f"EXTRA:{setup.meals}"].value == 17


def test_with_the_lock_option_only_the_next_runs_counts_stay_editable(db, kita, setup, grid_children):
    set_billed_through(db, grid_children["mia"].id, month("03.2026"))
    settings = facility.get_facility_settings(db, kita.facility)
    facility.save_facility_settings(db, replace(settings, lock_billed=True))
    mia = billing_data.quick_entry_rows(db, kita.facility, month("03.2026")).rows[1]
    assert mia.locked
    assert (mia.cells[f"EXTRA:{setup.meals}"].editable, mia.cells[f"EXTRA:{setup.trip}"].editable) == (True, False)
    with pytest.raises(ValidationError) as exc:
        billing_data.save_quick_entry(db, kita.facility, month("03.2026"), [
            QuickChange(mia.child_id, f"EXTRA:{setup.trip}", "1,00")])
    assert exc.value.errors[0].message.startswith("„Gerber, Mia“, Ausflug: Die Abrechnungsdaten sind bis 03.2026 "
                                                  "abgerechnet und gesperrt")
    saved = billing_data.save_quick_entry(db, kita.facility, month("03.2026"), [
        QuickChange(mia.child_id, f"EXTRA:{setup.meals}", 5)])
    assert saved.rows[1].cells[f"EXTRA:{setup.meals}"].value == 5
