"""Change detection through the database (SQLite and PostgreSQL): each kind of change to a past
month is found, and before every run the preview with change detection equals the preview with
every child and month recalculated (`full_recalculation=True`), posting for posting."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import insert, select, update

from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import PersonInput
from sollhaben.persistence.models import (
    BillingRun,
    BillingRunChild,
    Contract,
    FeeGroupVersion,
    FeeTier,
)
from sollhaben.services import households
from sollhaben.services.kita import (
    billing_data,
    billing_run,
    catalogue,
    children,
    facility,
)
from sollhaben.services.kita.dto import GuardianInput
from sollhaben.services.unit_of_work import read_only, unit_of_work
from tests.integration.kita.billing_run_helpers import RUN_DAY, ledger_problems, plain
from tests.integration.kita.conftest import (
    TODAY,
    eur,
    first_period,
    month,
    new_person,
    valid,
)


def _lines(preview) -> list[tuple]:
    return [(x.child_id, x.payer_id, str(x.value_month), x.line_key, x.amount, x.share, x.posted_before,
             x.is_recalculation, x.quantity, x.unit_amount, x.tier) for x in preview.lines + preview.recalculations]


def checked_run(db, facility_id: int, text: str):
    """Run the month after checking that change detection previews what full recalculation does."""
    detected = billing_run.preview_run(db, facility_id, month(text))
    full = billing_run.preview_run(db, facility_id, month(text), full_recalculation=True)
    assert _lines(detected) == _lines(full)
    assert detected.problems == full.problems and detected.totals == full.totals
    result = billing_run.post_run(db, facility_id, month(text), "anna", today=RUN_DAY)
    assert ledger_problems(db) == []
    return result, detected


def checked_months(db, facility_id: int, first: str, last: str) -> None:
    current = month(first)
    while current <= month(last):
        checked_run(db, facility_id, str(current))
        current = current + 1


def _recalculated(preview) -> list[tuple[str, int, str, str]]:
    return [(str(x.value_month), x.payer_id, x.line_key, plain(x.amount.minor)) for x in preview.recalculations]


def _single(db, setup, **change) -> m.BillingPeriod:
    return billing_data.save_period(db, first_period(setup, fee_lines=(
        m.FeeLine(setup.monthly, tier=2, payers=(m.PayerShare(setup.mother),)),), **change)).period


def _children_recalculated(db, run_id: int) -> int:
    with read_only(db) as session:
        return session.get(BillingRun, run_id).counts["children_recalculated"]


def test_an_unchanged_child_is_not_recalculated_and_its_state_is_stored(db, kita, setup):
    _single(db, setup)
    checked_months(db, kita.facility, "03.2026", "04.2026")
    result, preview = checked_run(db, kita.facility, "05.2026")
    assert preview.recalculations == () and _children_recalculated(db, result.run_id) == 0
    with read_only(db) as session:
        rows = session.execute(select(BillingRunChild.child_id, BillingRunChild.posted)
                               .where(BillingRunChild.run_id == result.run_id)).all()
    # the fee of May (the meals count was reset by the March run): value month, line, payer, amount, quantity, unit
    assert rows == [(setup.child, f"{month('05.2026').index},FEE:{setup.monthly},{setup.mother},12600,1,12600")]


def test_a_price_version_added_for_a_past_month_recalculates_from_that_month(db, kita, setup):
    _single(db, setup)
    checked_months(db, kita.facility, "03.2026", "05.2026")
    # A retroactive statute change from April (the catalogue editor refuses it for billed versions, so
    # it is written into the tables): March stays, April and May are recalculated.
    with unit_of_work(db) as session:
        version = session.scalar(select(FeeGroupVersion).where(FeeGroupVersion.fee_group_id == setup.monthly))
        version.valid_to = month("03.2026")
        new = session.execute(insert(FeeGroupVersion).values(fee_group_id=setup.monthly, valid_from=month("04.2026"),
                                                             valid_to=None).returning(FeeGroupVersion.id)).scalar()
        for number, amount in enumerate((17000, 13000, 9000, 3000), start=1):
            session.execute(insert(FeeTier).values(fee_group_version_id=new, fee_group_id=setup.monthly,
                                                   number=number, label="", amount_minor=amount))
    result, preview = checked_run(db, kita.facility, "06.2026")
    assert _recalculated(preview) == [("04.2026", setup.mother, f"FEE:{setup.monthly}", "4.00"),
                                      ("05.2026", setup.mother, f"FEE:{setup.monthly}", "4.00")]
    assert _children_recalculated(db, result.run_id) == 1


def test_a_price_version_entered_in_advance_recalculates_nothing(db, kita, setup):
    _single(db, setup)
    checked_months(db, kita.facility, "03.2026", "04.2026")
    group = catalogue.get_fee_group(db, setup.monthly)
    current = group.group.versions[0]
    tiers = tuple(replace(t, amount=t.amount + eur("10.00")) for t in current.tiers)
    catalogue.save_fee_group(db, kita.id, replace(group.group, versions=(
        current, m.FeeGroupVersion(valid("08.2026"), tiers))), group.version)
    result, preview = checked_run(db, kita.facility, "05.2026")
    assert preview.recalculations == () and _children_recalculated(db, result.run_id) == 0


def test_a_changed_tier_is_recalculated(db, kita, setup):
    period = _single(db, setup)
    checked_months(db, kita.facility, "03.2026", "04.2026")
    stored = billing_data.get_period(db, period.id).period
    billing_data.save_period(db, replace(stored, fee_lines=(replace(stored.fee_lines[0], tier=1),)))
    _result, preview = checked_run(db, kita.facility, "05.2026")
    assert _recalculated(preview) == [("03.2026", setup.mother, f"FEE:{setup.monthly}", "36.00"),
                                      ("04.2026", setup.mother, f"FEE:{setup.monthly}", "36.00")]


def test_a_replaced_payer_is_credited_and_the_new_one_billed(db, kita, setup):
    period = _single(db, setup)
    checked_run(db, kita.facility, "03.2026")
    stored = billing_data.get_period(db, period.id).period
    billing_data.save_period(db, replace(stored, fee_lines=(
        replace(stored.fee_lines[0], payers=(m.PayerShare(setup.father),)),)))
    _result, preview = checked_run(db, kita.facility, "04.2026")
    assert sorted(_recalculated(preview)) == sorted([("03.2026", setup.father, f"FEE:{setup.monthly}", "126.00"),
                                                     ("03.2026", setup.mother, f"FEE:{setup.monthly}", "-126.00")])


def test_a_sibling_who_joins_changes_the_ladder_of_the_billed_months(db, kita, setup):
    ladder = catalogue.save_discount(db, kita.id, m.Discount("Geschwister", m.DiscountKind.SIBLING_LADDER, (
        m.DiscountVersion(valid("01.2026"), ladder=(Decimal(25), Decimal(50), Decimal(75))),))).discount.id
    stored = billing_data.get_period(db, _single(db, setup).id).period
    billing_data.save_period(db, replace(stored, fee_lines=(replace(stored.fee_lines[0], discount_ids=(ladder,)),)))
    checked_months(db, kita.facility, "03.2026", "04.2026")
    # An older brother is entered afterwards, in care in the facility since March, same mother.
    brother = children.create_child(db, kita.id, PersonInput("NATURAL", "Gerber", "Noah", birth_date=date(2021, 1, 5)),
                                    today=TODAY)
    children.save_guardians(db, brother.id, brother.version, [GuardianInput(setup.mother)])
    children.save_contract(db, m.Contract(brother.id, kita.facility, m.ContractStatus.ACTIVE,
                                          first_day=date(2026, 3, 1)))
    _result, preview = checked_run(db, kita.facility, "05.2026")
    assert _recalculated(preview) == [("03.2026", setup.mother, f"FEE:{setup.monthly}", "-31.50"),
                                      ("04.2026", setup.mother, f"FEE:{setup.monthly}", "-31.50")]


def test_a_child_born_into_the_household_changes_the_wuerttemberg_tier_from_the_month_after(db, kita, setup):
    child_person = children.get_child(db, setup.child).person_id
    home, _ = households.add_to_new_household(db, kita.id, "Familie Gerber", setup.mother, date(2019, 1, 1))
    sister = new_person(db, kita.id, "Gerber", "Lina", date(2020, 2, 1))
    for person, since in ((child_person, date(2022, 5, 3)), (sister, date(2020, 2, 1))):
        households.add_member(db, home, person, since, relation="child")
    billing_data.save_period(db, first_period(setup, fee_lines=(
        m.FeeLine(setup.wuerttemberg, payers=(m.PayerShare(setup.mother),)),), extra_lines=()))
    checked_months(db, kita.facility, "03.2026", "05.2026")
    # The baby born on 10 April is registered only now: from May the household has three children.
    baby = new_person(db, kita.id, "Gerber", "Pia", date(2026, 4, 10))
    households.add_member(db, home, baby, date(2026, 4, 10), relation="child")
    _result, preview = checked_run(db, kita.facility, "06.2026")
    assert _recalculated(preview) == [("05.2026", setup.mother, f"FEE:{setup.wuerttemberg}", "-41.00")]


def test_a_contract_end_moved_back_credits_the_months_after_it(db, kita, setup):
    _single(db, setup)
    checked_months(db, kita.facility, "03.2026", "05.2026")
    with unit_of_work(db) as session:  # the last care day was 15 April after all
        session.execute(update(Contract).where(Contract.child_id == setup.child)
                        .values(last_day=date(2026, 4, 15), status="DEREGISTERED", version=Contract.version + 1))
    _result, preview = checked_run(db, kita.facility, "06.2026")
    assert _recalculated(preview) == [("05.2026", setup.mother, f"FEE:{setup.monthly}", "-126.00")]
    # May is the month after leaving: the meals billed then (from the postings) stay billed


def test_a_fee_free_month_changed_afterwards_credits_that_month(db, kita, setup):
    _single(db, setup)
    checked_months(db, kita.facility, "03.2026", "05.2026")
    facility.save_facility_settings(db, replace(facility.get_facility_settings(db, kita.facility),
                                                fee_free_months=frozenset({4})))
    result, preview = checked_run(db, kita.facility, "06.2026")
    assert _recalculated(preview) == [("04.2026", setup.mother, f"FEE:{setup.monthly}", "-126.00")]
    assert _children_recalculated(db, result.run_id) == 1


def test_after_an_undo_the_month_is_compared_with_the_run_before(db, kita, setup):
    from sollhaben.services.kita import billing_run_undo

    period = _single(db, setup)
    checked_months(db, kita.facility, "03.2026", "04.2026")
    stored = billing_data.get_period(db, period.id).period
    billing_data.save_period(db, replace(stored, fee_lines=(replace(stored.fee_lines[0], tier=1),)))
    checked_run(db, kita.facility, "05.2026")  # recalculates March and April
    billing_run_undo.undo_last_run(db, kita.facility, "anna", today=RUN_DAY)
    _result, preview = checked_run(db, kita.facility, "05.2026")  # again: the undo took the recalculation back
    assert [r[0] for r in _recalculated(preview)] == ["03.2026", "04.2026"]


def test_runs_before_the_change_detection_are_recalculated_in_full(db, kita, setup):
    _single(db, setup)
    checked_months(db, kita.facility, "03.2026", "04.2026")
    with unit_of_work(db) as session:  # as a database upgraded from revision 0003 has them
        session.execute(update(BillingRun).values(inputs=None))
        session.execute(BillingRunChild.__table__.delete())
    result, preview = checked_run(db, kita.facility, "05.2026")
    assert preview.recalculations == () and _children_recalculated(db, result.run_id) == 1
    result, _preview = checked_run(db, kita.facility, "06.2026")
    assert _children_recalculated(db, result.run_id) == 1  # one live run still has no stored inputs
