"""Payment agreements (Zahlungsvereinbarung): the agreement, its instalments and the items it covers.

The terms (interval, count or amount, down payment, grace days) are kept as agreed; the instalment
rows are the schedule built from them once, so a later change of the rules never moves a due date
the debtor was told. An agreement covers open items of one account; `open_minor` is what was open
of each item when the agreement was made (its share of the total). Payments are not stored here:
the monitoring reads the allocations to the covered items made after `created_at`.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sollhaben.persistence.base import Base, MinorUnits, TimestampMixin, Versioned

AGREEMENT_STATUSES = ("ACTIVE", "FULFILLED", "BROKEN", "CANCELLED")


class PaymentAgreement(Versioned, TimestampMixin, Base):
    """Versioned: the monitoring run and a clerk cancelling cannot both change the status."""

    __tablename__ = "payment_agreement"
    __table_args__ = (
        Index("ix_payment_agreement_org_status", "organization_id", "status"),
        CheckConstraint("status IN ('ACTIVE', 'FULFILLED', 'BROKEN', 'CANCELLED')", name="status"),
        CheckConstraint("schedule_interval IN ('WEEKLY', 'MONTHLY', 'QUARTERLY')", name="schedule_interval"),
        CheckConstraint("total_minor > 0", name="total_positive"),
        CheckConstraint("grace_days >= 0", name="grace_days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="ACTIVE")
    total_minor: Mapped[int] = mapped_column(MinorUnits)
    currency: Mapped[str] = mapped_column(String(3))
    created_on: Mapped[date] = mapped_column(Date)  # the day it was agreed
    first_due: Mapped[date] = mapped_column(Date)
    schedule_interval: Mapped[str] = mapped_column(String(10))  # ("interval" is an SQL keyword)
    instalment_count: Mapped[int | None] = mapped_column(Integer, nullable=True)  # as agreed: count …
    instalment_amount_minor: Mapped[int | None] = mapped_column(MinorUnits, nullable=True)  # … or amount
    down_payment_minor: Mapped[int | None] = mapped_column(MinorUnits, nullable=True)
    grace_days: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    broken_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # fulfilled, broken or cancelled
    close_reason: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(60))

    instalments: Mapped[list["AgreementInstalment"]] = relationship(
        order_by="AgreementInstalment.position", cascade="all, delete-orphan")
    items: Mapped[list["AgreementItem"]] = relationship(cascade="all, delete-orphan")


class AgreementInstalment(Base):
    __tablename__ = "agreement_instalment"
    __table_args__ = (
        UniqueConstraint("agreement_id", "position"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("payment_agreement.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(MinorUnits)
    is_down_payment: Mapped[bool] = mapped_column(default=False)


class AgreementItem(Base):
    __tablename__ = "agreement_item"
    __table_args__ = (UniqueConstraint("agreement_id", "posting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("payment_agreement.id", ondelete="CASCADE"))
    posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id"), index=True)
    open_minor: Mapped[int] = mapped_column(MinorUnits)  # open when the agreement was made
