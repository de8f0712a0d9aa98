"""Organizations (Hauptmandant), their units and settings."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sollhaben.persistence.base import Base, TimestampMixin, Versioned


class AddressColumns:
    """Structured address as the Swiss QR-bill requires it (and German letters use it)."""

    street: Mapped[str] = mapped_column(String(70), default="")
    house_number: Mapped[str] = mapped_column(String(16), default="")
    postal_code: Mapped[str] = mapped_column(String(16), default="")
    town: Mapped[str] = mapped_column(String(35), default="")
    country: Mapped[str] = mapped_column(String(2), default="")


class Organization(Versioned, TimestampMixin, AddressColumns, Base):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    legal_country: Mapped[str] = mapped_column(String(2))  # DE or CH: formats, rules, modules
    currency: Mapped[str] = mapped_column(String(3))
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    website: Mapped[str] = mapped_column(String(120), default="")
    sepa_creditor_id: Mapped[str] = mapped_column(String(35), default="")
    rounding_rule: Mapped[str] = mapped_column(String(20), default="cents")
    enabled_modules: Mapped[list] = mapped_column(JSON, default=list)
    options: Mapped[dict] = mapped_column(JSON, default=dict)  # module options (lock billed data …)

    units: Mapped[list["Unit"]] = relationship(back_populates="organization", lazy="raise")
    bank_accounts: Mapped[list["BankAccount"]] = relationship(
        back_populates="organization", lazy="raise", cascade="all, delete-orphan", order_by="BankAccount.id"
    )


class BankAccount(Base):
    """An account of the organization: IBAN, and for CH optionally a QR-IBAN."""

    __tablename__ = "bank_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(60), default="")
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11), default="")
    is_qr_iban: Mapped[bool] = mapped_column(Boolean, default=False)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)

    organization: Mapped[Organization] = relationship(back_populates="bank_accounts", lazy="raise")


class Unit(Versioned, TimestampMixin, AddressColumns, Base):
    """A facility (Kita), office or municipality of an organization."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # UnitKind value
    name: Mapped[str] = mapped_column(String(120))
    code: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    organization: Mapped[Organization] = relationship(back_populates="units", lazy="raise")
