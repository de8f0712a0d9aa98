"""Fee assessment letters on SQLite and PostgreSQL: the letter data (shares, the "offener Betrag"
rule, fixed INDIVIDUAL lines, totals, payment), change detection against the recorded hash, the
record of issued letters, one PDF or one per recipient, and a cancelled run recording nothing."""
from __future__ import annotations

import io
from concurrent.futures import CancelledError
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.kita import model as m
from sollhaben.domain.months import Month
from sollhaben.persistence.models import Account, FeeAssessmentLetter
from sollhaben.reports.kita_assessment_model import PaymentMethod
from sollhaben.services.kita import billing_data, facility, fee_assessment
from sollhaben.services.kita import fee_assessment_payment as payment
from tests.integration.kita.test_fee_assessment_family import MARCH, TODAY, Family, build_family, valid


@pytest.fixture
def family(db) -> Family:
    return build_family(db, "DE")



def letters_in(db) -> list[FeeAssessmentLetter]:
    with db.session() as session:
        return list(session.scalars(select(FeeAssessmentLetter).order_by(FeeAssessmentLetter.id)))


def count_letters(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(FeeAssessmentLetter))


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# --- the letter data ------------------------------------------------------------------------------

def test_the_mothers_letter_lists_both_children_with_her_shares_and_the_open_lines(db, family):
    a = fee_assessment.assessment_for(db, family.facility, family.mother, MARCH, today=TODAY)
    eur = family.money
    assert a.recipient == ("Frau Laura Gerber", "Gartenweg 7", "70174 Stuttgart")
    assert a.salutation == "Sehr geehrte Frau Gerber,"
    assert [c.name for c in a.children] == ["Leon Gerber", "Mia Gerber"]  # by name
    leon, mia = a.children
    [fee] = leon.fees
    assert (fee.name, fee.tier, fee.monthly, fee.net, fee.share, fee.shared) == (
        "Kindergarten", "Stufe 1", eur("1234.50"), eur("925.87"), eur("925.87"), False)
    assert [(d.name, d.amount) for d in fee.deductions] == [("Geschwisterermäßigung (25 %)", eur("308.63"))]
    [krippe] = mia.fees
    assert (krippe.monthly, krippe.net, krippe.share, krippe.shared) == (eur("980.00"), eur("980.00"),
                                                                        eur("900.00"), True)
    extras = {line.name: line for line in mia.extras}
    assert extras["Getränkegeld"].share == eur("5.50")  # MONTHLY: fixed
    assert extras["Bastelgeld"].share == eur("8.00")  # INDIVIDUAL without reset: the stored amount
    assert extras["Mittagessen"].is_open and extras["Mittagessen"].monthly is None  # PER_UNIT: open
    assert extras["Mittagessen"].detail == "3,80 je Einheit"
    assert extras["Ausflüge"].is_open  # INDIVIDUAL with reset: open, whatever is entered now
    assert (mia.total, leon.total, a.total) == (eur("913.50"), eur("925.87"), eur("1839.37"))
    assert a.has_open and not a.problems
    assert a.payment.method is PaymentMethod.TRANSFER and a.payment.due_day == 15
    assert (a.payment.first_due, a.payment.first_amount) == (date(2026, 3, 15), eur("1839.37"))
    assert a.payment.iban == "DE89 3704 0044 0532 0130 00" and a.payment.reference.startswith("RF")


def test_the_fathers_letter_holds_his_remainder_only(db, family):
    a = fee_assessment.assessment_for(db, family.facility, family.father, MARCH, today=TODAY)
    [mia] = a.children
    assert [line.name for line in mia.lines] == ["Krippe"]
    assert mia.fees[0].share == family.money("80.00") and a.total == family.money("80.00")
    assert a.salutation == "Sehr geehrter Herr Gerber," and a.recipient[0] == "Herrn Reto Gerber"
    assert not a.has_open


def test_an_institution_gets_its_share_and_the_institutional_salutation(db, family):
    period = replace(family.mia_period, fee_lines=(m.FeeLine(family.krippe, tier=2, payers=(
        m.PayerShare(family.youth_office, family.money("500.00")),
        m.PayerShare(family.mother, takes_remainder=True))),))
    billing_data.save_period(db, period)
    a = fee_assessment.assessment_for(db, family.facility, family.youth_office, MARCH, today=TODAY)
    assert a.institution and a.salutation == "Sehr geehrte Damen und Herren,"
    assert a.total == family.money("500.00") and a.recipient[0] == "Jugendamt Stuttgart"


