"""Assessments (Staffelberechnungen): list, get, new, save, copy, delete.

Saving is one unit of work, audited: the child is locked, the domain validation
(`validate_assessment`: every field rule, linked persons, no overlap, a configuration for the month)
runs against the child's stored assessments and the organization's configuration; then
`status_on_save` (a changed transferred assessment goes back to status 1) and `close_previous`
(the open earlier assessment ends the month before); both rows are stored together. A refused save
stores nothing. Deleting follows `check_delete` and needs the user's confirmation.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from sollhaben.domain.collation import sort_key
from sollhaben.domain.errors import ErrorCollector, NotFoundError, ValidationError
from sollhaben.domain.income import model as im
from sollhaben.domain.income.calculation import calculate
from sollhaben.domain.income.validation import (
    check_delete,
    close_previous,
    copy_assessment as copy_domain,
    status_on_save,
    validate_assessment,
)
from sollhaben.persistence import income_mapping as mapping
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Child, FollowUp, IncomeAssessment, Person, Unit
from sollhaben.services.income.configuration import config_in
from sollhaben.services.income.context import (
    RECORD_TYPE,
    assessment_dto,
    assessment_row,
    child_assessments,
    follow_up_due,
    linked_persons,
)
from sollhaben.services.income.dto import AssessmentDTO, AssessmentRow
from sollhaben.services.kita.catalogue import organization_currency
from sollhaben.services.kita.children import load_child
from sollhaben.services.kita.facility import facility_unit
from sollhaben.services.unit_of_work import check_version, read_only, touch, unit_of_work

WHAT = "Die Staffelberechnung"


# --- reading --------------------------------------------------------------------------------------

def list_assessments(db: Database, organization_id: int, facility_id: int | None = None) -> list[AssessmentRow]:
    """The organization's assessments (or one facility's), by child name and `valid_from`, with the
    computed tier and the earliest open follow-up."""
    with read_only(db) as session:
        config = config_in(session, organization_id)
        currency = config.currency.value
        query = (select(IncomeAssessment).options(mapping.assessment_loader())
                 .where(IncomeAssessment.organization_id == organization_id))
        if facility_id is not None:
            query = query.where(IncomeAssessment.facility_id == facility_id)
        rows = session.scalars(query).all()
        child_ids = {r.child_id for r in rows}
        person_ids = {p.person_id for r in rows for p in r.persons}
        children = {cid: (last, first) for cid, last, first in session.execute(
            select(Child.id, Person.last_name, Person.first_name).join(Person, Person.id == Child.person_id)
            .where(Child.id.in_(child_ids or {0})))}
        people = {pid: f"{first} {last}".strip() for pid, first, last in session.execute(
            select(Person.id, Person.first_name, Person.last_name).where(Person.id.in_(person_ids or {0})))}
        units = dict(session.execute(select(Unit.id, Unit.name).where(Unit.organization_id == organization_id)).all())
        due = follow_up_due(session, organization_id)
        result = []
        for row in rows:
            assessment = mapping.assessment_to_domain(row, currency)
            last, first = children.get(row.child_id, (f"Kind {row.child_id}", ""))
            result.append(AssessmentRow(
                row.id, row.version, row.child_id, f"{last}, {first}" if first else last, row.facility_id,
                units.get(row.facility_id, ""), ", ".join(people.get(p.person_id, "") for p in row.persons),
                assessment.validity, row.household_size, calculate(assessment, config).tier,
                assessment.status, row.complete, due.get(row.id)))
    result.sort(key=lambda r: (sort_key(r.child_name), r.child_id, r.valid.valid_from))  # DIN 5007: Ö as O
    return result


def get_assessment(db: Database, assessment_id: int, today: date | None = None) -> AssessmentDTO:
    with read_only(db) as session:
        row = assessment_row(session, assessment_id)
        config = config_in(session, row.organization_id)
        assessment = mapping.assessment_to_domain(row, config.currency.value)
        return assessment_dto(session, row.organization_id, assessment, config, today)


def new_assessment(db: Database, child_id: int, facility_id: int | None = None,
                   today: date | None = None) -> AssessmentDTO:
    """The form of a new assessment: the linked persons (at most two) preselected, nothing else."""
    with read_only(db) as session:
        child = load_child(session, child_id)
        config = config_in(session, child.organization_id)
        persons = tuple(im.AssessmentPerson(p.person_id) for p in linked_persons(session, child_id)[:im.MAX_PERSONS])
        assessment = im.IncomeAssessment(child_id=child_id, facility_id=facility_id, valid_from=None,
                                         persons=persons, version=0)
        return assessment_dto(session, child.organization_id, assessment, config, today)


# --- writing --------------------------------------------------------------------------------------

def save_assessment(db: Database, organization_id: int, assessment: im.IncomeAssessment, *,
                    view_facility_id: int | None = None, today: date | None = None) -> AssessmentDTO:
    """Store a new (id None) or edited assessment; `assessment.version` is the version the form loaded.

    `view_facility_id`: the facility whose own view the clerk works in; it fills in an empty facility.
    Raises ValidationError with every field error (nothing stored) or ConflictError."""
    if assessment.facility_id is None and view_facility_id is not None:
        assessment = replace(assessment, facility_id=view_facility_id)
    with unit_of_work(db, WHAT) as session:
        child = load_child(session, assessment.child_id, lock=True)  # one save per child at a time
        if child.organization_id != organization_id:
            raise NotFoundError(f"Kind {assessment.child_id} gibt es in dieser Organisation nicht.")
        config = config_in(session, organization_id)
        currency = config.currency.value
        stored = child_assessments(session, child.id, currency)
        row, before = None, None
        if assessment.id is not None:
            found = next(((r, a) for r, a in stored if r.id == assessment.id), None)
            if found is None:
                raise NotFoundError(f"Staffelberechnung {assessment.id} gibt es für dieses Kind nicht.")
            row, before = found
            check_version(assessment.version, row.version, WHAT)
        errors = ErrorCollector()
        if assessment.facility_id is not None:
            try:
                facility_unit(session, assessment.facility_id, organization_id)
            except (NotFoundError, ValidationError) as exc:
                errors.add("facility_id", f"Einrichtung: {exc}")
        linked = frozenset(p.person_id for p in linked_persons(session, child.id))
        others = [a for _, a in stored]
        try:
            validate_assessment(assessment, config, linked, others)
        except ValidationError as exc:
            errors.errors.extend(exc.errors)
        errors.raise_if_any()
        saved = status_on_save(assessment, before)
        previous = close_previous(others, saved)
        if previous is not None:
            previous_row = next(r for r, _ in stored if r.id == previous.id)
            previous_row.valid_to = previous.valid_to
        if row is None:
            row = IncomeAssessment(organization_id=organization_id, persons=[])
            mapping.apply_assessment(row, replace(saved, persons=()))
            session.add(row)
            session.flush()  # the id, which the items carry
            mapping.apply_assessment(row, saved)
        elif mapping.apply_assessment(row, saved):
            touch(row)  # persons or items changed: the version moves on
        session.flush()
        result = mapping.assessment_to_domain(row, currency)
        return assessment_dto(session, organization_id, result, config, today, previous)


def copy_assessment(db: Database, assessment_id: int, today: date | None = None) -> AssessmentDTO:
    """„Kopieren“: the unsaved copy (no id, no validity, status 1) for the form; saving it with its
    `valid_from` closes the previous open assessment."""
    with read_only(db) as session:
        row = assessment_row(session, assessment_id)
        config = config_in(session, row.organization_id)
        source = mapping.assessment_to_domain(row, config.currency.value)
        return assessment_dto(session, row.organization_id, copy_domain(source), config, today)


def delete_question(db: Database, assessment_id: int, today: date | None = None) -> str:
    """The confirmation question when deleting is allowed; else ValidationError naming the rule."""
    with read_only(db) as session:
        row = assessment_row(session, assessment_id)
        assessment = mapping.assessment_to_domain(row, organization_currency(session, row.organization_id))
    return check_delete(assessment, today or date.today())


def delete_assessment(db: Database, assessment_id: int, version: int | None, *, confirmed: bool,
                      today: date | None = None) -> None:
    """Delete after the user confirmed `delete_question`. The billing data keep a transferred tier;
    the protocols stay with the child; the assessment's follow-ups are deleted with it."""
    with unit_of_work(db, WHAT) as session:
        row = assessment_row(session, assessment_id)
        load_child(session, row.child_id, lock=True)
        check_version(version, row.version, WHAT)
        assessment = mapping.assessment_to_domain(row, organization_currency(session, row.organization_id))
        question = check_delete(assessment, today or date.today())
        if not confirmed:
            raise ValidationError(f"Löschen: Bitte zuerst die Rückfrage bestätigen („{question}“).", "confirmed")
        for follow_up in session.scalars(select(FollowUp).where(FollowUp.record_type == RECORD_TYPE,
                                                                 FollowUp.record_id == assessment_id)):
            session.delete(follow_up)  # audited, as the assessment itself
        session.delete(row)
