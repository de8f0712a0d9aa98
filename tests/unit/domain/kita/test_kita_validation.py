"""validate_period: every rule of the layers Grunddaten, Beitrag and Zusatzkosten, with field names."""
from __future__ import annotations

from dataclasses import replace

import pytest

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.kita.model import (
    BillingMode,
    FeeGroupVersion,
    MealCoverage,
)
from sollhaben.domain.kita.validation import validate_period, validation_errors
from sollhaben.domain.money import Money
from tests.unit.domain.kita.builders import (
    CRAFT,
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
    PAYERS,
    PERCENT_10,
    PERCENT_25,
    PERCENT_120,
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


def errors_of(p, **kwargs) -> dict[str, str]:
    kwargs.setdefault("other_periods", [])
    found = validation_errors(p, kwargs.pop("catalogue", catalogue()), kwargs.pop("payer_ids", PAYERS), **kwargs)
    return {e.field: e.message for e in found}


def test_a_valid_period_is_returned_normalized():
    p = period(fee_lines=[fee(KRIPPE, payers=(pays(MOTHER, "100.00"), pays(FATHER, rest=True)))],
               extra_lines=[extra(LUNCH, count=12)])
    assert validate_period(p, catalogue(), PAYERS, []) == p


def test_all_errors_are_reported_at_once_with_field_names():
    p = period(fee_lines=[fee(KRIPPE, tier=9), fee(999)],
               extra_lines=[extra(LUNCH, count=-2), extra(TRIP, amount=eur("-1.00"))],
               fees_payer_id=77)
    with pytest.raises(ValidationError) as caught:
        validate_period(p, catalogue(), PAYERS, [])
    fields = [e.field for e in caught.value.errors]
    assert fields == ["fees_payer_id", "fee_lines[0].tier", "fee_lines[0].payers", "fee_lines[1].fee_group_id",
                      "extra_lines[0].count", "extra_lines[1].amount"]
    messages = {e.field: e.message for e in caught.value.errors}
    assert messages["fee_lines[0].tier"] == ("Beitrag, Zeile 1 („Krippe Ganztag“) – Staffel: Staffel 9 gibt es in "
                                             "der Version ab 01.2020 nicht (vorhanden: 1, 2).")
    assert messages["fee_lines[1].fee_group_id"] == "Beitrag, Zeile 2: Beitragsgruppe 999 gibt es im Standard nicht."
    assert messages["extra_lines[0].count"] == ("Zusatzkosten, Zeile 1 („Mittagessen“) – Anzahl: darf nicht negativ "
                                                "sein (eingegeben: -2).")
    assert messages["extra_lines[1].amount"] == ("Zusatzkosten, Zeile 2 („Ausflug“) – Betrag: Der Betrag darf "
                                                 "nicht negativ sein.")
    assert "Zahler 77 steht nicht in der Zahlerliste" in messages["fees_payer_id"]


# --- limits ---------------------------------------------------------------------------------------

def test_at_most_ten_fee_lines_and_ten_extra_lines():
    p = period(fee_lines=[fee(KRIPPE)] * 11, extra_lines=[extra(CRAFT)] * 11)
    errors = errors_of(p)
    assert errors["fee_lines"] == "Beitrag: höchstens 10 Beitragsgruppen je Zeitraum (eingegeben: 11)."
    assert errors["extra_lines"] == "Zusatzkosten: höchstens 10 Positionen je Zeitraum (eingegeben: 11)."
    assert errors_of(period(fee_lines=[fee(KRIPPE)] * 10, extra_lines=[extra(CRAFT)] * 10)) == {}


def test_at_most_four_discounts_per_line():
    ids = (FIXED_20, PERCENT_10, PERCENT_25, SIBLINGS, MEAL_SUBSIDY)
    errors = errors_of(period(fee_lines=[fee(KRIPPE, discount_ids=ids)]))
    assert errors["fee_lines[0].discount_ids"].endswith("höchstens 4 je Beitragsgruppe (eingegeben: 5).")
    assert errors_of(period(fee_lines=[fee(KRIPPE, discount_ids=ids[:4])])) == {}


def test_at_most_three_payers_per_line():
    payers = (pays(MOTHER, "1.00"), pays(FATHER, "1.00"), pays(YOUTH_OFFICE, "1.00"), pays(9, rest=True))
    errors = errors_of(period(fee_lines=[fee(KRIPPE, payers=payers)]), payer_ids=PAYERS | {9})
    assert errors["fee_lines[0].payers"].endswith("Zahler: höchstens 3 je Zeile (eingegeben: 4).")


# --- catalogue entries ------------------------------------------------------------------------------

def test_catalogue_entry_must_have_a_version_in_the_first_month():
    late = fee_group(KRIPPE, "Krippe Ganztag", BillingMode.MONTHLY,
                     versions=(FeeGroupVersion(always("03.2026"), tiers("291.20"), id=1),))
    errors = errors_of(period("01.2026", fee_lines=[fee(KRIPPE)]), catalogue=catalogue(fee_groups={KRIPPE: late}))
    assert errors["fee_lines[0].fee_group_id"] == (
        "Beitrag, Zeile 1 („Krippe Ganztag“): Die Beitragsgruppe ist im Monat 01.2026 (Gültig ab) nicht gültig; "
        "der Standard hat dafür keine Version.")
    assert errors_of(period("03.2026", fee_lines=[fee(KRIPPE)]), catalogue=catalogue(fee_groups={KRIPPE: late})) == {}


def test_unknown_discount_and_extra_cost():
    errors = errors_of(period(fee_lines=[fee(KRIPPE, discount_ids=(PERCENT_10, 404))], extra_lines=[extra(505)]))
    assert errors["fee_lines[0].discount_ids[1]"].endswith("Ermäßigung 404 gibt es im Standard nicht.")
    assert errors["extra_lines[0].extra_cost_id"] == (
        "Zusatzkosten, Zeile 1: Zusatzkosten 505 gibt es im Standard nicht.")


def test_discount_twice_in_a_line_is_refused():
    errors = errors_of(period(fee_lines=[fee(KRIPPE, discount_ids=(PERCENT_10, PERCENT_10))]))
    assert errors["fee_lines[0].discount_ids[1]"].endswith("Ermäßigung 2: ist in dieser Zeile schon eingetragen.")


def test_percent_must_be_between_0_and_100():
    errors = errors_of(period(fee_lines=[fee(KRIPPE, discount_ids=(PERCENT_120,))]))
    assert errors["fee_lines[0].discount_ids[0]"].endswith(
        "Ermäßigung „Falsch erfasst“: Prozentsatz 120 liegt nicht zwischen 0 und 100.")


# --- tiers --------------------------------------------------------------------------------------------

def test_chosen_tier_is_required():
    errors = errors_of(period(fee_lines=[fee(KRIPPE, tier=None)]))
    assert errors["fee_lines[0].tier"] == "Beitrag, Zeile 1 („Krippe Ganztag“) – Staffel: Bitte eine Staffel wählen."


def test_wuerttemberg_tiers_are_cleared_and_a_transferred_income_tier_is_kept():
    p = period(fee_lines=[fee(KIGA_30H, tier=2), fee(INCOME_GROUP, tier=3)])
    result = validate_period(p, catalogue(), PAYERS, [], settings(wuerttemberg=True))
    assert [line.tier for line in result.fee_lines] == [None, 3]  # saving the period keeps the transfer's tier
    assert validate_period(period(fee_lines=[fee(INCOME_GROUP, tier=None)]), catalogue(), PAYERS, []).fee_lines[0].tier \
        is None  # not transferred yet: no error here, the run reports "keine Staffelberechnung"


def test_wuerttemberg_group_needs_the_model_switched_on():
    errors = errors_of(period(fee_lines=[fee(KIGA_30H, tier=None)]), settings=settings(wuerttemberg=False))
    assert errors["fee_lines[0].fee_group_id"] == (
        "Beitrag, Zeile 1 („Kindergarten 30 h“): Die Beitragsgruppe folgt dem Württemberger Modell, das in der "
        "Einrichtung nicht eingeschaltet ist.")


def test_individual_group_needs_no_tier():
    p = period(fee_lines=[fee(INDIVIDUAL, tier=None, amount=eur("80.00"), reset=True)])
    assert validate_period(p, catalogue(), PAYERS, []).fee_lines[0].amount == eur("80.00")


# --- modes, counts and amounts ------------------------------------------------------------------------

def test_fields_the_mode_does_not_use_are_cleared():
    p = period(fee_lines=[fee(KRIPPE, count=5, amount=eur("3.00"), reset=True),
                          fee(INDIVIDUAL, tier=None, amount=None)],
               extra_lines=[extra(LUNCH, count=4, amount=eur("9.00"), reset=True)])
    result = validate_period(p, catalogue(), PAYERS, [])
    assert (result.fee_lines[0].count, result.fee_lines[0].amount, result.fee_lines[0].reset) == (0, None, False)
    assert result.fee_lines[1].amount == Money.zero()
    assert (result.extra_lines[0].count, result.extra_lines[0].amount, result.extra_lines[0].reset) == (4, None, False)


def test_no_special_discount_on_per_unit_lines():
    errors = errors_of(period(fee_lines=[fee(MEALS_FEE, special_discount=eur("0.50"))]))
    assert errors["fee_lines[0].special_discount"] == (
        "Beitrag, Zeile 1 („Mittagessen (Beitrag)“) – Sonderermäßigung: gibt es bei Abrechnung nach Anzahl nicht "
        "(der Betrag könnte negativ werden).")


def test_special_discount_may_not_be_negative():
    errors = errors_of(period(fee_lines=[fee(KRIPPE, special_discount=eur("-5.00"))]))
    assert errors["fee_lines[0].special_discount"].endswith("Sonderermäßigung: Der Betrag darf nicht negativ sein.")


def test_amounts_in_another_currency_are_refused():
    errors = errors_of(period(fee_lines=[fee(INDIVIDUAL, tier=None, amount=Money(500, "CHF"))]))
    assert errors["fee_lines[0].amount"].endswith("Der Betrag ist in CHF, die Organisation rechnet in EUR.")


# --- the net is never negative ------------------------------------------------------------------------

def test_discounts_exceeding_the_fee_are_refused_with_the_amounts():
    p = period(fee_lines=[fee(KRIPPE, tier=2, discount_ids=(PERCENT_25, FIXED_20), special_discount=eur("200.00"))])
    errors = errors_of(p)
    # 250.00 - 62.50 - 20.00 - 200.00 = -32.50: the special discount tips it over
    assert errors == {"fee_lines[0].special_discount": (
        "Beitrag, Zeile 1 („Krippe Ganztag“): Die Ermäßigungen (282,50 EUR) übersteigen den Beitrag (250,00 EUR) "
        "um 32,50 EUR; der Betrag darf nicht negativ werden.")}
    assert errors_of(replace(p, fee_lines=(replace(p.fee_lines[0], special_discount=eur("167.50")),))) == {}


def test_per_unit_discount_exceeding_the_unit_price_is_refused_per_unit():
    cheap = fee_group(MEALS_FEE, "Mittagessen (Beitrag)", BillingMode.PER_UNIT, "0.50")
    errors = errors_of(period(fee_lines=[fee(MEALS_FEE, discount_ids=(MEAL_SUBSIDY,), count=3)]),
                       catalogue=catalogue(fee_groups={MEALS_FEE: cheap}))
    assert errors["fee_lines[0].discount_ids[0]"] == (
        "Beitrag, Zeile 1 („Mittagessen (Beitrag)“): Die Ermäßigungen (0,80 EUR pro Einheit) übersteigen den "
        "Beitrag (0,50 EUR pro Einheit) um 0,30 EUR; der Betrag darf nicht negativ werden.")


def test_sibling_ladder_counts_with_the_facts_of_the_first_month():
    # 4th child: 75 % of 291.20 = 218.40, plus the fixed 20.00 and 10 % (29.12) = 267.52 ≤ 291.20
    p = period(fee_lines=[fee(KRIPPE, discount_ids=(SIBLINGS, FIXED_20, PERCENT_10), special_discount=eur("30.00"))])
    assert errors_of(p) == {}  # without facts the child is the first: no ladder
    errors = errors_of(p, facts=facts("01.2026", sibling_position=4))
    assert "übersteigen den Beitrag (291,20 EUR) um 6,32 EUR" in errors["fee_lines[0].special_discount"]


def test_wuerttemberg_net_is_checked_with_the_household_of_the_first_month():
    p = period(fee_lines=[fee(KIGA_30H, tier=None, special_discount=eur("50.00"))])
    ok = settings(wuerttemberg=True)
    assert errors_of(p, settings=ok, facts=facts("01.2026", children_in_household=2)) == {}  # 126.00
    errors = errors_of(p, settings=ok, facts=facts("01.2026", children_in_household=4))  # 28.00
    assert "übersteigen den Beitrag (28,00 EUR) um 22,00 EUR" in errors["fee_lines[0].special_discount"]


# --- payers and shares --------------------------------------------------------------------------------

def test_payers_only_from_the_childs_payer_list_and_once_per_line():
    payers = (pays(MOTHER, "100.00"), pays(42, "100.00"), pays(MOTHER, rest=True))
    errors = errors_of(period(fee_lines=[fee(KRIPPE, payers=payers)]))
    assert errors["fee_lines[0].payers[1].payer_id"] == (
        "Beitrag, Zeile 1 („Krippe Ganztag“) – Zahler 2: steht nicht in der Zahlerliste des Kindes.")
    assert errors["fee_lines[0].payers[2].payer_id"].endswith("Zahler 3: ist in dieser Zeile schon eingetragen.")


def test_only_one_payer_takes_the_remainder():
    payers = (pays(MOTHER, rest=True), pays(FATHER, rest=True))
    errors = errors_of(period(fee_lines=[fee(KRIPPE, payers=payers)]))
    assert errors["fee_lines[0].payers[1].takes_remainder"].endswith(
        "Zahler 2: Nur ein Zahler kann den Restbeitrag übernehmen.")


def test_shares_must_equal_the_net_without_a_remainder_payer():
    payers = (pays(MOTHER, "100.00"), pays(FATHER, "150.00"))
    errors = errors_of(period(fee_lines=[fee(KRIPPE, payers=payers)]))
    assert errors == {"fee_lines[0].payers[1].share": (
        "Beitrag, Zeile 1 („Krippe Ganztag“) – Zahler 2, Anteil: Die Anteile (250,00 EUR) ergeben nicht den "
        "Betrag (291,20 EUR); es fehlen 41,20 EUR. Bitte die Anteile anpassen oder einen Zahler den Restbeitrag "
        "übernehmen lassen.")}
    exact = (pays(MOTHER, "100.00"), pays(FATHER, "191.20"))
    assert errors_of(period(fee_lines=[fee(KRIPPE, payers=exact)])) == {}


def test_shares_are_compared_with_the_net_after_discounts():
    exact = (pays(MOTHER, "100.00"), pays(FATHER, "171.20"))  # 291.20 - 20.00
    assert errors_of(period(fee_lines=[fee(KRIPPE, payers=exact, discount_ids=(FIXED_20,))])) == {}


def test_shares_never_exceed_the_net():
    payers = (pays(MOTHER, "200.00"), pays(FATHER, "100.00"), pays(YOUTH_OFFICE, rest=True))
    errors = errors_of(period(fee_lines=[fee(KRIPPE, payers=payers)]))
    assert errors == {"fee_lines[0].payers[1].share": (
        "Beitrag, Zeile 1 („Krippe Ganztag“) – Zahler 2, Anteil: Die Anteile (300,00 EUR) übersteigen den Betrag "
        "(291,20 EUR) um 8,80 EUR.")}


def test_daily_shares_are_per_day():
    ok = (pays(MOTHER, "5.00"), pays(FATHER, rest=True))
    assert errors_of(period(fee_lines=[fee(TAGESPLATZ, payers=ok)])) == {}
    wrong = (pays(MOTHER, "5.00"), pays(FATHER, "7.00"))
    errors = errors_of(period(fee_lines=[fee(TAGESPLATZ, payers=wrong)]))
    assert "Die Anteile (12,00 EUR pro Tag) ergeben nicht den Betrag (12,40 EUR pro Tag); es fehlen 0,40 EUR" in (
        errors["fee_lines[0].payers[1].share"])


def test_per_unit_shares_are_per_unit():
    payers = (pays(MOTHER, "1.00"), pays(FATHER, "2.00"))  # meals 3.80 - 0.80 = 3.00 per unit
    assert errors_of(period(fee_lines=[fee(MEALS_FEE, payers=payers, count=17, discount_ids=(MEAL_SUBSIDY,))])) == {}


def test_a_share_is_needed_unless_the_payer_takes_the_remainder():
    payers = (pays(MOTHER), pays(FATHER, rest=True))
    errors = errors_of(period(fee_lines=[fee(KRIPPE, payers=payers)]))
    assert errors["fee_lines[0].payers[0].share"].endswith(
        "Zahler 1 – Anteil: Bitte den Anteil eingeben oder „Restbeitrag“ wählen.")


def test_negative_share_is_refused():
    payers = (pays(MOTHER, "-1.00"), pays(FATHER, rest=True))
    errors = errors_of(period(fee_lines=[fee(KRIPPE, payers=payers)]))
    assert errors["fee_lines[0].payers[0].share"].endswith("Anteil: Der Betrag darf nicht negativ sein.")


def test_single_payer_without_share_takes_the_remainder_and_remainder_share_is_cleared():
    p = period(fee_lines=[fee(KRIPPE, payers=(pays(MOTHER),)),
                          fee(TAGESPLATZ, payers=(pays(MOTHER, "5.00"), pays(FATHER, "3.00", rest=True)))])
    result = validate_period(p, catalogue(), PAYERS, [])
    assert result.fee_lines[0].payers == (pays(MOTHER, rest=True),)
    assert result.fee_lines[1].payers[1] == pays(FATHER, rest=True)


def test_every_line_needs_a_payer():
    errors = errors_of(period(fee_lines=[fee(KRIPPE, payers=())], extra_lines=[extra(CRAFT, payers=())]))
    assert errors["fee_lines[0].payers"] == (
        "Beitrag, Zeile 1 („Krippe Ganztag“) – Zahler: Bitte mindestens einen Zahler angeben (oder im Layer "
        "Grunddaten einen Zahler für den gesamten Beitrag).")
    assert "einen Zahler für die gesamten Zusatzkosten" in errors["extra_lines[0].payers"]


def test_all_fees_payer_replaces_the_line_payers():
    p = period(fee_lines=[fee(KRIPPE, payers=())], extra_lines=[extra(CRAFT, payers=())],
               fees_payer_id=FATHER, extras_payer_id=MOTHER)
    assert errors_of(p) == {}
    both = period(fee_lines=[fee(KRIPPE)], extra_lines=[extra(CRAFT)], fees_payer_id=FATHER, extras_payer_id=MOTHER)
    errors = errors_of(both)
    assert errors["fee_lines[0].payers"] == (
        "Beitrag, Zeile 1 („Krippe Ganztag“) – Zahler: Im Layer Grunddaten übernimmt ein Zahler den gesamten "
        "Beitrag; in der Zeile werden keine Zahler angegeben.")
    assert "übernimmt ein Zahler die gesamten Zusatzkosten" in errors["extra_lines[0].payers"]


def test_all_payers_must_be_on_the_payer_list():
    errors = errors_of(period(fee_lines=[fee(KRIPPE, payers=())], fees_payer_id=55, extras_payer_id=56))
    assert errors["fees_payer_id"] == ("Zahler übernimmt den gesamten Beitrag: Zahler 55 steht nicht in der "
                                       "Zahlerliste des Kindes.")
    assert errors["extras_payer_id"].startswith("Zahler übernimmt die gesamten Zusatzkosten: Zahler 56")


def test_individual_line_without_amount_skips_the_share_sum():
    payers = (pays(MOTHER, "10.00"), pays(FATHER, "20.00"))
    assert errors_of(period(extra_lines=[extra(TRIP, payers=payers, reset=True)])) == {}
    errors = errors_of(period(extra_lines=[extra(TRIP, payers=payers, reset=True, amount=eur("45.00"))]))
    assert "es fehlen 15,00 EUR" in errors["extra_lines[0].payers[1].share"]


# --- standard-rate meals -----------------------------------------------------------------------------

def test_meal_coverage_needs_the_option_and_an_institution():
    p = period(extra_lines=[extra(LUNCH, payers=())], meal_coverage=MealCoverage.HARDSHIP_FUND)
    errors = errors_of(p, settings=settings())
    assert errors["meal_coverage"].startswith("Kostenübernahme Essensgeld: nur mit der Richtsatzabrechnung")
    errors = errors_of(p, settings=settings(standard_rate_meals=True))
    assert errors["meal_coverage"] == (
        "Kostenübernahme Essensgeld „aus dem Härtefallfonds“: In der Einrichtung ist keine Institution hinterlegt, "
        "die diese Kosten trägt.")
    ok = settings(standard_rate_meals=True, hardship_fund_payer_id=HARDSHIP_FUND)
    assert errors_of(p, settings=ok) == {}  # covered meals need no per-line payer
    assert "extra_lines[0].payers" in errors_of(period(extra_lines=[extra(CRAFT, payers=())],
                                                       meal_coverage=MealCoverage.HARDSHIP_FUND), settings=ok)


# --- periods: order, overlap, closing -------------------------------------------------------------------

def test_valid_to_before_valid_from_is_refused():
    from sollhaben.domain.months import Validity
    p = period()
    object.__setattr__(p, "valid", object.__new__(Validity))
    object.__setattr__(p.valid, "valid_from", m("05.2026"))
    object.__setattr__(p.valid, "valid_to", m("03.2026"))
    assert errors_of(p)["valid_to"] == "Gültig bis (03.2026) liegt vor Gültig ab (05.2026)."


def test_siblings_manual_may_not_be_negative():
    assert "siblings_manual" in errors_of(period(siblings_manual=-1))
