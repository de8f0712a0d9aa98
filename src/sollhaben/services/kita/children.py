"""Kita children: the child record, guardians, the payer list, contracts and the children list.

Siblings and children in the household live in `family.py` and are re-exported here.
"""
from __future__ import annotations

from datetime import date
from typing import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from sollhaben.domain.collation import name_key
from sollhaben.domain.errors import ErrorCollector, NotFoundError, ValidationError
from sollhaben.domain.formatting import format_date
from sollhaben.domain.kita.model import Contract, ContractStatus
from sollhaben.domain.master_data import (
    PersonInput,
    PersonKind,
    check_length,
    validate_person,
)
from sollhaben.domain.months import Month
from sollhaben.persistence import kita_mapping as mapping
from sollhaben.persistence.bulk_read import fetch_tuples
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import (
    BillingPeriod,
    Child,
    ChildGuardian,
    ChildPayer,
    ExtraLine,
    FeeLine,
    LinePayer,
    Organization,
    Person,
    Unit,
)
from sollhaben.persistence.models import Contract as ContractRow
from sollhaben.services.kita.dto import (
    ChildDTO,
    ChildRow,
    ContractDTO,
    GuardianDTO,
    GuardianInput,
    PayerDTO,
)
from sollhaben.services.kita.facility import facility_unit
from sollhaben.services.kita.family import (  # noqa: F401  (part of this module's API)
    children_in_household,
    facility_siblings,
    household_children,
    sibling_position,
    sibling_positions,
    siblings,
)
from sollhaben.services.persons import _apply as apply_person_input
from sollhaben.services.unit_of_work import (
    check_version,
    read_only,
    touch,
    unit_of_work,
)

WHAT = "Das Kind"


def person_name(person: Person) -> str:
    return f"{person.first_name} {person.last_name}".strip()


def load_child(session: Session, child_id: int, lock: bool = False) -> Child:
    query = select(Child).options(selectinload(Child.guardians), selectinload(Child.payers)).where(Child.id == child_id)
    child = session.scalar(query.with_for_update() if lock else query)
    if child is None:
        raise NotFoundError(f"Kind {child_id} gibt es nicht.")
    return child


def _contract_dtos(session: Session, child_ids: Sequence[int]) -> dict[int, list[ContractDTO]]:
    result: dict[int, list[ContractDTO]] = {cid: [] for cid in child_ids}
    rows = session.execute(select(ContractRow, Unit.name).join(Unit, Unit.id == ContractRow.facility_id)
                           .where(ContractRow.child_id.in_(child_ids))
                           .order_by(ContractRow.first_day, ContractRow.registered_on, ContractRow.id))
    for row, facility_name in rows:
        result[row.child_id].append(ContractDTO(mapping.contract_to_domain(row), facility_name, row.note))
    return result


def child_dto(session: Session, child: Child) -> ChildDTO:
    ids = {child.person_id} | {g.person_id for g in child.guardians} | {p.person_id for p in child.payers}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
    me = people[child.person_id]
    return ChildDTO(
        id=child.id, version=child.version, organization_id=child.organization_id, person_id=child.person_id,
        last_name=me.last_name, first_name=me.first_name, birth_date=me.birth_date, notes=child.notes,
        guardians=tuple(GuardianDTO(g.person_id, person_name(people[g.person_id]), g.relation, g.valid_from,
                                    g.valid_to) for g in child.guardians),
        payers=tuple(PayerDTO(p.person_id, person_name(people[p.person_id]), people[p.person_id].kind)
                     for p in sorted(child.payers, key=lambda p: p.position)),
        contracts=tuple(_contract_dtos(session, [child.id])[child.id]))


# --- the child record -----------------------------------------------------------------------------

