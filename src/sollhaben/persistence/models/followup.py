"""Follow-ups (Wiedervorlagen): dated reminders on any record, shown in the to-do view."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sollhaben.persistence.base import Base, TimestampMixin, UtcDateTime, Versioned


class FollowUp(Versioned, TimestampMixin, Base):
    __tablename__ = "follow_up"
    __table_args__ = (Index("ix_follow_up_open", "organization_id", "done_at", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    due_date: Mapped[date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    module: Mapped[str] = mapped_column(String(20), default="")
    record_type: Mapped[str] = mapped_column(String(40), default="")  # e.g. "person"
    record_id: Mapped[int | None] = mapped_column(nullable=True)
    assigned_to: Mapped[str] = mapped_column(String(60), default="")
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
