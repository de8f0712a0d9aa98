"""Bank files: the registry of issued payment references, imported camt files and their entries.

`issued_reference` remembers every reference a document carried (dunning letter, statement with
QR-bill, fee assessment), so the bank import finds account and items again. `bank_import` is one
imported camt.053/.054 file; `bank_entry` one credit transaction of it (or a skipped/debit line).
The servicer reference of a transaction is unique per organization: importing it again is a no-op.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sollhaben.persistence.base import Base, MinorUnits, UtcDateTime, utcnow


class IssuedReference(Base):
    """A QR reference or creditor reference (compact form) issued on a document."""

    __tablename__ = "issued_reference"
    __table_args__ = (UniqueConstraint("organization_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    reference: Mapped[str] = mapped_column(String(35))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # DUNNING, STATEMENT, FEE_ASSESSMENT …
    document_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    item_ids: Mapped[list] = mapped_column(JSON, default=list)  # designated open items (posting ids)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class BankImport(Base):
    """One imported camt file with its counts and sums (minor units of the file's currency)."""

    __tablename__ = "bank_import"
    __table_args__ = (Index("ix_bank_import_org_imported", "organization_id", "imported_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    message_id: Mapped[str] = mapped_column(String(35), default="")
    kind: Mapped[str] = mapped_column(String(8))  # "053" or "054"
    version: Mapped[str] = mapped_column(String(8))  # "001.04", "001.08"
    currency: Mapped[str] = mapped_column(String(3))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(60))
    matched_count: Mapped[int] = mapped_column(Integer, default=0)
    matched_minor: Mapped[int] = mapped_column(MinorUnits, default=0)
    clearing_count: Mapped[int] = mapped_column(Integer, default=0)
    clearing_minor: Mapped[int] = mapped_column(MinorUnits, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)  # pending and debit lines
    duplicate_count: Mapped[int] = mapped_column(Integer, default=0)


class BankEntry(Base):
    """One transaction of an imported file. Status: MATCHED (booked on import), CLEARING (waits
    for the clerk), CLEARED (booked from the clearing list), UNASSIGNABLE (clerk: „nicht
    zuordenbar“), SKIPPED (pending or debit, listed only)."""

    __tablename__ = "bank_entry"
    __table_args__ = (
        UniqueConstraint("organization_id", "servicer_reference"),
        Index("ix_bank_entry_org_status", "organization_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    import_id: Mapped[int] = mapped_column(ForeignKey("bank_import.id"), index=True)
    position: Mapped[str] = mapped_column(String(60))  # "Ntry[3]/NtryDtls/TxDtls[2]"
    line: Mapped[int] = mapped_column(Integer, default=0)
    servicer_reference: Mapped[str] = mapped_column(String(80))
    credit: Mapped[bool] = mapped_column(default=True)
    amount_minor: Mapped[int] = mapped_column(MinorUnits)
    currency: Mapped[str] = mapped_column(String(3))
    booking_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    value_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    debtor_name: Mapped[str] = mapped_column(String(140), default="")
    debtor_iban: Mapped[str] = mapped_column(String(34), default="")
    reference: Mapped[str] = mapped_column(String(35), default="")
    text: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(12))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id"), nullable=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    updated_by: Mapped[str] = mapped_column(String(60), default="")
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
