"""Dunning (Mahnwesen): blocks (Mahnsperren), the log of collection measures, the policy (settings and
levels) and the runs with their notices and the history per item.

A block stops reminders for a whole account (item_id NULL) or for one item, until `valid_until`
(inclusive; NULL = until lifted). Blocks are never deleted: lifting stamps lifted_at/by and a reason,
so the history of who blocked what and why stays. A block that comes from a payment agreement
carries its id (no foreign key: agreements live in a later migration).

Collection measures are the chronological log per account: letters, calls, agreements, enforcement
steps, hand-overs and notes; a reminder letter writes one (ref_kind "dunning_notice").
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sollhaben.persistence.base import Base, MinorUnits, TimestampMixin, UtcDateTime, Versioned, utcnow

MEASURE_KINDS = ("LETTER", "REMINDER", "CALL", "AGREEMENT", "ENFORCEMENT", "HANDOVER", "NOTE")


class DunningBlock(Base):
    __tablename__ = "dunning_block"
    __table_args__ = (Index("ix_dunning_block_org_account", "organization_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id"), nullable=True)  # NULL: whole account
    reason: Mapped[str] = mapped_column(String(200))
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)  # inclusive; NULL: until lifted
    agreement_id: Mapped[int | None] = mapped_column(nullable=True, index=True)  # payment agreement (0011)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(60))
    lifted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    lifted_by: Mapped[str] = mapped_column(String(60), default="")
    lift_reason: Mapped[str] = mapped_column(String(200), default="")


class CollectionMeasure(Base):
    __tablename__ = "collection_measure"
    __table_args__ = (
        Index("ix_collection_measure_account_date", "account_id", "occurred_on"),
        CheckConstraint("kind IN ('LETTER', 'REMINDER', 'CALL', 'AGREEMENT', 'ENFORCEMENT', 'HANDOVER', 'NOTE')",
                        name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    occurred_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    ref_kind: Mapped[str] = mapped_column(String(40), default="")  # "dunning_notice", "payment_agreement" …
    ref_id: Mapped[int | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(60))


class DunningSettings(Versioned, TimestampMixin, Base):
    """The organization's minimum amount and what its last level hands over to (one row each)."""

    __tablename__ = "dunning_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), unique=True)
    minimum_minor: Mapped[int] = mapped_column(MinorUnits)
    handover: Mapped[str] = mapped_column(String(20))  # Handover value


class DunningLevelRow(Base):
    """One level of the organization's policy; saved as a whole with the settings (replaced)."""

    __tablename__ = "dunning_level"
    __table_args__ = (UniqueConstraint("organization_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    position: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(60))
    days: Mapped[int] = mapped_column()
    fee_minor: Mapped[int] = mapped_column(MinorUnits)
    payment_days: Mapped[int] = mapped_column()
    qr_bill: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)


class DunningRun(Base):
    """A confirmed run. `run_key` comes from the proposal: confirming it twice stores it once."""

    __tablename__ = "dunning_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    run_date: Mapped[date] = mapped_column(Date)
    run_key: Mapped[str] = mapped_column(String(64), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    letters: Mapped[int] = mapped_column(default=0)
    handovers: Mapped[int] = mapped_column(default=0)
    fees_minor: Mapped[int] = mapped_column(MinorUnits, default=0)
    excluded: Mapped[dict] = mapped_column(JSON, default=dict)  # {"accounts": [...], "items": [...]}
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(60))


class DunningNotice(Base):
    """One letter (kind LETTER) or hand-over (kind HANDOVER) of a run to one account, with what was
    printed (subject, text, amount, deadline, reference), so a reprint gives the same letter."""

    __tablename__ = "dunning_notice"
    __table_args__ = (UniqueConstraint("run_id", "account_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("dunning_run.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # LETTER, HANDOVER
    level: Mapped[int] = mapped_column()
    level_name: Mapped[str] = mapped_column(String(60))
    fee_minor: Mapped[int] = mapped_column(MinorUnits, default=0)
    fee_posting_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id"), nullable=True)
    amount_minor: Mapped[int] = mapped_column(MinorUnits)  # items + fee
    payment_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    qr_bill: Mapped[bool] = mapped_column(Boolean, default=False)
    reference: Mapped[str] = mapped_column(String(35), default="")
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")


class DunningNoticeItem(Base):
    """The history per item: which notice reminded (or handed over) it, at which level, with what open."""

    __tablename__ = "dunning_notice_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("dunning_notice.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("posting.id"), index=True)
    level: Mapped[int] = mapped_column()
    open_minor: Mapped[int] = mapped_column(MinorUnits)
