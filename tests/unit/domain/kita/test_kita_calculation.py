"""compute_child_month: every billing mode, tiers, discounts, the partial month and the payer split."""
from __future__ import annotations

from decimal import Decimal

import pytest

from sollhaben.domain.kita.calculation import BilledValue, LineScope, compute_child_month, round_pro_rata
from sollhaben.domain.kita.model import (
    BillingMode,
    FeeGroupVersion,
    LineKind,
    MealCoverage,
    PartialMonth,
)
from sollhaben.domain.money import Money
from sollhaben.domain.months import Validity
from tests.unit.domain.kita.builders import (
    CHILD,
    CRAFT,
    DRINKS,
    EXTRA_HOURS,
    FATHER,
    FIXED_20,
    HARDSHIP_FUND,
    INCOME_GROUP,
    INDIVIDUAL,
    KIGA_30H,
    KRIPPE,
    LUNCH,
    MEAL_SUBSIDY,
    MEALS_FEE,
    MOTHER,
    PERCENT_10,
    PERCENT_25,
    SIBLING_FUND,
    SIBLINGS,
    TAGESPLATZ,
    TRIP,
    YOUTH_OFFICE,
    always,
    catalogue,
    eur,
    extra,
    facts,
    fee,
    fee_group,
    m,
    pays,
    period,
    settings,
    tiers,
)


def compute(p, month="03.2026", care_days=None, cat=None, st=None, **kwargs):
    scope = kwargs.pop("scope", LineScope.ALL)
    billed = kwargs.pop("billed", None)
    return compute_child_month(p, cat or catalogue(), st or settings(), facts(month, care_days, **kwargs), "EUR",
                               scope=scope, billed=billed)


def one(p, **kwargs):
    lines, problems = compute(p, **kwargs)
    assert problems == []
    assert len(lines) == 1
    return lines[0]


def parts(line) -> list[tuple[int, Money]]:
    return [(part.payer_id, part.amount) for part in line.payers]


def problem_of(p, **kwargs) -> str:
    lines, problems = compute(p, **kwargs)
    assert lines == []
    assert len(problems) == 1
    return problems[0].message


# --- MONTHLY and the partial month -----------------------------------------------------------------

def test_monthly_line_bills_the_tier_amount():
    line = one(period(fee_lines=[fee(KRIPPE, tier=2)]))
    assert (line.key, line.kind, line.mode, line.tier) == ("FEE:1", LineKind.FEE, BillingMode.MONTHLY, 2)
    assert (line.catalogue_id, line.version_id, line.name) == (KRIPPE, 100, "Krippe Ganztag")
    assert (line.quantity, line.unit_amount, line.gross, line.net) == (Decimal(1), eur("250.00"), eur("250.00"),
                                                                      eur("250.00"))
    assert parts(line) == [(MOTHER, eur("250.00"))]
    assert not line.resets


def test_full_partial_month_is_billed_in_full():
    line = one(period(fee_lines=[fee(KRIPPE)]), care_days=18)
    assert line.net == eur("291.20")


def test_pro_rata_partial_month_by_calendar_days():
    line = one(period(fee_lines=[fee(KRIPPE)]), care_days=18, st=settings(partial_month=PartialMonth.PRO_RATA))
    # 291.20 × 18 / 31 = 169.0838… → 169.08
    assert line.gross == line.net == eur("169.08")
    assert line.quantity == Decimal("0.580645")


def test_pro_rata_splits_discounts_and_payers_without_losing_a_cent():
    payers = (pays(MOTHER, "100.00"), pays(FATHER, rest=True))
    p = period(fee_lines=[fee(KRIPPE, discount_ids=(FIXED_20,), payers=payers)])
    line = one(p, care_days=18, st=settings(partial_month=PartialMonth.PRO_RATA))
    # gross 291.20 × 18/31 = 169.08; net 271.20 × 18/31 = 157.4709… → 157.47; deduction 11.61
    assert (line.gross, line.net) == (eur("169.08"), eur("157.47"))
    assert [d.amount for d in line.deductions] == [eur("11.61")]
    # full-month parts 100.00 / 171.20: 15747 × 10000/27120 = 5806.41, × 17120/27120 = 9940.58 → the cent to B
    assert parts(line) == [(MOTHER, eur("58.06")), (FATHER, eur("99.41"))]


