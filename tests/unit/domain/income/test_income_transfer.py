"""The transfer of a tier into the child's billing periods: splits, locks, protocol and expected differences."""
from __future__ import annotations

from dataclasses import replace

import pytest

from sollhaben.domain.errors import ErrorCollector, ValidationError
from sollhaben.domain.income.model import AssessmentStatus
from sollhaben.domain.income.transfer import (
    income_tier_in,
    plan_transfer,
    with_income_tiers,
)
from sollhaben.domain.income.transfer_protocol import ProtocolKind, TierChange
from sollhaben.domain.kita.model import FeeLine, PayerShare
from sollhaben.domain.kita.periods import check_lock
from sollhaben.domain.kita.run_plan import plan_run
from sollhaben.domain.kita.run_types import PostingKind
from sollhaben.domain.months import Validity
from tests.unit.domain.income.builders import (
    CHOSEN_GROUP,
    FATHER,
    INCOME_GROUP,
    MOTHER,
    assessment,
    catalogue,
    child,
    eur,
    income_line,
    m,
    next_run,
    period,
    posted,
)

NAME = "Kindergarten einkommensabhängig"


def texts(plan, kind=None) -> list[str]:
    return [e.text for e in plan.protocol if kind is None or e.kind is kind]


def spec_example():
    """Billed from 09.2025 at tier 5 (250.00) through 03.2026; the April run is next."""
    old = period("09.2025", id=1, billed_through=m("03.2026"))
    return child([old], posted("09.2025", "03.2026", "250.00")), old


def test_the_spec_example_transfer_expects_minus_70_for_january_to_march():
    kid, old = spec_example()
    plan = plan_transfer(assessment("01.2026", id=8), 3, kid, next_run("04.2026"), payer_names={MOTHER: "Anna Muster"})
    assert plan.assessment.status is AssessmentStatus.TRANSFERRED and plan.tier == 3
    assert plan.changed == (replace(old, valid=Validity(m("09.2025"), m("12.2025")), billed_through=m("12.2025")),)
    assert plan.created == (replace(old, valid=Validity(m("01.2026")), fee_lines=(income_line(3),), id=None),)
    assert plan.tier_changes == (TierChange(None, Validity(m("01.2026")), 0, "FEE:4", INCOME_GROUP, NAME, 5, 3),)
    assert [(str(d.month), d.payer_id, d.posted, d.expected, d.difference) for d in plan.differences] == [
        (month, MOTHER, eur("250.00"), eur("180.00"), eur("-70.00")) for month in ("01.2026", "02.2026", "03.2026")]
    assert plan.difference(m("02.2026"), MOTHER) == eur("-70.00")
    assert plan.difference(m("12.2025"), MOTHER) is None
    assert texts(plan) == [
        "Staffel 3 übertragen für 01.2026 – offen.",
        "Abrechnungszeitraum 09.2025 – offen geschlossen: Gültig bis 12.2025.",
        "Neuer Abrechnungszeitraum 01.2026 – offen mit Staffel 3 (Kopie des bisherigen Zeitraums).",
        f"Beitragsgruppe „{NAME}“, Zeitraum 01.2026 – offen: Staffel 5 → Staffel 3.",
        "01.2026, Anna Muster: Die Sollstellung 04.2026 bucht -70,00 EUR nach (gebucht 250,00 EUR, neu 180,00 EUR).",
        "02.2026, Anna Muster: Die Sollstellung 04.2026 bucht -70,00 EUR nach (gebucht 250,00 EUR, neu 180,00 EUR).",
        "03.2026, Anna Muster: Die Sollstellung 04.2026 bucht -70,00 EUR nach (gebucht 250,00 EUR, neu 180,00 EUR).",
    ]
    assert [(e.month, e.payer_id, e.amount) for e in plan.protocol if e.kind is ProtocolKind.DIFFERENCE] == [
        (m(month), MOTHER, eur("-70.00")) for month in ("01.2026", "02.2026", "03.2026")]


def test_the_april_run_posts_what_the_protocol_expected():
    kid, _ = spec_example()
    plan = plan_transfer(assessment("01.2026"), 3, kid, next_run("04.2026"))
    after = with_income_tiers(replace(kid, periods=plan.periods), catalogue())
    run = plan_run(next_run("04.2026"), [after])
    assert [(str(p.value_month), p.amount, p.kind) for p in run.postings] == [
        ("01.2026", eur("-70.00"), PostingKind.RECALCULATION),
        ("02.2026", eur("-70.00"), PostingKind.RECALCULATION),
        ("03.2026", eur("-70.00"), PostingKind.RECALCULATION),
        ("04.2026", eur("180.00"), PostingKind.REGULAR),
    ]


