"""Billing data (Abrechnungsdaten) of a child: periods with fee lines, discounts, extra-cost lines
and payer shares.

Every row below the period carries the child's id as well: the audit log files each change under
the child, and the billing run can read all lines of many children without joining the period.
Amounts are minor units in the organization's currency.
"""
from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sollhaben.domain.months import Month
from sollhaben.persistence.base import Base, MinorUnits, MonthType, TimestampMixin, Versioned


class BillingPeriod(Versioned, TimestampMixin, Base):
    """One layer set of a child's billing data, valid for a range of months (never overlapping)."""

    __tablename__ = "billing_period"
    __table_args__ = (
        Index("ix_billing_period_child_validity", "child_id", "valid_from", "valid_to"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"))
    valid_from: Mapped[Month] = mapped_column(MonthType)
    valid_to: Mapped[Month | None] = mapped_column(MonthType, nullable=True)
    siblings_manual: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fees_payer_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    extras_payer_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    meal_coverage: Mapped[str] = mapped_column(String(20), default="NONE")  # MealCoverage
    billed_through: Mapped[Month | None] = mapped_column(MonthType, nullable=True)

    fee_lines: Mapped[list["FeeLine"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="FeeLine.position")
    extra_lines: Mapped[list["ExtraLine"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ExtraLine.position")
    siblings: Mapped[list["PeriodSibling"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="PeriodSibling.position")


class PeriodSibling(Base):
    """A child named manually for the sibling ladder (e.g. a sibling in another facility)."""

    __tablename__ = "billing_period_sibling"
    __table_args__ = (UniqueConstraint("period_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("billing_period.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"))  # the period's child (audit owner)
    position: Mapped[int] = mapped_column(Integer)
    sibling_child_id: Mapped[int] = mapped_column(ForeignKey("child.id"))


class FeeLine(Base):
    __tablename__ = "fee_line"
    __table_args__ = (UniqueConstraint("period_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("billing_period.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    fee_group_id: Mapped[int] = mapped_column(ForeignKey("fee_group.id"), index=True)
    tier: Mapped[int | None] = mapped_column(Integer, nullable=True)
    count: Mapped[int] = mapped_column(Integer, default=0)  # PER_UNIT
    amount_minor: Mapped[int | None] = mapped_column(MinorUnits, nullable=True)  # INDIVIDUAL
    reset: Mapped[bool] = mapped_column(Boolean, default=False)  # INDIVIDUAL: reset by the run
    special_discount_minor: Mapped[int | None] = mapped_column(MinorUnits, nullable=True)

    discounts: Mapped[list["FeeLineDiscount"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="FeeLineDiscount.position")
    payers: Mapped[list["LinePayer"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="LinePayer.position",
        foreign_keys="LinePayer.fee_line_id")


class FeeLineDiscount(Base):
    __tablename__ = "fee_line_discount"
    __table_args__ = (UniqueConstraint("fee_line_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fee_line_id: Mapped[int] = mapped_column(ForeignKey("fee_line.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"))
    position: Mapped[int] = mapped_column(Integer)
    discount_id: Mapped[int] = mapped_column(ForeignKey("discount.id"), index=True)


class ExtraLine(Base):
    __tablename__ = "extra_line"
    __table_args__ = (UniqueConstraint("period_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("billing_period.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    extra_cost_id: Mapped[int] = mapped_column(ForeignKey("extra_cost.id"), index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)  # PER_UNIT
    amount_minor: Mapped[int | None] = mapped_column(MinorUnits, nullable=True)  # INDIVIDUAL
    reset: Mapped[bool] = mapped_column(Boolean, default=False)

    payers: Mapped[list["LinePayer"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="LinePayer.position",
        foreign_keys="LinePayer.extra_line_id")


class LinePayer(Base):
    """A payer's share of a fee line or an extra-cost line (exactly one of the two)."""

    __tablename__ = "line_payer"
    __table_args__ = (
        UniqueConstraint("fee_line_id", "position"),
        UniqueConstraint("extra_line_id", "position"),
        CheckConstraint("(fee_line_id IS NULL) <> (extra_line_id IS NULL)", name="one_line"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fee_line_id: Mapped[int | None] = mapped_column(ForeignKey("fee_line.id", ondelete="CASCADE"), nullable=True)
    extra_line_id: Mapped[int | None] = mapped_column(ForeignKey("extra_line.id", ondelete="CASCADE"), nullable=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"))
    position: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    share_minor: Mapped[int | None] = mapped_column(MinorUnits, nullable=True)  # None: takes the remainder
    takes_remainder: Mapped[bool] = mapped_column(Boolean, default=False)
