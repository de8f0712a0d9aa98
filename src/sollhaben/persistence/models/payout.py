"""Payout orders (refunds of credit balances, a module's payouts) and the credit transfer files.

An order is OPEN until a payout run writes it into a file (IN_FILE) or the clerk cancels it
(CANCELLED). A refund order points to the REFUND posting that used up the credit balance; a
cancelled one also to the reversal of that posting. A file keeps its XML, so it can be saved again
if writing the file failed after the run was stored; a file the bank did not execute is withdrawn
and its orders are open again.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from sollhaben.persistence.base import Base, MinorUnits, UtcDateTime, utcnow


class PayoutFile(Base):
    __tablename__ = "payout_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    kind: Mapped[str] = mapped_column(String(2))  # FileKind: CH (Swiss Payment Standards) or DE (SEPA)
    pain_version: Mapped[str] = mapped_column(String(20))
    message_id: Mapped[str] = mapped_column(String(35), unique=True)
    execution_date: Mapped[date] = mapped_column(Date)
    debtor_iban: Mapped[str] = mapped_column(String(34))
    count: Mapped[int] = mapped_column(Integer)
    sum_minor: Mapped[int] = mapped_column(MinorUnits)
    currency: Mapped[str] = mapped_column(String(3))
    file_name: Mapped[str] = mapped_column(String(255), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # a file the bank did not execute (rejected, never uploaded) is withdrawn: its orders are open again
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    withdrawn_by: Mapped[str] = mapped_column(String(60), default="")
    withdraw_reason: Mapped[str] = mapped_column(String(200), default="")


class PayoutOrder(Base):
    __tablename__ = "payout_order"
    __table_args__ = (
        Index("ix_payout_order_org_status", "organization_id", "status"),
        Index("ix_payout_order_source", "source_kind", "source_id"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    recipient_name: Mapped[str] = mapped_column(String(70))
    street: Mapped[str] = mapped_column(String(70), default="")
    house_number: Mapped[str] = mapped_column(String(16), default="")
    postal_code: Mapped[str] = mapped_column(String(16), default="")
    town: Mapped[str] = mapped_column(String(35), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11), default="")
    amount_minor: Mapped[int] = mapped_column(MinorUnits)
    currency: Mapped[str] = mapped_column(String(3))
    purpose: Mapped[str] = mapped_column(String(140), default="")
    reference: Mapped[str] = mapped_column(String(35), default="")  # QR reference or RF…
    source_kind: Mapped[str] = mapped_column(String(20))  # SourceKind: CREDIT_BALANCE or MODULE
    source_id: Mapped[int | None] = mapped_column(nullable=True)  # the module's record it pays out
    status: Mapped[str] = mapped_column(String(12), default="OPEN")  # OrderStatus
    payout_posting_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id"), nullable=True)
    cancel_posting_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id"), nullable=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("payout_file.id"), nullable=True, index=True)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    cancelled_by: Mapped[str] = mapped_column(String(60), default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
