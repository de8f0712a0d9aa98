"""Kita catalogue ("Standard"): fee groups, discounts and extra costs with their versions, and the
settings and offer of each facility.

Amounts are in the organization's currency (one currency per organization), as minor units.
Percentages are integer basis points (25 % = 2500): exact, and never a float or Numeric on SQLite.
Version rows carry their entry's id, and tiers their fee group's id, so the audit log files every
change under the entry (its history shows versions and tiers).
"""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sollhaben.domain.months import Month
from sollhaben.persistence.base import Base, MinorUnits, MonthType, TimestampMixin, Versioned


class FeeGroup(Versioned, TimestampMixin, Base):
    """Beitragsgruppe: name, billing mode and where the tier comes from."""

    __tablename__ = "fee_group"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    code: Mapped[str] = mapped_column(String(20), default="")
    mode: Mapped[str] = mapped_column(String(12))  # BillingMode
    tier_source: Mapped[str] = mapped_column(String(14), default="CHOSEN")  # TierSource

    versions: Mapped[list["FeeGroupVersion"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="FeeGroupVersion.valid_from")


class FeeGroupVersion(Base):
    __tablename__ = "fee_group_version"
    __table_args__ = (Index("ix_fee_group_version_group_from", "fee_group_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fee_group_id: Mapped[int] = mapped_column(ForeignKey("fee_group.id", ondelete="CASCADE"))
    valid_from: Mapped[Month] = mapped_column(MonthType)
    valid_to: Mapped[Month | None] = mapped_column(MonthType, nullable=True)

    tiers: Mapped[list["FeeTier"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="FeeTier.number")


class FeeTier(Base):
    """One row of a version's tier table; amount None only for INDIVIDUAL groups."""

    __tablename__ = "fee_tier"
    __table_args__ = (UniqueConstraint("fee_group_version_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fee_group_version_id: Mapped[int] = mapped_column(ForeignKey("fee_group_version.id", ondelete="CASCADE"))
    fee_group_id: Mapped[int] = mapped_column(ForeignKey("fee_group.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(60), default="")
    amount_minor: Mapped[int | None] = mapped_column(MinorUnits, nullable=True)

    # Set on new tiers so the flush fills fee_group_id (also for a group not yet flushed).
    group: Mapped[FeeGroup] = relationship(lazy="raise")


class Discount(Versioned, TimestampMixin, Base):
    """Ermäßigung: fixed amount, percent or sibling ladder."""

    __tablename__ = "discount"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))  # DiscountKind

    versions: Mapped[list["DiscountVersion"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="DiscountVersion.valid_from")


class DiscountVersion(Base):
    """The value of one validity: fixed (minor units), percent or the ladder (basis points)."""

    __tablename__ = "discount_version"
    __table_args__ = (Index("ix_discount_version_discount_from", "discount_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    discount_id: Mapped[int] = mapped_column(ForeignKey("discount.id", ondelete="CASCADE"))
    valid_from: Mapped[Month] = mapped_column(MonthType)
    valid_to: Mapped[Month | None] = mapped_column(MonthType, nullable=True)
    fixed_minor: Mapped[int | None] = mapped_column(MinorUnits, nullable=True)
    percent_bp: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ladder_2_bp: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 2nd child
    ladder_3_bp: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 3rd child
    ladder_4_bp: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 4th and later


class ExtraCost(Versioned, TimestampMixin, Base):
    """Zusatzkosten: MONTHLY, PER_UNIT or INDIVIDUAL; meal costs are flagged."""

    __tablename__ = "extra_cost"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    code: Mapped[str] = mapped_column(String(20), default="")
    mode: Mapped[str] = mapped_column(String(12))  # BillingMode (no DAILY)
    is_meal: Mapped[bool] = mapped_column(Boolean, default=False)

    versions: Mapped[list["ExtraCostVersion"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ExtraCostVersion.valid_from")


class ExtraCostVersion(Base):
    __tablename__ = "extra_cost_version"
    __table_args__ = (Index("ix_extra_cost_version_cost_from", "extra_cost_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    extra_cost_id: Mapped[int] = mapped_column(ForeignKey("extra_cost.id", ondelete="CASCADE"))
    valid_from: Mapped[Month] = mapped_column(MonthType)
    valid_to: Mapped[Month | None] = mapped_column(MonthType, nullable=True)
    amount_minor: Mapped[int | None] = mapped_column(MinorUnits, nullable=True)


class FacilitySettings(Versioned, TimestampMixin, Base):
    """The billing settings of one facility (a unit of kind FACILITY)."""

    __tablename__ = "facility_settings"
    __table_args__ = (CheckConstraint("due_day BETWEEN 1 AND 28", name="due_day_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), unique=True)
    fee_free_months: Mapped[list] = mapped_column(JSON, default=list)  # sorted calendar months, e.g. [8]
    partial_month: Mapped[str] = mapped_column(String(10), default="FULL")  # PartialMonth
    due_day: Mapped[int] = mapped_column(Integer, default=15)
    lock_billed: Mapped[bool] = mapped_column(Boolean, default=False)
    wuerttemberg: Mapped[bool] = mapped_column(Boolean, default=False)
    standard_rate_meals: Mapped[bool] = mapped_column(Boolean, default=False)
    hardship_fund_payer_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    sibling_meal_payer_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    first_billing_month: Mapped[Month | None] = mapped_column(MonthType, nullable=True)


class FacilityOffer(Base):
    """One catalogue entry a facility offers. A facility without rows of a kind (fee groups,
    discounts or extra costs) offers every entry of that kind."""

    __tablename__ = "facility_offer"
    __table_args__ = (
        UniqueConstraint("facility_id", "fee_group_id"),
        UniqueConstraint("facility_id", "discount_id"),
        UniqueConstraint("facility_id", "extra_cost_id"),
        CheckConstraint(
            "(CASE WHEN fee_group_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN discount_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN extra_cost_id IS NULL THEN 0 ELSE 1 END) = 1", name="one_entry"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    fee_group_id: Mapped[int | None] = mapped_column(ForeignKey("fee_group.id", ondelete="CASCADE"), nullable=True)
    discount_id: Mapped[int | None] = mapped_column(ForeignKey("discount.id", ondelete="CASCADE"), nullable=True)
    extra_cost_id: Mapped[int | None] = mapped_column(ForeignKey("extra_cost.id", ondelete="CASCADE"), nullable=True)