def _check_child_person(person: Person, errors: ErrorCollector) -> None:
    if person.kind != PersonKind.NATURAL.value:
        errors.add("person_id", f"Person: „{person_name(person)}“ ist eine Institution; ein Kind ist eine Person.")
    elif person.birth_date is None:
        errors.add("birth_date", f"Geburtsdatum: Bitte das Geburtsdatum von „{person_name(person)}“ eingeben; es "
                                 "bestimmt die Reihenfolge der Geschwister und das Alter im Haushalt.")


def create_child(db: Database, organization_id: int, person: PersonInput | None = None, *,
                 person_id: int | None = None, notes: str = "", today: date | None = None) -> ChildDTO:
    """A child record for a new person (`person`) or an existing one (`person_id`), in one
    transaction: a refused child leaves no person behind."""
    if (person is None) == (person_id is None):
        raise ValueError("pass either a new person or the id of an existing one")
    if person is not None:
        person = validate_person(person, today or date.today())
    with unit_of_work(db, WHAT) as session:
        if session.get(Organization, organization_id) is None:
            raise NotFoundError(f"Organisation {organization_id} gibt es nicht.")
        if person is not None:
            row = Person(organization_id=organization_id, bank_accounts=[], roles=[])
            apply_person_input(row, person)
            session.add(row)
            session.flush()
        else:
            row = session.get(Person, person_id)
            if row is None or row.organization_id != organization_id:
                raise NotFoundError(f"Person {person_id} gibt es in dieser Organisation nicht.")
            if session.scalar(select(Child.id).where(Child.person_id == person_id)) is not None:
                raise ValidationError(f"Person: „{person_name(row)}“ ist schon als Kind erfasst.", "person_id")
        errors = ErrorCollector()
        _check_child_person(row, errors)
        errors.raise_if_any()
        child = Child(organization_id=organization_id, person_id=row.id, notes=notes.strip(), guardians=[], payers=[])
        session.add(child)
        session.flush()
        return child_dto(session, child)


def get_child(db: Database, child_id: int) -> ChildDTO:
    with read_only(db) as session:
        return child_dto(session, load_child(session, child_id))


def child_id_of_person(db: Database, person_id: int) -> int | None:
    with read_only(db) as session:
        return session.scalar(select(Child.id).where(Child.person_id == person_id))


def update_child(db: Database, child_id: int, version: int | None, notes: str) -> ChildDTO:
    with unit_of_work(db, WHAT) as session:
        child = load_child(session, child_id)
        check_version(version, child.version, WHAT)
        mapping.set_if_changed(child, notes=notes.strip())
        session.flush()
        return child_dto(session, child)


def _people(session: Session, child: Child, ids: Sequence[int]) -> dict[int, Person]:
    return {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(set(ids)),
                                                                  Person.organization_id == child.organization_id))}


def save_guardians(db: Database, child_id: int, version: int | None, guardians: Sequence[GuardianInput]) -> ChildDTO:
    """Replace the child's guardians (persons of the organization, each once, optionally dated)."""
    with unit_of_work(db, WHAT) as session:
        child = load_child(session, child_id)
        check_version(version, child.version, WHAT)
        people = _people(session, child, [g.person_id for g in guardians])
        errors = ErrorCollector()
        seen: set[int] = set()
        for i, g in enumerate(guardians):
            field = f"guardians[{i}]"
            person = people.get(g.person_id)
            if person is None:
                errors.add(f"{field}.person_id", "Sorgeberechtigte: Diese Person gibt es in der Organisation nicht.")
                continue
            name = person_name(person)
            if g.person_id == child.person_id:
                errors.add(f"{field}.person_id", "Sorgeberechtigte: Das Kind kann nicht sein eigener "
                                                 "Sorgeberechtigter sein.")
            elif person.kind != PersonKind.NATURAL.value:
                errors.add(f"{field}.person_id", f"Sorgeberechtigte: „{name}“ ist eine Institution; "
                                                 "Sorgeberechtigte sind Personen.")
            if g.person_id in seen:
                errors.add(f"{field}.person_id", f"Sorgeberechtigte: „{name}“ ist doppelt eingetragen.")
            seen.add(g.person_id)
            if g.valid_from and g.valid_to and g.valid_to < g.valid_from:
                errors.add(f"{field}.valid_to", f"Sorgeberechtigt bis: Das Ende ({format_date(g.valid_to)}) liegt "
                                                f"vor dem Beginn ({format_date(g.valid_from)}) bei „{name}“.")
            check_length(errors, f"{field}.relation", "Beziehung", g.relation.strip(), 20)
        errors.raise_if_any()
        wanted = {g.person_id: g for g in guardians}
        changed = False
        for row in [r for r in child.guardians if r.person_id not in wanted]:
            child.guardians.remove(row)
            changed = True
        have = {r.person_id: r for r in child.guardians}
        for g in guardians:
            values = dict(relation=g.relation.strip(), valid_from=g.valid_from, valid_to=g.valid_to)
            if g.person_id in have:
                changed |= mapping.set_if_changed(have[g.person_id], **values)
            else:
                child.guardians.append(ChildGuardian(child_id=child.id, person_id=g.person_id, **values))
                changed = True
        if changed:
            touch(child)
        session.flush()
        return child_dto(session, child)


