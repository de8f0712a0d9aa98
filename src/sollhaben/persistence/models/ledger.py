"""The open-item ledger: accounts, immutable postings, allocations of credits to open items.

A receivable is a posting with a positive amount; a payment, credit or reversal a negative one.
Open amount of an item = amount − Σ allocations to it; unallocated credit = −amount − Σ allocations
from it. Allocations are immutable too: releasing one (e.g. when a payment is reversed) adds a
negative allocation for the same pair. Database triggers refuse UPDATE and DELETE of postings and
allocations (see the initial migration).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sollhaben.domain.months import Month
from sollhaben.persistence.base import Base, MinorUnits, MonthType, UtcDateTime, utcnow


class Account(Base):
    """A debtor account of one holder in one organization; sub-accounts (e.g. one per enforcement
    case) point to their parent and have their own key."""

    __tablename__ = "account"
    __table_args__ = (UniqueConstraint("organization_id", "holder_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    holder_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    key: Mapped[str] = mapped_column(String(40), default="main")  # "main", "enforcement:17" …
    number: Mapped[str] = mapped_column(String(20), default="")
    label: Mapped[str] = mapped_column(String(120), default="")
    module: Mapped[str] = mapped_column(String(20), default="")
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Posting(Base):
    __tablename__ = "posting"
    __table_args__ = (
        # statements by account and date; it also covers the amount, so account balances are
        # summed from the index alone (debtor list). One index, not two: see migration 0005.
        Index("ix_posting_account_booking_amount", "account_id", "booking_date", "amount_minor"),
        CheckConstraint("amount_minor <> 0", name="amount_not_zero"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    booking_date: Mapped[date] = mapped_column(Date)
    value_month: Mapped[Month | None] = mapped_column(MonthType, nullable=True)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    category: Mapped[str] = mapped_column(String(40))
    amount_minor: Mapped[int] = mapped_column(MinorUnits)
    currency: Mapped[str] = mapped_column(String(3))
    source: Mapped[str] = mapped_column(String(20))  # PostingSource value
    source_id: Mapped[int | None] = mapped_column(nullable=True)  # run, bank file … it came from
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id"), unique=True, nullable=True)
    reference: Mapped[str] = mapped_column(String(35), default="", index=True)  # QR/SCOR ref issued
    text: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)  # the module's detail (child, line, tier …)
    # A run posts each (month, line) once: the key makes repeating a run a no-op, never a double.
    idempotency_key: Mapped[str | None] = mapped_column(String(160), unique=True, nullable=True)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Allocation(Base):
    __tablename__ = "allocation"
    __table_args__ = (CheckConstraint("amount_minor <> 0", name="amount_not_zero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_id: Mapped[int] = mapped_column(ForeignKey("posting.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("posting.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(MinorUnits)  # > 0 allocates, < 0 releases
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
