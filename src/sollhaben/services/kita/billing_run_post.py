"""Writing a planned billing run: the run row, the payers' accounts, the postings, the resets and
the billed-through marks — Core bulk statements (executemany) inside the caller's unit of work.

Nothing here commits; `billing_run.post_run` runs it in one transaction, so a crash or a cancel
before the commit leaves the database as it was.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from sollhaben.domain.kita.model import LineKind
from sollhaben.domain.kita.run_types import PlannedPosting, RunPlan
from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.months import Month
from sollhaben.persistence.bulk_read import fetch_tuples
from sollhaben.persistence.models import (
    Account,
    BillingPeriod,
    BillingRunReset,
    ExtraLine,
    FeeLine,
    Posting,
)
from sollhaben.services.kita.billing_run_dto import CATEGORY_EXTRA, CATEGORY_FEE, CATEGORY_MEALS
from sollhaben.services.kita.billing_run_load import CHUNK, RunInputs

MONTH_NAMES = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
               "November", "Dezember")
RECALCULATION = "Nachberechnung"
#: billing_run_reset.line_kind of a billed-through mark: line_id is the period, old_count the
#: previous mark as a month index (NULL: none). Restored on undo like a count.
MARK = "MARK"
ACCOUNT_KEY = "main"
ACCOUNT_MODULE = "kita"


def category(posting: PlannedPosting) -> str:
    if posting.line_kind is LineKind.FEE:
        return CATEGORY_FEE
    return CATEGORY_MEALS if posting.is_meal else CATEGORY_EXTRA


def month_text(month: Month) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def posting_text(posting: PlannedPosting, child_first_name: str) -> str:
    """"Ganztag 45 h März 2026 – Mia"; a recalculation starts with "Nachberechnung"."""
    text = f"{posting.name} {month_text(posting.value_month)}"
    if posting.is_recalculation:
        text = f"{RECALCULATION} {text}"
    if child_first_name:
        text = f"{text} – {child_first_name}"
    return text[:200]


def _quantity(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return str(int(value)) if value == value.to_integral_value() else str(value.normalize())


def posting_detail(posting: PlannedPosting, line_id: int | None) -> dict:
    """The module's detail of a run posting: enough to explain and recompute it."""
    line = posting.line
    return {
        "module": "kita", "facility": posting.facility_id, "run_month": posting.run_month.iso(),
        "child": posting.child_id, "line": posting.line_key, "line_kind": posting.line_kind.value,
        "line_id": line_id, "name": posting.name, "catalogue_id": posting.catalogue_id, "version_id": posting.version_id,
        "mode": line.mode.value if line else None, "tier": posting.tier,
        "quantity": _quantity(posting.quantity),
        "unit_amount": posting.unit_amount.minor if posting.unit_amount is not None else None,
        "gross": line.gross.minor if line else None, "net": line.net.minor if line else None,
        "deductions": [{"name": d.name, "amount": d.amount.minor, "discount_id": d.discount_id}
                       for d in posting.deductions],
        "payer": posting.payer_id, "share": posting.share.minor, "posted_before": posting.posted_before.minor,
        "kind": posting.kind.value,
        "recalculation_month": posting.value_month.iso() if posting.is_recalculation else None,
        "meal": posting.is_meal,
    }


@dataclass
class WriteCounts:
    postings: int = 0
    accounts_opened: int = 0
    resets: int = 0
    periods_marked: int = 0


def open_accounts(session: Session, organization_id: int, currency: str, holder_ids: set[int],
                  now: datetime) -> tuple[dict[int, int], int]:
    """holder id → main account id, creating the missing ones (as `ledger.open_account` does) in
    one bulk insert. Returns the map and how many were opened."""
    connection = session.connection()
    query = select(Account.holder_id, Account.id).where(Account.organization_id == organization_id,
                                                        Account.key == ACCOUNT_KEY)
    found = dict(fetch_tuples(connection, query))
    missing = sorted(h for h in holder_ids if h not in found)
    if missing:
        connection.execute(insert(Account.__table__), [
            {"organization_id": organization_id, "holder_id": h, "parent_id": None, "key": ACCOUNT_KEY,
             "number": f"{h:06d}", "label": "", "module": ACCOUNT_MODULE, "currency": currency, "created_at": now}
            for h in missing])
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start:start + CHUNK]
            found.update((h, a) for h, a in connection.execute(query.where(Account.holder_id.in_(chunk))))
    return found, len(missing)


