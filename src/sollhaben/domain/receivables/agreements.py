"""Payment agreements (Zahlungsvereinbarung): the instalment schedule and its monitoring.

Pure rules, no storage:

- `build_schedule(terms, covered_total, today)` validates the terms and returns the instalments.
  The amount after an optional down payment is split either into a number of instalments
  (largest-remainder split: the parts differ by at most one cent, the earlier ones take the extra
  cents) or into instalments of a fixed amount (the last one takes the rest). The parts always sum
  to the total exactly.
- `assess(schedule, payments, on, grace_days)` says, at a check date, for each instalment whether it
  is PAID, UPCOMING, DUE or MISSED, and for the agreement whether it is ACTIVE, FULFILLED or BROKEN.
  Payments count cumulatively: paying ahead covers later instalments. An instalment is missed when
  its deadline (due date + grace days) has passed and the payments up to and including that day do
  not reach the cumulative amount due with it, or when a returned payment later takes them below
  it again. One missed instalment breaks the agreement.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Sequence

from sollhaben.domain.errors import ErrorCollector
from sollhaben.domain.money import Money, split_evenly

MAX_INSTALMENTS = 120  # ten years of monthly instalments; more is not an agreement but a write-off
MAX_GRACE_DAYS = 60


class Interval(str, Enum):
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    QUARTERLY = "QUARTERLY"

    @property
    def label(self) -> str:
        return {"WEEKLY": "wöchentlich", "MONTHLY": "monatlich", "QUARTERLY": "vierteljährlich"}[self.value]


class AgreementStatus(str, Enum):
    ACTIVE = "ACTIVE"
    FULFILLED = "FULFILLED"
    BROKEN = "BROKEN"
    CANCELLED = "CANCELLED"

    @property
    def label(self) -> str:
        return {"ACTIVE": "laufend", "FULFILLED": "erfüllt", "BROKEN": "gebrochen",
                "CANCELLED": "aufgehoben"}[self.value]


class InstalmentState(str, Enum):
    PAID = "PAID"  # the cumulative payments cover it
    UPCOMING = "UPCOMING"  # not yet due
    DUE = "DUE"  # due (or within its grace days) and not yet covered
    MISSED = "MISSED"  # its deadline passed without it being covered in time

    @property
    def label(self) -> str:
        return {"PAID": "bezahlt", "UPCOMING": "offen", "DUE": "fällig", "MISSED": "versäumt"}[self.value]


def instalment_label(position: int, is_down_payment: bool) -> str:
    return "Anzahlung" if is_down_payment else f"Rate {position}"


@dataclass(frozen=True)
class AgreementTerms:
    """What the clerk agreed with the debtor. Exactly one of `instalment_count` and
    `instalment_amount` is given; the down payment (if any) is due on `first_due` and the
    instalments follow one interval apart after it (without one, the first instalment is due then)."""

    total: Money
    first_due: date
    interval: Interval = Interval.MONTHLY
    instalment_count: int | None = None
    instalment_amount: Money | None = None
    down_payment: Money | None = None
    grace_days: int = 0


@dataclass(frozen=True)
class Instalment:
    position: int  # in due order: the down payment 0, the instalments 1, 2, …
    due_date: date
    amount: Money
    is_down_payment: bool = False


@dataclass(frozen=True)
class Payment:
    """Money that reached the covered items, at the day it counts for the agreement."""

    day: date
    amount: Money  # negative for a released allocation (a returned payment)


@dataclass(frozen=True)
class InstalmentStatus:
    instalment: Instalment
    state: InstalmentState
    paid: Money  # the part of this instalment covered by the payments up to the check date
    deadline: date  # due date + grace days: paying on this day is in time


@dataclass(frozen=True)
class Assessment:
    status: AgreementStatus  # ACTIVE, FULFILLED or BROKEN (CANCELLED is the clerk's, not a rule's)
    instalments: tuple[InstalmentStatus, ...]
    paid: Money  # all payments up to the check date
    broken_on: date | None  # the day after the deadline of the first missed instalment
    fulfilled_on: date | None  # the day the payments reached the total


def add_months(day: date, months: int) -> date:
    """The same day of month `months` later; the 31st becomes the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def due_date(first: date, interval: Interval, step: int) -> date:
    """The `step`-th due date after `first` (step 0 is `first`), always counted from `first` so
    that a 31st stays the 31st where the month has one."""
    if interval is Interval.WEEKLY:
        return first + timedelta(weeks=step)
    return add_months(first, step * (3 if interval is Interval.QUARTERLY else 1))


def _money(errors: ErrorCollector, field: str, label: str, amount: Money | None, currency) -> bool:
    if amount is not None and amount.currency != currency:
        errors.add(field, f"{label}: Beträge in {currency.value} erwartet, nicht {amount.currency.value}.")
        return False
    return True


