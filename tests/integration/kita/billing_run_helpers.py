"""Helpers of the billing run tests: run months, read the postings back, check the ledger."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from sollhaben.domain.ledger import check_account_invariant
from sollhaben.persistence.models import Account, Allocation, BillingPeriod, BillingRun, ExtraLine, FeeLine, Posting
from sollhaben.services.kita import billing_run
from sollhaben.services.unit_of_work import read_only
from tests.integration.kita.conftest import month

RUN_DAY = date(2026, 11, 20)


@dataclass(frozen=True)
class Booked:
    id: int
    holder: int
    value_month: str
    amount: str  # "90.00", "-41.20"
    category: str
    text: str
    source: str
    detail: dict
    due_date: date | None


def plain(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"


def run(db, facility_id: int, text: str, user: str = "anna"):
    return billing_run.post_run(db, facility_id, month(text), user, today=RUN_DAY)


def run_months(db, facility_id: int, first: str, last: str) -> list:
    results, current = [], month(first)
    while current <= month(last):
        results.append(run(db, facility_id, str(current)))
        current = current + 1
    return results


def postings(db, source: str | None = "BILLING_RUN") -> list[Booked]:
    with read_only(db) as session:
        query = (select(Posting, Account.holder_id).join(Account, Account.id == Posting.account_id)
                 .order_by(Posting.id))
        if source is not None:
            query = query.where(Posting.source == source)
        rows = session.execute(query).all()
        return [Booked(p.id, holder, str(p.value_month) if p.value_month else "", plain(p.amount_minor), p.category,
                       p.text, p.source, p.detail, p.due_date) for p, holder in rows]


def summary(db, source: str | None = "BILLING_RUN") -> list[tuple[str, int, str, str]]:
    """(value month, payer, line, amount) of every posting, in posting order."""
    return [(b.value_month, b.holder, b.detail.get("line", ""), b.amount) for b in postings(db, source)]


def balance_by(db, value_month: str, line: str, payer: int) -> str:
    """What the ledger holds net (runs and reversals) for month, line and payer."""
    total = 0
    rows = postings(db, source=None)
    for b in rows:
        if b.value_month == value_month and b.holder == payer and b.detail.get("line") == line:
            total += round(float(b.amount) * 100)
        if b.source == "REVERSAL" and b.value_month == value_month and b.holder == payer:
            original = next(o for o in rows if o.id == b.detail["reverses"])
            if original.detail.get("line") == line:
                total += round(float(b.amount) * 100)
    return plain(total)


def ledger_problems(db) -> list[str]:
    """The ledger invariant of every account (domain/ledger.check_account_invariant)."""
    problems = []
    with read_only(db) as session:
        accounts = session.scalars(select(Account.id)).all()
        for account_id in accounts:
            amounts = dict(session.execute(select(Posting.id, Posting.amount_minor)
                                           .where(Posting.account_id == account_id)).all())
            allocations = [tuple(r) for r in session.execute(
                select(Allocation.credit_id, Allocation.item_id, Allocation.amount_minor)
                .where(Allocation.item_id.in_(list(amounts) or [0])))]
            problems += [f"account {account_id}: {p}" for p in check_account_invariant(amounts, allocations)]
    return problems


def line_values(db, period_id: int) -> list[tuple[str, int, int | None]]:
    """(kind, count, amount) of the period's lines, fee lines first."""
    with read_only(db) as session:
        fees = session.execute(select(FeeLine.count, FeeLine.amount_minor).where(FeeLine.period_id == period_id)
                               .order_by(FeeLine.position)).all()
        extras = session.execute(select(ExtraLine.count, ExtraLine.amount_minor)
                                 .where(ExtraLine.period_id == period_id).order_by(ExtraLine.position)).all()
    return [("FEE", c, a) for c, a in fees] + [("EXTRA", c, a) for c, a in extras]


def billed_through(db, period_id: int) -> str | None:
    with read_only(db) as session:
        value = session.scalar(select(BillingPeriod.billed_through).where(BillingPeriod.id == period_id))
        return str(value) if value is not None else None


def run_rows(db) -> int:
    with read_only(db) as session:
        return len(session.scalars(select(BillingRun.id)).all())