def _payers_in_use(session: Session, child_id: int) -> dict[int, Month]:
    """Payers named in the child's billing data → the first month they appear in."""
    used: dict[int, Month] = {}
    rows = list(session.execute(
        select(LinePayer.person_id, BillingPeriod.valid_from)
        .outerjoin(FeeLine, FeeLine.id == LinePayer.fee_line_id)
        .outerjoin(ExtraLine, ExtraLine.id == LinePayer.extra_line_id)
        .join(BillingPeriod, BillingPeriod.id == func.coalesce(FeeLine.period_id, ExtraLine.period_id))
        .where(LinePayer.child_id == child_id)))
    rows += [(p, start) for start, fees, extras in session.execute(
        select(BillingPeriod.valid_from, BillingPeriod.fees_payer_id, BillingPeriod.extras_payer_id)
        .where(BillingPeriod.child_id == child_id)) for p in (fees, extras) if p is not None]
    for person_id, start in rows:
        if person_id not in used or start < used[person_id]:
            used[person_id] = start
    return used


def save_payers(db: Database, child_id: int, version: int | None, payer_ids: Sequence[int]) -> ChildDTO:
    """Replace the child's payer list (persons and institutions of the organization, in order).
    A payer named in the child's billing data cannot be taken off the list."""
    with unit_of_work(db, WHAT) as session:
        child = load_child(session, child_id)
        check_version(version, child.version, WHAT)
        people = _people(session, child, list(payer_ids) + [p.person_id for p in child.payers])
        errors = ErrorCollector()
        for i, person_id in enumerate(payer_ids):
            field = f"payers[{i}]"
            if person_id not in people:
                errors.add(field, "Zahler: Diese Person oder Institution gibt es in der Organisation nicht.")
            elif person_id == child.person_id:
                errors.add(field, "Zahler: Das Kind selbst kann nicht Zahler sein.")
            elif person_id in payer_ids[:i]:
                errors.add(field, f"Zahler: „{person_name(people[person_id])}“ ist doppelt eingetragen.")
        removed = {p.person_id for p in child.payers} - set(payer_ids)
        if removed:
            used = _payers_in_use(session, child.id)
            for person_id in sorted(removed & set(used)):
                errors.add("payers", f"Zahler: „{person_name(people[person_id])}“ ist in den Abrechnungsdaten ab "
                                     f"{used[person_id]} eingetragen und kann nicht von der Liste genommen werden.")
        errors.raise_if_any()
        changed = False
        for row in [r for r in child.payers if r.person_id not in set(payer_ids)]:
            child.payers.remove(row)
            changed = True
        have = {r.person_id: r for r in child.payers}
        for position, person_id in enumerate(payer_ids):
            if person_id in have:
                changed |= mapping.set_if_changed(have[person_id], position=position)
            else:
                child.payers.append(ChildPayer(child_id=child.id, person_id=person_id, position=position))
                changed = True
        if changed:
            touch(child)
        session.flush()
        return child_dto(session, child)


