"""Follow-ups (Wiedervorlagen): create, edit, mark done, and list what is due for the to-do view."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import select

from sollhaben.domain.errors import ErrorCollector, NotFoundError
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Child, FollowUp, IncomeAssessment, Person
from sollhaben.services.dto import FollowUpDTO
from sollhaben.services.unit_of_work import check_version, read_only, unit_of_work

DEFAULT_HORIZON_DAYS = 7
SUBJECT_MAX = 200
ASSIGNED_MAX = 60
RECORD_TYPES = {"person": "Person", "income_assessment": "Staffelberechnung"}  # record types a follow-up can point to


@dataclass(frozen=True)
class FollowUpInput:
    subject: str
    due_date: date | None
    note: str = ""
    module: str = ""
    record_type: str = ""
    record_id: int | None = None
    assigned_to: str = ""


def validate_follow_up(data: FollowUpInput) -> FollowUpInput:
    """German messages per field; raises ValidationError with all errors at once."""
    errors = ErrorCollector()
    subject = data.subject.strip()
    if not subject:
        errors.add("subject", "Betreff: Bitte einen Betreff eingeben.")
    elif len(subject) > SUBJECT_MAX:
        errors.add("subject", f"Betreff: höchstens {SUBJECT_MAX} Zeichen erlaubt.")
    if data.due_date is None:
        errors.add("due_date", "Fällig am: Bitte ein Datum eingeben.")
    elif not date(1900, 1, 1) <= data.due_date <= date(2199, 12, 31):
        errors.add("due_date", "Fällig am: Das Datum liegt ausserhalb des gültigen Bereichs.")
    assigned_to = data.assigned_to.strip()
    if len(assigned_to) > ASSIGNED_MAX:
        errors.add("assigned_to", f"Zuständig: höchstens {ASSIGNED_MAX} Zeichen erlaubt.")
    if (data.record_type == "") != (data.record_id is None):
        errors.add("record_id", "Datensatz: Art und Nummer des Datensatzes gehören zusammen.")
    elif data.record_type and data.record_type not in RECORD_TYPES:
        errors.add("record_id", f"Datensatz: Die Art „{data.record_type}“ ist unbekannt.")
    errors.raise_if_any()
    return replace(data, subject=subject, assigned_to=assigned_to, note=data.note.strip())


def is_overdue(follow_up: FollowUpDTO, today: date) -> bool:
    return not follow_up.done and follow_up.due_date < today


def _labels(session, rows: list[FollowUp]) -> dict[tuple[str, int], str]:
    """Display names of the records the follow-ups point to, in one query per record type."""
    person_ids = {r.record_id for r in rows if r.record_type == "person" and r.record_id is not None}
    labels: dict[tuple[str, int], str] = {}
    if person_ids:
        for pid, last, first in session.execute(
                select(Person.id, Person.last_name, Person.first_name).where(Person.id.in_(person_ids))):
            labels[("person", pid)] = f"{last}, {first}" if first else last
    assessment_ids = {r.record_id for r in rows if r.record_type == "income_assessment" and r.record_id is not None}
    if assessment_ids:
        for aid, start, end, last, first in session.execute(
                select(IncomeAssessment.id, IncomeAssessment.valid_from, IncomeAssessment.valid_to, Person.last_name,
                       Person.first_name).join(Child, Child.id == IncomeAssessment.child_id)
                .join(Person, Person.id == Child.person_id).where(IncomeAssessment.id.in_(assessment_ids))):
            name = f"{last}, {first}" if first else last
            labels[("income_assessment", aid)] = f"Staffelberechnung {name} {start} – {end or 'offen'}"
    return labels


def _to_dto(row: FollowUp, labels: dict[tuple[str, int], str]) -> FollowUpDTO:
    label = labels.get((row.record_type, row.record_id), "") if row.record_id is not None else ""
    return FollowUpDTO(
        id=row.id, version=row.version, due_date=row.due_date, subject=row.subject, note=row.note,
        module=row.module, record_type=row.record_type, record_id=row.record_id, record_label=label,
        assigned_to=row.assigned_to, done=row.done_at is not None)


def _check_record(session, organization_id: int, data: FollowUpInput) -> None:
    if data.record_type == "person":
        owner = session.scalar(select(Person.organization_id).where(Person.id == data.record_id))
        if owner != organization_id:
            raise NotFoundError(f"Person {data.record_id} gibt es in dieser Organisation nicht.")
    elif data.record_type == "income_assessment":
        owner = session.scalar(select(IncomeAssessment.organization_id).where(IncomeAssessment.id == data.record_id))
        if owner != organization_id:
            raise NotFoundError(f"Staffelberechnung {data.record_id} gibt es in dieser Organisation nicht.")


def _load(session, organization_id: int, follow_up_id: int) -> FollowUp:
    row = session.get(FollowUp, follow_up_id)
    if row is None or row.organization_id != organization_id:
        raise NotFoundError(f"Wiedervorlage {follow_up_id} gibt es nicht.")
    return row


def _apply(row: FollowUp, data: FollowUpInput) -> None:
    row.subject, row.due_date, row.note = data.subject, data.due_date, data.note
    row.module, row.record_type, row.record_id = data.module, data.record_type, data.record_id
    row.assigned_to = data.assigned_to


def create_follow_up(db: Database, organization_id: int, data: FollowUpInput) -> FollowUpDTO:
    data = validate_follow_up(data)
    with unit_of_work(db, "Die Wiedervorlage") as session:
        _check_record(session, organization_id, data)
        row = FollowUp(organization_id=organization_id)
        _apply(row, data)
        session.add(row)
        session.flush()
        return _to_dto(row, _labels(session, [row]))


def update_follow_up(db: Database, organization_id: int, follow_up_id: int, version: int,
                     data: FollowUpInput) -> FollowUpDTO:
    data = validate_follow_up(data)
    with unit_of_work(db, "Die Wiedervorlage") as session:
        row = _load(session, organization_id, follow_up_id)
        check_version(version, row.version, "Die Wiedervorlage")
        _check_record(session, organization_id, data)
        _apply(row, data)
        session.flush()
        return _to_dto(row, _labels(session, [row]))


def mark_done(db: Database, organization_id: int, follow_up_id: int, version: int,
              done: bool = True) -> FollowUpDTO:
    """Mark as done (or open again); the time of completion is kept in UTC."""
    with unit_of_work(db, "Die Wiedervorlage") as session:
        row = _load(session, organization_id, follow_up_id)
        check_version(version, row.version, "Die Wiedervorlage")
        if done and row.done_at is None:
            row.done_at = utcnow()
        elif not done:
            row.done_at = None
        session.flush()
        return _to_dto(row, _labels(session, [row]))


def get_follow_up(db: Database, organization_id: int, follow_up_id: int) -> FollowUpDTO:
    with read_only(db) as session:
        row = _load(session, organization_id, follow_up_id)
        return _to_dto(row, _labels(session, [row]))


def list_due(db: Database, organization_id: int, until: date | None = None, today: date | None = None,
             include_done: bool = False) -> list[FollowUpDTO]:
    """Open follow-ups due on or before `until` (default: today + 7 days), oldest first; overdue
    ones are included however old they are."""
    until = until or (today or date.today()) + timedelta(days=DEFAULT_HORIZON_DAYS)
    with read_only(db) as session:
        query = (select(FollowUp).where(FollowUp.organization_id == organization_id, FollowUp.due_date <= until)
                 .order_by(FollowUp.due_date, FollowUp.id))
        if not include_done:
            query = query.where(FollowUp.done_at.is_(None))
        rows = list(session.scalars(query))
        labels = _labels(session, rows)
        return [_to_dto(r, labels) for r in rows]


def list_for_record(db: Database, organization_id: int, record_type: str, record_id: int) -> list[FollowUpDTO]:
    """All follow-ups of one record (open and done), for the record's editor."""
    with read_only(db) as session:
        rows = list(session.scalars(
            select(FollowUp).where(FollowUp.organization_id == organization_id,
                                   FollowUp.record_type == record_type, FollowUp.record_id == record_id)
            .order_by(FollowUp.due_date, FollowUp.id)))
        labels = _labels(session, rows)
        return [_to_dto(r, labels) for r in rows]
