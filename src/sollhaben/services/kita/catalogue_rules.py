"""Rules of the catalogue editors, free of storage: field checks with German messages, the
versions of one entry (a new version closes the previous one; versions never overlap), and what a
version already billed may still change.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Callable, Sequence, TypeVar

from sollhaben.domain.errors import ErrorCollector
from sollhaben.domain.kita.model import (
    EXTRA_COST_MODES,
    BillingMode,
    Discount,
    DiscountKind,
    DiscountVersion,
    ExtraCost,
    ExtraCostVersion,
    FeeGroup,
    FeeGroupVersion,
    TierSource,
)
from sollhaben.domain.master_data import check_length
from sollhaben.domain.months import Month, Validity

V = TypeVar("V", FeeGroupVersion, DiscountVersion, ExtraCostVersion)

MAX_LADDER = 3  # 2nd, 3rd, 4th and later child
WUERTTEMBERG_TIERS = (1, 2, 3, 4)


def _label(version) -> str:
    return f"Version ab {version.valid.valid_from}"


def _check_name(errors: ErrorCollector, name: str, code: str | None = None) -> None:
    if not name.strip():
        errors.add("name", "Name: Bitte einen Namen eingeben.")
    check_length(errors, "name", "Name", name.strip(), 80)
    if code is not None:
        check_length(errors, "code", "Kürzel", code.strip(), 20)


def _check_percent(errors: ErrorCollector, field: str, label: str, value: Decimal | None, required: bool) -> None:
    if value is None:
        if required:
            errors.add(field, f"{label}: Bitte einen Prozentsatz eingeben.")
        return
    if isinstance(value, float) or not isinstance(value, Decimal):
        errors.add(field, f"{label}: Der Prozentsatz muss eine Dezimalzahl sein.")
        return
    if not value.is_finite() or value <= 0 or value > 100:
        errors.add(field, f"{label}: Der Prozentsatz muss grösser als 0 und höchstens 100 sein.")
    elif (value * 100) != (value * 100).to_integral_value():
        errors.add(field, f"{label}: höchstens zwei Nachkommastellen erlaubt.")


def arrange_versions(versions: Sequence[V], errors: ErrorCollector) -> tuple[V, ...]:
    """Sort the versions, let each new version (id None) close the version before it (an open or
    longer one ends the month before), and refuse overlaps and a missing version."""
    if not versions:
        errors.add("versions", "Versionen: Bitte mindestens eine Version mit „Gültig ab“ eingeben.")
        return ()
    ordered = sorted(versions, key=lambda v: (v.valid.valid_from, v.id is None))
    result = list(ordered)
    for i, version in enumerate(ordered):
        if version.id is not None or i == 0:
            continue
        previous = result[i - 1]
        start = version.valid.valid_from
        if previous.valid.valid_from < start and (previous.valid.valid_to is None or previous.valid.valid_to >= start):
            result[i - 1] = replace(previous, valid=Validity(previous.valid.valid_from, start - 1))
    for first, second in zip(result, result[1:]):
        if first.valid.overlaps(second.valid):
            errors.add("versions", f"Gültigkeit: Die {_label(second)} ({second.valid}) überschneidet sich mit der "
                                   f"{_label(first)} ({first.valid}). Versionen dürfen sich nicht überlappen.")
    return tuple(result)


def check_billed_versions(errors: ErrorCollector, stored: Sequence[V], wanted: Sequence[V],
                          billed_through: dict[int, Month], same_value: Callable[[V, V], bool]) -> None:
    """A version used by a posted run keeps its start and value and covers every billed month;
    only its end may move, to a month not before the last billed one. It cannot be deleted."""
    wanted_by_id = {v.id: v for v in wanted if v.id is not None}
    for old in stored:
        last = billed_through.get(old.id)
        if last is None:
            continue
        new = wanted_by_id.get(old.id)
        hint = f"Bitte eine neue Version ab {last + 1} anlegen."
        if new is None:
            errors.add("versions", f"Versionen: Die {_label(old)} ist bis {last} abgerechnet und kann nicht "
                                   "gelöscht werden.")
        elif new.valid.valid_from != old.valid.valid_from or not same_value(old, new):
            errors.add("versions", f"Versionen: Die {_label(old)} ist bis {last} abgerechnet und kann nicht mehr "
                                   f"geändert werden. {hint}")
        elif new.valid.valid_to is not None and new.valid.valid_to < last:
            errors.add("versions", f"Gültig bis: Die {_label(old)} ist bis {last} abgerechnet; sie kann frühestens "
                                   f"mit {last} enden.")


def check_fixed_fields(errors: ErrorCollector, billed: bool, changes: Sequence[tuple[str, str, bool]]) -> None:
    """(field, label, changed): what defines how billed months were computed stays as it is."""
    if not billed:
        return
    for field, label, changed in changes:
        if changed:
            errors.add(field, f"{label}: kann nicht mehr geändert werden, weil schon mit diesem Eintrag "
                              "abgerechnet wurde. Bitte einen neuen Eintrag anlegen.")


# --- fee groups ---------------------------------------------------------------------------------

def _check_fee_group_version(errors: ErrorCollector, i: int, version: FeeGroupVersion, mode: BillingMode,
                             source: TierSource) -> None:
    field = f"versions[{i}].tiers"
    label = _label(version)
    numbers = [t.number for t in version.tiers]
    if mode is not BillingMode.INDIVIDUAL and not version.tiers:
        errors.add(field, f"Staffeln: Die {label} braucht mindestens eine Staffel mit Betrag.")
    for number in sorted({n for n in numbers if numbers.count(n) > 1}):
        errors.add(field, f"Staffel: Die Staffel {number} steht in der {label} mehrmals.")
    for j, tier in enumerate(version.tiers):
        tier_field = f"{field}[{j}]"
        if isinstance(tier.number, bool) or not isinstance(tier.number, int) or tier.number < 1:
            errors.add(f"{tier_field}.number", f"Staffel: Die Nummer muss 1 oder grösser sein ({label}).")
        check_length(errors, f"{tier_field}.label", "Bezeichnung der Staffel", tier.label.strip(), 60)
        if mode is BillingMode.INDIVIDUAL:
            if tier.amount is not None:
                errors.add(f"{tier_field}.amount", f"Betrag der Staffel {tier.number}: Eine individuelle "
                                                   "Beitragsgruppe hat keinen Betrag (er wird je Kind erfasst).")
        elif tier.amount is None:
            errors.add(f"{tier_field}.amount", f"Betrag der Staffel {tier.number}: Bitte einen Betrag eingeben "
                                               f"({label}).")
        elif tier.amount.minor < 0:
            errors.add(f"{tier_field}.amount", f"Betrag der Staffel {tier.number}: darf nicht negativ sein ({label}).")
    if source is TierSource.WUERTTEMBERG and sorted(numbers) != list(WUERTTEMBERG_TIERS):
        errors.add(field, f"Staffeln: Beim Württemberger Modell braucht die {label} genau die Staffeln 1, 2, 3 "
                          "und 4 (Kinder unter 18 im Haushalt; 4 = vier und mehr).")


def validate_fee_group(group: FeeGroup, errors: ErrorCollector) -> FeeGroup:
    _check_name(errors, group.name, group.code)
    try:
        mode, source = BillingMode(group.mode), TierSource(group.tier_source)
    except ValueError:
        errors.add("mode", "Abrechnungsart: Bitte Monatsbetrag, Monatstage, Einzelbetrag oder individuell wählen.")
        return group
    if mode is BillingMode.INDIVIDUAL and source is not TierSource.CHOSEN:
        errors.add("tier_source", f"Staffel: Eine individuelle Beitragsgruppe kann nicht „{source.label}“ sein; "
                                  "der Betrag wird je Kind erfasst.")
    for i, version in enumerate(group.versions):
        _check_fee_group_version(errors, i, version, mode, source)
    versions = arrange_versions(group.versions, errors)
    return replace(group, name=group.name.strip(), code=group.code.strip(), mode=mode, tier_source=source,
                   versions=versions)


def same_fee_group_value(a: FeeGroupVersion, b: FeeGroupVersion) -> bool:
    return {(t.number, t.amount) for t in a.tiers} == {(t.number, t.amount) for t in b.tiers}


# --- discounts ----------------------------------------------------------------------------------

def _check_discount_version(errors: ErrorCollector, i: int, version: DiscountVersion, kind: DiscountKind) -> None:
    field = f"versions[{i}]"
    label = _label(version)
    if kind is DiscountKind.FIXED:
        if version.fixed is None:
            errors.add(f"{field}.fixed", f"Betrag: Bitte den festen Betrag der {label} eingeben.")
        elif version.fixed.minor <= 0:
            errors.add(f"{field}.fixed", f"Betrag: Der feste Betrag der {label} muss grösser als 0 sein.")
    elif kind is DiscountKind.PERCENT:
        _check_percent(errors, f"{field}.percent", f"Prozent ({label})", version.percent, required=True)
    else:
        if not version.ladder:
            errors.add(f"{field}.ladder", f"Geschwisterstaffel: Bitte mindestens den Prozentsatz für das 2. Kind "
                                          f"eingeben ({label}).")
        elif len(version.ladder) > MAX_LADDER:
            errors.add(f"{field}.ladder", "Geschwisterstaffel: Prozentsätze für das 2., 3. und 4. (und jedes "
                                          f"weitere) Kind, höchstens {MAX_LADDER} ({label}).")
        for j, percent in enumerate(version.ladder):
            _check_percent(errors, f"{field}.ladder[{j}]", f"Geschwisterstaffel {j + 2}. Kind ({label})", percent,
                           required=True)
    others = {DiscountKind.FIXED: ("fixed", version.fixed), DiscountKind.PERCENT: ("percent", version.percent),
              DiscountKind.SIBLING_LADDER: ("ladder", version.ladder or None)}
    for other_kind, (name, value) in others.items():
        if other_kind is not kind and value is not None:
            errors.add(f"{field}.{name}", f"Ermäßigung: Eine Ermäßigung der Art „{kind.label}“ hat keinen Wert "
                                          f"der Art „{other_kind.label}“ ({label}).")


def validate_discount(discount: Discount, errors: ErrorCollector) -> Discount:
    _check_name(errors, discount.name)
    try:
        kind = DiscountKind(discount.kind)
    except ValueError:
        errors.add("kind", "Art: Bitte fester Betrag, Prozent oder Geschwisterstaffel wählen.")
        return discount
    for i, version in enumerate(discount.versions):
        _check_discount_version(errors, i, version, kind)
    versions = arrange_versions(discount.versions, errors)
    return replace(discount, name=discount.name.strip(), kind=kind, versions=versions)


def same_discount_value(a: DiscountVersion, b: DiscountVersion) -> bool:
    return (a.fixed, a.percent, tuple(a.ladder)) == (b.fixed, b.percent, tuple(b.ladder))


# --- extra costs --------------------------------------------------------------------------------

def validate_extra_cost(cost: ExtraCost, errors: ErrorCollector) -> ExtraCost:
    _check_name(errors, cost.name)
    try:
        mode = BillingMode(cost.mode)
    except ValueError:
        mode = None
    if mode not in EXTRA_COST_MODES:
        errors.add("mode", "Abrechnungsart: Zusatzkosten sind Monatsbetrag, Einzelbetrag (Anzahl) oder individuell.")
        return cost
    for i, version in enumerate(cost.versions):
        label = _label(version)
        if mode is BillingMode.INDIVIDUAL:
            if version.amount is not None:
                errors.add(f"versions[{i}].amount", f"Betrag: Individuelle Zusatzkosten haben keinen Betrag im "
                                                    f"Katalog; er wird je Kind erfasst ({label}).")
        elif version.amount is None:
            errors.add(f"versions[{i}].amount", f"Betrag: Bitte einen Betrag eingeben ({label}).")
        elif version.amount.minor < 0:
            errors.add(f"versions[{i}].amount", f"Betrag: darf nicht negativ sein ({label}).")
    versions = arrange_versions(cost.versions, errors)
    return replace(cost, name=cost.name.strip(), mode=mode, versions=versions)


def same_extra_cost_value(a: ExtraCostVersion, b: ExtraCostVersion) -> bool:
    return a.amount == b.amount
