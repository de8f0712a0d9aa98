"""The price of one billing line per unit of its quantity, shared by validation and calculation.

A line's *unit* is what its payer shares and fixed discounts refer to: the month (MONTHLY,
INDIVIDUAL), the day (DAILY) or the unit (PER_UNIT). This module resolves the tier, the base amount
per unit, the deductions per unit and the net per unit for one month; `calculation` multiplies by
the quantity and splits over the payers, `validation` checks the first month of a period with it.

Nothing here raises for bad data: every failure is returned as a German message, so the run preview
can list it and the form can show it at the field it belongs to.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sollhaben.domain.formatting import Country, format_money
from sollhaben.domain.kita.model import (
    BillingMode,
    BillingPeriod,
    Catalogue,
    Discount,
    DiscountKind,
    DiscountVersion,
    ExtraLine,
    FacilitySettings,
    FeeGroup,
    FeeGroupVersion,
    FeeLine,
    LineDeduction,
    LineKind,
    MealCoverage,
    Tier,
    TierSource,
)
from sollhaben.domain.money import Currency, Money, round_cents
from sollhaben.domain.months import Month

SPECIAL_DISCOUNT = "Sonderermäßigung"
WUERTTEMBERG_MAX_TIER = 4


def fmt(amount: Money) -> str:
    """An amount for a German message: 1.234,50 EUR or 1'234.50 CHF."""
    country = Country.CH if amount.currency is Currency.CHF else Country.DE
    return format_money(amount, country, with_currency=True)


_MONEY_CACHE: dict[tuple[int, Currency], Money] = {}


def money(minor: int, currency: Currency) -> Money:
    """`Money(minor, currency)`, shared: amounts repeat a lot in a run and Money is immutable."""
    key = (minor, currency)
    found = _MONEY_CACHE.get(key)
    if found is None:
        if len(_MONEY_CACHE) > 200_000:
            _MONEY_CACHE.clear()
        found = _MONEY_CACHE[key] = Money(minor, currency)
    return found


# --- line keys ----------------------------------------------------------------------------------

def _keys(prefix: str, ids: list[int]) -> list[str]:
    seen: dict[int, int] = {}
    keys = []
    for entry_id in ids:
        seen[entry_id] = seen.get(entry_id, 0) + 1
        n = seen[entry_id]
        keys.append(f"{prefix}:{entry_id}" if n == 1 else f"{prefix}:{entry_id}#{n}")
    return keys


def line_keys(period: BillingPeriod) -> tuple[list[str], list[str]]:
    """The keys of the period's fee lines and extra lines, in order.

    "FEE:<fee_group_id>" / "EXTRA:<extra_cost_id>"; a second line of the same entry gets "#2", a
    third "#3". The key of a line is the same in every period that has the entry, so the ledger
    can compare months across periods."""
    return (_keys("FEE", [line.fee_group_id for line in period.fee_lines]),
            _keys("EXTRA", [line.extra_cost_id for line in period.extra_lines]))


def parse_line_key(key: str) -> tuple[LineKind, int]:
    """("FEE", 12) from "FEE:12#2"."""
    kind, _, rest = key.partition(":")
    return LineKind(kind), int(rest.partition("#")[0])


def line_resets(mode: BillingMode, line: FeeLine | ExtraLine) -> bool:
    """PER_UNIT lines and INDIVIDUAL lines with the reset flag are set back to 0 by the run."""
    return mode is BillingMode.PER_UNIT or (mode is BillingMode.INDIVIDUAL and line.reset)


def meal_payer_id(settings: FacilitySettings, coverage: MealCoverage) -> int | None:
    """The institution that pays covered meals for `coverage` (standard-rate meal billing)."""
    if coverage is MealCoverage.HARDSHIP_FUND:
        return settings.hardship_fund_payer_id
    if coverage is MealCoverage.FROM_SECOND_SIBLING:
        return settings.sibling_meal_payer_id
    return None


# --- tiers --------------------------------------------------------------------------------------

def fee_label(group: FeeGroup) -> str:
    return f"Beitragsgruppe „{group.name}“"


def resolve_tier(group: FeeGroup, version: FeeGroupVersion, chosen: int | None, *,
                 income_tier: int | None, children_in_household: int | None,
                 settings: FacilitySettings | None, month: Month) -> tuple[Tier | None, str]:
    """The tier that applies in `month`, or (None, German reason).

    CHOSEN: the line's tier. INCOME: the tier of the income-scale calculation. WUERTTEMBERG: the
    children under 18 in the household, 1–4 (4 = four or more). INDIVIDUAL groups need no tier; a
    chosen one must exist. `children_in_household` None means "not known" (validation without
    facts) and gives (None, ""). The reason does not name the group; the caller prefixes it."""
    if group.mode is BillingMode.INDIVIDUAL:
        if chosen is None:
            return None, ""
        tier = version.tier(chosen)
        return (tier, "") if tier else (None, _missing_tier(chosen, version))
    if group.tier_source is TierSource.CHOSEN:
        if chosen is None:
            return None, "Bitte eine Staffel wählen."
        number = chosen
    elif group.tier_source is TierSource.INCOME:
        if income_tier is None:
            return None, (f"keine Staffelberechnung für {month} – die Beitragsgruppe ist einkommensabhängig, "
                          f"bitte eine Staffelberechnung übernehmen.")
        number = income_tier
    else:
        if settings is not None and not settings.wuerttemberg:
            return None, ("Die Beitragsgruppe folgt dem Württemberger Modell, das in der Einrichtung nicht "
                          "eingeschaltet ist.")
        if children_in_household is None:
            return None, ""
        number = min(max(children_in_household, 1), WUERTTEMBERG_MAX_TIER)
    tier = version.tier(number)
    if tier is None:
        return None, _missing_tier(number, version)
    if tier.amount is None:
        return None, f"Staffel {number} hat im Standard keinen Betrag."
    return tier, ""


