"""Money as an integer of minor units plus currency, and the named rounding rules.

Fractions are computed in Decimal and brought back to minor units by exactly one named function
per business rule, so every rounding in the product can be found and tested.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation, localcontext
from enum import Enum
from typing import Callable, Iterable, Sequence

from sollhaben.domain.errors import ValidationError


class Currency(str, Enum):
    EUR = "EUR"
    CHF = "CHF"

    @property
    def minor_per_major(self) -> int:
        return 100


class CurrencyMismatch(ValueError):
    pass


def _to_minor(value: str | int | Decimal, field: str = "Betrag") -> int:
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError("Money refuses float and bool; pass str, int (minor units) or Decimal")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip().replace("'", "").replace("’", "").replace(" ", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationError(f"{field}: „{value}“ ist kein Betrag.", field) from None
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValidationError(f"{field}: kein endlicher Betrag.", field)
        scaled = value * 100
        if scaled != scaled.to_integral_value():
            raise ValidationError(f"{field}: höchstens zwei Nachkommastellen erlaubt.", field)
        return int(scaled)
    raise TypeError(f"cannot build Money from {type(value).__name__}")


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """An amount in minor units (Cent, Rappen). Immutable; arithmetic only within one currency."""

    minor: int
    currency: Currency = Currency.EUR

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money.minor must be int")
        if not isinstance(self.currency, Currency):
            object.__setattr__(self, "currency", Currency(self.currency))

    # construction -------------------------------------------------------------------------
    @classmethod
    def of(cls, value: str | Decimal, currency: Currency | str = Currency.EUR) -> "Money":
        """From a major-unit amount: Money.of("12.50") is 1250 minor units. int is refused here
        because 12 could mean 12 Cent or 12 Euro; use Money(minor) for minor units."""
        if isinstance(value, int):
            raise TypeError("Money.of takes str or Decimal; use Money(minor_units) for int")
        return cls(_to_minor(value), Currency(currency))

    @classmethod
    def zero(cls, currency: Currency | str = Currency.EUR) -> "Money":
        return cls(0, Currency(currency))

    # views --------------------------------------------------------------------------------
    @property
    def amount(self) -> Decimal:
        return Decimal(self.minor) / 100

    def is_zero(self) -> bool:
        return self.minor == 0

    def is_negative(self) -> bool:
        return self.minor < 0

    def is_positive(self) -> bool:
        return self.minor > 0

    # arithmetic ---------------------------------------------------------------------------
    def _same(self, other: "Money") -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency.value} and {other.currency.value}")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.minor, self.currency)

    def __abs__(self) -> "Money":
        return Money(abs(self.minor), self.currency)

    def __mul__(self, factor: int) -> "Money":
        """Only integer multiples; a fractional factor needs a named rounding rule (see `scale`)."""
        if not isinstance(factor, int) or isinstance(factor, bool):
            raise TypeError("Money * int only; use scale(..., rounding) for fractions")
        return Money(self.minor * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: "Money") -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: "Money") -> bool:
        self._same(other)
        return self.minor <= other.minor

    def __gt__(self, other: "Money") -> bool:
        self._same(other)
        return self.minor > other.minor

    def __ge__(self, other: "Money") -> bool:
        self._same(other)
        return self.minor >= other.minor

    def __bool__(self) -> bool:
        return self.minor != 0

    def scale(self, factor: Decimal, rounding: Callable[[Decimal], int]) -> "Money":
        """Multiply by a Decimal factor (percent, days/month, index ratio) and round by a rule."""
        if isinstance(factor, float):
            raise TypeError("factor must be Decimal, not float")
        minor, factor = Decimal(self.minor), Decimal(factor)
        # exact product: rounding happens once, by the named rule, never by the Decimal context
        with localcontext() as ctx:
            ctx.prec = max(ctx.prec, len(minor.as_tuple().digits) + len(factor.as_tuple().digits) + 2)
            product = minor * factor
        return Money(rounding(product), self.currency)

    def __str__(self) -> str:
        sign = "-" if self.minor < 0 else ""
        units, cents = divmod(abs(self.minor), 100)
        return f"{sign}{units}.{cents:02d} {self.currency.value}"

    def __repr__(self) -> str:
        return f"Money({self.minor}, {self.currency.value})"


def total(amounts: Iterable[Money], currency: Currency | str = Currency.EUR) -> Money:
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result


# --- rounding rules: Decimal of minor units -> int minor units -----------------------------

RoundingRule = Callable[[Decimal], int]  # Decimal minor units -> int minor units


def round_cents(minor: Decimal) -> int:
    """Commercial rounding to the cent (half away from zero)."""
    return _round_to_step(minor, 1, ROUND_HALF_UP)


def _round_to_step(minor: Decimal, step: int, mode: str) -> int:
    """Round `minor` to a multiple of `step`, exactly (integer arithmetic, no context precision).

    ROUND_HALF_UP is half away from zero, ROUND_DOWN towards zero, ROUND_UP away from zero, so
    every rule is sign symmetric: rule(-x) == -rule(x).
    """
    numerator, denominator = Decimal(minor).as_integer_ratio()
    denominator *= step
    quotient, remainder = divmod(abs(numerator), denominator)
    if mode == ROUND_HALF_UP:
        quotient += int(2 * remainder >= denominator)
    elif mode == ROUND_UP:
        quotient += int(remainder > 0)
    elif mode != ROUND_DOWN:
        raise ValueError(f"unsupported rounding mode {mode}")
    return (quotient if numerator >= 0 else -quotient) * step


def round_to_005(minor: Decimal) -> int:
    """Swiss cash rounding to 5 Rappen, commercial (2.025 -> 2.05, 2.024 -> 2.00... per 2.5 Rp)."""
    return _round_to_step(minor, 5, ROUND_HALF_UP)


def round_to_franc(minor: Decimal) -> int:
    """Commercial rounding to a whole franc or euro."""
    return _round_to_step(minor, 100, ROUND_HALF_UP)


def round_down_to_franc(minor: Decimal) -> int:
    return _round_to_step(minor, 100, ROUND_DOWN)


def round_up_to_franc(minor: Decimal) -> int:
    return _round_to_step(minor, 100, ROUND_UP)


def round_to_5_francs(minor: Decimal) -> int:
    return _round_to_step(minor, 500, ROUND_HALF_UP)


def round_to_10_francs(minor: Decimal) -> int:
    return _round_to_step(minor, 1000, ROUND_HALF_UP)


def truncate_cents(minor: Decimal) -> int:
    """Cut off fractions of a cent (towards zero)."""
    return _round_to_step(minor, 1, ROUND_DOWN)


ROUNDING_RULES = {
    "cents": round_cents,
    "0.05": round_to_005,
    "franc": round_to_franc,
    "franc_down": round_down_to_franc,
    "franc_up": round_up_to_franc,
    "5_francs": round_to_5_francs,
    "10_francs": round_to_10_francs,
}

ROUNDING_LABELS = {
    "cents": "auf 0.01 (kaufmännisch)",
    "0.05": "auf 0.05 (kaufmännisch)",
    "franc": "auf 1.00 (kaufmännisch)",
    "franc_down": "auf 1.00 abrunden",
    "franc_up": "auf 1.00 aufrunden",
    "5_francs": "auf 5.00 (kaufmännisch)",
    "10_francs": "auf 10.00 (kaufmännisch)",
}


def rounding_rule(name: str):
    try:
        return ROUNDING_RULES[name]
    except KeyError:
        raise ValidationError(f"Rundungsregel „{name}“ ist unbekannt.", "rounding") from None


# --- splitting that never loses a cent -------------------------------------------------------

def split_by_weights(amount: Money, weights: Sequence[int | Decimal]) -> list[Money]:
    """Split an amount in proportion to non-negative weights; the parts always sum to the whole.

    Largest-remainder method: each part gets the floor of its exact share, the cents left over go
    one each to the parts with the largest remainders (ties: the earlier part first). A negative
    amount is split like its absolute value and negated, so sign symmetry holds.
    """
    if not weights:
        raise ValueError("at least one weight is needed")
    decimal_weights = [Decimal(w) for w in weights]
    if any(isinstance(w, float) for w in weights):
        raise TypeError("weights must be int or Decimal")
    if any(w < 0 for w in decimal_weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(decimal_weights)
    if weight_sum == 0:
        raise ValueError("the weights must not all be zero")
    sign = -1 if amount.minor < 0 else 1
    whole = abs(amount.minor)
    exact = [Decimal(whole) * w / weight_sum for w in decimal_weights]
    floors = [int(e.to_integral_value(rounding=ROUND_DOWN)) for e in exact]
    leftover = whole - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return [Money(sign * part, amount.currency) for part in floors]


def split_evenly(amount: Money, parts: int) -> list[Money]:
    if parts <= 0:
        raise ValueError("parts must be positive")
    return split_by_weights(amount, [1] * parts)


_CURRENCY_MARKS = ("SFr.", "EUR", "CHF", "Fr.", "€")  # longest first: "SFr." before "Fr."
_GROUPED_INTEGER = (
    r"\d{1,3}(?:\.\d{3})+(?=,|$)"  # German 1.234.567 (with a decimal comma or none)
    r"|\d{1,3}(?:['’]\d{3})+"  # Swiss 1'234'567
    r"|\d{1,3}(?:[ \u00a0\u202f]\d{3})+"  # 1 234 567
)
_AMOUNT = re.compile(
    r"(?P<sign>[+-]?)"
    r"(?:(?P<plain>\d+)(?:[.,](?P<plain_frac>\d*))?"  # 1234 / 1234,5 / 1234.50
    r"|[.,](?P<bare_frac>\d+)"  # ,50
    r"|(?P<grouped>" + _GROUPED_INTEGER + r")(?:[.,](?P<grouped_frac>\d+))?)",
    re.ASCII,
)


def parse_amount(text: str, currency: Currency | str, field: str = "Betrag") -> Money:
    """Parse a user-typed amount in German (1.234,50) or Swiss (1'234.50) notation.

    Thousands separators must group by three. A single separator followed by three digits
    ("1,234", "1.234", "1,230") is read as a decimal separator and refused for its third decimal:
    it never silently becomes 1234.
    """
    raw = (text or "").strip()
    if not raw:
        raise ValidationError(f"{field}: Bitte einen Betrag eingeben.", field)
    cleaned = raw.replace("\u2212", "-")  # a typographic minus pasted from elsewhere reads as a minus
    for mark in _CURRENCY_MARKS:
        if cleaned.upper().endswith(mark.upper()):
            cleaned = cleaned[: -len(mark)].strip()
            break
        if cleaned.upper().startswith(mark.upper()):
            cleaned = cleaned[len(mark):].strip()
            break
    match = _AMOUNT.fullmatch(cleaned)
    if not match:
        raise ValidationError(f"{field}: „{raw}“ ist kein gültiger Betrag.", field)
    if match.group("plain") is not None:
        units, fraction = match.group("plain"), match.group("plain_frac") or ""
    elif match.group("bare_frac") is not None:
        units, fraction = "0", match.group("bare_frac")
    else:
        units = re.sub(r"\D", "", match.group("grouped"))
        fraction = match.group("grouped_frac") or ""
    if len(fraction) > 2:  # even "1,230": it could be meant as 1230, so it is not guessed
        raise ValidationError(f"{field}: höchstens zwei Nachkommastellen erlaubt.", field)
    minor = int(units) * 100 + int(fraction.ljust(2, "0"))
    return Money(-minor if match.group("sign") == "-" else minor, Currency(currency))
