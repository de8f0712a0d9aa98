"""Money as an integer of minor units plus currency, and the named rounding rules.

Fractions are computed in Decimal and brought back to minor units by exactly one named function
per business rule, so every rounding in the product can be found and tested.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
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
        return Money(rounding(Decimal(self.minor) * Decimal(factor)), self.currency)

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
    return int(Decimal(minor).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _round_to_step(minor: Decimal, step: int, mode: str) -> int:
    steps = (Decimal(minor) / step).quantize(Decimal(1), rounding=mode)
    return int(steps) * step


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
    return int(Decimal(minor).quantize(Decimal(1), rounding=ROUND_DOWN))


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


def parse_amount(text: str, currency: Currency | str, field: str = "Betrag") -> Money:
    """Parse a user-typed amount in German (1.234,50) or Swiss (1'234.50) notation."""
    raw = text.strip()
    if not raw:
        raise ValidationError(f"{field}: Bitte einen Betrag eingeben.", field)
    cleaned = raw.replace("'", "").replace("’", "").replace(" ", "").replace("\u00a0", "")
    for suffix in ("EUR", "CHF", "€", "Fr.", "SFr."):
        if cleaned.upper().endswith(suffix.upper()):
            cleaned = cleaned[: -len(suffix)]
    if "," in cleaned:
        # German notation: dots group thousands, the comma is the decimal separator
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif cleaned.count(".") > 1:
        cleaned = cleaned.replace(".", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(f"{field}: „{raw}“ ist kein gültiger Betrag.", field) from None
    if not value.is_finite() or value * 100 != (value * 100).to_integral_value():
        raise ValidationError(f"{field}: höchstens zwei Nachkommastellen erlaubt.", field)
    return Money(int(value * 100), Currency(currency))