def test_an_individual_fee_with_reset_is_open_even_with_a_special_discount(db, family):
    from sollhaben.services.kita import catalogue

    individual = catalogue.save_fee_group(db, family.org, m.FeeGroup(
        "Individuell", m.BillingMode.INDIVIDUAL, m.TierSource.CHOSEN, (m.FeeGroupVersion(valid("01.2026"), ()),)))
    leon = billing_data.get_period(db, family.leon_period.id).period
    billing_data.save_period(db, replace(leon, fee_lines=leon.fee_lines + (m.FeeLine(
        individual.group.id, amount=family.money("40.00"), reset=True, special_discount=family.money("10.00")),)))
    a = fee_assessment.assessment_for(db, family.facility, family.mother, MARCH, today=TODAY)
    line = next(line for c in a.children for line in c.fees if line.name == "Individuell")
    assert line.is_open and not line.deductions and not a.problems
    assert line.detail == "Der Betrag wird jeden Monat neu festgelegt."
    assert a.total == family.money("1839.37")  # unchanged: the open line adds nothing fixed


def test_meals_covered_by_the_hardship_fund_go_to_the_institutions_letter(db, family):
    settings = facility.get_facility_settings(db, family.facility)
    facility.save_facility_settings(db, replace(settings, standard_rate_meals=True,
                                                hardship_fund_payer_id=family.youth_office,
                                                sibling_meal_payer_id=family.youth_office))
    mia = billing_data.get_period(db, family.mia_period.id).period
    billing_data.save_period(db, replace(mia, meal_coverage=m.MealCoverage.HARDSHIP_FUND))
    office = fee_assessment.assessment_for(db, family.facility, family.youth_office, MARCH, today=TODAY)
    assert [(c.name, [line.name for line in c.lines]) for c in office.children] == [("Mia Gerber", ["Mittagessen"])]
    assert office.children[0].extras[0].is_open and office.total == family.money("0.00")
    mother = fee_assessment.assessment_for(db, family.facility, family.mother, MARCH, today=TODAY)
    mia_lines = next(c for c in mother.children if c.name == "Mia Gerber").lines
    assert "Mittagessen" not in [line.name for line in mia_lines]
    listed = {r.payer_id for r in fee_assessment.payers_with_changes(db, family.facility, MARCH, today=TODAY)}
    assert listed == {family.mother, family.father, family.youth_office}


def test_a_payer_without_lines_in_the_facility_is_not_found(db, family):
    with pytest.raises(NotFoundError, match="für kein Kind"):
        fee_assessment.assessment_for(db, family.facility, family.youth_office, MARCH, today=TODAY)


def test_the_daily_worked_example_and_a_partial_first_month(db, family):
    """12.40 per day from 14.03.2026: 18 days = 223.20; mother 5.00 per day = 90.00, father 133.20."""
    from sollhaben.services.kita import children

    [contract] = children.get_child(db, family.mia).contracts
    children.save_contract(db, replace(contract.contract, first_day=date(2026, 3, 14)))
    billing_data.save_period(db, replace(family.mia_period, fee_lines=(m.FeeLine(family.daily, tier=1, payers=(
        m.PayerShare(family.mother, family.money("5.00")), m.PayerShare(family.father, takes_remainder=True))),)))
    mother = fee_assessment.assessment_for(db, family.facility, family.mother, MARCH, today=TODAY)
    father = fee_assessment.assessment_for(db, family.facility, family.father, MARCH, today=TODAY)
    mia = next(c for c in mother.children if c.name == "Mia Gerber")
    assert (mia.fees[0].monthly, mia.fees[0].share) == (family.money("223.20"), family.money("90.00"))
    assert mia.fees[0].detail == "12,40 je Tag × 18 Tage" and mia.partial_days == (18, 31)
    assert father.children[0].fees[0].share == family.money("133.20")
    # April (30 full days) says the same per day: not a change
    april = fee_assessment.assessment_for(db, family.facility, family.father, Month(2026, 4), today=TODAY)
    assert april.children[0].fees[0].share == family.money("222.00")  # 7.40 × 30 days
    assert april.data_hash == father.data_hash


def test_a_child_starting_later_is_listed_from_its_first_month(db, family):
    a = fee_assessment.assessment_for(db, family.facility, family.mother, Month(2026, 2), today=TODAY)
    assert {c.month for c in a.children} == {MARCH}
    assert a.payment.first_amount == family.money("0.00")  # February: no child in care yet