def test_pro_rata_full_month_is_not_prorated():
    line = one(period(fee_lines=[fee(KRIPPE)]), care_days=31, st=settings(partial_month=PartialMonth.PRO_RATA))
    assert (line.net, line.quantity) == (eur("291.20"), Decimal(1))


def test_pro_rata_rounding_at_half_a_cent():
    assert round_pro_rata(Money(15), 1, 30) == Money(1)  # 0.5 Cent → 1 Cent (half away from zero)
    assert round_pro_rata(Money(45), 1, 30) == Money(2)  # 1.5 → 2
    assert round_pro_rata(Money(44), 1, 30) == Money(1)  # 1.4666… → 1
    assert round_pro_rata(Money(29120), 14, 28) == Money(14560)


def test_monthly_extra_cost_follows_the_partial_month_rule():
    p = period(extra_lines=[extra(CRAFT)])
    assert one(p, care_days=10).net == eur("5.00")
    # 5.00 × 10/31 = 1.6129 → 1.61
    assert one(p, care_days=10, st=settings(partial_month=PartialMonth.PRO_RATA)).net == eur("1.61")


# --- DAILY ----------------------------------------------------------------------------------------

def test_daily_amount_times_care_days():
    line = one(period(fee_lines=[fee(TAGESPLATZ)]), care_days=18)
    assert (line.quantity, line.unit_amount, line.gross, line.net) == (Decimal(18), eur("12.40"), eur("223.20"),
                                                                      eur("223.20"))


def test_daily_percent_discount_applies_to_the_daily_amount_rounded_per_day():
    cat = catalogue(fee_groups={TAGESPLATZ: fee_group(TAGESPLATZ, "Tagesplatz", BillingMode.DAILY, "12.45")})
    line = one(period(fee_lines=[fee(TAGESPLATZ, discount_ids=(PERCENT_10,))]), care_days=20, cat=cat)
    # 10 % of 12.45 = 1.245 → 1.25 per day; 11.20 × 20 = 224.00 (not 249.00 − 24.90)
    assert [d.amount for d in line.deductions] == [eur("25.00")]
    assert (line.gross, line.net) == (eur("249.00"), eur("224.00"))


def test_daily_fixed_discount_and_shares_are_per_day():
    p = period(fee_lines=[fee(TAGESPLATZ, discount_ids=(MEAL_SUBSIDY,),
                              payers=(pays(MOTHER, "5.00"), pays(FATHER, rest=True)))])
    line = one(p, care_days=18)
    # (12.40 − 0.80) × 18 = 208.80; mother 5.00 × 18 = 90.00, father 6.60 × 18 = 118.80
    assert [d.amount for d in line.deductions] == [eur("14.40")]
    assert line.net == eur("208.80")
    assert parts(line) == [(MOTHER, eur("90.00")), (FATHER, eur("118.80"))]


# --- PER_UNIT and INDIVIDUAL ------------------------------------------------------------------------

def test_per_unit_count_times_discounted_unit_price():
    line = one(period(fee_lines=[fee(MEALS_FEE, count=17, discount_ids=(PERCENT_25,))]))
    # 3.80 − 0.95 = 2.85; × 17 = 48.45
    assert (line.quantity, line.unit_amount, line.gross, line.net) == (Decimal(17), eur("3.80"), eur("64.60"),
                                                                      eur("48.45"))
    assert line.resets


def test_per_unit_special_discount_is_a_problem():
    message = problem_of(period(fee_lines=[fee(EXTRA_HOURS, count=2, special_discount=eur("1.00"))]))
    assert message == "Beitrag „Zusatzstunden“: Eine Sonderermäßigung gibt es bei Abrechnung nach Anzahl nicht."


def test_per_unit_extra_cost_and_zero_count():
    assert one(period(extra_lines=[extra(LUNCH, count=4)])).net == eur("15.20")
    line = one(period(extra_lines=[extra(LUNCH, count=0)]))
    assert (line.net, parts(line)) == (Money.zero(), [(MOTHER, Money.zero())])


def test_individual_amount_with_discounts():
    line = one(period(fee_lines=[fee(INDIVIDUAL, tier=None, amount=eur("80.00"), reset=True,
                                     discount_ids=(PERCENT_10,))]))
    assert (line.unit_amount, line.net, line.tier, line.resets) == (eur("80.00"), eur("72.00"), None, True)
    assert not one(period(extra_lines=[extra(TRIP, amount=eur("12.50"))])).resets


