"""Validation of an income assessment before it is stored, and the rules for save, copy and delete.

`validate_assessment` returns the assessment or raises one `ValidationError` carrying every field
error; `validation_errors` gives the same list for live checks in the form. Field names follow the
form: `valid_from`, `household_size`, `persons[1].person_id`, `persons[0].items[2].amount`.
Every message is German and names the field and the rule.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Sequence

from sollhaben.domain.errors import ErrorCollector, FieldError, ValidationError
from sollhaben.domain.income.model import (
    MAX_PERSONS,
    AssessmentPerson,
    AssessmentStatus,
    IncomeAssessment,
    IncomeScaleConfig,
    IncomeScaleVersion,
)
from sollhaben.domain.kita.pricing import fmt
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity


def validation_errors(assessment: IncomeAssessment, config: IncomeScaleConfig, linked_person_ids: frozenset[int],
                      other_assessments: Sequence[IncomeAssessment]) -> list[FieldError]:
    """Every field error of the assessment.

    `linked_person_ids`: the persons linked to the child (only they may be chosen).
    `other_assessments`: the child's stored assessments; the stored version of this one (same id) may
    be among them and is ignored."""
    errors = ErrorCollector()
    if assessment.facility_id is None:
        errors.add("facility_id", "Mandant: Bitte die Betreuungseinrichtung wählen (Pflichtfeld in der Ansicht "
                                  "des Hauptmandanten).")
    _check_validity(errors, assessment, other_assessments)
    version = config.version_for(assessment.valid_from) if assessment.valid_from is not None else None
    if assessment.valid_from is not None:
        _check_version(errors, assessment.valid_from, version, assessment.highest_tier)
    _check_household(errors, assessment, version)
    _check_persons(errors, assessment, config, linked_person_ids)
    _check_exemption(errors, assessment, config)
    return errors.errors


def validate_assessment(assessment: IncomeAssessment, config: IncomeScaleConfig, linked_person_ids: frozenset[int],
                        other_assessments: Sequence[IncomeAssessment]) -> IncomeAssessment:
    """The assessment, or a `ValidationError` with every field error (see `validation_errors`)."""
    errors = validation_errors(assessment, config, linked_person_ids, other_assessments)
    if errors:
        raise ValidationError(errors)
    return assessment


def _check_validity(errors: ErrorCollector, assessment: IncomeAssessment,
                    others: Sequence[IncomeAssessment]) -> None:
    start, end = assessment.valid_from, assessment.valid_to
    if start is None:
        errors.add("valid_from", "Gültig ab: Pflichtfeld – bitte den ersten Monat im Format MM.JJJJ eingeben.")
        return
    if end is not None and end < start:
        errors.add("valid_to", f"Gültig bis ({end}) liegt vor Gültig ab ({start}).")
        return
    mine = Validity(start, end)
    for other in _siblings_of(assessment, others):
        theirs = other.validity
        if theirs is None or not mine.overlaps(theirs) or closes(other, assessment):
            continue
        hint = ""
        if end is None and theirs.valid_from > start:
            hint = f" Bitte „Gültig bis“ spätestens auf {theirs.valid_from - 1} setzen."
        errors.add("valid_from", f"Gültig ab: Der Zeitraum {mine} überschneidet sich mit der Staffelberechnung "
                                 f"{theirs} des Kindes. Je Monat gibt es nur eine Staffelberechnung.{hint}")


def _check_version(errors: ErrorCollector, month: Month, version: IncomeScaleVersion | None,
                   highest_tier: bool) -> None:
    if version is None:
        errors.add("valid_from", f"Gültig ab: Für {month} sind keine Einkommensgrenzen und Staffeln eingerichtet "
                                 f"(Einstellungen Staffelberechnung); bitte zuerst eine Version ab {month} anlegen.")
        return
    if not highest_tier and not version.thresholds:
        errors.add("valid_from", f"Gültig ab: Die Einstellungen ab {version.valid.valid_from} nennen keine "
                                 f"Einkommensgrenzen.")
    if not highest_tier and not version.brackets:
        errors.add("valid_from", f"Gültig ab: Die Einstellungen ab {version.valid.valid_from} nennen keine "
                                 f"Staffeln (Betrag bis … → Staffel).")


def _check_household(errors: ErrorCollector, assessment: IncomeAssessment, version: IncomeScaleVersion | None) -> None:
    size = assessment.household_size
    if size is None:
        if not assessment.highest_tier:
            errors.add("household_size", "Anzahl Haushalt: Pflichtfeld – die Anzahl legt die Einkommensgrenze fest.")
        return
    if size <= 0:
        errors.add("household_size", f"Anzahl Haushalt: Es muss mindestens eine Person im Haushalt leben "
                                     f"(eingegeben: {size}).")
        return
    if assessment.highest_tier or version is None or not version.thresholds:
        return
    sizes = sorted(t.household_size for t in version.thresholds)
    if size < sizes[0]:
        errors.add("household_size", f"Anzahl Haushalt: Für {size} Person(en) ist keine Einkommensgrenze eingerichtet "
                                     f"(kleinste Haushaltsgröße in den Einstellungen: {sizes[0]}).")
    elif size <= sizes[-1] and size not in sizes:
        errors.add("household_size", f"Anzahl Haushalt: Für {size} Personen ist keine Einkommensgrenze eingerichtet "
                                     f"(eingerichtet: {', '.join(map(str, sizes))}).")


def _check_persons(errors: ErrorCollector, assessment: IncomeAssessment, config: IncomeScaleConfig,
                   linked: frozenset[int]) -> None:
    persons = assessment.persons
    if len(persons) > MAX_PERSONS:
        errors.add("persons", f"Personen: höchstens {MAX_PERSONS} Personen je Staffelberechnung "
                              f"(ausgewählt: {len(persons)}).")
    if not persons and not assessment.highest_tier:
        errors.add("persons", "Personen: Bitte mindestens eine Person wählen, deren Einkommen zählt (oder die "
                              "Option „höchste Staffel“).")
    for i, person in enumerate(persons):
        who = f"Person {i + 1}"
        if person.person_id not in linked:
            errors.add(f"persons[{i}].person_id", f"{who}: ist dem Kind nicht zugeordnet; nur zugeordnete Personen "
                                                  f"können gewählt werden.")
        elif person.person_id in (p.person_id for p in persons[:i]):
            first = [p.person_id for p in persons].index(person.person_id)
            errors.add(f"persons[{i}].person_id", f"{who}: ist schon als Person {first + 1} gewählt.")
        _check_items(errors, i, person, config)


def _check_items(errors: ErrorCollector, i: int, person: AssessmentPerson, config: IncomeScaleConfig) -> None:
    for k, item in enumerate(person.items):
        where = f"persons[{i}].items[{k}]"
        item_type = config.item_type(item.item_type_id)
        if item_type is None:
            errors.add(f"{where}.item_type_id", f"Person {i + 1}, Position {k + 1}: Die Einkommensposition "
                                                f"{item.item_type_id} gibt es in der Grundtabelle nicht.")
            continue
        label = f"Person {i + 1} – „{item_type.label}“ ({item_type.sign.value})"
        if any(other.item_type_id == item.item_type_id for other in person.items[:k]):
            errors.add(f"{where}.item_type_id", f"{label}: ist für diese Person schon erfasst.")
        if item.amount.currency is not config.currency:
            errors.add(f"{where}.amount", f"{label}: Der Betrag ist in {item.amount.currency.value}, die "
                                          f"Organisation rechnet in {config.currency.value}.")
        elif item.amount.is_negative():
            errors.add(f"{where}.amount", f"{label}: Der Betrag darf nicht negativ sein ({fmt(item.amount)}); bitte "
                                          f"positiv eingeben – das Vorzeichen kommt aus der Einkommensposition.")


def _check_exemption(errors: ErrorCollector, assessment: IncomeAssessment, config: IncomeScaleConfig) -> None:
    percent, fixed = assessment.exemption_percent, assessment.exemption_fixed
    if percent is not None:
        message = percent_problem(percent)
        if message:
            errors.add("exemption_percent", f"Befreiungsbetrag in %: {message}")
    if fixed is not None:
        if fixed.currency is not config.currency:
            errors.add("exemption_fixed", f"Befreiungsbetrag in {config.currency.value}: Der Betrag ist in "
                                          f"{fixed.currency.value}.")
        elif fixed.is_negative():
            errors.add("exemption_fixed", f"Befreiungsbetrag in {config.currency.value}: Der Betrag darf nicht "
                                          f"negativ sein ({fmt(fixed)}).")


def percent_problem(percent: Decimal) -> str:
    """Why a percent is unusable ("" if it is fine): 0–100 with at most two decimals (stored as basis points)."""
    if not Decimal(percent).is_finite() or not Decimal(0) <= percent <= Decimal(100):
        return f"Der Prozentsatz {percent} liegt nicht zwischen 0 und 100."
    if percent != percent.quantize(Decimal("0.01")):
        return f"Der Prozentsatz {percent} hat mehr als zwei Nachkommastellen."
    return ""


# --- save, copy, delete --------------------------------------------------------------------------

def _siblings_of(assessment: IncomeAssessment, others: Sequence[IncomeAssessment]) -> list[IncomeAssessment]:
    """The child's other assessments (not the stored version of this one)."""
    return [o for o in others if o.child_id == assessment.child_id
            and not (assessment.id is not None and o.id == assessment.id)]