def payer_ids_in(session: Session, child_id: int) -> set[int]:
    return set(session.scalars(select(ChildPayer.person_id).where(ChildPayer.child_id == child_id)))


# --- contracts ------------------------------------------------------------------------------------

_ORDER = {ContractStatus.REGISTERED: 0, ContractStatus.ACTIVE: 1, ContractStatus.DEREGISTERED: 2}


def _span(c) -> str:
    return f"vom {format_date(c.first_day)} bis {format_date(c.last_day) or 'offen'}" if c.first_day else \
        "ohne Betreuungsbeginn (angemeldet)"


def _overlap(a_first, a_last, a_status, b: ContractRow) -> bool:
    """Contracts of one child in one facility never overlap. A contract without a first care day
    (only registered) clashes with every other one that is not deregistered."""
    if a_first is None or b.first_day is None:
        other_status = b.status if a_first is None else a_status
        return (a_first is None and b.first_day is None) or other_status != ContractStatus.DEREGISTERED.value
    return a_first <= (b.last_day or date.max) and b.first_day <= (a_last or date.max)


def _check_contract(errors: ErrorCollector, c: Contract, stored: ContractRow | None) -> None:
    status = c.status
    if status is not ContractStatus.REGISTERED and c.first_day is None:
        errors.add("first_day", "Erster Betreuungstag: Für einen laufenden oder abgemeldeten Vertrag bitte den "
                                "ersten Betreuungstag eingeben.")
    if status is ContractStatus.DEREGISTERED and c.last_day is None:
        errors.add("last_day", "Letzter Betreuungstag: Zum Abmelden bitte den letzten Betreuungstag eingeben.")
    if status is not ContractStatus.DEREGISTERED and c.last_day is not None:
        errors.add("last_day", "Letzter Betreuungstag: nur bei Status „abgemeldet“; bitte zum Abmelden den Status "
                               "auf „abgemeldet“ setzen.")
    if c.first_day and c.last_day and c.last_day < c.first_day:
        errors.add("last_day", f"Letzter Betreuungstag: Der {format_date(c.last_day)} liegt vor dem ersten "
                               f"Betreuungstag ({format_date(c.first_day)}).")
    if c.registered_on and c.first_day and c.registered_on > c.first_day:
        errors.add("registered_on", f"Angemeldet am: Der {format_date(c.registered_on)} liegt nach dem ersten "
                                    f"Betreuungstag ({format_date(c.first_day)}).")
    if stored is not None:
        old = ContractStatus(stored.status)
        if _ORDER[status] < _ORDER[old]:
            errors.add("status", f"Status: Ein Vertrag wechselt nur von „angemeldet“ über „lfd. Vertrag“ zu "
                                 f"„abgemeldet“; von „{old.label}“ zurück zu „{status.label}“ geht nicht. Bitte einen "
                                 "neuen Vertrag anlegen.")
        if stored.facility_id != c.facility_id and old is not ContractStatus.REGISTERED:
            errors.add("facility_id", "Einrichtung: Ein Vertrag mit Betreuungsbeginn wechselt nicht die Einrichtung; "
                                      "bitte abmelden und einen neuen Vertrag anlegen.")