def write_postings(session: Session, inputs: RunInputs, plan: RunPlan, run_id: int, user: str, today: date,
                   now: datetime) -> tuple[int, int]:
    """Insert every planned posting (one executemany); returns (postings, accounts opened)."""
    postings = plan.postings
    if not postings:
        return 0, 0
    accounts, opened = open_accounts(session, inputs.organization_id, inputs.currency.value,
                                     {p.payer_id for p in postings}, now)
    names = inputs.child_names
    currency = inputs.currency.value
    line_ids = _posting_line_ids(inputs, plan)
    rows = []
    for p in postings:
        rows.append({
            "account_id": accounts[p.payer_id], "booking_date": today, "value_month": p.value_month,
            "due_date": p.due_date, "category": category(p), "amount_minor": p.amount.minor, "currency": currency,
            "source": PostingSource.BILLING_RUN.value, "source_id": run_id, "reverses_id": None, "reference": "",
            "text": posting_text(p, names.get(p.child_id, ("", ""))[1]),
            "detail": posting_detail(p, line_ids.get((p.child_id, p.line_key))),
            "idempotency_key": p.idempotency_key, "created_by": user, "created_at": now})
    session.connection().execute(insert(Posting.__table__), rows)
    return len(rows), opened


def _posting_line_ids(inputs: RunInputs, plan: RunPlan) -> dict[tuple[int, str], int]:
    """(child, line key) → the line row of the target month's period (for the detail)."""
    result: dict[tuple[int, str], int] = {}
    from sollhaben.domain.kita.pricing import line_keys

    for billed in plan.billed_periods:
        period = inputs.periods.get(billed.period_id)
        if period is None:
            continue
        fee_keys, extra_keys = line_keys(period)
        for kind, keys in (("FEE", fee_keys), ("EXTRA", extra_keys)):
            for index, key in enumerate(keys):
                line_id = inputs.line_ids.get((period.id, kind, index))
                if line_id is not None:
                    result[(period.child_id, key)] = line_id
    return result


def write_resets(session: Session, inputs: RunInputs, plan: RunPlan, run_id: int, now: datetime) -> tuple[int, int]:
    """Set billed counts and reset-flagged amounts to 0 and mark the periods billed through the run
    month; the old values go to billing_run_reset for undo. Returns (resets, periods marked)."""
    connection = session.connection()
    reset_rows, fee_updates, extra_updates = [], [], []
    for reset in plan.resets:
        line_id = inputs.line_ids.get((reset.period_id, reset.line_kind.value, reset.index))
        if line_id is None:
            continue
        old_amount = reset.amount_before.minor if reset.amount_before is not None else None
        reset_rows.append({"run_id": run_id, "line_kind": reset.line_kind.value, "line_id": line_id,
                           "old_count": reset.count_before, "old_amount_minor": old_amount})
        target = fee_updates if reset.line_kind is LineKind.FEE else extra_updates
        target.append({"b_id": line_id, "b_amount": 0 if old_amount is not None else None})
    periods = {b.period_id for b in plan.billed_periods if b.period_id is not None}
    for period_id in sorted(periods):
        old = inputs.periods[period_id].billed_through
        reset_rows.append({"run_id": run_id, "line_kind": MARK, "line_id": period_id,
                           "old_count": old.index if old is not None else None, "old_amount_minor": None})
    if reset_rows:
        connection.execute(insert(BillingRunReset.__table__), reset_rows)
    for table, updates in ((FeeLine.__table__, fee_updates), (ExtraLine.__table__, extra_updates)):
        if updates:
            connection.execute(update(table).where(table.c.id == bindparam("b_id"))
                               .values(count=0, amount_minor=bindparam("b_amount")), updates)
    if periods:
        table = BillingPeriod.__table__
        connection.execute(
            update(table).where(table.c.id == bindparam("b_id"))
            .values(billed_through=plan.month, version=table.c.version + 1, updated_at=now),
            [{"b_id": pid} for pid in sorted(periods)])
    return len(plan.resets), len(periods)