def test_billed_values_replace_the_form_for_resetting_lines():
    p = period(fee_lines=[fee(MEALS_FEE, count=3), fee(KRIPPE)],
               extra_lines=[extra(TRIP, amount=eur("5.00"), reset=True)])
    billed = {"FEE:7": BilledValue(count=17), "FEE:1": BilledValue(count=99),
              "EXTRA:22": BilledValue(amount=eur("30.00"))}
    lines, _ = compute(p, billed=billed)
    assert [line.net for line in lines] == [eur("64.60"), eur("291.20"), eur("30.00")]


# --- tiers ------------------------------------------------------------------------------------------

def test_chosen_tier_missing_or_unknown_is_a_problem():
    assert problem_of(period(fee_lines=[fee(KRIPPE, tier=None)])) == (
        "Beitrag „Krippe Ganztag“: Bitte eine Staffel wählen.")
    assert problem_of(period(fee_lines=[fee(KRIPPE, tier=3)])) == (
        "Beitrag „Krippe Ganztag“: Staffel 3 gibt es in der Version ab 01.2020 nicht (vorhanden: 1, 2).")


def test_income_tier_comes_from_the_income_calculation():
    p = period(fee_lines=[fee(INCOME_GROUP, tier=None)])
    assert one(p, income_tier=2).net == eur("200.00")
    assert problem_of(p) == ("Beitrag „Kindergarten einkommensabhängig“: keine Staffelberechnung für 03.2026 – "
                             "die Beitragsgruppe ist einkommensabhängig, bitte eine Staffelberechnung übernehmen.")
    assert "Staffel 7 gibt es" in problem_of(p, income_tier=7)


def test_an_income_line_bills_the_tier_the_transfer_set_on_it():
    transferred = period(fee_lines=[fee(INCOME_GROUP, tier=2)])
    assert one(transferred).net == eur("200.00")
    assert one(transferred, income_tier=1).net != eur("200.00")  # a tier of the month's facts takes precedence


@pytest.mark.parametrize("children, amount", [(0, "162.00"), (1, "162.00"), (2, "126.00"), (3, "85.00"),
                                              (4, "28.00"), (6, "28.00")])
def test_wuerttemberg_tier_is_the_household_capped_at_four(children, amount):
    line = one(period(fee_lines=[fee(KIGA_30H, tier=None)]), st=settings(wuerttemberg=True),
               children_in_household=children)
    assert line.net == eur(amount)
    assert line.tier == min(max(children, 1), 4)


def test_wuerttemberg_group_without_the_model_is_a_problem():
    message = problem_of(period(fee_lines=[fee(KIGA_30H, tier=None)]), children_in_household=2)
    assert "Württemberger Modell, das in der Einrichtung nicht eingeschaltet ist" in message


# --- catalogue versions ---------------------------------------------------------------------------------

def versioned_krippe():
    return fee_group(KRIPPE, "Krippe Ganztag", BillingMode.MONTHLY, versions=(
        FeeGroupVersion(Validity(m("01.2025"), m("05.2026")), tiers("291.20"), id=11),
        FeeGroupVersion(Validity(m("06.2026"), m("07.2026")), tiers("300.00"), id=12),
    ))


def test_each_month_uses_the_version_valid_in_it():
    cat = catalogue(fee_groups={KRIPPE: versioned_krippe()})
    p = period(fee_lines=[fee(KRIPPE)])
    may, june = one(p, month="05.2026", cat=cat), one(p, month="06.2026", cat=cat)
    assert (may.net, may.version_id, june.net, june.version_id) == (eur("291.20"), 11, eur("300.00"), 12)


def test_missing_version_is_a_problem():
    cat = catalogue(fee_groups={KRIPPE: versioned_krippe()})
    assert problem_of(period(fee_lines=[fee(KRIPPE)]), month="08.2026", cat=cat) == (
        "Beitrag „Krippe Ganztag“: Der Standard hat für 08.2026 keine gültige Version der Beitragsgruppe.")


def test_unknown_catalogue_entries_are_problems():
    lines, problems = compute(period(fee_lines=[fee(77)], extra_lines=[extra(88)]))
    assert lines == []
    assert [(p.line_key, p.message) for p in problems] == [
        ("FEE:77", "Beitrag: Beitragsgruppe 77 gibt es im Standard nicht."),
        ("EXTRA:88", "Zusatzkosten 88 gibt es im Standard nicht.")]
    assert all((p.child_id, p.month) == (CHILD, m("03.2026")) for p in problems)


