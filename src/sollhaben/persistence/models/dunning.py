"""Dunning (Mahnwesen): blocks (Mahnsperren) and the log of collection measures.

A block stops reminders for a whole account (item_id NULL) or for one item, until `valid_until`
(inclusive; NULL = until lifted). Blocks are never deleted: lifting stamps lifted_at/by and a reason,
so the history of who blocked what and why stays. A block that comes from a payment agreement
carries its id (no foreign key: agreements live in a later migration).

Collection measures are the chronological log per account: letters, calls, agreements, enforcement
steps, hand-overs and notes; a reminder letter writes one (ref_kind "dunning_notice").
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sollhaben.persistence.base import Base, UtcDateTime, utcnow

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
