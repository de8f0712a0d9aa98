"""Billing runs (Sollstellung) with the counts and amounts they reset, and the fee assessment
letters (Festsetzung) issued.

The postings of a run live in the ledger (`posting.source = BILLING_RUN`, `source_id` = the run);
these tables record the run itself: who ran it when, its counts and totals, the resets to restore on
undo, and which run reversed it. Runs are history, not master data: they are not audited.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sollhaben.domain.months import Month
from sollhaben.persistence.base import Base, MinorUnits, MonthType, UtcDateTime, utcnow


class BillingRun(Base):
    __tablename__ = "billing_run"
    __table_args__ = (Index("ix_billing_run_facility_month", "facility_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    month: Mapped[Month] = mapped_column(MonthType)
    kind: Mapped[str] = mapped_column(String(8), default="RUN")  # RUN or UNDO
    status: Mapped[str] = mapped_column(String(12), default="POSTED")  # e.g. POSTED, REVERSED
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    started_by: Mapped[str] = mapped_column(String(60))
    currency: Mapped[str] = mapped_column(String(3))
    counts: Mapped[dict] = mapped_column(JSON, default=dict)  # children, lines, postings …
    totals: Mapped[dict] = mapped_column(JSON, default=dict)  # minor units by fee group, extra cost, payer
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("billing_run.id"), unique=True, nullable=True)
    # The facility-wide inputs of the run (settings, catalogue values per month; see
    # domain/kita/run_changes.facility_state); NULL for undos and runs before revision 0004.
    inputs: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)

    resets: Mapped[list[BillingRunReset]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="BillingRunReset.id")


class BillingRunReset(Base):
    """A count or individual amount a run set back to 0 (restored when the run is undone).
    `line_id` has no foreign key: the line may be edited or removed later; undo skips it then."""

    __tablename__ = "billing_run_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("billing_run.id", ondelete="CASCADE"), index=True)
    line_kind: Mapped[str] = mapped_column(String(5))  # LineKind: FEE or EXTRA
    line_id: Mapped[int] = mapped_column(Integer)
    old_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    old_amount_minor: Mapped[int | None] = mapped_column(MinorUnits, nullable=True)


class BillingRunChild(Base):
    """What a run knew of each child of the facility, for the change detection of the next run:
    the digest of the child's inputs through the run month (`run_changes.child_digests`) and what
    the run posted for the child, compactly (`billing_run_post.posted_text`: value month index,
    line key, payer, amount, quantity, unit amount per posting, ";"-separated). The next run reads
    the postings of a changed child from here — a few rows per child instead of a scan over every
    posting of the facility. Written in the run's transaction; the rows of an undone run are
    ignored like its postings. `child_id` has no foreign key (history, like the resets)."""

    __tablename__ = "billing_run_child"

    run_id: Mapped[int] = mapped_column(ForeignKey("billing_run.id", ondelete="CASCADE"), primary_key=True)
    child_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inputs: Mapped[int] = mapped_column(BigInteger)
    posted: Mapped[str] = mapped_column(Text, default="")


class FeeAssessmentLetter(Base):
    """A fee assessment letter issued to a payer for one facility from a month on. `data_hash`
    fingerprints what the letter said, so "all whose billing data changed" compares hashes."""

    __tablename__ = "fee_assessment_letter"
    __table_args__ = (Index("ix_fee_assessment_letter_payer", "payer_id", "facility_id", "issued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    facility_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    from_month: Mapped[Month] = mapped_column(MonthType)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    issued_by: Mapped[str] = mapped_column(String(60))
    data_hash: Mapped[str] = mapped_column(String(64))