def validate_terms(terms: AgreementTerms, covered_total: Money | None, today: date) -> None:
    """All field errors at once (German, naming the field and the rule); `covered_total` is the
    sum of the chosen open items (None: not checked here)."""
    errors = ErrorCollector()
    currency = terms.total.currency
    if covered_total is not None and covered_total.minor <= 0:
        errors.add("items", "Posten: Bitte mindestens einen offenen Posten wählen.")
    if terms.total.minor <= 0:
        errors.add("total", "Gesamtbetrag: muss grösser als 0.00 sein.")
    elif covered_total is not None and covered_total.minor > 0 and covered_total != terms.total:
        errors.add("total", f"Gesamtbetrag: muss der Summe der gewählten offenen Posten ({covered_total}) "
                            f"entsprechen, nicht {terms.total}.")
    if terms.first_due < today:
        errors.add("first_due", "Erste Fälligkeit: darf nicht in der Vergangenheit liegen.")
    if not 0 <= terms.grace_days <= MAX_GRACE_DAYS:
        errors.add("grace_days", f"Karenztage: 0 bis {MAX_GRACE_DAYS} Tage erlaubt.")
    rest = terms.total
    if terms.down_payment is not None and _money(errors, "down_payment", "Anzahlung", terms.down_payment, currency):
        if terms.down_payment.minor < 1:
            errors.add("down_payment", "Anzahlung: muss mindestens 0.01 betragen (oder leer bleiben).")
        elif terms.down_payment >= terms.total and terms.total.minor > 0:
            errors.add("down_payment", "Anzahlung: muss kleiner als der Gesamtbetrag sein.")
        else:
            rest = terms.total - terms.down_payment
    count, amount = terms.instalment_count, terms.instalment_amount
    if (count is None) == (amount is None):
        errors.add("instalments", "Raten: Bitte entweder die Anzahl der Raten oder den Ratenbetrag angeben.")
    elif count is not None:
        if not 1 <= count <= MAX_INSTALMENTS:
            errors.add("instalment_count", f"Anzahl Raten: 1 bis {MAX_INSTALMENTS} erlaubt.")
        elif rest.minor > 0 and rest.minor < count:
            errors.add("instalment_count", f"Anzahl Raten: {count} Raten ergeben weniger als 0.01 je Rate.")
    elif _money(errors, "instalment_amount", "Ratenbetrag", amount, currency):
        if amount.minor < 1:
            errors.add("instalment_amount", "Ratenbetrag: muss mindestens 0.01 betragen.")
        elif rest.minor > 0 and amount > rest:
            errors.add("instalment_amount", f"Ratenbetrag: darf nicht grösser als der zu verteilende Betrag "
                                            f"({rest}) sein.")
        elif rest.minor > 0 and -(-rest.minor // amount.minor) > MAX_INSTALMENTS:
            errors.add("instalment_amount", f"Ratenbetrag: ergibt mehr als {MAX_INSTALMENTS} Raten.")
    errors.raise_if_any()


def build_schedule(terms: AgreementTerms, covered_total: Money | None, today: date) -> tuple[Instalment, ...]:
    """Validate the terms and return the instalments in due order; they sum to `terms.total`."""
    validate_terms(terms, covered_total, today)
    parts: list[tuple[Money, bool]] = []
    rest = terms.total
    if terms.down_payment is not None:
        parts.append((terms.down_payment, True))
        rest = rest - terms.down_payment
    if terms.instalment_count is not None:
        parts += [(part, False) for part in split_evenly(rest, terms.instalment_count)]
    else:
        full, last = divmod(rest.minor, terms.instalment_amount.minor)
        parts += [(terms.instalment_amount, False)] * full
        if last:
            parts.append((Money(last, rest.currency), False))
    first_position = 0 if terms.down_payment is not None else 1
    return tuple(Instalment(first_position + i, due_date(terms.first_due, terms.interval, i), amount, down)
                 for i, (amount, down) in enumerate(parts))


def assess(schedule: Sequence[Instalment], payments: Sequence[Payment], on: date, grace_days: int) -> Assessment:
    """The state of every instalment and of the agreement at the end of day `on`."""
    if not schedule:
        raise ValueError("a schedule has at least one instalment")
    currency = schedule[0].amount.currency
    counted = sorted((p for p in payments if p.day <= on), key=lambda p: p.day)

    paid_total = sum(p.amount.minor for p in counted)
    states: list[InstalmentStatus] = []
    cumulative = 0
    broken: list[date] = []
    for instalment in schedule:
        before, cumulative = cumulative, cumulative + instalment.amount.minor
        deadline = instalment.due_date + timedelta(days=grace_days)
        covered = Money(max(0, min(instalment.amount.minor, paid_total - before)), currency)
        missed_on = _missed_on(counted, deadline, cumulative)
        if missed_on is not None and missed_on <= on:
            state = InstalmentState.MISSED
            broken.append(missed_on)
        elif paid_total >= cumulative:
            state = InstalmentState.PAID
        elif instalment.due_date <= on:
            state = InstalmentState.DUE
        else:
            state = InstalmentState.UPCOMING
        states.append(InstalmentStatus(instalment, state, covered, deadline))
    broken_on = min(broken, default=None)
    fulfilled_on = _day_reaching(counted, cumulative) if broken_on is None else None
    status = (AgreementStatus.BROKEN if broken_on else
              AgreementStatus.FULFILLED if fulfilled_on else AgreementStatus.ACTIVE)
    return Assessment(status, tuple(states), Money(paid_total, currency), broken_on, fulfilled_on)


def _missed_on(payments: Sequence[Payment], deadline: date, cumulative_due: int) -> date | None:
    """The first day the instalment counts as missed: the day after its deadline if the payments
    up to the deadline fall short, else the day a returned payment takes them below again."""
    running = sum(p.amount.minor for p in payments if p.day <= deadline)
    if running < cumulative_due:
        return deadline + timedelta(days=1)
    for payment in payments:
        if payment.day > deadline:
            running += payment.amount.minor
            if running < cumulative_due:
                return payment.day
    return None


def _day_reaching(payments: Sequence[Payment], target: int) -> date | None:
    """The day the running sum last rose to `target` and stayed there (a returned payment can
    take it below again); None while it is below at the end."""
    running, reached = 0, None
    for payment in payments:
        before, running = running, running + payment.amount.minor
        if running >= target > before:
            reached = payment.day
        elif running < target:
            reached = None
    return reached


def last_deadline(schedule: Sequence[Instalment], grace_days: int) -> date:
    """The end of the automatic dunning block: the last instalment's due date plus grace days."""
    return max(i.due_date for i in schedule) + timedelta(days=grace_days)
