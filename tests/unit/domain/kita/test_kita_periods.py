"""Periods never overlap, a new period closes the open previous one, and the lock option."""
from __future__ import annotations

from dataclasses import replace

from sollhaben.domain.kita.periods import close_previous
from sollhaben.domain.kita.validation import validate_period, validation_errors
from sollhaben.domain.months import Validity
from tests.unit.domain.kita.builders import (
    FATHER,
    KRIPPE,
    LUNCH,
    PAYERS,
    TAGESPLATZ,
    TRIP,
    catalogue,
    eur,
    extra,
    fee,
    m,
    period,
)


def errors_of(p, others, locked_through=None) -> dict[str, str]:
    return {e.field: e.message for e in validation_errors(p, catalogue(), PAYERS, others, None, locked_through)}


def test_new_period_after_the_open_one_is_allowed_and_closes_it():
    old = period("01.2026", id=1, fee_lines=[fee(KRIPPE)])
    new = period("06.2026", fee_lines=[fee(KRIPPE, tier=2)])
    assert errors_of(new, [old]) == {}
    closed = close_previous([old], new)
    assert closed == [replace(old, valid=Validity(m("01.2026"), m("05.2026")))]


def test_close_previous_leaves_closed_and_later_periods_alone():
    closed_one = period("01.2025", "12.2025", id=1)
    open_one = period("01.2026", id=2)
    new = period("04.2026", id=3)
    assert [p.id for p in close_previous([closed_one, open_one, new], new)] == [2]
    assert close_previous([period("05.2026", id=4)], new) == []


def test_overlap_with_a_closed_period_is_refused():
    old = period("01.2026", "12.2026", id=1, fee_lines=[fee(KRIPPE)])
    new = period("06.2026", fee_lines=[fee(KRIPPE)])
    assert errors_of(new, [old]) == {"valid_from": (
        "Gültig ab: Der Zeitraum 06.2026 – offen überschneidet sich mit dem Zeitraum 01.2026 – 12.2026. "
        "Zeiträume dürfen sich nicht überlappen.")}


def test_open_period_before_a_later_one_is_refused_with_a_hint():
    later = period("06.2026", id=1, fee_lines=[fee(KRIPPE)])
    new = period("01.2026", fee_lines=[fee(KRIPPE)])
    message = errors_of(new, [later])["valid_from"]
    assert message.endswith("Bitte „Gültig bis“ spätestens auf 05.2026 setzen.")
    assert errors_of(period("01.2026", "05.2026", fee_lines=[fee(KRIPPE)]), [later]) == {}


def test_same_start_as_the_open_period_is_an_overlap():
    old = period("01.2026", id=1, fee_lines=[fee(KRIPPE)])
    assert "valid_from" in errors_of(period("01.2026", fee_lines=[fee(KRIPPE)]), [old])


def test_editing_a_period_does_not_overlap_with_its_stored_self():
    stored = period("01.2026", id=1, fee_lines=[fee(KRIPPE)])
    assert errors_of(replace(stored, fee_lines=(fee(KRIPPE, tier=2),)), [stored]) == {}


def test_periods_of_other_children_are_ignored():
    other_child = period("01.2026", id=9, child_id=555)
    assert errors_of(period("01.2026", fee_lines=[fee(KRIPPE)]), [other_child]) == {}


# --- locking ------------------------------------------------------------------------------------------

def test_without_lock_billed_months_may_change():
    stored = period("01.2026", id=1, fee_lines=[fee(KRIPPE)])
    assert errors_of(replace(stored, fee_lines=(fee(KRIPPE, tier=2),)), [stored], locked_through=None) == {}


def test_locked_period_refuses_changes_and_offers_a_new_period():
    stored = period("01.2026", id=1, fee_lines=[fee(KRIPPE)])
    errors = errors_of(replace(stored, fee_lines=(fee(KRIPPE, tier=2),)), [stored], locked_through=m("05.2026"))
    assert errors == {"": (
        "Zeitraum 01.2026 – offen: Die Abrechnungsdaten sind bis 05.2026 abgerechnet und gesperrt (Option "
        "„Abrechnungsdaten nach Sollstellung sperren“). Bitte einen neuen Zeitraum ab 06.2026 anlegen.")}


def test_locked_period_keeps_counts_and_reset_amounts_editable():
    stored = period("01.2026", id=1, fee_lines=[fee(KRIPPE)],
                    extra_lines=[extra(LUNCH, count=0), extra(TRIP, amount=eur("0.00"), reset=True)])
    edited = replace(stored, extra_lines=(extra(LUNCH, count=17), extra(TRIP, amount=eur("12.00"), reset=True)))
    assert errors_of(edited, [stored], locked_through=m("05.2026")) == {}
    not_reset = replace(stored, extra_lines=(extra(LUNCH), extra(TRIP, amount=eur("12.00"), reset=False)))
    assert "" in errors_of(not_reset, [stored], locked_through=m("05.2026"))


def test_locked_period_may_be_closed_after_the_locked_months_only():
    stored = period("01.2026", id=1, fee_lines=[fee(KRIPPE)])
    assert errors_of(replace(stored, valid=Validity(m("01.2026"), m("08.2026"))), [stored], m("05.2026")) == {}
    assert errors_of(replace(stored, valid=Validity(m("01.2026"), m("05.2026"))), [stored], m("05.2026")) == {}
    errors = errors_of(replace(stored, valid=Validity(m("01.2026"), m("04.2026"))), [stored], m("05.2026"))
    assert errors["valid_to"].startswith("Gültig bis: Die Abrechnungsdaten sind bis 05.2026 abgerechnet")
    errors = errors_of(replace(stored, valid=Validity(m("02.2026"))), [stored], m("05.2026"))
    assert errors["valid_from"].endswith("Bitte einen neuen Zeitraum ab 06.2026 anlegen.")


def test_new_period_must_start_after_the_locked_months():
    stored = period("01.2026", id=1, fee_lines=[fee(KRIPPE)])
    new = period("05.2026", fee_lines=[fee(TAGESPLATZ, payers=None)])
    assert errors_of(new, [stored], m("05.2026"))["valid_from"] == (
        "Gültig ab: Die Abrechnungsdaten sind bis 05.2026 abgerechnet und gesperrt (Option „Abrechnungsdaten nach "
        "Sollstellung sperren“). Bitte einen neuen Zeitraum ab 06.2026 anlegen.")
    later = period("06.2026", fee_lines=[fee(KRIPPE, payers=None, tier=2)])
    assert errors_of(later, [stored], m("05.2026")) == {}
    assert close_previous([stored], later)[0].valid.valid_to == m("05.2026")


def test_a_period_after_the_locked_months_is_free():
    stored = period("07.2026", id=1, fee_lines=[fee(KRIPPE)])
    assert errors_of(replace(stored, fee_lines=(fee(KRIPPE, tier=2, payers=None),), fees_payer_id=None),
                     [stored], m("05.2026")) == {}
    assert validate_period(replace(stored, extras_payer_id=FATHER), catalogue(), PAYERS, [stored], None, m("05.2026"))