def _missing_tier(number: int, version: FeeGroupVersion) -> str:
    present = ", ".join(str(t.number) for t in version.tiers) or "keine"
    return (f"Staffel {number} gibt es in der Version ab {version.valid.valid_from} nicht "
            f"(vorhanden: {present}).")


# --- discounts ----------------------------------------------------------------------------------

def discount_amount(discount: Discount, version: DiscountVersion, base: Money,
                    sibling_position: int) -> tuple[Money | None, str]:
    """What one discount deducts from `base` (the undiscounted amount per unit).

    FIXED: the fixed amount (per unit of the line). PERCENT: percent of the base, rounded by
    `round_cents`. SIBLING_LADDER: the percent for the child's position (2nd, 3rd, 4th and later;
    the 1st gets nothing; a short ladder repeats its last step)."""
    label = f"Ermäßigung „{discount.name}“"
    if discount.kind is DiscountKind.FIXED:
        if version.fixed is None:
            return None, f"{label}: Der Standard nennt keinen Betrag."
        if version.fixed.currency is not base.currency:
            return None, f"{label}: Der Betrag ist in {version.fixed.currency.value}, nicht {base.currency.value}."
        if version.fixed.minor < 0:
            return None, f"{label}: Der Betrag darf nicht negativ sein."
        return version.fixed, ""
    if discount.kind is DiscountKind.PERCENT:
        percent = version.percent
        if percent is None:
            return None, f"{label}: Der Standard nennt keinen Prozentsatz."
    else:
        if sibling_position <= 1 or not version.ladder:
            percent = Decimal(0)
        else:
            percent = version.ladder[min(sibling_position - 2, len(version.ladder) - 1)]
    if not Decimal(0) <= Decimal(percent) <= Decimal(100):
        return None, f"{label}: Prozentsatz {percent} liegt nicht zwischen 0 und 100."
    return base.scale(Decimal(percent) / 100, round_cents), ""


@dataclass(frozen=True)
class UnitDeduction:
    """One deduction per unit, with the form field it comes from ("discount_ids[1]", "special_discount")."""

    field: str
    deduction: LineDeduction


def deductions_per_unit(catalogue: Catalogue, discount_ids: tuple[int, ...], special: Money | None,
                        base: Money, month: Month, sibling_position: int,
                        ) -> tuple[list[UnitDeduction], list[tuple[str, str]]]:
    """The deductions of a fee line per unit, in the order of the form, and (field, message) problems.

    Percent discounts all apply to the undiscounted base: they do not compound."""
    if not discount_ids and not special:
        return [], []
    result: list[UnitDeduction] = []
    problems: list[tuple[str, str]] = []
    for k, discount_id in enumerate(discount_ids):
        field = f"discount_ids[{k}]"
        discount = catalogue.discounts.get(discount_id)
        if discount is None:
            problems.append((field, f"Ermäßigung {discount_id} gibt es im Standard nicht."))
            continue
        version = discount.version_for(month)
        if version is None:
            problems.append((field, f"Ermäßigung „{discount.name}“ hat für {month} keine gültige Version im Standard."))
            continue
        amount, message = discount_amount(discount, version, base, sibling_position)
        if amount is None:
            problems.append((field, message))
            continue
        result.append(UnitDeduction(field, LineDeduction(discount.name, amount, discount_id)))
    if special is not None and special.minor:
        result.append(UnitDeduction("special_discount", LineDeduction(SPECIAL_DISCOUNT, special, None)))
    return result, problems


def first_negative(base: Money, deductions: list[UnitDeduction]) -> UnitDeduction | None:
    """The deduction after which the running net drops below zero, or None."""
    rest = base.minor
    for item in deductions:
        rest -= item.deduction.amount.minor
        if rest < 0:
            return item
    return None


def negative_net_message(label: str, base: Money, deductions: list[UnitDeduction], unit: str) -> str:
    deducted = Money(sum(d.deduction.amount.minor for d in deductions), base.currency)
    return (f"{label}: Die Ermäßigungen ({fmt(deducted)}{unit}) übersteigen den Beitrag "
            f"({fmt(base)}{unit}) um {fmt(deducted - base)}; der Betrag darf nicht negativ werden.")


def unit_suffix(mode: BillingMode) -> str:
    """How a per-unit amount is labelled in messages."""
    return {BillingMode.DAILY: " pro Tag", BillingMode.PER_UNIT: " pro Einheit"}.get(mode, "")
