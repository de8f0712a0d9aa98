"""Validation of an assessment field by field, and the save, copy and delete rules."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.income.model import AssessmentPerson, AssessmentStatus, IncomeThreshold, TierBracket
from sollhaben.domain.income.validation import (
    check_delete,
    close_previous,
    configuration_errors,
    copy_assessment,
    status_on_save,
    validate_assessment,
    validation_errors,
)
from sollhaben.domain.money import Money
from tests.unit.domain.income.builders import (
    EXPENSES,
    FATHER,
    GRANDMA,
    LINKED,
    MOTHER,
    SALARY,
    assessment,
    config,
    eur,
    item,
    m,
    version,
)


def errors_of(a, others=(), cfg=None, linked=LINKED) -> dict[str, str]:
    return {e.field: e.message for e in validation_errors(a, cfg or config(), linked, others)}


def test_the_example_is_valid_and_returned_unchanged():
    a = assessment()
    assert validate_assessment(a, config(), LINKED, []) is a


def test_household_size_zero_or_negative_is_refused():
    for size in (0, -2):
        assert errors_of(assessment(household_size=size)) == {"household_size": (
            f"Anzahl Haushalt: Es muss mindestens eine Person im Haushalt leben (eingegeben: {size}).")}


def test_household_size_is_required_without_the_highest_tier_option():
    assert errors_of(assessment(household_size=None)) == {"household_size": (
        "Anzahl Haushalt: Pflichtfeld – die Anzahl legt die Einkommensgrenze fest.")}
    assert errors_of(assessment(household_size=None, highest_tier=True)) == {}


def test_household_size_below_the_smallest_configured_size_has_no_threshold():
    assert errors_of(assessment(household_size=1)) == {"household_size": (
        "Anzahl Haushalt: Für 1 Person(en) ist keine Einkommensgrenze eingerichtet (kleinste Haushaltsgröße in "
        "den Einstellungen: 2).")}
    gap = config(version(thresholds=(IncomeThreshold(2, eur("1800.00")), IncomeThreshold(4, eur("2400.00")))))
    assert errors_of(assessment(household_size=3), cfg=gap) == {"household_size": (
        "Anzahl Haushalt: Für 3 Personen ist keine Einkommensgrenze eingerichtet (eingerichtet: 2, 4).")}
    assert errors_of(assessment(household_size=9)) == {}  # above the largest: the increment per person


def test_a_negative_amount_is_refused_because_the_sign_comes_from_the_type():
    persons = (AssessmentPerson(MOTHER, False, (item(SALARY, "30000.00"), item(EXPENSES, "-1200.00"))),)
    assert errors_of(assessment(persons=persons)) == {"persons[0].items[1].amount": (
        "Person 1 – „Werbungskosten“ (-): Der Betrag darf nicht negativ sein (-1.200,00 EUR); bitte positiv "
        "eingeben – das Vorzeichen kommt aus der Einkommensposition.")}
    plus = (AssessmentPerson(MOTHER, False, (item(SALARY, "-1.00"),)),)
    assert "„Lohn/Gehalt“ (+)" in errors_of(assessment(persons=plus))["persons[0].items[0].amount"]


def test_unknown_duplicate_and_foreign_currency_items_are_refused():
    persons = (AssessmentPerson(MOTHER, False, (item(SALARY, "1.00"), item(SALARY, "2.00"), item(77, "3.00"),
                                                replace(item(EXPENSES, "0"), amount=Money.of("5", "CHF")))),)
    assert errors_of(assessment(persons=persons)) == {
        "persons[0].items[1].item_type_id": "Person 1 – „Lohn/Gehalt“ (+): ist für diese Person schon erfasst.",
        "persons[0].items[2].item_type_id": ("Person 1, Position 3: Die Einkommensposition 77 gibt es in der "
                                             "Grundtabelle nicht."),
        "persons[0].items[3].amount": ("Person 1 – „Werbungskosten“ (-): Der Betrag ist in CHF, die Organisation "
                                       "rechnet in EUR."),
    }


def test_valid_from_is_required():
    assert errors_of(assessment(None)) == {"valid_from": (
        "Gültig ab: Pflichtfeld – bitte den ersten Monat im Format MM.JJJJ eingeben.")}


def test_valid_to_before_valid_from_is_refused():
    assert errors_of(assessment("06.2026", "05.2026")) == {"valid_to": (
        "Gültig bis (05.2026) liegt vor Gültig ab (06.2026).")}


def test_overlap_with_another_assessment_of_the_child_is_refused():
    other = assessment("01.2026", "12.2026", id=1)
    assert errors_of(assessment("06.2026", "08.2026"), [other]) == {"valid_from": (
        "Gültig ab: Der Zeitraum 06.2026 – 08.2026 überschneidet sich mit der Staffelberechnung 01.2026 – 12.2026 "
        "des Kindes. Je Monat gibt es nur eine Staffelberechnung.")}
    later = assessment("09.2026", id=2)
    assert errors_of(assessment("01.2026"), [later])["valid_from"].endswith(
        "Bitte „Gültig bis“ spätestens auf 08.2026 setzen.")
    assert errors_of(assessment("01.2027"), [other]) == {}
    assert errors_of(assessment("06.2026", "08.2026"), [replace(other, child_id=999)]) == {}
    assert errors_of(replace(other, household_size=3), [other]) == {}  # its own stored version


def test_the_open_earlier_assessment_is_no_overlap_because_saving_closes_it():
    previous = assessment("01.2025", id=1)
    assert errors_of(assessment("01.2026"), [previous]) == {}
    assert "überschneidet" in errors_of(assessment("01.2025"), [previous])["valid_from"]


def test_only_persons_linked_to_the_child_and_at_most_two():
    grandma = (AssessmentPerson(GRANDMA),)
    assert errors_of(assessment(persons=grandma)) == {"persons[0].person_id": (
        "Person 1: ist dem Kind nicht zugeordnet; nur zugeordnete Personen können gewählt werden.")}
    three = (AssessmentPerson(MOTHER), AssessmentPerson(FATHER), AssessmentPerson(MOTHER))
    assert errors_of(assessment(persons=three), linked=LINKED) == {
        "persons": "Personen: höchstens 2 Personen je Staffelberechnung (ausgewählt: 3).",
        "persons[2].person_id": "Person 3: ist schon als Person 1 gewählt.",
    }
    assert errors_of(assessment(persons=())) == {"persons": (
        "Personen: Bitte mindestens eine Person wählen, deren Einkommen zählt (oder die Option „höchste Staffel“).")}
    assert errors_of(assessment(persons=(), highest_tier=True)) == {}


def test_no_configuration_for_the_month_is_refused():
    assert errors_of(assessment("01.2019")) == {"valid_from": (
        "Gültig ab: Für 01.2019 sind keine Einkommensgrenzen und Staffeln eingerichtet (Einstellungen "
        "Staffelberechnung); bitte zuerst eine Version ab 01.2019 anlegen.")}
    empty = config(version(thresholds=(), brackets=()))
    assert [e.message for e in validation_errors(assessment(), empty, LINKED, [])] == [
        "Gültig ab: Die Einstellungen ab 01.2020 nennen keine Einkommensgrenzen.",
        "Gültig ab: Die Einstellungen ab 01.2020 nennen keine Staffeln (Betrag bis … → Staffel).",
    ]
    assert errors_of(assessment(highest_tier=True), cfg=empty) == {}


def test_facility_is_required():
    assert errors_of(assessment(facility_id=None)) == {"facility_id": (
        "Mandant: Bitte die Betreuungseinrichtung wählen (Pflichtfeld in der Ansicht des Hauptmandanten).")}


def test_exemption_override_rules():
    assert errors_of(assessment(exemption_percent=Decimal("120"))) == {"exemption_percent": (
        "Befreiungsbetrag in %: Der Prozentsatz 120 liegt nicht zwischen 0 und 100.")}
    assert errors_of(assessment(exemption_percent=Decimal("5.125"))) == {"exemption_percent": (
        "Befreiungsbetrag in %: Der Prozentsatz 5.125 hat mehr als zwei Nachkommastellen.")}
    assert errors_of(assessment(exemption_fixed=eur("-1.00"))) == {"exemption_fixed": (
        "Befreiungsbetrag in EUR: Der Betrag darf nicht negativ sein (-1,00 EUR).")}


def test_every_error_is_raised_at_once():
    bad = assessment(None, household_size=0, persons=(AssessmentPerson(GRANDMA),))
    with pytest.raises(ValidationError) as caught:
        validate_assessment(bad, config(), LINKED, [])
    assert [e.field for e in caught.value.errors] == ["valid_from", "household_size", "persons[0].person_id"]


# --- copy, save, delete ------------------------------------------------------------------------------

def test_copy_keeps_everything_but_the_validity():
    source = assessment("01.2025", id=5, complete=True, status=AssessmentStatus.TRANSFERRED, version=4)
    copy = copy_assessment(source)
    assert (copy.valid_from, copy.valid_to, copy.id, copy.status, copy.version) == (
        None, None, None, AssessmentStatus.NOT_TRANSFERRED, 1)
    assert replace(copy, valid_from=source.valid_from, id=5, status=source.status, version=4) == source
    assert "valid_from" in errors_of(copy, [source])


def test_saving_the_copy_closes_the_previous_open_assessment_at_the_month_before():
    previous = assessment("01.2025", id=5, status=AssessmentStatus.TRANSFERRED)
    copy = replace(copy_assessment(previous), valid_from=m("01.2026"))
    assert errors_of(copy, [previous]) == {}
    assert close_previous([previous], copy) == replace(previous, valid_to=m("12.2025"))
    closed = assessment("01.2024", "12.2024", id=4)
    assert close_previous([closed], copy) is None  # it has a valid_to already
    assert close_previous([assessment("02.2026", id=6)], copy) is None  # a later one is not "previous"
    assert close_previous([replace(previous, child_id=999)], copy) is None


def test_status_on_save():
    new = status_on_save(assessment(), None)
    assert new.status is AssessmentStatus.NOT_TRANSFERRED
    stored = assessment(id=3, status=AssessmentStatus.TRANSFERRED)
    assert status_on_save(replace(stored, household_size=5), stored).status is AssessmentStatus.NOT_TRANSFERRED
    assert status_on_save(replace(stored, valid_to=m("06.2026")), stored).status is AssessmentStatus.NOT_TRANSFERRED
    info_only = replace(stored, complete=True, declaration_date=date(2026, 4, 2))
    assert status_on_save(info_only, stored).status is AssessmentStatus.TRANSFERRED


def test_delete_is_refused_when_complete():
    with pytest.raises(ValidationError) as caught:
        check_delete(assessment(complete=True), date(2026, 4, 15))
    assert caught.value.errors[0].field == "complete"
    assert str(caught.value) == "Löschen nicht möglich: Die Staffelberechnung ist als „Vollständig“ gekennzeichnet."


def test_delete_is_refused_when_valid_to_is_not_in_the_future():
    for end in ("03.2026", "04.2026"):
        with pytest.raises(ValidationError) as caught:
            check_delete(assessment("01.2026", end), date(2026, 4, 15))
        assert str(caught.value) == f"Löschen nicht möglich: Gültig bis ({end}) liegt nicht in der Zukunft."


def test_delete_otherwise_asks_for_confirmation():
    assert check_delete(assessment("01.2026", "05.2026"), date(2026, 4, 15)) == (
        "Staffelberechnung 01.2026 – 05.2026 wirklich löschen?")
    assert check_delete(assessment("01.2026"), date(2026, 4, 15)) == (
        "Staffelberechnung 01.2026 – offen wirklich löschen?")


def test_configuration_rules():
    assert configuration_errors(version(), config()) == []
    bad = version(thresholds=(IncomeThreshold(2, eur("1800.00")), IncomeThreshold(4, eur("2400.00"))),
                  brackets=(TierBracket(eur("250.00"), 2), TierBracket(eur("250.00"), 3)), highest_tier=3,
                  exemption_percent=Decimal("101"))
    assert {e.field: e.message for e in configuration_errors(bad, config())} == {
        "thresholds": ("Einkommensgrenzen: Die Haushaltsgrößen müssen mindestens 1 sein und lückenlos aufeinander "
                       "folgen (eingegeben: 2, 4)."),
        "brackets[1]": "Staffeln, Zeile 2: Betrag bis und Staffel müssen größer sein als in der Zeile davor.",
        "highest_tier": "Höchste Staffel: 3 muss größer sein als die Staffeln der Tabelle.",
        "exemption_percent": "Befreiungsbetrag in %: Der Prozentsatz 101 liegt nicht zwischen 0 und 100.",
    }
