"""Organizations, their settings and bank accounts, and their units."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.master_data import (
    Address,
    BankAccountInput,
    OrganizationInput,
    UnitInput,
    validate_organization,
    validate_unit,
)
from sollhaben.domain.references import is_qr_iban
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import BankAccount, Organization, Unit
from sollhaben.services.dto import OrganizationDTO, UnitDTO
from sollhaben.services.unit_of_work import check_version, read_only, sync_children, touch, unit_of_work


def _address(row) -> Address:
    return Address(row.street, row.house_number, row.postal_code, row.town, row.country)


def _to_dto(org: Organization) -> OrganizationDTO:
    return OrganizationDTO(
        id=org.id, version=org.version, name=org.name, legal_country=org.legal_country,
        currency=org.currency, address=_address(org), phone=org.phone, email=org.email,
        website=org.website, sepa_creditor_id=org.sepa_creditor_id, rounding_rule=org.rounding_rule,
        enabled_modules=tuple(org.enabled_modules or ()), options=dict(org.options or {}),
        bank_accounts=tuple(BankAccountInput(b.iban, b.bic, b.label, b.is_default) for b in org.bank_accounts),
    )


def _unit_dto(unit: Unit) -> UnitDTO:
    return UnitDTO(unit.id, unit.version, unit.organization_id, unit.kind, unit.name, unit.code,
                   _address(unit), unit.note)


def _apply(org: Organization, data: OrganizationInput) -> None:
    org.name = data.name
    org.legal_country = data.legal_country
    org.currency = data.currency
    a = data.address
    org.street, org.house_number, org.postal_code, org.town, org.country = (
        a.street, a.house_number, a.postal_code, a.town, a.country)
    org.phone, org.email, org.website = data.phone.strip(), data.email, data.website.strip()
    org.sepa_creditor_id = data.sepa_creditor_id
    org.rounding_rule = data.rounding_rule
    org.enabled_modules = list(data.enabled_modules)
    org.options = dict(data.options)
    no_default = not any(b.is_default for b in data.bank_accounts)
    wanted = [dict(iban=a.iban, bic=a.bic, label=a.label, is_qr_iban=is_qr_iban(a.iban),
                   is_default=a.is_default or (i == 0 and no_default)) for i, a in enumerate(data.bank_accounts)]
    if sync_children(org.bank_accounts, wanted, BankAccount, "iban"):
        touch(org)


def _check_unique_name(session, name: str, own_id: int | None) -> None:
    clash = session.scalar(select(Organization.id).where(Organization.name == name))
    if clash is not None and clash != own_id:
        raise ValidationError(f"Name: Eine Organisation „{name}“ gibt es schon.", "name")


def create_organization(db: Database, data: OrganizationInput) -> OrganizationDTO:
    data = validate_organization(data)
    with unit_of_work(db) as session:
        _check_unique_name(session, data.name, None)
        org = Organization(bank_accounts=[])
        _apply(org, data)
        session.add(org)
        session.flush()
        return _to_dto(org)


def update_organization(db: Database, org_id: int, version: int, data: OrganizationInput) -> OrganizationDTO:
    data = validate_organization(data)
    with unit_of_work(db, "Die Organisation") as session:
        org = session.scalar(select(Organization).options(selectinload(Organization.bank_accounts))
                             .where(Organization.id == org_id))
        if org is None:
            raise NotFoundError(f"Organisation {org_id} gibt es nicht.")
        check_version(version, org.version, "Die Organisation")
        _check_unique_name(session, data.name, org_id)
        _apply(org, data)
        session.flush()
        return _to_dto(org)


def get_organization(db: Database, org_id: int) -> OrganizationDTO:
    with read_only(db) as session:
        org = session.scalar(select(Organization).options(selectinload(Organization.bank_accounts))
                             .where(Organization.id == org_id))
        if org is None:
            raise NotFoundError(f"Organisation {org_id} gibt es nicht.")
        return _to_dto(org)


def list_organizations(db: Database) -> list[OrganizationDTO]:
    with read_only(db) as session:
        orgs = session.scalars(select(Organization).options(selectinload(Organization.bank_accounts))
                               .order_by(Organization.name))
        return [_to_dto(o) for o in orgs]


def save_unit(db: Database, organization_id: int, data: UnitInput, unit_id: int | None = None,
              version: int | None = None) -> UnitDTO:
    data = validate_unit(data)
    with unit_of_work(db, "Die Einheit") as session:
        if session.get(Organization, organization_id) is None:
            raise NotFoundError(f"Organisation {organization_id} gibt es nicht.")
        clash = session.scalar(select(Unit.id).where(Unit.organization_id == organization_id, Unit.name == data.name))
        if clash is not None and clash != unit_id:
            raise ValidationError(f"Name: Eine Einheit „{data.name}“ gibt es in dieser Organisation schon.", "name")
        if unit_id is None:
            unit = Unit(organization_id=organization_id)
            session.add(unit)
        else:
            unit = session.get(Unit, unit_id)
            if unit is None or unit.organization_id != organization_id:
                raise NotFoundError(f"Einheit {unit_id} gibt es nicht.")
            check_version(version, unit.version, "Die Einheit")
        a = data.address
        unit.kind, unit.name, unit.code, unit.note = data.kind, data.name, data.code, data.note
        unit.street, unit.house_number, unit.postal_code, unit.town, unit.country = (
            a.street, a.house_number, a.postal_code, a.town, a.country)
        session.flush()
        return _unit_dto(unit)


def list_units(db: Database, organization_id: int, kind: str | None = None) -> list[UnitDTO]:
    with read_only(db) as session:
        query = select(Unit).where(Unit.organization_id == organization_id).order_by(Unit.name)
        if kind:
            query = query.where(Unit.kind == kind)
        return [_unit_dto(u) for u in session.scalars(query)]