def restore_resets(session: Session, run_id: int, now: datetime) -> tuple[int, int, list[str]]:
    """Undo of `write_resets`: counts are added back (counts entered since the run stay), reset
    amounts restored where the line still holds 0, marks set back. Returns (restored, periods, notes)."""
    connection = session.connection()
    rows = fetch_tuples(connection, select(BillingRunReset.line_kind, BillingRunReset.line_id,
                                           BillingRunReset.old_count, BillingRunReset.old_amount_minor)
                        .where(BillingRunReset.run_id == run_id).order_by(BillingRunReset.id))
    notes: list[str] = []
    restored = 0
    marks = [(line_id, old) for kind, line_id, old, _a in rows if kind == MARK]
    lines = [(kind, line_id, old_count, old_amount) for kind, line_id, old_count, old_amount in rows if kind != MARK]
    for kind in ("FEE", "EXTRA"):
        table = FeeLine.__table__ if kind == "FEE" else ExtraLine.__table__
        wanted = [(line_id, c, a) for k, line_id, c, a in lines if k == kind]
        current: dict[int, tuple[int, int | None, int]] = {}
        ids = [line_id for line_id, _c, _a in wanted]
        for start in range(0, len(ids), CHUNK):
            for line_id, count, amount, period_id in connection.execute(select(
                    table.c.id, table.c.count, table.c.amount_minor, table.c.period_id)
                    .where(table.c.id.in_(ids[start:start + CHUNK]))):
                current[line_id] = (count or 0, amount, period_id)
        updates = []
        for line_id, old_count, old_amount in wanted:
            if line_id not in current:
                notes.append(f"Zeile {line_id}: gibt es nicht mehr; Anzahl/Betrag nicht wiederhergestellt.")
                continue
            count, amount, _period = current[line_id]
            new_amount = amount
            if old_amount is not None:
                if amount in (None, 0):
                    new_amount = old_amount
                else:
                    notes.append(f"Zeile {line_id}: Der Betrag wurde seit der Sollstellung geändert und bleibt "
                                 f"{amount / 100:.2f}; der zurückgesetzte Betrag {old_amount / 100:.2f} wurde nicht "
                                 "wiederhergestellt.")
            updates.append({"b_id": line_id, "b_count": count + (old_count or 0), "b_amount": new_amount})
        if updates:
            connection.execute(update(table).where(table.c.id == bindparam("b_id"))
                               .values(count=bindparam("b_count"), amount_minor=bindparam("b_amount")), updates)
            restored += len(updates)
    periods = BillingPeriod.__table__
    if marks:
        connection.execute(
            update(periods).where(periods.c.id == bindparam("b_id"))
            .values(billed_through=bindparam("b_old", type_=periods.c.billed_through.type),
                    version=periods.c.version + 1, updated_at=now),
            [{"b_id": pid, "b_old": Month.from_index(old) if old is not None else None} for pid, old in marks])
    # touch the periods whose lines were restored (a form loaded before the undo cannot overwrite it)
    return restored, len(marks), notes


def run_totals_json(plan: RunPlan) -> dict:
    fee_groups: dict[str, int] = {}
    extra_costs: dict[str, int] = {}
    regular = recalculation = 0
    for p in plan.postings:
        target = fee_groups if p.line_kind is LineKind.FEE else extra_costs
        key = str(p.catalogue_id)
        target[key] = target.get(key, 0) + p.amount.minor
        if p.is_recalculation:
            recalculation += p.amount.minor
        else:
            regular += p.amount.minor
    return {"regular": regular, "recalculation": recalculation, "total": regular + recalculation,
            "fee_groups": fee_groups, "extra_costs": extra_costs,
            "payers": len({p.payer_id for p in plan.postings})}
