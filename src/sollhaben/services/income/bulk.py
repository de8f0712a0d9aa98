"""Bulk work a real office needs each year: which children need a new assessment, and the transfer
of all complete, not yet transferred assessments in one worker job with one combined protocol.

The job transfers each assessment in a unit of work of its own (`transfer.transfer_in`): a refused
one (a period the domain refuses, a configuration missing since it was saved) is listed with its
German reason and the others go on. Cancelling stops before the next assessment; the transfers
done so far are stored, each complete with its protocol, and the rest are untouched (status 1), so
the next call transfers them — the job's resumable point. What the billing run loads of a facility
is read once per job (a transfer posts nothing, so it stays true); the child's periods are read
again for each assessment.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import and_, or_, select

from sollhaben.domain.collation import sort_key
from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
from sollhaben.domain.income.model import AssessmentStatus
from sollhaben.domain.kita.model import BillingMode, TierSource
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import (
    BillingPeriod,
    Child,
    Contract,
    FeeGroup,
    FeeLine,
    IncomeAssessment,
    Person,
    Unit,
)
from sollhaben.services.income.dto import BulkTransferDTO, DueReason, DueRow, TransferFailure, TransferResultDTO
from sollhaben.services.income.transfer import InputsCache, transfer_in
from sollhaben.services.kita.family import contract_active
from sollhaben.services.unit_of_work import read_only, unit_of_work

Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]


def _name(last: str, first: str) -> str:
    return f"{last}, {first}" if first else last


def _covers(month: Month):
    return and_(IncomeAssessment.valid_from <= month,
                or_(IncomeAssessment.valid_to.is_(None), IncomeAssessment.valid_to >= month))


def due_children(db: Database, organization_id: int, month: Month, facility_id: int | None = None) -> list[DueRow]:
    """Children who need a new assessment for `month`: their assessment ends in `month` and none
    follows (ENDS), or a billing period valid in `month` has an income-dependent fee line and no
    assessment covers the month (MISSING). By child name."""
    with read_only(db) as session:
        names = {cid: _name(last, first) for cid, last, first in session.execute(
            select(Child.id, Person.last_name, Person.first_name).join(Person, Person.id == Child.person_id)
            .where(Child.organization_id == organization_id))}
        units = dict(session.execute(select(Unit.id, Unit.name).where(Unit.organization_id == organization_id)).all())
        covered_next = set(session.scalars(select(IncomeAssessment.child_id).where(
            IncomeAssessment.organization_id == organization_id, _covers(month + 1))))
        covered = set(session.scalars(select(IncomeAssessment.child_id).where(
            IncomeAssessment.organization_id == organization_id, _covers(month))))
        ending = select(IncomeAssessment).where(IncomeAssessment.organization_id == organization_id,
                                                IncomeAssessment.valid_to == month)
        if facility_id is not None:
            ending = ending.where(IncomeAssessment.facility_id == facility_id)
        rows: list[DueRow] = []
        for a in session.scalars(ending):
            if a.child_id in covered_next:
                continue
            valid = Validity(a.valid_from, a.valid_to)
            rows.append(DueRow(a.child_id, names.get(a.child_id, ""), a.facility_id, units.get(a.facility_id, ""),
                               DueReason.ENDS, a.id, valid, f"Staffelberechnung {valid} endet {month}; es folgt "
                                                            f"keine."))
        income = (select(BillingPeriod.child_id).distinct()
                  .join(FeeLine, FeeLine.period_id == BillingPeriod.id)
                  .join(FeeGroup, FeeGroup.id == FeeLine.fee_group_id)
                  .join(Child, Child.id == BillingPeriod.child_id)
                  .where(Child.organization_id == organization_id, BillingPeriod.valid_from <= month,
                         or_(BillingPeriod.valid_to.is_(None), BillingPeriod.valid_to >= month),
                         FeeGroup.tier_source == TierSource.INCOME.value,
                         FeeGroup.mode != BillingMode.INDIVIDUAL.value))
        missing = [cid for cid in session.scalars(income) if cid not in covered]
        facilities: dict[int, int] = {}
        if missing:
            for cid, fid in session.execute(select(Contract.child_id, Contract.facility_id)
                                            .where(Contract.child_id.in_(missing), contract_active(Contract, month))
                                            .order_by(Contract.first_day, Contract.id)):
                facilities.setdefault(cid, fid)
        for cid in missing:
            fid = facilities.get(cid)
            if facility_id is not None and fid != facility_id:
                continue
            rows.append(DueRow(cid, names.get(cid, ""), fid, units.get(fid, "") if fid else "", DueReason.MISSING,
                               None, None, f"Einkommensabhängiger Beitrag, aber keine Staffelberechnung für {month}."))
    rows.sort(key=lambda r: (sort_key(r.child_name), r.child_id, r.reason))
    return rows


def complete_untransferred(db: Database, organization_id: int, facility_id: int | None = None) -> list[int]:
    """Ids of the complete assessments with status 1, by child and `valid_from`."""
    with read_only(db) as session:
        query = (select(IncomeAssessment.id).where(
            IncomeAssessment.organization_id == organization_id, IncomeAssessment.complete.is_(True),
            IncomeAssessment.status == int(AssessmentStatus.NOT_TRANSFERRED))
            .order_by(IncomeAssessment.child_id, IncomeAssessment.valid_from))
        if facility_id is not None:
            query = query.where(IncomeAssessment.facility_id == facility_id)
        return list(session.scalars(query))


def _failure(db: Database, assessment_id: int, message: str) -> TransferFailure:
    with read_only(db) as session:
        found = session.execute(select(IncomeAssessment.valid_from, IncomeAssessment.valid_to, Person.last_name,
                                       Person.first_name)
                                .join(Child, Child.id == IncomeAssessment.child_id)
                                .join(Person, Person.id == Child.person_id)
                                .where(IncomeAssessment.id == assessment_id)).first()
    if found is None:
        raise NotFoundError(f"Staffelberechnung {assessment_id} gibt es nicht.")
    start, end, last, first = found
    return TransferFailure(assessment_id, _name(last, first), Validity(start, end), message)


def transfer_all_complete(db: Database, organization_id: int, user: str, *, facility_id: int | None = None,
                          today: date | None = None, progress: Progress | None = None,
                          cancelled: Cancelled | None = None) -> BulkTransferDTO:
    """Transfer every complete, not yet transferred assessment of the organization (or facility).
    The worker calls it; `progress(done, total, text)` and `cancelled()` as the billing run."""
    ids = complete_untransferred(db, organization_id, facility_id)
    total, text = len(ids), "Staffelberechnungen übertragen"
    done: list[TransferResultDTO] = []
    failed: list[TransferFailure] = []
    cache: InputsCache = {}
    stopped = False
    for index, assessment_id in enumerate(ids):
        if cancelled is not None and cancelled():
            stopped = True
            break
        if progress is not None:
            progress(index, total, text)
        try:
            with unit_of_work(db, "Die Staffelberechnung") as session:
                done.append(transfer_in(db, session, assessment_id, user, organization_id=organization_id,
                                        today=today, cache=cache))
        except (ValidationError, ConflictError) as exc:
            failed.append(_failure(db, assessment_id, str(exc)))
    if progress is not None and not stopped:
        progress(total, total, text)
    return BulkTransferDTO(tuple(done), tuple(failed), stopped, total)
