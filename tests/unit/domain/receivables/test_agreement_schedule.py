"""Payment agreements, pure part: the schedule split to the cent, the validation, the monitoring."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.agreements import (
    AgreementStatus, AgreementTerms, InstalmentState, Interval, Payment, add_months, assess, build_schedule,
    last_deadline,
)

TODAY = date(2026, 11, 24)


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


def fields(exc: ValidationError) -> dict[str, str]:
    return {e.field: e.message for e in exc.errors}


# --- schedule ---------------------------------------------------------------------------------

def test_a_count_splits_to_the_cent_with_the_extra_cents_first():
    terms = AgreementTerms(eur("100.00"), date(2026, 12, 1), instalment_count=3)
    schedule = build_schedule(terms, eur("100.00"), TODAY)
    assert [i.amount for i in schedule] == [eur("33.34"), eur("33.33"), eur("33.33")]
    assert [i.due_date for i in schedule] == [date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]
    assert [i.position for i in schedule] == [1, 2, 3]


def test_an_amount_gives_full_instalments_and_the_last_takes_the_rest():
    terms = AgreementTerms(eur("250.00"), date(2026, 12, 15), instalment_amount=eur("60.00"))
    schedule = build_schedule(terms, eur("250.00"), TODAY)
    assert [i.amount for i in schedule] == [eur("60.00")] * 4 + [eur("10.00")]
    assert schedule[-1].due_date == date(2027, 4, 15)


def test_down_payment_first_then_the_instalments_one_interval_apart():
    terms = AgreementTerms(eur("500.00"), date(2026, 12, 1), Interval.QUARTERLY, instalment_count=2,
                           down_payment=eur("100.00"))
    schedule = build_schedule(terms, None, TODAY)
    assert [(i.due_date, i.amount, i.is_down_payment) for i in schedule] == [
        (date(2026, 12, 1), eur("100.00"), True), (date(2027, 3, 1), eur("200.00"), False),
        (date(2027, 6, 1), eur("200.00"), False)]
    assert [i.position for i in schedule] == [0, 1, 2]  # the down payment first, then „Rate 1“ …


def test_weekly_and_the_31st_stays_the_last_day_of_short_months():
    weekly = build_schedule(AgreementTerms(eur("30.00"), date(2026, 12, 1), Interval.WEEKLY, 3), None, TODAY)
    assert [i.due_date for i in weekly] == [date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 15)]
    monthly = build_schedule(AgreementTerms(eur("40.00"), date(2027, 1, 31), instalment_count=4), None, TODAY)
    assert [i.due_date for i in monthly] == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31),
                                              date(2027, 4, 30)]
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)


def test_validation_names_every_field_in_german():
    terms = AgreementTerms(eur("90.00"), date(2026, 11, 1), instalment_count=3, instalment_amount=eur("10.00"),
                           grace_days=-1, down_payment=eur("95.00"))
    with pytest.raises(ValidationError) as caught:
        build_schedule(terms, eur("100.00"), TODAY)
    errors = fields(caught.value)
    assert errors["total"].startswith("Gesamtbetrag: muss der Summe der gewählten offenen Posten (100.00 EUR)")
    assert errors["first_due"] == "Erste Fälligkeit: darf nicht in der Vergangenheit liegen."
    assert errors["grace_days"] == "Karenztage: 0 bis 60 Tage erlaubt."
    assert errors["down_payment"] == "Anzahlung: muss kleiner als der Gesamtbetrag sein."
    assert errors["instalments"].startswith("Raten: Bitte entweder die Anzahl")


@pytest.mark.parametrize("terms, field, message", [
    (AgreementTerms(eur("10.00"), TODAY, instalment_amount=eur("0.00")), "instalment_amount",
     "Ratenbetrag: muss mindestens 0.01 betragen."),
    (AgreementTerms(eur("10.00"), TODAY, instalment_amount=eur("10.01")), "instalment_amount",
     "Ratenbetrag: darf nicht grösser als der zu verteilende Betrag (10.00 EUR) sein."),
    (AgreementTerms(eur("10.00"), TODAY, instalment_amount=eur("0.05")), "instalment_amount",
     "Ratenbetrag: ergibt mehr als 120 Raten."),
    (AgreementTerms(eur("0.02"), TODAY, instalment_count=3), "instalment_count",
     "Anzahl Raten: 3 Raten ergeben weniger als 0.01 je Rate."),
    (AgreementTerms(eur("10.00"), TODAY, instalment_count=0), "instalment_count", "Anzahl Raten: 1 bis 120 erlaubt."),
    (AgreementTerms(eur("0.00"), TODAY, instalment_count=1), "total", "Gesamtbetrag: muss grösser als 0.00 sein."),
    (AgreementTerms(eur("10.00"), TODAY, instalment_count=2, down_payment=Money.of("1.00", "CHF")), "down_payment",
     "Anzahlung: Beträge in EUR erwartet, nicht CHF."),
])
def test_single_rules(terms, field, message):
    with pytest.raises(ValidationError) as caught:
        build_schedule(terms, None, TODAY)
    assert fields(caught.value) == {field: message}


def test_no_items_chosen():
    with pytest.raises(ValidationError) as caught:
        build_schedule(AgreementTerms(eur("10.00"), TODAY, instalment_count=1), eur("0.00"), TODAY)
    assert fields(caught.value) == {"items": "Posten: Bitte mindestens einen offenen Posten wählen."}


amounts = st.integers(min_value=1, max_value=10_000_000)
intervals = st.sampled_from(list(Interval))


@st.composite
def terms_strategy(draw):
    total = draw(amounts)
    down = draw(st.one_of(st.none(), st.integers(1, total - 1))) if total > 1 else None
    rest = total - (down or 0)
    if draw(st.booleans()):
        count, amount = draw(st.integers(1, min(rest, 120))), None
    else:
        count, amount = None, Money(draw(st.integers(max(1, -(-rest // 120)), rest)))
    first = TODAY + timedelta(days=draw(st.integers(0, 400)))
    return AgreementTerms(Money(total), first, draw(intervals), count, amount,
                          None if down is None else Money(down), draw(st.integers(0, 60)))


@given(terms_strategy())
def test_the_schedule_always_sums_to_the_total_and_is_in_order(terms):
    schedule = build_schedule(terms, terms.total, TODAY)
    assert sum(i.amount.minor for i in schedule) == terms.total.minor
    assert all(i.amount.minor >= 1 for i in schedule)
    assert all(a.due_date < b.due_date for a, b in zip(schedule, schedule[1:]))
    assert len(schedule) <= 120 + (terms.down_payment is not None)
    regular = [i.amount.minor for i in schedule if not i.is_down_payment]
    if terms.instalment_count is not None:
        assert len(regular) == terms.instalment_count and max(regular) - min(regular) <= 1
    else:
        assert all(a == terms.instalment_amount.minor for a in regular[:-1])
        assert 1 <= regular[-1] <= terms.instalment_amount.minor


# --- monitoring -------------------------------------------------------------------------------

def three_of_100():
    return build_schedule(AgreementTerms(eur("300.00"), date(2026, 12, 1), instalment_count=3), None, TODAY)


def test_states_paid_due_upcoming_and_missed():
    schedule = three_of_100()
    paid_first = [Payment(date(2026, 12, 3), eur("100.00"))]
    result = assess(schedule, paid_first, date(2027, 1, 3), grace_days=5)
    assert [s.state for s in result.instalments] == [InstalmentState.PAID, InstalmentState.DUE,
                                                     InstalmentState.UPCOMING]
    assert result.status is AgreementStatus.ACTIVE
    on_deadline = assess(schedule, paid_first, date(2027, 1, 6), grace_days=5)
    assert on_deadline.status is AgreementStatus.ACTIVE  # paying on the deadline is still in time
    after = assess(schedule, paid_first, date(2027, 1, 7), grace_days=5)
    assert [s.state for s in after.instalments][:2] == [InstalmentState.PAID, InstalmentState.MISSED]
    assert after.status is AgreementStatus.BROKEN and after.broken_on == date(2027, 1, 7)


def test_paying_ahead_covers_later_instalments_and_partial_payments_add_up():
    schedule = three_of_100()
    payments = [Payment(date(2026, 12, 1), eur("150.00")), Payment(date(2026, 12, 28), eur("50.00"))]
    result = assess(schedule, payments, date(2027, 2, 1), grace_days=0)
    assert [s.state for s in result.instalments] == [InstalmentState.PAID, InstalmentState.PAID,
                                                     InstalmentState.DUE]
    assert [s.paid for s in result.instalments] == [eur("100.00"), eur("100.00"), eur("0.00")]
    partial = assess(schedule, payments[:1], date(2027, 1, 1), grace_days=0)
    assert partial.status is AgreementStatus.ACTIVE
    assert partial.instalments[1].paid == eur("50.00") and partial.instalments[1].state is InstalmentState.DUE


def test_fulfilled_when_the_total_is_paid_and_a_returned_payment_undoes_it():
    schedule = three_of_100()
    payments = [Payment(date(2026, 12, 1), eur("300.00"))]
    assert assess(schedule, payments, date(2026, 12, 1), 0).status is AgreementStatus.FULFILLED
    returned = payments + [Payment(date(2026, 12, 10), eur("-300.00"))]
    before = assess(schedule, returned, date(2026, 12, 9), 0)
    assert before.status is AgreementStatus.FULFILLED and before.fulfilled_on == date(2026, 12, 1)
    result = assess(schedule, returned, date(2026, 12, 10), 0)  # the money came back after the deadline
    assert result.status is AgreementStatus.BROKEN and result.broken_on == date(2026, 12, 10)
    assert result.fulfilled_on is None and result.instalments[0].state is InstalmentState.MISSED
    early = [Payment(date(2026, 11, 25), eur("100.00")), Payment(date(2026, 11, 28), eur("-100.00")),
             Payment(date(2026, 11, 30), eur("100.00"))]  # returned and paid again before the deadline
    assert assess(schedule, early, date(2026, 12, 5), 0).status is AgreementStatus.ACTIVE


def test_payments_after_the_check_date_do_not_count():
    schedule = three_of_100()
    result = assess(schedule, [Payment(date(2027, 3, 1), eur("300.00"))], date(2026, 12, 1), 0)
    assert result.status is AgreementStatus.ACTIVE and result.paid == eur("0.00")


def test_block_ends_at_the_last_deadline():
    assert last_deadline(three_of_100(), 7) == date(2027, 2, 8)


@settings(max_examples=60)
@given(terms_strategy(), st.integers(0, 2000))
def test_paying_exactly_the_schedule_never_breaks_it(terms, days_after):
    schedule = build_schedule(terms, terms.total, TODAY)
    payments = [Payment(i.due_date, i.amount) for i in schedule]
    on = schedule[0].due_date + timedelta(days=days_after)
    result = assess(schedule, payments, on, terms.grace_days)
    assert result.status is not AgreementStatus.BROKEN
    assert (result.status is AgreementStatus.FULFILLED) == (on >= schedule[-1].due_date)
    assert all(s.state is not InstalmentState.MISSED for s in result.instalments)


@settings(max_examples=60)
@given(terms_strategy())
def test_paying_nothing_breaks_it_the_day_after_the_first_deadline(terms):
    schedule = build_schedule(terms, terms.total, TODAY)
    deadline = schedule[0].due_date + timedelta(days=terms.grace_days)
    assert assess(schedule, [], deadline, terms.grace_days).status is AgreementStatus.ACTIVE
    broken = assess(schedule, [], deadline + timedelta(days=1), terms.grace_days)
    assert broken.status is AgreementStatus.BROKEN and broken.broken_on == deadline + timedelta(days=1)
