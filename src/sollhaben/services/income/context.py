"""What the assessment services read around an assessment: the rows, the child's other assessments,
the persons linked to the child, names, siblings, protocols and follow-ups — inside an open unit of work."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sollhaben.domain.errors import NotFoundError
from sollhaben.domain.income import model as im
from sollhaben.domain.income.calculation import calculate
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence import income_mapping as mapping
from sollhaben.persistence.models import (
    Child,
    ChildGuardian,
    ChildPayer,
    FollowUp,
    IncomeAssessment,
    IncomeTransfer,
    Person,
    Unit,
)
from sollhaben.services.dto import FollowUpDTO
from sollhaben.services.income.dto import AssessmentDTO, LinkedPersonDTO, ProtocolLine, TransferRow
from sollhaben.services.kita.family import siblings_in

RECORD_TYPE = "income_assessment"  # follow-ups (Wiedervorlagen) of an assessment


def assessment_row(session: Session, assessment_id: int, organization_id: int | None = None,
                   lock: bool = False) -> IncomeAssessment:
    query = select(IncomeAssessment).options(mapping.assessment_loader()).where(IncomeAssessment.id == assessment_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None or (organization_id is not None and row.organization_id != organization_id):
        raise NotFoundError(f"Staffelberechnung {assessment_id} gibt es nicht.")
    return row


def child_assessments(session: Session, child_id: int, currency: str) -> list[tuple[IncomeAssessment, im.IncomeAssessment]]:
    """The child's stored assessments (rows and domain values), by `valid_from`."""
    rows = session.scalars(select(IncomeAssessment).options(mapping.assessment_loader())
                           .where(IncomeAssessment.child_id == child_id).order_by(IncomeAssessment.valid_from)).all()
    return [(row, mapping.assessment_to_domain(row, currency)) for row in rows]


def linked_persons(session: Session, child_id: int) -> list[LinkedPersonDTO]:
    """The persons linked to the child whose income may count: guardians, then natural-person payers."""
    guardians = session.execute(select(Person.id, Person.first_name, Person.last_name)
                                .join(ChildGuardian, ChildGuardian.person_id == Person.id)
                                .where(ChildGuardian.child_id == child_id).order_by(ChildGuardian.id)).all()
    payers = session.execute(select(Person.id, Person.first_name, Person.last_name)
                             .join(ChildPayer, ChildPayer.person_id == Person.id)
                             .where(ChildPayer.child_id == child_id, Person.kind == "NATURAL")
                             .order_by(ChildPayer.position)).all()
    result, seen = [], set()
    for rows, relation in ((guardians, "Sorgeberechtigt"), (payers, "Zahler")):
        for pid, first, last in rows:
            if pid not in seen:
                seen.add(pid)
                result.append(LinkedPersonDTO(pid, f"{first} {last}".strip(), relation))
    return result


def child_name(session: Session, child_id: int) -> str:
    """"Last, First" of the child."""
    found = session.execute(select(Person.last_name, Person.first_name).join(Child, Child.person_id == Person.id)
                            .where(Child.id == child_id)).first()
    if found is None:
        raise NotFoundError(f"Kind {child_id} gibt es nicht.")
    last, first = found
    return f"{last}, {first}" if first else last


def unit_name(session: Session, unit_id: int | None) -> str:
    if unit_id is None:
        return ""
    return session.scalar(select(Unit.name).where(Unit.id == unit_id)) or ""


def transfer_rows(session: Session, assessment_id: int) -> tuple[TransferRow, ...]:
    rows = session.scalars(select(IncomeTransfer).where(IncomeTransfer.assessment_id == assessment_id)
                           .order_by(IncomeTransfer.transferred_at, IncomeTransfer.id)).all()
    return tuple(TransferRow(r.id, r.transferred_at, r.transferred_by, r.tier, Validity(r.valid_from, r.valid_to),
                             r.run_month, tuple(r.text.splitlines())) for r in rows)


def protocol_json(lines: tuple[ProtocolLine, ...]) -> list[dict]:
    return [{"kind": line.kind.value, "text": line.text, "month": line.month.index if line.month else None,
             "payer_id": line.payer_id, "amount_minor": line.amount.minor if line.amount else None,
             "currency": line.amount.currency.value if line.amount else None, "period_id": line.period_id}
            for line in lines]


def follow_ups(session: Session, organization_id: int, assessment_id: int) -> tuple[FollowUpDTO, ...]:
    rows = session.scalars(select(FollowUp).where(FollowUp.organization_id == organization_id,
                                                  FollowUp.record_type == RECORD_TYPE,
                                                  FollowUp.record_id == assessment_id)
                           .order_by(FollowUp.due_date, FollowUp.id)).all()
    return tuple(FollowUpDTO(r.id, r.version, r.due_date, r.subject, r.note, r.module, r.record_type, r.record_id,
                             "", r.assigned_to, r.done_at is not None) for r in rows)


def follow_up_due(session: Session, organization_id: int) -> dict[int, date]:
    """Assessment id → the earliest open follow-up."""
    return dict(session.execute(
        select(FollowUp.record_id, func.min(FollowUp.due_date))
        .where(FollowUp.organization_id == organization_id, FollowUp.record_type == RECORD_TYPE,
               FollowUp.done_at.is_(None)).group_by(FollowUp.record_id)).all())


def assessment_dto(session: Session, organization_id: int, assessment: im.IncomeAssessment,
                   config: im.IncomeScaleConfig, today: date | None = None,
                   closed_previous: im.IncomeAssessment | None = None) -> AssessmentDTO:
    month = assessment.valid_from or Month.of(today or date.today())
    stored = assessment.id is not None
    return AssessmentDTO(
        assessment=assessment, calculation=calculate(assessment, config),
        child_name=child_name(session, assessment.child_id), facility_name=unit_name(session, assessment.facility_id),
        linked_persons=tuple(linked_persons(session, assessment.child_id)),
        siblings=tuple(siblings_in(session, assessment.child_id, month)),
        transfers=transfer_rows(session, assessment.id) if stored else (),
        follow_ups=follow_ups(session, organization_id, assessment.id) if stored else (),
        closed_previous=closed_previous)


def money_or_none(minor: int | None, currency: str) -> Money | None:
    return None if minor is None else Money(minor, currency)
