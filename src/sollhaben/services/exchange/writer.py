"""Export the master data of one organization as a format-version-1 document (plain dict).

Persons get file-local keys `p1`, `p2` … in id order; rows are written in id order, so importing
a file and exporting it again gives the same document."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sollhaben import __version__
from sollhaben.domain.errors import NotFoundError
from sollhaben.persistence.models import (
    Household,
    HouseholdMembership,
    Organization,
    Person,
    PersonBankAccount,
    PersonRole,
    Unit,
)
from sollhaben.services.exchange import FORMAT_NAME, FORMAT_VERSION


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _address(row) -> dict | None:
    values = {"street": row.street, "house_number": row.house_number, "postal_code": row.postal_code,
              "town": row.town, "country": row.country}
    return values if any(values.values()) else None


def _organization(org: Organization) -> dict:
    return {
        "name": org.name, "legal_country": org.legal_country, "currency": org.currency,
        "address": _address(org) or {}, "phone": org.phone, "email": org.email, "website": org.website,
        "sepa_creditor_id": org.sepa_creditor_id, "rounding_rule": org.rounding_rule,
        "enabled_modules": list(org.enabled_modules or []), "options": dict(org.options or {}),
        "bank_accounts": [{"iban": b.iban, "bic": b.bic, "label": b.label, "is_default": b.is_default}
                          for b in org.bank_accounts],
    }


def _persons(session: Session, organization_id: int) -> tuple[list[dict], dict[int, str]]:
    ids = select(Person.id).where(Person.organization_id == organization_id)
    accounts: dict[int, list[dict]] = defaultdict(list)
    for pid, iban, bic, holder in session.execute(
            select(PersonBankAccount.person_id, PersonBankAccount.iban, PersonBankAccount.bic,
                   PersonBankAccount.holder).where(PersonBankAccount.person_id.in_(ids))
            .order_by(PersonBankAccount.id)):
        accounts[pid].append({"iban": iban, "bic": bic, "holder": holder})
    roles: dict[int, list[dict]] = defaultdict(list)
    for pid, module, role in session.execute(
            select(PersonRole.person_id, PersonRole.module, PersonRole.role)
            .where(PersonRole.person_id.in_(ids)).order_by(PersonRole.module, PersonRole.role)):
        roles[pid].append({"module": module, "role": role})
    persons, keys = [], {}
    for p in session.execute(select(Person.__table__).where(Person.organization_id == organization_id)
                             .order_by(Person.id)):
        keys[p.id] = key = f"p{len(keys) + 1}"
        persons.append({
            "key": key, "kind": p.kind, "last_name": p.last_name, "first_name": p.first_name,
            "salutation": p.salutation, "birth_date": _iso(p.birth_date), "address": _address(p),
            "address_extra": p.address_extra, "phone": p.phone, "email": p.email, "language": p.language,
            "note": p.note, "bank_accounts": accounts.get(p.id, []), "roles": roles.get(p.id, []),
        })
    return persons, keys


def _households(session: Session, organization_id: int, keys: dict[int, str]) -> list[dict]:
    members: dict[int, list[dict]] = defaultdict(list)
    for m in session.execute(
            select(HouseholdMembership.__table__).join(Household, Household.id == HouseholdMembership.household_id)
            .where(Household.organization_id == organization_id)
            .order_by(HouseholdMembership.household_id, HouseholdMembership.valid_from, HouseholdMembership.id)):
        members[m.household_id].append({"person": keys[m.person_id], "valid_from": _iso(m.valid_from),
                                        "valid_to": _iso(m.valid_to), "relation": m.relation})
    return [{"name": name, "members": members.get(hid, [])} for hid, name in session.execute(
        select(Household.id, Household.name).where(Household.organization_id == organization_id)
        .order_by(Household.id))]


def export_document(session: Session, organization_id: int) -> dict:
    org = session.scalar(select(Organization).options(selectinload(Organization.bank_accounts))
                         .where(Organization.id == organization_id))
    if org is None:
        raise NotFoundError(f"Organisation {organization_id} gibt es nicht.")
    units = [{"kind": u.kind, "name": u.name, "code": u.code, "address": _address(u), "note": u.note}
             for u in session.scalars(select(Unit).where(Unit.organization_id == organization_id)
                                      .order_by(Unit.id))]
    persons, keys = _persons(session, organization_id)
    return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "generator": f"sollhaben {__version__}",
            "organization": _organization(org), "units": units, "persons": persons,
            "households": _households(session, organization_id, keys)}
