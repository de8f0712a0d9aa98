"""The register of persons and institutions: save with validation, duplicates, list rows."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from sollhaben.domain.collation import name_key
from sollhaben.domain.errors import NotFoundError
from sollhaben.domain.master_data import Address, BankAccountInput, PersonInput, duplicate_key, validate_person
from sollhaben.persistence.bulk_read import fetch_tuples
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Organization, Person, PersonBankAccount, PersonRole
from sollhaben.services.dto import PersonDTO, PersonRow
from sollhaben.services.unit_of_work import check_version, read_only, sync_children, touch, unit_of_work


def _to_dto(p: Person) -> PersonDTO:
    return PersonDTO(
        id=p.id, version=p.version, organization_id=p.organization_id, kind=p.kind,
        last_name=p.last_name, first_name=p.first_name, salutation=p.salutation, birth_date=p.birth_date,
        address=Address(p.street, p.house_number, p.postal_code, p.town, p.country),
        address_extra=p.address_extra, phone=p.phone, email=p.email, language=p.language, note=p.note,
        bank_accounts=tuple(BankAccountInput(b.iban, b.bic, b.holder) for b in p.bank_accounts),
        roles=tuple(sorted((r.module, r.role) for r in p.roles)),
    )


def _load(session, person_id: int) -> Person:
    person = session.scalar(
        select(Person).options(selectinload(Person.bank_accounts), selectinload(Person.roles))
        .where(Person.id == person_id))
    if person is None:
        raise NotFoundError(f"Person {person_id} gibt es nicht.")
    return person


def _apply(person: Person, data: PersonInput) -> None:
    a = data.address
    person.kind, person.last_name, person.first_name = data.kind, data.last_name, data.first_name
    person.salutation, person.birth_date = data.salutation.strip(), data.birth_date
    person.street, person.house_number, person.postal_code, person.town, person.country = (
        a.street, a.house_number, a.postal_code, a.town, a.country)
    person.address_extra, person.phone, person.email = data.address_extra.strip(), data.phone.strip(), data.email
    person.language, person.note = data.language, data.note
    wanted = [dict(iban=b.iban, bic=b.bic, holder=b.label) for b in data.bank_accounts]
    if sync_children(person.bank_accounts, wanted, PersonBankAccount, "iban"):
        touch(person)
    # Roles are a set with a unique key: remove and add only the difference (the unit of work
    # inserts before it deletes, so clearing and re-adding a kept role would violate the key).
    wanted_roles = set(data.roles)
    current_roles = {(r.module, r.role) for r in person.roles}
    if current_roles != wanted_roles:
        for role in [r for r in person.roles if (r.module, r.role) not in wanted_roles]:
            person.roles.remove(role)
        person.roles.extend(PersonRole(module=m, role=r) for m, r in data.roles if (m, r) not in current_roles)
        touch(person)


def save_person(db: Database, organization_id: int, data: PersonInput, person_id: int | None = None,
                version: int | None = None, today: date | None = None) -> PersonDTO:
    """Create (person_id None) or update a person; all-or-nothing, German errors per field."""
    data = validate_person(data, today or date.today())
    with unit_of_work(db, "Die Person") as session:
        if person_id is None:
            if session.get(Organization, organization_id) is None:
                raise NotFoundError(f"Organisation {organization_id} gibt es nicht.")
            person = Person(organization_id=organization_id, bank_accounts=[], roles=[])
            session.add(person)
        else:
            person = _load(session, person_id)
            if person.organization_id != organization_id:
                raise NotFoundError(f"Person {person_id} gehört nicht zu dieser Organisation.")
            check_version(version, person.version, "Die Person")
        _apply(person, data)
        session.flush()
        return _to_dto(person)


def get_person(db: Database, person_id: int) -> PersonDTO:
    with read_only(db) as session:
        return _to_dto(_load(session, person_id))


def find_duplicates(db: Database, organization_id: int, last_name: str, first_name: str,
                    birth_date: date | None, exclude_id: int | None = None) -> list[PersonRow]:
    """Persons with the same name and birth date (the duplicate warning on entry).

    The database narrows by birth date; names are compared here with `duplicate_key`, because
    SQLite's lower() folds ASCII only ("ÖZDEMIR" would not find "Özdemir")."""
    wanted = duplicate_key(last_name, first_name, birth_date)
    if not wanted[0]:
        return []
    with read_only(db) as session:
        query = select(*_ROW_COLUMNS).where(Person.organization_id == organization_id)
        query = query.where(Person.birth_date.is_(None) if birth_date is None else Person.birth_date == birth_date)
        if exclude_id is not None:
            query = query.where(Person.id != exclude_id)
        rows = session.execute(query.order_by(Person.id))
        return [PersonRow(*row) for row in rows if duplicate_key(row.last_name, row.first_name, birth_date) == wanted]


_ROW_COLUMNS = (Person.id, Person.kind, Person.last_name, Person.first_name, Person.birth_date,
                Person.postal_code, Person.town, Person.street)


def list_person_rows(db: Database, organization_id: int) -> list[PersonRow]:
    """All persons of the organization as light rows in one query (the list view filters them),
    in dictionary order of name and first name (DIN 5007-1: "Öztürk" between "Otto" and "Paul")."""
    with db.engine.connect() as connection:
        raw = fetch_tuples(connection, select(*_ROW_COLUMNS).where(Person.organization_id == organization_id))
    make = tuple.__new__
    if db.is_sqlite:  # the driver returns ISO text for dates
        day = date.fromisoformat
        rows = [make(PersonRow, (pid, kind, last, first, day(born) if born else None, postal, town, street))
                for pid, kind, last, first, born, postal, town, street in raw]
    else:
        rows = [make(PersonRow, row) for row in raw]
    rows.sort(key=lambda r: (name_key(r[2], r[3]), r[0]))
    return rows


def list_person_ids(db: Database, organization_id: int) -> list[int]:
    """The ids in the order of the person list."""
    return [row.id for row in list_person_rows(db, organization_id)]
