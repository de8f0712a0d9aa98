"""Validation of a child's billing period (the layers Grunddaten, Beitrag, Zusatzkosten).

`validate_period` returns the normalized period or raises one `ValidationError` with every field
error at once. Field names follow the form: `valid_from`, `fee_lines[2].fee_group_id`,
`fee_lines[0].payers[1].share`, `extra_lines[3].count`, `fee_lines[1].discount_ids[0]`.

Money checks (net never negative, shares equal to the net) are made on the first month of the
period, per unit of the line: per day for DAILY, per unit for PER_UNIT, per month otherwise.

Normalization: Württemberg tiers are cleared (they follow the household each month); an income
tier is kept (the income-scale transfer sets it); fields the line's mode does not use are cleared
(count outside PER_UNIT; amount and reset outside INDIVIDUAL); an INDIVIDUAL amount left empty
becomes 0; a zero special discount becomes None; a single payer without a share takes the
remainder; the remainder payer's share is cleared.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from sollhaben.domain.errors import ErrorCollector, FieldError, ValidationError
from sollhaben.domain.kita.model import (
    EXTRA_COST_MODES,
    MAX_DISCOUNTS_PER_LINE,
    MAX_EXTRA_LINES,
    MAX_FEE_LINES,
    MAX_PAYERS_PER_LINE,
    BillingMode,
    BillingPeriod,
    Catalogue,
    ChildMonthFacts,
    ExtraLine,
    FacilitySettings,
    FeeLine,
    MealCoverage,
    PayerShare,
    TierSource,
)
from sollhaben.domain.kita.periods import check_lock, check_overlap, close_previous
from sollhaben.domain.kita.pricing import (
    deductions_per_unit,
    first_negative,
    fmt,
    meal_payer_id,
    negative_net_message,
    resolve_tier,
    unit_suffix,
)
from sollhaben.domain.money import Currency, Money
from sollhaben.domain.months import Month

__all__ = ["validate_period", "validation_errors", "close_previous", "meal_payer_id"]


@dataclass
class _Context:
    errors: ErrorCollector
    catalogue: Catalogue
    currency: Currency
    payer_ids: frozenset[int]
    settings: FacilitySettings | None
    facts: ChildMonthFacts | None
    month: Month  # the period's first month


def validate_period(period: BillingPeriod, catalogue: Catalogue, payer_ids: frozenset[int],
                    other_periods: Sequence[BillingPeriod], settings: FacilitySettings | None = None,
                    locked_through: Month | None = None, *, facts: ChildMonthFacts | None = None,
                    ) -> BillingPeriod:
    """The normalized period, or a `ValidationError` carrying every field error.

    `payer_ids`: the child's payer list. `other_periods`: the child's stored periods; the stored
    version of `period` itself (same id) may be among them and is then the reference for the lock.
    `locked_through`: the last billed month when the lock option is on, else None. `facts`: the
    child's facts in the first month; with them the net and share checks also cover income and
    Württemberg tiers and the sibling ladder (without them the sibling position is taken as 1
    and lines with an automatic tier are checked by the run)."""
    errors = ErrorCollector()
    ctx = _Context(errors, catalogue, Currency(catalogue.currency), frozenset(payer_ids), settings, facts,
                   period.valid.valid_from)
    if period.valid.valid_to is not None and period.valid.valid_to < period.valid.valid_from:
        errors.add("valid_to", f"Gültig bis ({period.valid.valid_to}) liegt vor Gültig ab ({period.valid.valid_from}).")
    if period.siblings_manual is not None and period.siblings_manual < 0:
        errors.add("siblings_manual", "Geschwister (manuell): Die Anzahl darf nicht negativ sein.")
    for field, payer_id, label in (("fees_payer_id", period.fees_payer_id, "den gesamten Beitrag"),
                                   ("extras_payer_id", period.extras_payer_id, "die gesamten Zusatzkosten")):
        if payer_id is not None and payer_id not in ctx.payer_ids:
            errors.add(field, f"Zahler übernimmt {label}: Zahler {payer_id} steht nicht in der Zahlerliste des Kindes.")
    meals_covered = _check_meal_coverage(ctx, period)
    if len(period.fee_lines) > MAX_FEE_LINES:
        errors.add("fee_lines", f"Beitrag: höchstens {MAX_FEE_LINES} Beitragsgruppen je Zeitraum "
                                f"(eingegeben: {len(period.fee_lines)}).")
    if len(period.extra_lines) > MAX_EXTRA_LINES:
        errors.add("extra_lines", f"Zusatzkosten: höchstens {MAX_EXTRA_LINES} Positionen je Zeitraum "
                                  f"(eingegeben: {len(period.extra_lines)}).")
    fee_lines = tuple(_fee_line(ctx, i, line, period.fees_payer_id) for i, line in enumerate(period.fee_lines))
    extra_lines = tuple(_extra_line(ctx, i, line, period.extras_payer_id, meals_covered)
                        for i, line in enumerate(period.extra_lines))
    normalized = replace(period, fee_lines=fee_lines, extra_lines=extra_lines)
    check_overlap(errors, normalized, other_periods)
    check_lock(errors, normalized, other_periods, catalogue, locked_through)
    errors.raise_if_any()
    return normalized


def _check_meal_coverage(ctx: _Context, period: BillingPeriod) -> bool:
    """Whether meal extra costs of this period go to an institution (standard-rate meal billing)."""
    if period.meal_coverage is MealCoverage.NONE or ctx.settings is None:
        return False
    if not ctx.settings.standard_rate_meals:
        ctx.errors.add("meal_coverage", "Kostenübernahme Essensgeld: nur mit der Richtsatzabrechnung möglich, die in "
                                        "der Einrichtung nicht eingeschaltet ist.")
        return False
    if meal_payer_id(ctx.settings, period.meal_coverage) is None:
        ctx.errors.add("meal_coverage", f"Kostenübernahme Essensgeld „{period.meal_coverage.label}“: In der "
                                        f"Einrichtung ist keine Institution hinterlegt, die diese Kosten trägt.")
        return False
    return True


def _money(ctx: _Context, field: str, label: str, amount: Money | None) -> bool:
    """Currency and sign of an entered amount; False (and an error) when it is unusable."""
    if amount is None:
        return True
    if amount.currency is not ctx.currency:
        ctx.errors.add(field, f"{label}: Der Betrag ist in {amount.currency.value}, die Organisation rechnet in "
                              f"{ctx.currency.value}.")
        return False
    if amount.minor < 0:
        ctx.errors.add(field, f"{label}: Der Betrag darf nicht negativ sein.")
        return False
    return True


def _mode_fields(ctx: _Context, prefix: str, label: str, mode: BillingMode, line: FeeLine | ExtraLine):
    """(count, amount, reset) normalized for the mode, with their errors."""
    count, amount, reset = 0, None, False
    if mode is BillingMode.PER_UNIT:
        count = line.count
        if count < 0:
            ctx.errors.add(f"{prefix}.count", f"{label} – Anzahl: darf nicht negativ sein (eingegeben: {count}).")
    if mode is BillingMode.INDIVIDUAL:
        amount, reset = line.amount or Money.zero(ctx.currency), line.reset
        if not _money(ctx, f"{prefix}.amount", f"{label} – Betrag", amount):
            amount = line.amount
    return count, amount, reset


def _fee_line(ctx: _Context, i: int, line: FeeLine, fees_payer_id: int | None) -> FeeLine:
    prefix, label = f"fee_lines[{i}]", f"Beitrag, Zeile {i + 1}"
    errors = ctx.errors
    group = ctx.catalogue.fee_groups.get(line.fee_group_id)
    if group is None:
        errors.add(f"{prefix}.fee_group_id", f"{label}: Beitragsgruppe {line.fee_group_id} gibt es im Standard nicht.")
        return line
    label = f"{label} („{group.name}“)"
    version = group.version_for(ctx.month)
    if version is None:
        errors.add(f"{prefix}.fee_group_id", f"{label}: Die Beitragsgruppe ist im Monat {ctx.month} (Gültig ab) "
                                             f"nicht gültig; der Standard hat dafür keine Version.")
        return line
    count, amount, reset = _mode_fields(ctx, prefix, label, group.mode, line)
    tier_number = line.tier if group.tier_source is TierSource.CHOSEN or group.mode is BillingMode.INDIVIDUAL else None
    facts = ctx.facts
    income_tier = facts.income_tier if facts and facts.income_tier is not None else line.tier
    tier, message = resolve_tier(group, version, tier_number, month=ctx.month, settings=ctx.settings,
                                 income_tier=income_tier if group.tier_source is TierSource.INCOME else None,
                                 children_in_household=facts.children_in_household if facts else None)
    automatic = group.tier_source is not TierSource.CHOSEN and group.mode is not BillingMode.INDIVIDUAL
    if message and not automatic:
        errors.add(f"{prefix}.tier", f"{label} – Staffel: {message}")
    elif (group.tier_source is TierSource.WUERTTEMBERG and automatic and ctx.settings is not None
          and not ctx.settings.wuerttemberg):
        errors.add(f"{prefix}.fee_group_id", f"{label}: {message}")
    special = line.special_discount if line.special_discount else None
    if special is not None and group.mode is BillingMode.PER_UNIT:
        errors.add(f"{prefix}.special_discount", f"{label} – Sonderermäßigung: gibt es bei Abrechnung nach Anzahl "
                                                 f"nicht (der Betrag könnte negativ werden).")
        special = None
    elif not _money(ctx, f"{prefix}.special_discount", f"{label} – Sonderermäßigung", special):
        special = None
    if len(line.discount_ids) > MAX_DISCOUNTS_PER_LINE:
        errors.add(f"{prefix}.discount_ids", f"{label} – Ermäßigungen: höchstens {MAX_DISCOUNTS_PER_LINE} je "
                                             f"Beitragsgruppe (eingegeben: {len(line.discount_ids)}).")
    for k, discount_id in enumerate(line.discount_ids):
        if discount_id in line.discount_ids[:k]:
            errors.add(f"{prefix}.discount_ids[{k}]", f"{label} – Ermäßigung {k + 1}: ist in dieser Zeile schon "
                                                      f"eingetragen.")
    if group.mode is BillingMode.INDIVIDUAL:
        base = amount if amount is not None and amount.currency is ctx.currency and amount.minor >= 0 else None
    else:
        base = tier.amount if tier is not None and tier.amount.currency is ctx.currency else None
    position = facts.sibling_position if facts else 1
    if group.mode is BillingMode.INDIVIDUAL and base is not None and base.is_zero():
        # No amount for the month yet (a reset-flagged line after the run): the discounts and
        # shares are checked once an amount is entered, not against 0.
        base, deductions, problems = None, [], []
    else:
        deductions, problems = deductions_per_unit(ctx.catalogue, line.discount_ids, special,
                                                   base or Money.zero(ctx.currency), ctx.month, position)
    for field, problem in problems:
        errors.add(f"{prefix}.{field}", f"{label} – {problem}")
    net = None
    if base is not None:
        culprit = first_negative(base, deductions)
        if culprit is not None:
            errors.add(f"{prefix}.{culprit.field}",
                       negative_net_message(label, base, deductions, unit_suffix(group.mode)))
        elif not problems:
            net = base - Money(sum(d.deduction.amount.minor for d in deductions), ctx.currency)
    payers = _payers(ctx, prefix, label, line.payers, fees_payer_id, "den gesamten Beitrag", net, group.mode,
                     optional=False)
    # Württemberg tiers follow the household each month; an income tier is the transferred one (kept)
    keeps_tier = not automatic or group.tier_source is TierSource.INCOME
    return replace(line, tier=line.tier if keeps_tier else None, count=count, amount=amount, reset=reset,
                   special_discount=special, payers=payers)


def _extra_line(ctx: _Context, i: int, line: ExtraLine, extras_payer_id: int | None, meals_covered: bool) -> ExtraLine:
    prefix, label = f"extra_lines[{i}]", f"Zusatzkosten, Zeile {i + 1}"
    errors = ctx.errors
    extra = ctx.catalogue.extra_costs.get(line.extra_cost_id)
    if extra is None:
        errors.add(f"{prefix}.extra_cost_id", f"{label}: Zusatzkosten {line.extra_cost_id} gibt es im Standard nicht.")
        return line
    label = f"{label} („{extra.name}“)"
    version = extra.version_for(ctx.month)
    if version is None:
        errors.add(f"{prefix}.extra_cost_id", f"{label}: Die Zusatzkosten sind im Monat {ctx.month} (Gültig ab) "
                                              f"nicht gültig; der Standard hat dafür keine Version.")
        return line
    if extra.mode not in EXTRA_COST_MODES:
        errors.add(f"{prefix}.extra_cost_id",
                   f"{label}: Zusatzkosten werden nicht nach {extra.mode.label} abgerechnet.")
        return line
    count, amount, reset = _mode_fields(ctx, prefix, label, extra.mode, line)
    if extra.mode is BillingMode.INDIVIDUAL:
        base = amount if amount is not None and amount.currency is ctx.currency and amount.minor >= 0 else None
    elif version.amount is None:
        errors.add(f"{prefix}.extra_cost_id", f"{label}: Der Standard nennt für {ctx.month} keinen Betrag.")
        base = None
    else:
        base = version.amount if version.amount.currency is ctx.currency else None
    payers = _payers(ctx, prefix, label, line.payers, extras_payer_id, "die gesamten Zusatzkosten", base, extra.mode,
                     optional=meals_covered and extra.is_meal)
    return replace(line, count=count, amount=amount, reset=reset, payers=payers)


def _payers(ctx: _Context, prefix: str, label: str, payers: tuple[PayerShare, ...], all_payer_id: int | None,
            all_label: str, net: Money | None, mode: BillingMode, optional: bool) -> tuple[PayerShare, ...]:
    """The line's payers, normalized; `net` is the line's net per unit in the first month (None: unknown)."""
    errors = ctx.errors
    field = f"{prefix}.payers"
    if all_payer_id is not None:
        if payers:
            errors.add(field, f"{label} – Zahler: Im Layer Grunddaten übernimmt ein Zahler {all_label}; in der Zeile "
                              f"werden keine Zahler angegeben.")
        return payers
    if not payers:
        if not optional:
            errors.add(field, f"{label} – Zahler: Bitte mindestens einen Zahler angeben (oder im Layer Grunddaten "
                              f"einen Zahler für {all_label}).")
        return payers
    if len(payers) > MAX_PAYERS_PER_LINE:
        errors.add(field, f"{label} – Zahler: höchstens {MAX_PAYERS_PER_LINE} je Zeile (eingegeben: {len(payers)}).")
    if len(payers) == 1 and payers[0].share is None:
        payers = (replace(payers[0], takes_remainder=True),)
    normalized, usable = [], True
    for j, payer in enumerate(payers):
        where, who = f"{field}[{j}]", f"{label} – Zahler {j + 1}"
        if payer.payer_id not in ctx.payer_ids:
            errors.add(f"{where}.payer_id", f"{who}: steht nicht in der Zahlerliste des Kindes.")
        elif any(p.payer_id == payer.payer_id for p in payers[:j]):
            errors.add(f"{where}.payer_id", f"{who}: ist in dieser Zeile schon eingetragen.")
        if payer.takes_remainder:
            if any(p.takes_remainder for p in payers[:j]):
                errors.add(f"{where}.takes_remainder", f"{who}: Nur ein Zahler kann den Restbeitrag übernehmen.")
            payer = replace(payer, share=None)
        elif payer.share is None:
            errors.add(f"{where}.share", f"{who} – Anteil: Bitte den Anteil eingeben oder „Restbeitrag“ wählen.")
            usable = False
        elif not _money(ctx, f"{where}.share", f"{who} – Anteil", payer.share):
            usable = False
        normalized.append(payer)
    if usable and net is not None and not (mode is BillingMode.INDIVIDUAL and net.minor == 0):
        _check_share_sum(ctx, field, label, normalized, net, mode)
    return tuple(normalized)


def _check_share_sum(ctx: _Context, field: str, label: str, payers: list[PayerShare], net: Money,
                     mode: BillingMode) -> None:
    unit = unit_suffix(mode)
    running = Money.zero(ctx.currency)
    last_fixed = None
    for j, payer in enumerate(payers):
        if payer.takes_remainder:
            continue
        running = running + payer.share
        last_fixed = j
        if running > net:
            ctx.errors.add(f"{field}[{j}].share", f"{label} – Zahler {j + 1}, Anteil: Die Anteile ({fmt(running)}"
                                                  f"{unit}) übersteigen den Betrag ({fmt(net)}{unit}) um "
                                                  f"{fmt(running - net)}.")
            return
    if not any(p.takes_remainder for p in payers) and running != net:
        ctx.errors.add(f"{field}[{last_fixed}].share",
                       f"{label} – Zahler {last_fixed + 1}, Anteil: Die Anteile ({fmt(running)}{unit}) ergeben nicht "
                       f"den Betrag ({fmt(net)}{unit}); es fehlen {fmt(net - running)}. Bitte die Anteile anpassen "
                       f"oder einen Zahler den Restbeitrag übernehmen lassen.")


def validation_errors(period: BillingPeriod, catalogue: Catalogue, payer_ids: frozenset[int],
                      other_periods: Sequence[BillingPeriod], settings: FacilitySettings | None = None,
                      locked_through: Month | None = None, *, facts: ChildMonthFacts | None = None,
                      ) -> list[FieldError]:
    """The field errors `validate_period` would raise, empty when the period is valid (for live checks)."""
    try:
        validate_period(period, catalogue, payer_ids, other_periods, settings, locked_through, facts=facts)
    except ValidationError as exc:
        return exc.errors
    return []
