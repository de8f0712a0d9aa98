"""Reading the agreement dialog's fields into terms: every malformed entry becomes a field error."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.formatting import parse_date
from sollhaben.domain.money import Currency, Money, parse_amount
from sollhaben.domain.receivables.agreements import AgreementTerms, Interval


@dataclass(frozen=True)
class RawAgreement:
    """The texts and choices of the form, as typed."""

    total: str
    down_payment: str
    by_count: bool
    count: int
    amount: str
    first_due: str
    interval: Interval
    grace_days: int


def read_terms(raw: RawAgreement, currency: Currency | str, fallback_total: Money,
               today: date) -> tuple[AgreementTerms, list[FieldError]]:
    """The terms and the errors of the fields that could not be read. An unreadable field is
    replaced by a harmless value (the items' sum, today, one cent) so that the rules can still
    check the other fields; `merge_errors` then drops what the rules say about the replaced ones."""
    problems: list[FieldError] = []

    def read(field: str, parse, substitute):
        try:
            return parse()
        except ValidationError as exc:
            problems.extend(FieldError(field, e.message) for e in exc.errors)
            return substitute

    total = read("total", lambda: parse_amount(raw.total, currency, "Gesamtbetrag"), fallback_total)
    down: Money | None = None
    if raw.down_payment.strip():
        down = read("down_payment", lambda: parse_amount(raw.down_payment, currency, "Anzahlung"), None)
    amount: Money | None = None
    if not raw.by_count:
        amount = read("instalment_amount", lambda: parse_amount(raw.amount, currency, "Ratenbetrag"),
                      Money(1, Currency(currency)))
    if not raw.first_due.strip():
        problems.append(FieldError("first_due", "Erste Fälligkeit: Bitte ein Datum eingeben."))
        first_due = today
    else:
        first_due = read("first_due", lambda: parse_date(raw.first_due, "Erste Fälligkeit"), today)
    return AgreementTerms(total, first_due, raw.interval, raw.count if raw.by_count else None, amount, down,
                          raw.grace_days), problems


def merge_errors(problems: list[FieldError], rule_errors: list[FieldError]) -> list[FieldError]:
    """The reading problems first, then the rules' errors about the other fields."""
    unreadable = {p.field for p in problems}
    return problems + [e for e in rule_errors if e.field not in unreadable]