def test_fee_free_month_moves_the_first_due_date(db, family):
    settings = facility.get_facility_settings(db, family.facility)
    facility.save_facility_settings(db, replace(settings, fee_free_months=frozenset({8})))
    a = fee_assessment.assessment_for(db, family.facility, family.mother, Month(2026, 8), today=TODAY)
    assert a.fee_free_months == (8,) and a.payment.first_due == date(2026, 9, 15)


def test_a_sepa_mandate_found_by_the_hook_makes_a_direct_debit_letter(db, family):
    def lookup(_session, organization_id, payer_ids, month):
        assert organization_id == family.org and month == MARCH
        return {family.mother: payment.Mandate("KITA-000042", "DE02120300000000202051")} \
            if family.mother in payer_ids else {}

    payment.set_mandate_lookup(lookup)
    try:
        before = fee_assessment.payer_overview(db, family.facility, MARCH, today=TODAY)
        a = fee_assessment.assessment_for(db, family.facility, family.mother, MARCH, today=TODAY)
    finally:
        payment.set_mandate_lookup(None)
    p = a.payment
    assert (p.method, p.mandate_reference, p.creditor_id) == (PaymentMethod.SEPA_DEBIT, "KITA-000042",
                                                              "DE98ZZZ09999999999")
    assert p.iban == "DE02 1203 0000 0000 2020 51"
    after = fee_assessment.payer_overview(db, family.facility, MARCH, today=TODAY)
    mother = {r.payer_id: r for r in before.payers}[family.mother]
    assert mother.data_hash != {r.payer_id: r for r in after.payers}[family.mother].data_hash  # a mandate is news


def test_a_line_that_cannot_be_computed_stops_the_print_run_and_names_the_payer(db, family):
    settings = facility.get_facility_settings(db, family.facility)
    period = replace(family.leon_period, extra_lines=())
    billing_data.save_period(db, period)
    with db.session() as session:  # the tier vanishes from the catalogue (as a broken import could leave it)
        from sollhaben.persistence.models import FeeTier

        session.query(FeeTier).filter(FeeTier.fee_group_id == family.kindergarten).delete()
        session.commit()
    overview = fee_assessment.payer_overview(db, family.facility, MARCH, today=TODAY)
    mother = {r.payer_id: r for r in overview.payers}[family.mother]
    assert any("Leon Gerber" in p and "Kindergarten" in p for p in mother.problems)
    with pytest.raises(ValidationError) as caught:
        fee_assessment.render_assessments(db, family.facility, [family.mother, family.father], MARCH, today=TODAY)
    assert caught.value.errors[0].field == f"payers[{family.mother}]"
    assert count_letters(db) == 0
    assert settings is not None


def test_children_without_billing_data_are_named_in_the_overview(db, family):
    with db.session() as session:
        from sollhaben.persistence.models import BillingPeriod

        session.query(BillingPeriod).filter(BillingPeriod.id == family.leon_period.id).delete()
        session.commit()
    overview = fee_assessment.payer_overview(db, family.facility, MARCH, today=TODAY)
    assert overview.without_data == ("Leon Gerber: keine Abrechnungsdaten für 03.2026",)


# --- change detection and recording ---------------------------------------------------------------

def test_change_detection_lists_new_payers_then_none_then_the_one_whose_discount_changed(db, family):
    first = fee_assessment.payers_with_changes(db, family.facility, MARCH, today=TODAY)
    assert [(r.name, r.status) for r in first] == [("Gerber, Laura", "NEW"), ("Gerber, Reto", "NEW")]
    assert first[0].children == ("Leon Gerber", "Mia Gerber") and first[0].total == family.money("1839.37")
    fee_assessment.render_assessments(db, family.facility, [r.payer_id for r in first], MARCH, user="anna",
                                      today=TODAY)
    assert fee_assessment.payers_with_changes(db, family.facility, MARCH, today=TODAY) == []
    assert fee_assessment.payers_with_changes(db, family.facility, Month(2026, 6), today=TODAY) == []
    # a new discount on Leon's fee (all fees paid by the mother): only the mother is listed again
    leon = billing_data.get_period(db, family.leon_period.id).period
    billing_data.save_period(db, replace(leon, fee_lines=(replace(leon.fee_lines[0],
                                                                  discount_ids=(family.sibling, family.fixed)),)))
    again = fee_assessment.payers_with_changes(db, family.facility, MARCH, today=TODAY)
    assert [(r.payer_id, r.status, r.status_label) for r in again] == [(family.mother, "CHANGED", "geändert")]
    assert again[0].last_from == MARCH and again[0].last_issued is not None
    unchanged = {r.payer_id: r for r in fee_assessment.payer_overview(db, family.facility, MARCH).payers}
    assert unchanged[family.father].status == "UNCHANGED" and not unchanged[family.father].changed


