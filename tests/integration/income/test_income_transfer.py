"""The transfer through the services and the database: the spec's example end to end (the April run
posts −70.00 for each of January to March), splits, a changed fee group, the lock option."""
from __future__ import annotations

from dataclasses import replace

import pytest

from sollhaben.domain.errors import ConflictError, ValidationError
from sollhaben.domain.income.model import AssessmentStatus
from sollhaben.domain.income.transfer_protocol import ProtocolKind
from sollhaben.domain.kita import model as m
from sollhaben.services.income import assessments, transfer
from sollhaben.services.kita import billing_data, facility
from tests.integration.income.conftest import TODAY, counts, eur, example, income_line, month, periods, save
from tests.integration.kita.billing_run_helpers import ledger_problems, run, run_months, summary


def _transfer(db, assessment_id: int, **kwargs):
    return transfer.transfer_assessment(db, assessment_id, "anna", today=TODAY, **kwargs)


def test_the_spec_example_end_to_end(db, family):
    f = family
    run_months(db, f.facility, "01.2026", "03.2026")  # billed at tier 5 = 250.00
    assert [a for _, _, _, a in summary(db)] == ["250.00"] * 3
    saved = save(db, f, example(f))
    calc = saved.calculation
    assert (calc.annual_income, calc.monthly_income, calc.exemption, calc.income_after_exemption, calc.threshold,
            calc.relevant_amount, calc.tier) == (eur("36000.00"), eur("3000.00"), eur("200.00"), eur("2800.00"),
                                                 eur("2400.00"), eur("400.00"), 3)
    assert saved.assessment.status is AssessmentStatus.NOT_TRANSFERRED

    result = _transfer(db, saved.assessment.id, version=saved.assessment.version)
    assert (result.tier, str(result.run_month), result.periods_changed, result.periods_created) == (3, "04.2026", 1, 0)
    assert result.lines == (
        "Staffel 3 übertragen für 01.2026 – offen.",
        f"Beitragsgruppe „Kindergarten einkommensabhängig“, Zeitraum 01.2026 – offen: Staffel 5 → Staffel 3.",
        "01.2026, Gerber, Laura: Die Sollstellung 04.2026 bucht -70,00 EUR nach (gebucht 250,00 EUR, neu 180,00 EUR).",
        "02.2026, Gerber, Laura: Die Sollstellung 04.2026 bucht -70,00 EUR nach (gebucht 250,00 EUR, neu 180,00 EUR).",
        "03.2026, Gerber, Laura: Die Sollstellung 04.2026 bucht -70,00 EUR nach (gebucht 250,00 EUR, neu 180,00 EUR).",
    )
    assert periods(db, f) == [("01.2026 – offen", 3, "03.2026")]  # changed in place, billed months kept
    assert summary(db) and len(summary(db)) == 3  # the transfer posts nothing
    stored = assessments.get_assessment(db, saved.assessment.id)
    assert stored.assessment.status is AssessmentStatus.TRANSFERRED
    assert stored.transfers[0].lines == result.lines and stored.transfers[0].transferred_by == "anna"

    run(db, f.facility, "04.2026")
    assert summary(db)[3:] == [("01.2026", f.mother, f"FEE:{f.income_group}", "-70.00"),
                               ("02.2026", f.mother, f"FEE:{f.income_group}", "-70.00"),
                               ("03.2026", f.mother, f"FEE:{f.income_group}", "-70.00"),
                               ("04.2026", f.mother, f"FEE:{f.income_group}", "180.00")]
    assert ledger_problems(db) == []


def test_a_period_starting_before_valid_from_is_split(db, family):
    f = family
    run_months(db, f.facility, "01.2026", "03.2026")
    saved = save(db, f, example(f, "02.2026"))
    result = _transfer(db, saved.assessment.id)
    assert periods(db, f) == [("01.2026 – 01.2026", 5, "01.2026"), ("02.2026 – offen", 3, "03.2026")]
    assert [line.kind for line in result.protocol].count(ProtocolKind.DIFFERENCE) == 2
    run(db, f.facility, "04.2026")
    assert [(vm, a) for vm, _, _, a in summary(db)[3:]] == [("02.2026", "-70.00"), ("03.2026", "-70.00"),
                                                            ("04.2026", "180.00")]


def test_split_at_both_borders(db, family):
    f = family
    saved = save(db, f, example(f, "03.2026", "08.2026"))
    result = _transfer(db, saved.assessment.id)
    assert periods(db, f) == [("01.2026 – 02.2026", 5, None), ("03.2026 – 08.2026", 3, None),
                              ("09.2026 – offen", 5, None)]
    assert [line.text for line in result.protocol if line.kind is ProtocolKind.PERIOD_CREATED] == [
        "Neuer Abrechnungszeitraum 03.2026 – 08.2026 mit Staffel 3 (Kopie des bisherigen Zeitraums).",
        "Neuer Abrechnungszeitraum 09.2026 – offen mit den bisherigen Staffeln (Kopie des bisherigen Zeitraums)."]
    again = _transfer(db, saved.assessment.id)  # a second transfer of the same tier changes nothing
    assert again.periods_changed == again.periods_created == 0
    assert again.protocol[-1].kind is ProtocolKind.NOTHING_CHANGED