def closes(previous: IncomeAssessment, new: IncomeAssessment) -> bool:
    """Whether saving `new` closes `previous`: an open assessment that starts earlier."""
    return (previous.valid_to is None and previous.valid_from is not None and new.valid_from is not None
            and previous.valid_from < new.valid_from)


def close_previous(others: Sequence[IncomeAssessment], saved: IncomeAssessment) -> IncomeAssessment | None:
    """The child's open earlier assessment with `valid_to` = the month before `saved.valid_from`, or None.

    Store it together with `saved`. Its status stays: the months it keeps are transferred as before, and
    the months it gives up are the new assessment's to transfer."""
    for other in _siblings_of(saved, others):
        if closes(other, saved):
            return replace(other, valid_to=saved.valid_from - 1)
    return None


def copy_assessment(source: IncomeAssessment) -> IncomeAssessment:
    """„Kopieren“: a new assessment with everything but the validity (and, as a new record, status 1)."""
    return replace(source, valid_from=None, valid_to=None, status=AssessmentStatus.NOT_TRANSFERRED, id=None,
                   version=1)


def _transfer_relevant(assessment: IncomeAssessment) -> IncomeAssessment:
    """The assessment without what neither the tier nor the transfer reads."""
    return replace(assessment, declaration_date=None, complete=False, status=AssessmentStatus.NOT_TRANSFERRED,
                   version=0)


