"""Income-scale calculation (Staffelberechnung): the configuration per organization, the assessments
of the children with their persons and income items, and the protocols of the transfers.

Amounts are minor units in the organization's currency (no currency column, as the Kita billing);
percentages are basis points (5 % = 500); months are month indexes (`MonthType`). Persons and items
below an assessment carry the assessment's id as well, so the audit log files them under it.
The tier is not stored on the assessment: it is computed (`domain.income.calculation`); the transfer
stores it on the income-dependent fee lines and in its protocol.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sollhaben.domain.months import Month
from sollhaben.persistence.base import Base, MinorUnits, MonthType, TimestampMixin, UtcDateTime, Versioned, utcnow


class IncomeItemType(Versioned, TimestampMixin, Base):
    """A row of the base table of income items (Grundtabelle der Einkommenspositionen)."""

    __tablename__ = "income_item_type"
    __table_args__ = (
        UniqueConstraint("organization_id", "label"),
        CheckConstraint("sign IN ('+', '-')", name="sign"),
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from", name="valid_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    label: Mapped[str] = mapped_column(String(80))
    sign: Mapped[str] = mapped_column(String(1))  # ItemSign: "+" or "-"
    position: Mapped[int] = mapped_column(Integer, default=0)
    valid_from: Mapped[Month | None] = mapped_column(MonthType, nullable=True)  # None: always offered
    valid_to: Mapped[Month | None] = mapped_column(MonthType, nullable=True)


class IncomeScaleVersion(Versioned, TimestampMixin, Base):
    """Thresholds, brackets, highest tier and exemption default valid for a range of months."""

    __tablename__ = "income_scale_version"
    __table_args__ = (
        Index("ix_income_scale_version_org_from", "organization_id", "valid_from"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    valid_from: Mapped[Month] = mapped_column(MonthType)
    valid_to: Mapped[Month | None] = mapped_column(MonthType, nullable=True)
    increment_per_person_minor: Mapped[int] = mapped_column(MinorUnits, default=0)
    highest_tier: Mapped[int] = mapped_column(Integer)
    exemption_percent_bp: Mapped[int] = mapped_column(Integer, default=0)
    exemption_fixed_minor: Mapped[int | None] = mapped_column(MinorUnits, nullable=True)

    thresholds: Mapped[list["IncomeThreshold"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="IncomeThreshold.position")
    brackets: Mapped[list["IncomeBracket"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="IncomeBracket.position")


class IncomeThreshold(Base):
    """Einkommensgrenze of a household size."""

    __tablename__ = "income_threshold"
    __table_args__ = (UniqueConstraint("version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("income_scale_version.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    household_size: Mapped[int] = mapped_column(Integer)
    amount_minor: Mapped[int] = mapped_column(MinorUnits)


class IncomeBracket(Base):
    """„relevant amount up to `up_to` → tier `tier`“."""

    __tablename__ = "income_bracket"
    __table_args__ = (UniqueConstraint("version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("income_scale_version.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    up_to_minor: Mapped[int] = mapped_column(MinorUnits)
    tier: Mapped[int] = mapped_column(Integer)


class IncomeAssessment(Versioned, TimestampMixin, Base):
    """Staffelberechnung of one child for a validity range (never overlapping per child)."""

    __tablename__ = "income_assessment"
    __table_args__ = (
        Index("ix_income_assessment_child_validity", "child_id", "valid_from", "valid_to"),
        Index("ix_income_assessment_org_status", "organization_id", "status"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_in_order"),
        CheckConstraint("status IN (1, 2)", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    facility_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"))
    valid_from: Mapped[Month] = mapped_column(MonthType)
    valid_to: Mapped[Month | None] = mapped_column(MonthType, nullable=True)
    declaration_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    household_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    highest_tier: Mapped[bool] = mapped_column(Boolean, default=False)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[int] = mapped_column(Integer, default=1)  # AssessmentStatus
    exemption_percent_bp: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: the default
    exemption_fixed_minor: Mapped[int | None] = mapped_column(MinorUnits, nullable=True)  # None: the default

    persons: Mapped[list["IncomeAssessmentPerson"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="IncomeAssessmentPerson.position")


class IncomeAssessmentPerson(Base):
    """One of the (at most two) persons whose income counts."""

    __tablename__ = "income_assessment_person"
    __table_args__ = (UniqueConstraint("assessment_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("income_assessment.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    monthly_entry: Mapped[bool] = mapped_column(Boolean, default=False)

    items: Mapped[list["IncomeItem"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="IncomeItem.position")


class IncomeItem(Base):
    """An amount entered for an item type (positive; the sign comes from the type)."""

    __tablename__ = "income_item"
    __table_args__ = (UniqueConstraint("assessment_person_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_person_id: Mapped[int] = mapped_column(
        ForeignKey("income_assessment_person.id", ondelete="CASCADE"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("income_assessment.id"), index=True)  # audit owner
    position: Mapped[int] = mapped_column(Integer)
    item_type_id: Mapped[int] = mapped_column(ForeignKey("income_item_type.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(MinorUnits)


class IncomeTransfer(Base):
    """The protocol of one transfer (Übertragen): history, not master data (not audited, never changed).

    `assessment_id` becomes NULL when the assessment is deleted; the child keeps its protocols.
    `entries`: the protocol entries as JSON (kind, text, month index, payer id, amount minor, period id)."""

    __tablename__ = "income_transfer"
    __table_args__ = (Index("ix_income_transfer_child", "child_id", "transferred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"))
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("income_assessment.id", ondelete="SET NULL"), nullable=True, index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    valid_from: Mapped[Month] = mapped_column(MonthType)
    valid_to: Mapped[Month | None] = mapped_column(MonthType, nullable=True)
    tier: Mapped[int] = mapped_column(Integer)
    run_month: Mapped[Month] = mapped_column(MonthType)  # the next run the differences were expected for
    transferred_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    transferred_by: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text, default="")  # the protocol lines, one per line
    entries: Mapped[list] = mapped_column(JSON, default=list)