def save_contract(db: Database, contract: Contract, note: str = "") -> ContractDTO:
    """Create (contract.id None) or update a contract; `contract.version` is the version the form
    loaded. Status moves REGISTERED → ACTIVE (first care day) → DEREGISTERED (last care day)."""
    try:
        status = ContractStatus(contract.status)
    except ValueError:
        raise ValidationError("Status: Bitte angemeldet, lfd. Vertrag oder abgemeldet wählen.", "status") from None
    with unit_of_work(db, "Der Vertrag") as session:
        child = load_child(session, contract.child_id, lock=True)  # serializes contract saves of one child
        unit = facility_unit(session, contract.facility_id, child.organization_id)
        stored = None
        if contract.id is not None:
            stored = session.get(ContractRow, contract.id)
            if stored is None or stored.child_id != child.id:
                raise NotFoundError(f"Vertrag {contract.id} gibt es für dieses Kind nicht.")
            check_version(contract.version, stored.version, "Der Vertrag")
        errors = ErrorCollector()
        _check_contract(errors, Contract(contract.child_id, contract.facility_id, status, contract.registered_on,
                                         contract.first_day, contract.last_day), stored)
        others = session.scalars(select(ContractRow).where(ContractRow.child_id == child.id,
                                                           ContractRow.facility_id == unit.id,
                                                           ContractRow.id != (contract.id or 0)))
        for other in others:
            if _overlap(contract.first_day, contract.last_day, status.value, other):
                errors.add("first_day", f"Erster Betreuungstag: Das Kind hat in „{unit.name}“ schon einen Vertrag "
                                        f"{_span(other)}; Verträge einer Einrichtung dürfen sich nicht überschneiden.")
                break
        errors.raise_if_any()
        row = stored or ContractRow(child_id=child.id)
        if stored is None:
            session.add(row)
        mapping.set_if_changed(row, facility_id=unit.id, status=status.value, registered_on=contract.registered_on,
                               first_day=contract.first_day, last_day=contract.last_day, note=note.strip())
        session.flush()
        return ContractDTO(mapping.contract_to_domain(row), unit.name, row.note)


def contracts_in(session: Session, child_id: int) -> list[Contract]:
    return [mapping.contract_to_domain(r) for r in session.scalars(
        select(ContractRow).where(ContractRow.child_id == child_id).order_by(ContractRow.first_day, ContractRow.id))]


# --- the children list ----------------------------------------------------------------------------

def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def list_child_rows(db: Database, organization_id: int, facility_id: int | None = None) -> list[ChildRow]:
    """The children of the organization (of one facility: those with a contract there) with their
    latest contract, in two queries, in dictionary order of name and first name."""
    children = select(Child.id, Child.person_id, Person.last_name, Person.first_name, Person.birth_date).join(
        Person, Person.id == Child.person_id).where(Child.organization_id == organization_id)
    contracts = (select(ContractRow.child_id, ContractRow.facility_id, Unit.name, ContractRow.status,
                        ContractRow.first_day, ContractRow.last_day, ContractRow.registered_on, ContractRow.id)
                 .join(Unit, Unit.id == ContractRow.facility_id).join(Child, Child.id == ContractRow.child_id)
                 .where(Child.organization_id == organization_id))
    if facility_id is not None:
        contracts = contracts.where(ContractRow.facility_id == facility_id)
    with db.engine.connect() as connection:
        child_rows = fetch_tuples(connection, children)
        contract_rows = fetch_tuples(connection, contracts)
    latest: dict[int, tuple] = {}
    for row in contract_rows:
        first_day, registered_on = _day(row[4]), _day(row[6])
        key = (first_day or registered_on or date.min, row[7])
        if row[0] not in latest or key > latest[row[0]][0]:
            latest[row[0]] = (key, row[1], row[2], row[3], first_day, _day(row[5]))
    rows = []
    for child_id, person_id, last, first, born in child_rows:
        contract = latest.get(child_id)
        if contract is None:
            if facility_id is not None:
                continue
            rows.append(ChildRow(child_id, person_id, last, first, _day(born), None, "", "", None, None))
        else:
            rows.append(ChildRow(child_id, person_id, last, first, _day(born), *contract[1:]))
    rows.sort(key=lambda r: (name_key(r.last_name, r.first_name), r.id))
    return rows