# --- discounts ---------------------------------------------------------------------------------------------

def test_fixed_discount():
    line = one(period(fee_lines=[fee(KRIPPE, discount_ids=(FIXED_20,))]))
    assert [(d.name, d.amount, d.discount_id) for d in line.deductions] == [
        ("Zuschuss Gemeinde", eur("20.00"), FIXED_20)]
    assert line.net == eur("271.20")


def test_percent_discounts_do_not_compound():
    line = one(period(fee_lines=[fee(KRIPPE, discount_ids=(PERCENT_10, PERCENT_25))]))
    # 10 % and 25 % of 291.20: 29.12 + 72.80 = 101.92 → 189.28 (compounding would give 196.56)
    assert [d.amount for d in line.deductions] == [eur("29.12"), eur("72.80")]
    assert line.net == eur("189.28")


@pytest.mark.parametrize("position, deducted", [(1, "0.00"), (2, "72.80"), (3, "145.60"), (4, "218.40"),
                                                (6, "218.40")])
def test_sibling_ladder_by_position(position, deducted):
    line = one(period(fee_lines=[fee(KRIPPE, discount_ids=(SIBLINGS,))]), sibling_position=position)
    assert line.deductions[0].amount == eur(deducted)
    assert line.net == eur("291.20") - eur(deducted)


def test_special_discount_is_deducted_last():
    line = one(period(fee_lines=[fee(KRIPPE, discount_ids=(FIXED_20,), special_discount=eur("50.00"))]))
    assert [(d.name, d.amount, d.discount_id) for d in line.deductions] == [
        ("Zuschuss Gemeinde", eur("20.00"), FIXED_20), ("Sonderermäßigung", eur("50.00"), None)]
    assert line.net == eur("221.20")


def test_net_never_negative_is_a_problem():
    message = problem_of(period(fee_lines=[fee(KIGA_30H, tier=None, discount_ids=(FIXED_20,),
                                               special_discount=eur("10.00"))]),
                         st=settings(wuerttemberg=True), children_in_household=4)
    assert message == ("Beitrag „Kindergarten 30 h“: Die Ermäßigungen (30,00 EUR) übersteigen den Beitrag "
                       "(28,00 EUR) um 2,00 EUR; der Betrag darf nicht negativ werden.")


def test_discount_without_a_version_is_a_problem():
    from sollhaben.domain.kita.model import Discount, DiscountKind, DiscountVersion
    old = Discount("Alt", DiscountKind.FIXED, (DiscountVersion(always("01.2020", "12.2025"), fixed=eur("5.00")),),
                   id=99)
    message = problem_of(period(fee_lines=[fee(KRIPPE, discount_ids=(99,))]), cat=catalogue(discounts={99: old}))
    assert message == "Beitrag „Krippe Ganztag“: Ermäßigung „Alt“ hat für 03.2026 keine gültige Version im Standard."


# --- payers -------------------------------------------------------------------------------------------------

def test_fixed_shares_and_remainder():
    p = period(fee_lines=[fee(KRIPPE, payers=(pays(MOTHER, "100.00"), pays(FATHER, "50.00"),
                                              pays(YOUTH_OFFICE, rest=True)))])
    assert parts(one(p)) == [(MOTHER, eur("100.00")), (FATHER, eur("50.00")), (YOUTH_OFFICE, eur("141.20"))]


def test_shares_without_remainder_that_do_not_add_up_are_a_problem():
    p = period(fee_lines=[fee(KRIPPE, payers=(pays(MOTHER, "100.00"), pays(FATHER, "150.00")))])
    assert problem_of(p) == ("Beitrag „Krippe Ganztag“: Die Anteile (250,00 EUR) ergeben nicht den Betrag "
                             "(291,20 EUR).")


def test_shares_above_the_net_are_a_problem():
    p = period(fee_lines=[fee(KRIPPE, tier=2, payers=(pays(MOTHER, "260.00"), pays(FATHER, rest=True)))])
    assert problem_of(p) == "Beitrag „Krippe Ganztag“: Die Anteile (260,00 EUR) übersteigen den Betrag (250,00 EUR)."


