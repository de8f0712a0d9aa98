"""Kita children: the child record of a person, guardians, the payer list and contracts.

A child is a `person` (name, birth date, address live there) plus one `child` row. Guardians and
payers are `person` rows too (payers may be institutions). The audit log files guardians, payers,
contracts and all billing data under the child (`owner_table = "child"`), so the child's history
shows them.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sollhaben.persistence.base import Base, TimestampMixin, Versioned


class Child(Versioned, TimestampMixin, Base):
    __tablename__ = "child"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), unique=True)
    notes: Mapped[str] = mapped_column(Text, default="")

    guardians: Mapped[list["ChildGuardian"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ChildGuardian.id")
    payers: Mapped[list["ChildPayer"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ChildPayer.position")


class ChildGuardian(Base):
    """A guardian (Sorgeberechtigte/r) of the child, optionally from/to a date."""

    __tablename__ = "child_guardian"
    __table_args__ = (UniqueConstraint("child_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)  # siblings: by guardian
    relation: Mapped[str] = mapped_column(String(20), default="")  # mother, father, …
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)


class ChildPayer(Base):
    """A person or institution that may be billed for the child (the payer list)."""

    __tablename__ = "child_payer"
    __table_args__ = (UniqueConstraint("child_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)  # letters: children of a payer
    position: Mapped[int] = mapped_column(default=0)


class Contract(Versioned, TimestampMixin, Base):
    """A care contract with a facility: REGISTERED → ACTIVE (first care day) → DEREGISTERED
    (last care day)."""

    __tablename__ = "contract"
    __table_args__ = (
        Index("ix_contract_facility", "facility_id", "first_day", "last_day"),
        CheckConstraint("last_day IS NULL OR first_day IS NULL OR last_day >= first_day", name="days_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    status: Mapped[str] = mapped_column(String(14))  # ContractStatus
    registered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    first_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    last_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
