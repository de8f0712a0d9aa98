"""Income scale: ORM rows ↔ domain value objects (`sollhaben.domain.income.model`).

Reading needs the child collections loaded (`version_loader`, `assessment_loader`; every
relationship is lazy="raise"). Writing keeps child rows position by position and updates them in
place (`kita_mapping.sync_positions`), so the audit log shows old → new per field.
"""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from sollhaben.domain.income import model as im
from sollhaben.domain.money import Money
from sollhaben.domain.months import Validity
from sollhaben.persistence.kita_mapping import bp_to_percent, minor, percent_to_bp, set_if_changed, sync_positions
from sollhaben.persistence.models import (
    IncomeAssessment,
    IncomeAssessmentPerson,
    IncomeBracket,
    IncomeItem,
    IncomeItemType,
    IncomeScaleVersion,
    IncomeThreshold,
)


def version_loader() -> tuple:
    return selectinload(IncomeScaleVersion.thresholds), selectinload(IncomeScaleVersion.brackets)


def assessment_loader():
    return selectinload(IncomeAssessment.persons).selectinload(IncomeAssessmentPerson.items)


# --- configuration ---------------------------------------------------------------------------------

def item_type_to_domain(row: IncomeItemType) -> im.IncomeItemType:
    valid = Validity(row.valid_from, row.valid_to) if row.valid_from is not None else None
    return im.IncomeItemType(row.label, im.ItemSign(row.sign), row.position, row.id, valid)


def apply_item_type(row: IncomeItemType, item_type: im.IncomeItemType) -> bool:
    valid = item_type.valid
    return set_if_changed(row, label=item_type.label, sign=item_type.sign.value, position=item_type.position,
                          valid_from=valid.valid_from if valid else None, valid_to=valid.valid_to if valid else None)


def version_to_domain(row: IncomeScaleVersion, currency: str) -> im.IncomeScaleVersion:
    return im.IncomeScaleVersion(
        valid=Validity(row.valid_from, row.valid_to),
        thresholds=tuple(im.IncomeThreshold(t.household_size, Money(t.amount_minor, currency)) for t in row.thresholds),
        increment_per_person=Money(row.increment_per_person_minor, currency),
        brackets=tuple(im.TierBracket(Money(b.up_to_minor, currency), b.tier) for b in row.brackets),
        highest_tier=row.highest_tier,
        exemption_percent=bp_to_percent(row.exemption_percent_bp),
        exemption_fixed=Money(row.exemption_fixed_minor, currency) if row.exemption_fixed_minor is not None else None,
        id=row.id)


def apply_version(row: IncomeScaleVersion, version: im.IncomeScaleVersion) -> bool:
    changed = set_if_changed(
        row, valid_from=version.valid.valid_from, valid_to=version.valid.valid_to,
        increment_per_person_minor=version.increment_per_person.minor, highest_tier=version.highest_tier,
        exemption_percent_bp=percent_to_bp(version.exemption_percent),
        exemption_fixed_minor=minor(version.exemption_fixed))
    thresholds = sorted(version.thresholds, key=lambda t: t.household_size)
    changed |= sync_positions(
        row.thresholds, thresholds,
        lambda position, t: IncomeThreshold(position=position, household_size=t.household_size,
                                            amount_minor=t.amount.minor),
        lambda r, t: set_if_changed(r, household_size=t.household_size, amount_minor=t.amount.minor))
    brackets = sorted(version.brackets, key=lambda b: b.up_to.minor)
    changed |= sync_positions(
        row.brackets, brackets,
        lambda position, b: IncomeBracket(position=position, up_to_minor=b.up_to.minor, tier=b.tier),
        lambda r, b: set_if_changed(r, up_to_minor=b.up_to.minor, tier=b.tier))
    return changed


# --- assessments -----------------------------------------------------------------------------------

def assessment_to_domain(row: IncomeAssessment, currency: str) -> im.IncomeAssessment:
    persons = tuple(
        im.AssessmentPerson(p.person_id, p.monthly_entry,
                            tuple(im.IncomeItem(i.item_type_id, Money(i.amount_minor, currency)) for i in p.items))
        for p in row.persons)
    return im.IncomeAssessment(
        child_id=row.child_id, facility_id=row.facility_id, valid_from=row.valid_from, valid_to=row.valid_to,
        persons=persons, household_size=row.household_size, declaration_date=row.declaration_date,
        highest_tier=row.highest_tier, complete=row.complete, status=im.AssessmentStatus(row.status),
        exemption_percent=bp_to_percent(row.exemption_percent_bp) if row.exemption_percent_bp is not None else None,
        exemption_fixed=Money(row.exemption_fixed_minor, currency) if row.exemption_fixed_minor is not None else None,
        id=row.id, version=row.version)


def apply_assessment(row: IncomeAssessment, assessment: im.IncomeAssessment) -> bool:
    """Make the stored assessment (loaded with `assessment_loader()`, or new and flushed, so it has
    its id) hold `assessment`; True if anything changed."""
    percent = assessment.exemption_percent
    changed = set_if_changed(
        row, facility_id=assessment.facility_id, child_id=assessment.child_id, valid_from=assessment.valid_from,
        valid_to=assessment.valid_to, declaration_date=assessment.declaration_date,
        household_size=assessment.household_size, highest_tier=assessment.highest_tier, complete=assessment.complete,
        status=int(assessment.status), exemption_percent_bp=percent_to_bp(percent) if percent is not None else None,
        exemption_fixed_minor=minor(assessment.exemption_fixed))
    assessment_id = row.id

    def sync_items(person_row: IncomeAssessmentPerson, items) -> bool:
        return sync_positions(
            person_row.items, items,
            lambda position, item: IncomeItem(assessment_id=assessment_id, position=position,
                                              item_type_id=item.item_type_id, amount_minor=item.amount.minor),
            lambda r, item: set_if_changed(r, item_type_id=item.item_type_id, amount_minor=item.amount.minor))

    def make_person(position: int, person: im.AssessmentPerson) -> IncomeAssessmentPerson:
        person_row = IncomeAssessmentPerson(position=position, person_id=person.person_id,
                                            monthly_entry=person.monthly_entry, items=[])
        sync_items(person_row, person.items)
        return person_row

    def update_person(person_row: IncomeAssessmentPerson, person: im.AssessmentPerson) -> bool:
        return set_if_changed(person_row, person_id=person.person_id, monthly_entry=person.monthly_entry) | \
            sync_items(person_row, person.items)

    return sync_positions(row.persons, assessment.persons, make_person, update_person) | changed
