"""Audit log of master-data changes: who changed which field of which record, when, old → new."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sollhaben.persistence.base import Base, UtcDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_owner", "owner_table", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), nullable=True)
    table_name: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[int] = mapped_column()
    # The record whose history shows this change: a person's bank account belongs to the person.
    owner_table: Mapped[str] = mapped_column(String(60))
    owner_id: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(String(10))  # insert, update, delete
    field: Mapped[str] = mapped_column(String(60), default="")
    old_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    changed_by: Mapped[str] = mapped_column(String(60))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
