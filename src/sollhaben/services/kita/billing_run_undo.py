"""Undo of a facility's latest billing run, as a whole, in one unit of work.

Ledger reversal semantics (`services/ledger.reverse`), in bulk: every posting of the run gets a
reversal posting that names it (`reverses_id`, source REVERSAL, same account, category, value month
and due date, the negated amount, text "Storno: …"), and original and reversal are allocated to
each other, so both are settled and the statement shows both. Refused while any payment (or any
other credit) is allocated to one of the run's items, and for any run but the latest one. The
counts and amounts the run reset are restored and the billed-through marks set back; the undo is
recorded as a billing_run row of kind UNDO, and the run is marked REVERSED.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.bulk_read import fetch_tuples
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Allocation, BillingRun, Posting, Unit
from sollhaben.services.kita.billing_run_dto import UndoResultDTO
from sollhaben.services.kita.billing_run_load import (
    CHUNK,
    to_date,
    key_prefix,
    key_range,
    require_facility,
    run_history,
)
from sollhaben.services.kita.billing_run_post import restore_resets
from sollhaben.services.unit_of_work import unit_of_work

ALLOCATED_SHOWN = 5


def run_postings(session: Session, run: BillingRun) -> list[tuple]:
    """(id, account, booking date, value month, due date, category, amount, currency, text) of the
    run's postings, in posting order: a range scan over the run's idempotency keys."""
    attempt = int((run.counts or {}).get("attempt", 1))
    connection = session.connection()
    rows = fetch_tuples(connection, select(
        Posting.id, Posting.account_id, Posting.value_month, Posting.due_date, Posting.category,
        Posting.amount_minor, Posting.currency, Posting.text, Posting.source_id)
        .where(key_range(connection, key_prefix(run.facility_id, run.month, attempt))).order_by(Posting.id))
    return [(pid, account, Month.from_index(month) if month is not None else None, to_date(due), category, amount,
             currency, text) for pid, account, month, due, category, amount, currency, text, source in rows
            if source == run.id]


def _allocated(session: Session, ids: list[int]) -> list[tuple[int, int]]:
    """(posting id, net allocated) of the postings that have allocations."""
    found: dict[int, int] = {}
    connection = session.connection()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        for column in (Allocation.item_id, Allocation.credit_id):
            for pid, amount in connection.execute(select(column, func.sum(Allocation.amount_minor))
                                                  .where(column.in_(chunk)).group_by(column)):
                if amount:
                    found[pid] = found.get(pid, 0) + int(amount)
    return sorted(found.items())


def undo_last_run(db: Database, facility_id: int, user: str, run_id: int | None = None,
                  today: date | None = None) -> UndoResultDTO:
    """Reverse the facility's latest run (or check that `run_id` is it) as a whole."""
    today = today or date.today()
    with unit_of_work(db) as session:
        require_facility(session, facility_id)
        session.execute(select(Unit.id).where(Unit.id == facility_id).with_for_update())
        history = run_history(session, facility_id)
        if history.last_run_id is None:
            raise ValidationError("Sollstellung: Für diese Einrichtung gibt es keine Sollstellung, die rückgängig "
                                  "gemacht werden könnte.", "run_id")
        if run_id is not None and run_id != history.last_run_id:
            other = session.get(BillingRun, run_id)
            if other is None or other.facility_id != facility_id:
                raise NotFoundError(f"Sollstellung {run_id} gibt es für diese Einrichtung nicht.")
            raise ValidationError(f"Sollstellung: Nur die letzte Sollstellung ({history.last_month}) kann rückgängig "
                                  f"gemacht werden, nicht die für {other.month}.", "run_id")
        run = session.get(BillingRun, history.last_run_id)
        postings = run_postings(session, run)
        allocated = _allocated(session, [p[0] for p in postings])
        if allocated:
            shown = ", ".join(f"Nr. {pid}" for pid, _a in allocated[:ALLOCATED_SHOWN])
            more = f" und {len(allocated) - ALLOCATED_SHOWN} weitere" if len(allocated) > ALLOCATED_SHOWN else ""
            raise ValidationError(f"Sollstellung {run.month}: kann nicht rückgängig gemacht werden, weil Zahlungen "
                                  f"oder Gutschriften ihren Buchungen zugeordnet sind ({shown}{more}). Bitte zuerst "
                                  "die Zuordnungen lösen.", "run_id")
        now = utcnow()
        undo = BillingRun(organization_id=run.organization_id, facility_id=facility_id, month=run.month, kind="UNDO",
                          status="POSTED", started_at=now, started_by=user[:60], currency=run.currency,
                          counts={}, totals={})
        session.add(undo)
        session.flush()
        reversals = _reverse(session, postings, undo.id, user[:60], today, now)
        restored, periods, notes = restore_resets(session, run.id, now)
        total = sum(p[5] for p in postings)
        session.execute(update(BillingRun).where(BillingRun.id == undo.id).values(
            counts={"reversals": reversals, "restored": restored, "periods": periods, "reverses_run": run.id},
            totals={"total": -total}, finished_at=utcnow()))
        session.execute(update(BillingRun).where(BillingRun.id == run.id).values(
            status="REVERSED", reversed_by_id=undo.id))
        return UndoResultDTO(run.id, undo.id, facility_id, run.month, reversals, Money(total, run.currency),
                             restored, periods, tuple(notes))


def _reverse(session: Session, postings: list[tuple], undo_id: int, user: str, today: date, now) -> int:
    """One reversal per posting (executemany with RETURNING), then original and reversal settle
    each other by an allocation (credit → item)."""
    if not postings:
        return 0
    connection = session.connection()
    rows = [{"account_id": account, "booking_date": today, "value_month": value_month, "due_date": due,
             "category": category, "amount_minor": -amount, "currency": currency,
             "source": PostingSource.REVERSAL.value, "source_id": undo_id, "reverses_id": pid, "reference": "",
             "text": f"Storno: {text}"[:200], "detail": {"reverses": pid, "undo_run": undo_id},
             "idempotency_key": None, "created_by": user, "created_at": now}
            for pid, account, value_month, due, category, amount, currency, text in postings]
    result = connection.execute(insert(Posting.__table__).returning(Posting.id, Posting.reverses_id,
                                                                    sort_by_parameter_order=True), rows)
    pairs = result.all()
    amounts = {p[0]: p[5] for p in postings}
    allocations = []
    for reversal_id, original_id in pairs:
        amount = amounts[original_id]
        credit, item = (reversal_id, original_id) if amount > 0 else (original_id, reversal_id)
        allocations.append({"credit_id": credit, "item_id": item, "amount_minor": abs(amount),
                            "created_by": user, "created_at": now})
    connection.execute(insert(Allocation.__table__), allocations)
    return len(pairs)

