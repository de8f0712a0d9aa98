"""The register of natural persons and institutions, their bank accounts, roles and households."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sollhaben.persistence.base import Base, TimestampMixin, Versioned
from sollhaben.persistence.models.organization import AddressColumns


class Person(Versioned, TimestampMixin, AddressColumns, Base):
    __tablename__ = "person"
    __table_args__ = (Index("ix_person_org_name", "organization_id", "last_name", "first_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # PersonKind: NATURAL or INSTITUTION
    last_name: Mapped[str] = mapped_column(String(70))  # institution: its name
    first_name: Mapped[str] = mapped_column(String(70), default="")
    salutation: Mapped[str] = mapped_column(String(20), default="")
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    address_extra: Mapped[str] = mapped_column(String(70), default="")  # c/o, department
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    language: Mapped[str] = mapped_column(String(2), default="de")
    note: Mapped[str] = mapped_column(Text, default="")

    bank_accounts: Mapped[list["PersonBankAccount"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="PersonBankAccount.id"
    )
    roles: Mapped[list["PersonRole"]] = relationship(lazy="raise", cascade="all, delete-orphan")


class PersonBankAccount(Base):
    __tablename__ = "person_bank_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    iban: Mapped[str] = mapped_column(String(34), index=True)  # bank import matches payers by IBAN
    bic: Mapped[str] = mapped_column(String(11), default="")
    holder: Mapped[str] = mapped_column(String(70), default="")


class PersonRole(Base):
    """A role of a person in a module: guardian, payer, debtor, creditor, beneficiary …"""

    __tablename__ = "person_role"
    __table_args__ = (UniqueConstraint("person_id", "module", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    module: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(20))


class Household(Versioned, TimestampMixin, Base):
    __tablename__ = "household"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))

    memberships: Mapped[list["HouseholdMembership"]] = relationship(
        lazy="raise", cascade="all, delete-orphan",
        order_by=lambda: (HouseholdMembership.valid_from, HouseholdMembership.id),
    )


class HouseholdMembership(Base):
    """Who lives in which household from when to when (sibling counts, household sizes)."""

    __tablename__ = "household_membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    relation: Mapped[str] = mapped_column(String(20), default="")  # parent, child, partner …
