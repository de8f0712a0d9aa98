"""The month a facility's next billing run is for (SQLite and PostgreSQL)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from sollhaben.domain.errors import NotFoundError
from sollhaben.services.kita import billing_data, facility
from sollhaben.services.kita.billing_run_next import next_run_month
from sollhaben.services.kita.billing_run_undo import undo_last_run
from tests.integration.kita.billing_run_helpers import RUN_DAY, run, run_months
from tests.integration.kita.conftest import first_period, month


def test_without_runs_the_month_of_the_first_care_day_is_proposed(db, kita, setup):
    found = next_run_month(db, kita.facility)
    assert (found.month, found.last_month, found.first_billing_month, found.free) == (month("03.2026"), None, None,
                                                                                     True)
    assert "Monat des ersten Betreuungstags (03.2026)" in found.reason
    empty = next_run_month(db, kita.facility2)  # no contract there
    assert (empty.month, empty.free) == (None, True)
    assert empty.reason == "Noch keine Sollstellung und noch kein Vertrag mit einem ersten Betreuungstag."
    with pytest.raises(NotFoundError):
        next_run_month(db, kita.office + 1000)


def test_the_first_billing_month_of_the_settings_comes_first(db, kita, setup):
    facility.save_facility_settings(db, replace(facility.get_facility_settings(db, kita.facility),
                                                first_billing_month=month("05.2026")))
    found = next_run_month(db, kita.facility)
    assert (found.month, found.first_billing_month, found.free) == (month("05.2026"), month("05.2026"), False)
    assert found.reason.startswith("Noch keine Sollstellung: die Einrichtung rechnet ab 05.2026 ab")


def test_after_runs_the_next_month_and_after_an_undo_the_same_month_again(db, kita, setup):
    billing_data.save_period(db, first_period(setup))
    run_months(db, kita.facility, "03.2026", "04.2026")
    found = next_run_month(db, kita.facility)
    assert (found.month, found.last_month, found.free) == (month("05.2026"), month("04.2026"), False)
    assert found.reason == "Die letzte Sollstellung war für 04.2026; Monate werden der Reihe nach abgerechnet."
    undo_last_run(db, kita.facility, "anna", today=RUN_DAY)
    assert next_run_month(db, kita.facility).month == month("04.2026")
    run(db, kita.facility, "04.2026")
    assert next_run_month(db, kita.facility).month == month("05.2026")
