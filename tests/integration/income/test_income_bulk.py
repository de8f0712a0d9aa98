"""Bulk work: the children who need an assessment, and „alle vollständigen übertragen“ as one job with
one combined protocol, progress, a refused assessment among the others, and cancel."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from sollhaben.domain.income.model import AssessmentStatus
from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import PersonInput
from sollhaben.services.income import assessments, bulk
from sollhaben.services.income.dto import DueReason
from sollhaben.services.kita import billing_data, children
from sollhaben.services.kita.dto import GuardianInput
from tests.integration.income.conftest import TODAY, Family, example, income_line, month, new_person, periods, save, valid
from tests.integration.kita.billing_run_helpers import run, run_months, summary


def _second_child(db, f: Family) -> Family:
    """Mia's brother Leo: the same parents, the same facility, tier 5 from 01.2026."""
    child = children.create_child(db, f.org, PersonInput("NATURAL", "Gerber", "Leo", birth_date=date(2023, 1, 9)),
                                  today=TODAY)
    dto = children.save_guardians(db, child.id, child.version, [GuardianInput(f.mother), GuardianInput(f.father)])
    children.save_payers(db, child.id, dto.version, [f.mother])
    children.save_contract(db, m.Contract(child.id, f.facility, m.ContractStatus.ACTIVE, first_day=date(2025, 12, 1)))
    leo = replace(f, child=child.id)
    leo.period = billing_data.save_period(db, m.BillingPeriod(child.id, valid("01.2026"), (income_line(leo),),
                                                              version=0)).period.id
    return leo


def _status(db, assessment_id: int) -> AssessmentStatus:
    return assessments.get_assessment(db, assessment_id).assessment.status


def test_due_children_lists_ending_and_missing_assessments(db, family):
    mia = family
    leo = _second_child(db, mia)
    save(db, mia, example(mia, "01.2026", "07.2026"))
    assert [(r.child_name, r.reason) for r in bulk.due_children(db, mia.org, month("07.2026"))] == [
        ("Gerber, Leo", DueReason.MISSING), ("Gerber, Mia", DueReason.ENDS)]
    row = bulk.due_children(db, mia.org, month("07.2026"))[1]
    assert row.text == "Staffelberechnung 01.2026 – 07.2026 endet 07.2026; es folgt keine."
    assert (row.facility_name, str(row.valid)) == ("Kita Sonnenschein", "01.2026 – 07.2026")
    save(db, mia, example(mia, "08.2026"))  # the next one exists: Mia is no longer due
    save(db, leo, example(leo, "01.2026"))
    assert bulk.due_children(db, mia.org, month("07.2026")) == []
    assert [r.child_name for r in bulk.due_children(db, mia.org, month("07.2026"), facility_id=mia.facility2)] == []


def test_transfer_all_complete_gives_one_combined_protocol(db, family):
    mia = family
    leo = _second_child(db, mia)
    run_months(db, mia.facility, "01.2026", "03.2026")
    first = save(db, mia, example(mia, "01.2026", complete=True)).assessment
    second = save(db, leo, example(leo, "02.2026", household_size=3, complete=True)).assessment
    not_complete = save(db, mia, example(mia, "09.2026")).assessment  # closes Mia's first at 08.2026
    reports = []
    result = bulk.transfer_all_complete(db, mia.org, "anna", today=TODAY,
                                        progress=lambda done, total, text: reports.append((done, total)))
    assert (result.total, len(result.transferred), result.failed, result.cancelled) == (2, 2, (), False)
    assert reports == [(0, 2), (1, 2), (2, 2)]
    assert result.lines[0] == "Gerber, Mia – Staffelberechnung 01.2026 – 08.2026: Staffel 3"
    assert "  02.2026, Gerber, Laura: Die Sollstellung 04.2026 bucht -70,00 EUR nach (gebucht 250,00 EUR, neu " \
           "180,00 EUR)." in result.lines
    assert "Gerber, Leo – Staffelberechnung 02.2026 – offen: Staffel 4" in result.lines
    assert result.lines[-1] == "2 von 2 Staffelberechnungen übertragen, 0 nicht übertragen."
    assert (_status(db, first.id), _status(db, second.id), _status(db, not_complete.id)) == (
        AssessmentStatus.TRANSFERRED, AssessmentStatus.TRANSFERRED, AssessmentStatus.NOT_TRANSFERRED)
    assert periods(db, mia) == [("01.2026 – 08.2026", 3, "03.2026"), ("09.2026 – offen", 5, None)]
    assert periods(db, leo) == [("01.2026 – 01.2026", 5, "01.2026"), ("02.2026 – offen", 4, "03.2026")]
    run(db, mia.facility, "04.2026")
    recalculated = sorted((vm, holder, a) for vm, holder, _, a in summary(db)[6:] if vm != "04.2026")
    assert recalculated == sorted([(x, mia.mother, "-70.00") for x in ("01.2026", "02.2026", "03.2026")]
                                  + [(x, mia.mother, "-35.00") for x in ("02.2026", "03.2026")])
    assert bulk.transfer_all_complete(db, mia.org, "anna", today=TODAY).total == 0  # nothing left to do


def test_a_refused_assessment_is_listed_and_the_others_go_on(db, family):
    mia = family
    leo = _second_child(db, mia)
    refused = save(db, mia, example(mia, "03.2026", "08.2026", complete=True)).assessment
    period = billing_data.get_period(db, mia.period).period  # a fixed share above the new tier's fee
    billing_data.save_period(db, replace(period, fee_lines=(m.FeeLine(mia.income_group, tier=5, payers=(
        m.PayerShare(mia.mother, m.Money.of("200.00")), m.PayerShare(mia.father, takes_remainder=True))),)))
    save(db, leo, example(leo, "01.2026", complete=True))
    result = bulk.transfer_all_complete(db, mia.org, "anna", today=TODAY)
    assert [r.child_name for r in result.transferred] == ["Gerber, Leo"]
    [failure] = result.failed
    assert (failure.assessment_id, failure.child_name) == (refused.id, "Gerber, Mia")
    assert failure.message.startswith("Übertragen nicht möglich – Abrechnungszeitraum 03.2026 – 08.2026")
    assert "Gerber, Mia – Staffelberechnung 03.2026 – 08.2026: nicht übertragen" in result.lines
    assert periods(db, mia) == [("01.2026 – offen", 5, None)]
    assert _status(db, refused.id) is AssessmentStatus.NOT_TRANSFERRED


def test_cancel_stops_before_the_next_assessment_and_keeps_what_is_done(db, family):
    mia = family
    leo = _second_child(db, mia)
    first = save(db, mia, example(mia, "01.2026", complete=True)).assessment
    second = save(db, leo, example(leo, "01.2026", complete=True)).assessment
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 1  # after the first transfer

    result = bulk.transfer_all_complete(db, mia.org, "anna", today=TODAY, cancelled=cancelled)
    assert (len(result.transferred), result.total, result.cancelled) == (1, 2, True)
    assert "Abgebrochen" in result.lines[-1]
    assert (_status(db, first.id), _status(db, second.id)) == (AssessmentStatus.TRANSFERRED,
                                                               AssessmentStatus.NOT_TRANSFERRED)
    assert periods(db, leo) == [("01.2026 – offen", 5, None)]
    again = bulk.transfer_all_complete(db, mia.org, "anna", today=TODAY)  # the resumable point
    assert (again.total, [r.assessment_id for r in again.transferred]) == (1, [second.id])
