"""The month a facility's next billing run is for, and why (for the page "Sollstellung").

Months run in order (`domain.kita.run_plan.check_run_month`): after a run, the month after the
facility's last run that was not undone; before the first run, the facility's first billing month
(settings) when it is set. Without either, any month may be the first: the month of the earliest
first care day of a contract in the facility is proposed.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from sollhaben.domain.months import Month
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Contract
from sollhaben.services.kita.billing_run_load import require_facility, run_history
from sollhaben.services.kita.facility import settings_in
from sollhaben.services.unit_of_work import read_only


@dataclass(frozen=True)
class NextRunMonth:
    facility_id: int
    month: Month | None  # None: no run, no first billing month and no contract with a first care day
    reason: str  # German: why this month is next
    last_month: Month | None  # the month of the last run that was not undone
    first_billing_month: Month | None  # from the facility settings
    free: bool  # no run yet and no first billing month: the first run may be for any month


def next_run_month(db: Database, facility_id: int) -> NextRunMonth:
    with read_only(db) as session:
        require_facility(session, facility_id)
        history = run_history(session, facility_id)
        first = settings_in(session, facility_id).first_billing_month
        if history.last_month is not None:
            month = history.last_month + 1
            return NextRunMonth(facility_id, month, f"Die letzte Sollstellung war für {history.last_month}; "
                                f"Monate werden der Reihe nach abgerechnet.", history.last_month, first, False)
        if first is not None:
            return NextRunMonth(facility_id, first, f"Noch keine Sollstellung: die Einrichtung rechnet ab {first} ab "
                                "(erster Abrechnungsmonat in den Einstellungen der Einrichtung).", None, first, False)
        earliest = session.scalar(select(func.min(Contract.first_day)).where(Contract.facility_id == facility_id))
    if earliest is None:
        return NextRunMonth(facility_id, None, "Noch keine Sollstellung und noch kein Vertrag mit einem ersten "
                            "Betreuungstag.", None, None, True)
    month = Month.of(earliest)
    return NextRunMonth(facility_id, month, f"Noch keine Sollstellung und kein erster Abrechnungsmonat eingestellt: "
                        f"vorgeschlagen ist der Monat des ersten Betreuungstags ({month}).", None, None, True)