def test_income_tier_comes_from_the_period_of_the_month():
    kid, _ = spec_example()
    plan = plan_transfer(assessment("01.2026"), 3, kid, next_run("04.2026"))
    assert income_tier_in(plan.periods, catalogue(), m("12.2025")) == 5
    assert income_tier_in(plan.periods, catalogue(), m("01.2026")) == 3
    assert income_tier_in(plan.periods, catalogue(), m("08.2025")) is None
    facts = with_income_tiers(replace(kid, periods=plan.periods), catalogue()).facts
    assert (facts(m("12.2025")).income_tier, facts(m("05.2026")).income_tier) == (5, 3)


def test_split_at_both_borders():
    old = period("01.2025", id=1)
    plan = plan_transfer(assessment("03.2026", "08.2026"), 3, child([old]), next_run("03.2026"))
    assert [(str(p.valid), p.id, p.fee_lines[0].tier) for p in plan.periods] == [
        ("01.2025 – 02.2026", 1, 5), ("03.2026 – 08.2026", None, 3), ("09.2026 – offen", None, 5)]
    assert [(c.period_id, str(c.before), str(c.after)) for c in plan.closures] == [
        (1, "01.2025 – offen", "01.2025 – 02.2026")]
    assert [(str(c.valid), c.tier) for c in plan.creations] == [("03.2026 – 08.2026", 3), ("09.2026 – offen", None)]
    assert texts(plan, ProtocolKind.PERIOD_CREATED)[1] == (
        "Neuer Abrechnungszeitraum 09.2026 – offen mit den bisherigen Staffeln (Kopie des bisherigen Zeitraums).")
    assert plan.differences == ()  # nothing of the validity is billed yet


def test_a_period_inside_the_validity_changes_in_place_and_one_running_past_valid_to_is_closed_there():
    inside = period("01.2026", "03.2026", id=1)
    past = period("04.2026", id=2)
    plan = plan_transfer(assessment("01.2026", "06.2026"), 3, child([inside, past]), next_run("01.2026"))
    assert plan.changed == (replace(inside, fee_lines=(income_line(3),)),
                            replace(past, valid=Validity(m("04.2026"), m("06.2026")), fee_lines=(income_line(3),)))
    assert plan.created == (period("07.2026"),)
    assert [(c.period_id, str(c.after)) for c in plan.closures] == [(2, "04.2026 – 06.2026")]
    assert [(c.period_id, str(c.valid)) for c in plan.tier_changes] == [(1, "01.2026 – 03.2026"),
                                                                        (2, "04.2026 – 06.2026")]


def test_periods_outside_the_validity_are_left_alone():
    before, after = period("01.2025", "12.2025", id=1), period("07.2026", id=2)
    plan = plan_transfer(assessment("01.2026", "06.2026"), 3, child([before, period("01.2026", "06.2026", id=3),
                                                                     after]), next_run("01.2026"))
    assert [p.id for p in plan.changed] == [3] and plan.created == ()
    assert plan.periods[0] is before and plan.periods[2] is after


def test_a_locked_billed_period_keeps_its_content_and_is_only_closed():
    kid, old = spec_example()
    plan = plan_transfer(assessment("01.2026"), 3, kid, next_run("04.2026", lock_billed=True),
                         locked_through=m("03.2026"))
    assert plan.changed == (replace(old, valid=Validity(m("09.2025"), m("03.2026"))),)
    assert plan.created == (replace(old, valid=Validity(m("04.2026")), fee_lines=(income_line(3),), id=None,
                                    billed_through=None),)
    assert plan.differences == ()
    assert texts(plan, ProtocolKind.PERIOD_CLOSED) == [
        "Abrechnungszeitraum 09.2025 – offen geschlossen: Gültig bis 03.2026. Er ist bis 03.2026 abgerechnet und "
        "gesperrt; sein Inhalt bleibt unverändert."]
    assert texts(plan, ProtocolKind.LOCKED_KEPT) == [
        f"Beitragsgruppe „{NAME}“, 01.2026 bis 03.2026: abgerechnet und gesperrt – bleibt bei Staffel 5, es wird "
        f"nichts nachberechnet."]
    # the Kita lock rule accepts both: the stored period only closed after its locked months, the new one after them
    errors = ErrorCollector()
    check_lock(errors, plan.changed[0], [old], catalogue(), m("03.2026"))
    check_lock(errors, plan.created[0], [old], catalogue(), m("03.2026"))
    assert errors.errors == []