def status_on_save(assessment: IncomeAssessment, stored: IncomeAssessment | None) -> IncomeAssessment:
    """Status 1 on the first save and whenever a transferred assessment changes what the transfer used;
    the declaration date and the flag „Vollständig“ are information only and keep status 2."""
    if stored is not None and _transfer_relevant(assessment) == _transfer_relevant(stored):
        return replace(assessment, status=stored.status)
    return replace(assessment, status=AssessmentStatus.NOT_TRANSFERRED)


def delete_errors(assessment: IncomeAssessment, today: date) -> list[FieldError]:
    """Why the assessment may not be deleted: it is complete, or its `valid_to` is not after this month.

    An open assessment (no `valid_to`) runs into the future and may be deleted unless it is complete."""
    errors = []
    if assessment.complete:
        errors.append(FieldError("complete", "Löschen nicht möglich: Die Staffelberechnung ist als „Vollständig“ "
                                             "gekennzeichnet."))
    if assessment.valid_to is not None and assessment.valid_to <= Month.of(today):
        errors.append(FieldError("valid_to", f"Löschen nicht möglich: Gültig bis ({assessment.valid_to}) liegt "
                                             f"nicht in der Zukunft."))
    return errors


def check_delete(assessment: IncomeAssessment, today: date) -> str:
    """The confirmation question when deleting is allowed; else a `ValidationError` naming the rule."""
    errors = delete_errors(assessment, today)
    if errors:
        raise ValidationError(errors)
    validity = assessment.validity
    return f"Staffelberechnung {validity} wirklich löschen?" if validity else "Staffelberechnung wirklich löschen?"


def configuration_errors(version: IncomeScaleVersion, config: IncomeScaleConfig) -> list[FieldError]:
    """Rules for a version of the settings: sizes ≥ 1 and without gaps, amounts in the organization's
    currency, brackets with rising amounts and rising tiers, the highest tier above them all."""
    errors = ErrorCollector()
    sizes = sorted(t.household_size for t in version.thresholds)
    if sizes and (sizes[0] < 1 or sizes != list(range(sizes[0], sizes[0] + len(sizes)))):
        errors.add("thresholds", f"Einkommensgrenzen: Die Haushaltsgrößen müssen mindestens 1 sein und lückenlos "
                                 f"aufeinander folgen (eingegeben: {', '.join(map(str, sizes))}).")
    amounts: list[tuple[str, Money]] = [("increment_per_person", version.increment_per_person)]
    amounts += [(f"thresholds[{i}].amount", t.amount) for i, t in enumerate(version.thresholds)]
    amounts += [(f"brackets[{i}].up_to", b.up_to) for i, b in enumerate(version.brackets)]
    for field, amount in amounts:
        if amount.currency is not config.currency:
            errors.add(field, f"Einstellungen: Der Betrag {fmt(amount)} ist nicht in {config.currency.value}.")
    if version.increment_per_person.is_negative() or any(t.amount.is_negative() for t in version.thresholds):
        errors.add("thresholds", "Einkommensgrenzen: Die Beträge dürfen nicht negativ sein.")
    brackets = version.brackets
    for i in range(1, len(brackets)):
        if brackets[i].up_to.minor <= brackets[i - 1].up_to.minor or brackets[i].tier <= brackets[i - 1].tier:
            errors.add(f"brackets[{i}]", f"Staffeln, Zeile {i + 1}: Betrag bis und Staffel müssen größer sein als "
                                         f"in der Zeile davor.")
    if brackets and version.highest_tier <= max(b.tier for b in brackets):
        errors.add("highest_tier", f"Höchste Staffel: {version.highest_tier} muss größer sein als die Staffeln der "
                                   f"Tabelle.")
    message = percent_problem(version.exemption_percent)
    if message:
        errors.add("exemption_percent", f"Befreiungsbetrag in %: {message}")
    if version.exemption_fixed is not None and version.exemption_fixed.is_negative():
        errors.add("exemption_fixed", "Befreiungsbetrag: Der Betrag darf nicht negativ sein.")
    return errors.errors
