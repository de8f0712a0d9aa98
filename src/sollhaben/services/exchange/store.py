"""Store a validated document in one session (one transaction) through the ORM, so the audit
listener records every inserted row."""
from __future__ import annotations

import concurrent.futures
from dataclasses import dataclass
from typing import Callable

from sqlalchemy.orm import Session

from sollhaben.persistence.models import Household, HouseholdMembership, Organization, Person, Unit
from sollhaben.services.exchange.schema import Document
from sollhaben.services.organizations import _apply as apply_organization
from sollhaben.services.persons import _apply as apply_person

CHUNK = 1000


class ImportCancelled(concurrent.futures.CancelledError):
    """The import was cancelled; its transaction is rolled back, nothing is stored."""

    def __init__(self) -> None:
        super().__init__("Import abgebrochen – es wurde nichts gespeichert.")


@dataclass(frozen=True)
class ImportResult:
    organization_id: int
    organization_name: str
    units: int
    persons: int
    households: int
    memberships: int
    warnings: tuple[str, ...] = ()

    def summary(self) -> str:
        return (f"Organisation „{self.organization_name}“ (ID {self.organization_id}) importiert: "
                f"{self.units} Einheiten, {self.persons} Personen, {self.households} Haushalte, "
                f"{self.memberships} Haushaltszugehörigkeiten.")


def store_document(session: Session, doc: Document, progress: Callable | None = None,
                   cancelled: Callable[[], bool] | None = None) -> ImportResult:
    total = len(doc.persons) + len(doc.households) + 1
    done = 0

    def step(count: int, text: str) -> None:
        nonlocal done
        if cancelled is not None and cancelled():
            raise ImportCancelled()
        done += count
        if progress is not None:
            progress(done, total, text)

    org = Organization(bank_accounts=[])
    apply_organization(org, doc.organization)
    session.add(org)
    session.flush()
    for data in doc.units:
        a = data.address
        session.add(Unit(organization_id=org.id, kind=data.kind, name=data.name, code=data.code, note=data.note,
                         street=a.street, house_number=a.house_number, postal_code=a.postal_code, town=a.town,
                         country=a.country))
    step(1, "Organisation und Einheiten")

    by_key: dict[str, Person] = {}
    for start in range(0, len(doc.persons), CHUNK):
        chunk = doc.persons[start:start + CHUNK]
        for key, data in chunk:
            person = Person(organization_id=org.id, bank_accounts=[], roles=[])
            apply_person(person, data)
            session.add(person)
            by_key[key] = person
        session.flush()
        step(len(chunk), "Personen")

    memberships = 0
    for start in range(0, len(doc.households), CHUNK):
        chunk = doc.households[start:start + CHUNK]
        for name, members in chunk:
            session.add(Household(organization_id=org.id, name=name, memberships=[
                HouseholdMembership(person_id=by_key[m.person].id, valid_from=m.valid_from, valid_to=m.valid_to,
                                    relation=m.relation) for m in members]))
            memberships += len(members)
        session.flush()
        step(len(chunk), "Haushalte")
    return ImportResult(org.id, org.name, len(doc.units), len(doc.persons), len(doc.households), memberships,
                        tuple(doc.warnings))
