"""The parents' payments for the demo's billing runs, so the Kita ledger has paid, part-paid and
open items.

Per payer account and run: the receivables of the run, due on the facility's due day. Parents with
a bank account pay by SEPA direct debit on the due day, the others by transfer a few days later;
the institutions (Jugendamt, Härtefallfonds) by transfer at the end of the month. Most pay every
month in full; some stopped paying in October, some pay half, a few nothing at all. Recalculation
credits are left as credit (none are posted in the demo's runs).

Inserted in bulk like the demo persons (Core, a few statements whatever the size), with the
allocations the ledger's `book_payment` would make: each payment settles the run's items, oldest
first; the invariant (allocated ≤ amount on both sides) holds by construction and is tested.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import insert, select

from sollhaben.domain.ledger import PostingSource
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.models import (
    Account,
    Allocation,
    BillingRun,
    Person,
    PersonBankAccount,
    Posting,
)
from sollhaben.services.demo import CHUNK, DemoContext, reserve_ids
from sollhaben.services.demo_kita import KitaSetup

PAYS_ALL, STOPPED, HALF, NOTHING = "all", "stopped", "half", "nothing"
HABITS = ((PAYS_ALL, 84), (STOPPED, 7), (HALF, 5), (NOTHING, 4))


def book_payments(ctx: DemoContext, setup: KitaSetup) -> None:
    connection, today = ctx.connection, ctx.reference_date
    rows = connection.execute(
        select(Posting.id, Posting.account_id, Posting.amount_minor, Posting.due_date, BillingRun.month,
               Account.holder_id, Person.kind)
        .join(BillingRun, BillingRun.id == Posting.source_id).join(Account, Account.id == Posting.account_id)
        .join(Person, Person.id == Account.holder_id)
        .where(Posting.source == PostingSource.BILLING_RUN.value, BillingRun.organization_id == setup.organization_id,
               Posting.amount_minor > 0)
        .order_by(Posting.id)).all()
    with_bank = set(connection.scalars(select(PersonBankAccount.person_id).where(
        PersonBankAccount.person_id.in_({r.holder_id for r in rows} or {0}))))
    items: dict[tuple[int, object], list] = defaultdict(list)  # (account, run month) → items, oldest first
    holders: dict[int, tuple[int, str]] = {}
    for row in rows:
        items[(row.account_id, row.month)].append(row)
        holders.setdefault(row.account_id, (row.holder_id, row.kind))
    rng = ctx.rng("kita:payments")
    habits = {account: ("all" if kind == "INSTITUTION" else rng.choices([h for h, _w in HABITS],
                                                                     [w for _h, w in HABITS])[0])
              for account, (_holder, kind) in holders.items()}  # in order of the first posting
    last_month = max((month for _a, month in items), default=None)
    payments, allocations = [], []
    for (account, month), due_items in items.items():
        habit = habits[account]
        if habit == NOTHING or (habit == STOPPED and month == last_month):
            continue
        holder, kind = holders[account]
        due = min(r.due_date for r in due_items)
        total = sum(r.amount_minor for r in due_items)
        paid = total if habit != HALF else total // 2
        if kind == "INSTITUTION":
            day, text = due.replace(day=28), f"Überweisung Jugendhilfe {month}"
        elif holder in with_bank:
            day, text = due, f"Lastschrift Elternbeiträge {month}"
        else:
            day, text = due + timedelta(days=rng.randrange(0, 9)), f"Überweisung Elternbeiträge {month}"
        payments.append((account, min(day, today), paid, text, due_items))
    ids = reserve_ids(connection, Posting.__table__, len(payments))
    now, user = utcnow(), ctx.db.user[:60]
    posting_rows = []
    for payment_id, (account, day, paid, text, due_items) in zip(ids, payments):
        posting_rows.append({"id": payment_id, "account_id": account, "booking_date": day, "value_month": None,
                             "due_date": None, "category": "PAYMENT", "amount_minor": -paid, "currency": setup.currency,
                             "source": PostingSource.PAYMENT.value, "source_id": None, "reverses_id": None,
                             "reference": "", "text": text, "detail": {}, "idempotency_key": None,
                             "created_by": user, "created_at": now})
        rest = paid
        for item in due_items:
            part = min(rest, item.amount_minor)
            if part > 0:
                allocations.append({"credit_id": payment_id, "item_id": item.id, "amount_minor": part,
                                    "created_by": user, "created_at": now})
            rest -= part
    for table, values in ((Posting.__table__, posting_rows), (Allocation.__table__, allocations)):
        for start in range(0, len(values), CHUNK):
            connection.execute(insert(table), values[start:start + CHUNK])
    ctx.counts["postings"] += len(posting_rows)
    ctx.counts["payments"] += len(posting_rows)