def test_a_price_change_in_the_catalogue_counts_from_its_month(db, family):
    from sollhaben.services.kita import catalogue

    fee_assessment.render_assessments(db, family.facility, [family.mother, family.father], MARCH, today=TODAY)
    dto = catalogue.get_fee_group(db, family.krippe)
    old = dto.group.versions[0]
    raised = m.FeeGroupVersion(valid("09.2026"), tuple(replace(t, amount=family.money("1000.00")) if t.number == 2
                                                       else t for t in old.tiers))
    catalogue.save_fee_group(db, family.org, replace(dto.group, versions=(old, raised)), dto.version)
    assert fee_assessment.payers_with_changes(db, family.facility, Month(2026, 8), today=TODAY) == []
    changed = fee_assessment.payers_with_changes(db, family.facility, Month(2026, 9), today=TODAY)
    # the father's remainder is 100.00 instead of 80.00; the mother's share stays 900.00, but her letter
    # states the line's monthly amount (1,000.00 instead of 980.00)
    assert [r.payer_id for r in changed] == [family.mother, family.father]
    father = fee_assessment.assessment_for(db, family.facility, family.father, Month(2026, 9), today=TODAY)
    assert father.total == family.money("100.00")


def test_each_issued_letter_is_recorded_with_its_hash(db, family):
    letters = fee_assessment.build_assessments(db, family.facility, [family.mother, family.father], MARCH, TODAY)
    fee_assessment.render_assessments(db, family.facility, [family.mother, family.father], MARCH, user="anna",
                                      today=TODAY)
    rows = letters_in(db)
    assert [(r.payer_id, r.facility_id, r.from_month, r.issued_by, r.data_hash, r.organization_id) for r in rows] == [
        (a.payer_id, family.facility, MARCH, "anna", a.data_hash, family.org) for a in letters]
    assert rows[0].issued_at is not None and rows[0].issued_at == rows[1].issued_at  # one transaction
    fee_assessment.render_assessments(db, family.facility, [family.father], MARCH, today=TODAY)
    assert letters_in(db)[-1].issued_by == "test"  # the database user by default


def test_the_preview_records_nothing_and_creates_only_the_main_account(db, family):
    pdf = fee_assessment.preview_assessment(db, family.facility, family.mother, MARCH, today=TODAY)
    assert pdf.startswith(b"%PDF") and count_letters(db) == 0
    with db.session() as session:
        holders = set(session.scalars(select(Account.holder_id).where(Account.key == "main")))
    assert family.mother in holders


def test_one_pdf_or_one_per_recipient(db, family):
    payers = [family.mother, family.father]
    combined = fee_assessment.render_assessments(db, family.facility, payers, MARCH, today=TODAY)
    text = pdf_text(combined)
    assert text.count("Festsetzung der Elternbeiträge ab März 2026") >= 2
    assert "Frau Laura Gerber" in text and "Herrn Reto Gerber" in text
    each = fee_assessment.render_assessments(db, family.facility, payers, MARCH, combined=False, today=TODAY)
    assert [pid for pid, _ in each] == payers
    assert "Frau Laura Gerber" in pdf_text(each[0][1]) and "Reto" not in pdf_text(each[0][1])
    assert "Herrn Reto Gerber" in pdf_text(each[1][1])
    assert count_letters(db) == 4


def test_progress_and_a_cancel_that_records_nothing(db, family):
    seen = []
    fee_assessment.render_assessments(db, family.facility, [family.mother, family.father], MARCH, today=TODAY,
                                      progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 2), (1, 2), (2, 2)]
    for combined in (True, False):
        calls = []

        def cancelled() -> bool:
            calls.append(1)
            return len(calls) > 1  # cancel after the first letter

        with pytest.raises(CancelledError):
            fee_assessment.render_assessments(db, family.facility, [family.mother, family.father], MARCH,
                                              cancelled=cancelled, combined=combined, today=TODAY)
    assert count_letters(db) == 2  # only the first, complete run


def test_no_payers_no_print_run(db, family):
    with pytest.raises(ValidationError, match="keine Zahler"):
        fee_assessment.render_assessments(db, family.facility, [], MARCH, today=TODAY)
