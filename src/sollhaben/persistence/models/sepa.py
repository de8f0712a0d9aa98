"""SEPA direct debit (DE): mandates, collection runs with their items, return debits.

A collection run books one pending payment posting per account (source DIRECT_DEBIT) and keeps
the generated pain.008 document itself (`xml`), so the file can be saved again when writing it
failed after the commit. A return debit reverses an item's payment posting; one per item.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sollhaben.persistence.base import Base, MinorUnits, TimestampMixin, UtcDateTime, Versioned, utcnow


class SepaMandate(Versioned, TimestampMixin, Base):
    __tablename__ = "sepa_mandate"
    __table_args__ = (
        # unique per creditor: one organization has one creditor id (other organizations with the
        # same creditor id are checked by the service)
        UniqueConstraint("organization_id", "reference_key"),
        CheckConstraint("sequence_type IN ('FRST', 'RCUR')", name="sequence_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    payer_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    reference: Mapped[str] = mapped_column(String(35))
    reference_key: Mapped[str] = mapped_column(String(35))  # upper case: banks compare without case
    signed_on: Mapped[date] = mapped_column(Date)
    debtor_name: Mapped[str] = mapped_column(String(70))
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11), default="")
    first_used_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # due date of its first collection
    last_used_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # due date of its last collection
    sequence_type: Mapped[str] = mapped_column(String(4), default="FRST")
    revoked_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class SepaCollection(Base):
    """One collection run: the pain.008 file of one organization for one due date."""

    __tablename__ = "sepa_collection"
    __table_args__ = (
        Index("ix_sepa_collection_org_due", "organization_id", "due_date"),
        CheckConstraint("pain_version IN ('02', '08')", name="pain_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    due_date: Mapped[date] = mapped_column(Date)
    pain_version: Mapped[str] = mapped_column(String(2))
    message_id: Mapped[str] = mapped_column(String(35), unique=True)
    count: Mapped[int] = mapped_column(default=0)
    total_minor: Mapped[int] = mapped_column(MinorUnits, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    file_name: Mapped[str] = mapped_column(String(255), default="")
    xml: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SepaCollectionItem(Base):
    """One direct debit of a run: the amount collected from one account under one mandate."""

    __tablename__ = "sepa_collection_item"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("sequence_type IN ('FRST', 'RCUR')", name="sequence_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("sepa_collection.id"), index=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("sepa_mandate.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    payment_posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id"), unique=True)
    amount_minor: Mapped[int] = mapped_column(MinorUnits)
    currency: Mapped[str] = mapped_column(String(3))
    end_to_end_id: Mapped[str] = mapped_column(String(35), unique=True)
    sequence_type: Mapped[str] = mapped_column(String(4))


class SepaReturnDebit(Base):
    """A return debit (Rücklastschrift) of one collected item; an item comes back at most once."""

    __tablename__ = "sepa_return_debit"

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_item_id: Mapped[int] = mapped_column(ForeignKey("sepa_collection_item.id"), unique=True)
    returned_on: Mapped[date] = mapped_column(Date)
    reason_code: Mapped[str] = mapped_column(String(4))
    reversal_posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id"), unique=True)
    fee_posting_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id"), unique=True, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