def test_a_transfer_on_locked_periods_keeps_the_billed_months(db, family):
    f = family
    settings = facility.get_facility_settings(db, f.facility)
    facility.save_facility_settings(db, replace(settings, lock_billed=True))
    run_months(db, f.facility, "01.2026", "03.2026")
    saved = save(db, f, example(f))
    result = _transfer(db, saved.assessment.id)
    assert periods(db, f) == [("01.2026 – 03.2026", 5, "03.2026"), ("04.2026 – offen", 3, None)]
    assert any(line.kind is ProtocolKind.LOCKED_KEPT for line in result.protocol)
    assert "abgerechnet und gesperrt" in next(line.text for line in result.protocol
                                              if line.kind is ProtocolKind.PERIOD_CLOSED)
    assert not any(line.kind is ProtocolKind.DIFFERENCE for line in result.protocol)
    run(db, f.facility, "04.2026")
    assert [(vm, a) for vm, _, _, a in summary(db)[3:]] == [("04.2026", "180.00")]  # nothing recalculated


def test_a_fee_group_changed_after_billing_is_recalculated(db, family):
    f = family
    run_months(db, f.facility, "01.2026", "02.2026")
    period = billing_data.get_period(db, f.period).period  # the clerk moves the child to the chosen group
    billing_data.save_period(db, replace(period, fee_lines=(
        m.FeeLine(f.chosen_group, tier=2, payers=(m.PayerShare(f.mother),)), income_line(f))))
    saved = save(db, f, example(f))
    result = _transfer(db, saved.assessment.id)
    assert [line.text for line in result.protocol if line.kind is ProtocolKind.DIFFERENCE] == [
        "01.2026, Gerber, Laura: Die Sollstellung 03.2026 bucht -70,00 EUR nach (gebucht 250,00 EUR, neu 180,00 EUR).",
        "02.2026, Gerber, Laura: Die Sollstellung 03.2026 bucht -70,00 EUR nach (gebucht 250,00 EUR, neu 180,00 EUR).",
    ]
    run(db, f.facility, "03.2026")
    recalculated = [(vm, line, a) for vm, _, line, a in summary(db)[2:] if vm != "03.2026"]
    assert sorted(recalculated) == sorted([
        ("01.2026", f"FEE:{f.chosen_group}", "140.00"), ("01.2026", f"FEE:{f.income_group}", "-70.00"),
        ("02.2026", f"FEE:{f.chosen_group}", "140.00"), ("02.2026", f"FEE:{f.income_group}", "-70.00")])
    assert ledger_problems(db) == []


def test_a_stale_version_is_a_conflict_and_stores_nothing(db, family):
    f = family
    saved = save(db, f, example(f))
    save(db, f, replace(saved.assessment, household_size=5))  # someone else saved in between
    before = counts(db)
    with pytest.raises(ConflictError):
        _transfer(db, saved.assessment.id, version=saved.assessment.version)
    with pytest.raises(ConflictError):
        save(db, f, replace(saved.assessment, household_size=3))
    assert counts(db) == before and periods(db, f) == [("01.2026 – offen", 5, None)]


def test_a_refused_period_refuses_the_whole_transfer(db, family):
    f = family
    saved = save(db, f, example(f, "03.2026", "08.2026"))
    period = billing_data.get_period(db, f.period).period  # fixed share 200.00: more than tier 3 (180.00)
    billing_data.save_period(db, replace(period, fee_lines=(m.FeeLine(f.income_group, tier=5, payers=(
        m.PayerShare(f.mother, eur("200.00")), m.PayerShare(f.father, takes_remainder=True))),)))
    before = counts(db)
    with pytest.raises(ValidationError) as refused:
        _transfer(db, saved.assessment.id)
    assert "Übertragen nicht möglich – Abrechnungszeitraum 03.2026 – 08.2026" in str(refused.value)
    assert counts(db) == before and periods(db, f) == [("01.2026 – offen", 5, None)]
    assert assessments.get_assessment(db, saved.assessment.id).assessment.status is AssessmentStatus.NOT_TRANSFERRED


def test_editing_a_transferred_assessment_sets_status_1(db, family):
    f = family
    saved = save(db, f, example(f))
    done = _transfer(db, saved.assessment.id)
    current = assessments.get_assessment(db, saved.assessment.id).assessment
    assert current.version == done.assessment_version
    info_only = save(db, f, replace(current, complete=True))
    assert info_only.assessment.status is AssessmentStatus.TRANSFERRED
    changed = save(db, f, replace(info_only.assessment, household_size=3))
    assert changed.assessment.status is AssessmentStatus.NOT_TRANSFERRED
    assert month("01.2026") == changed.assessment.valid_from