def test_no_payer_is_a_problem():
    assert problem_of(period(extra_lines=[extra(CRAFT, payers=())])).startswith(
        "Zusatzkosten „Bastelgeld“: Kein Zahler")


def test_payer_for_all_fees_and_all_extras():
    p = period(fee_lines=[fee(KRIPPE, payers=()), fee(TAGESPLATZ, payers=())], extra_lines=[extra(CRAFT, payers=())],
               fees_payer_id=FATHER, extras_payer_id=YOUTH_OFFICE)
    lines, problems = compute(p, care_days=10)
    assert problems == []
    assert [parts(line) for line in lines] == [[(FATHER, eur("291.20"))], [(FATHER, eur("124.00"))],
                                               [(YOUTH_OFFICE, eur("5.00"))]]


def test_zero_net_gives_zero_parts_without_a_problem():
    p = period(extra_lines=[extra(TRIP, reset=True, amount=eur("0.00"),
                                  payers=(pays(MOTHER, "10.00"), pays(FATHER, "20.00")))])
    assert parts(one(p)) == [(MOTHER, Money.zero()), (FATHER, Money.zero())]


# --- standard-rate meal billing ----------------------------------------------------------------------------

def test_covered_meals_go_to_the_institution():
    p = period(extra_lines=[extra(LUNCH, count=10), extra(CRAFT), extra(DRINKS)],
               meal_coverage=MealCoverage.FROM_SECOND_SIBLING)
    st = settings(standard_rate_meals=True, hardship_fund_payer_id=HARDSHIP_FUND, sibling_meal_payer_id=SIBLING_FUND)
    lines, problems = compute(p, st=st)
    assert problems == []
    assert [parts(line) for line in lines] == [[(SIBLING_FUND, eur("38.00"))], [(MOTHER, eur("5.00"))],
                                               [(SIBLING_FUND, eur("4.50"))]]
    assert [line.is_meal for line in lines] == [True, False, True]
    hardship = period(extra_lines=[extra(LUNCH, count=10)], meal_coverage=MealCoverage.HARDSHIP_FUND)
    assert parts(one(hardship, st=st)) == [(HARDSHIP_FUND, eur("38.00"))]


def test_meals_without_the_option_or_coverage_go_to_the_parents():
    covered = period(extra_lines=[extra(LUNCH, count=10)], meal_coverage=MealCoverage.HARDSHIP_FUND)
    assert parts(one(covered)) == [(MOTHER, eur("38.00"))]
    st = settings(standard_rate_meals=True, hardship_fund_payer_id=HARDSHIP_FUND)
    assert parts(one(period(extra_lines=[extra(LUNCH, count=10)]), st=st)) == [(MOTHER, eur("38.00"))]


def test_covered_meals_without_an_institution_are_a_problem():
    p = period(extra_lines=[extra(LUNCH, count=10)], meal_coverage=MealCoverage.FROM_SECOND_SIBLING)
    message = problem_of(p, st=settings(standard_rate_meals=True, hardship_fund_payer_id=HARDSHIP_FUND))
    assert message == ("Zusatzkosten „Mittagessen“: Für die Kostenübernahme Essensgeld „ab 2. Geschwisterkind“ ist "
                       "in der Einrichtung keine Institution hinterlegt.")


# --- keys and scope ----------------------------------------------------------------------------------------

def test_line_keys_number_repeated_entries():
    p = period(fee_lines=[fee(KRIPPE), fee(TAGESPLATZ), fee(KRIPPE, tier=2)],
               extra_lines=[extra(LUNCH, count=1), extra(LUNCH, count=2), extra(LUNCH, count=3)])
    lines, _ = compute(p)
    assert [line.key for line in lines] == ["FEE:1", "FEE:2", "FEE:1#2", "EXTRA:20", "EXTRA:20#2", "EXTRA:20#3"]


def test_resetting_extras_scope_keeps_only_extra_costs_with_reset():
    p = period(fee_lines=[fee(KRIPPE), fee(MEALS_FEE, count=4)],
               extra_lines=[extra(LUNCH, count=2), extra(CRAFT), extra(TRIP, amount=eur("9.00")),
                            extra(TRIP, amount=eur("7.00"), reset=True)])
    lines, _ = compute(p, scope=LineScope.RESETTING_EXTRAS)
    assert [line.key for line in lines] == ["EXTRA:20", "EXTRA:22#2"]