def test_a_validity_that_lies_wholly_in_locked_months_changes_nothing():
    kid, _ = spec_example()
    plan = plan_transfer(assessment("01.2026", "02.2026"), 3, kid, next_run("04.2026"), locked_through=m("03.2026"))
    assert (plan.changed, plan.created, plan.tier_changes, plan.differences) == ((), (), (), ())
    assert [e.kind for e in plan.protocol] == [ProtocolKind.TRANSFERRED, ProtocolKind.LOCKED_KEPT]


def test_a_fee_group_that_is_not_income_dependent_is_left_alone():
    chosen = FeeLine(CHOSEN_GROUP, 2, payers=(PayerShare(FATHER, None, True),))
    mixed = period("09.2025", lines=[chosen, income_line(5)], id=1)
    plan = plan_transfer(assessment("01.2026"), 3, child([mixed]), next_run("01.2026"))
    assert plan.created[0].fee_lines == (chosen, income_line(3))
    assert [c.line_key for c in plan.tier_changes] == [f"FEE:{INCOME_GROUP}"]
    only_chosen = period("09.2025", lines=[chosen], id=2)
    untouched = plan_transfer(assessment("01.2026"), 3, child([only_chosen]), next_run("01.2026"))
    assert (untouched.changed, untouched.created, untouched.periods) == ((), (), (only_chosen,))
    assert texts(untouched, ProtocolKind.NOTHING_CHANGED) == [
        "Die Abrechnungsdaten des Kindes haben für 01.2026 – offen keine einkommensabhängige Beitragsgruppe; "
        "nichts geändert."]


def test_transferring_the_same_tier_again_changes_nothing():
    kid, _ = spec_example()
    first = plan_transfer(assessment("01.2026"), 3, kid, next_run("04.2026"))
    again = plan_transfer(assessment("01.2026"), 3, replace(kid, periods=first.periods), next_run("04.2026"))
    assert (again.changed, again.created, again.tier_changes) == ((), (), ())
    assert again.periods == first.periods
    assert len(again.differences) == 3  # the run has not posted them yet
    assert texts(again, ProtocolKind.NOTHING_CHANGED) == [
        "Die einkommensabhängigen Beitragsgruppen haben für 01.2026 – offen bereits Staffel 3; nichts geändert."]


def test_the_next_runs_problems_for_the_new_tier_are_in_the_protocol():
    kid, _ = spec_example()
    plan = plan_transfer(assessment("01.2026"), 7, kid, next_run("04.2026"))
    assert plan.differences == ()  # a line with a problem keeps what was posted
    assert texts(plan, ProtocolKind.PROBLEM)[0] == (
        f"01.2026: Beitrag „{NAME}“: Staffel 7 gibt es in der Version ab 01.2020 nicht (vorhanden: 1, 2, 3, 4, 5, 6).")


def test_a_fixed_share_stays_and_the_remainder_payer_gets_the_difference():
    shared = FeeLine(INCOME_GROUP, 5, payers=(PayerShare(FATHER, eur("100.00")), PayerShare(MOTHER, None, True)))
    old = period("09.2025", lines=[shared], id=1)
    rows = posted("01.2026", "02.2026", "150.00") + posted("01.2026", "02.2026", "100.00", payer=FATHER)
    run = next_run("03.2026", first_billing_month=m("01.2026"))
    plan = plan_transfer(assessment("01.2026"), 3, child([old], rows), run, payer_names={MOTHER: "Anna Muster"})
    assert [(str(d.month), d.payer_id, d.posted, d.difference) for d in plan.differences] == [
        ("01.2026", MOTHER, eur("150.00"), eur("-70.00")), ("02.2026", MOTHER, eur("150.00"), eur("-70.00"))]
    assert plan.difference(m("01.2026"), FATHER) is None


def test_a_transfer_needs_a_valid_from_and_a_tier():
    kid, _ = spec_example()
    for bad, tier in ((assessment(None), 3), (assessment("05.2026", "04.2026"), 3), (assessment("01.2026"), None)):
        with pytest.raises(ValidationError) as caught:
            plan_transfer(bad, tier, kid, next_run("04.2026"))
        assert str(caught.value).startswith("Übertragen: ")
