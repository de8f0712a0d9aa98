"""Children, guardians, payer list, contracts and the children list on SQLite and PostgreSQL."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
from sollhaben.domain.kita.model import Contract, ContractStatus
from sollhaben.domain.master_data import PersonInput
from sollhaben.persistence.models import Child, ChildGuardian, ChildPayer, Person
from sollhaben.persistence.models import Contract as ContractRow
from sollhaben.services import audit_log
from sollhaben.services.kita import children
from sollhaben.services.kita.dto import GuardianInput
from tests.integration.kita.conftest import TODAY, count, new_person


def child_input(first: str = "Mia", born: date | None = date(2022, 5, 3), last: str = "Gerber") -> PersonInput:
    return PersonInput("NATURAL", last, first, birth_date=born)


def messages(exc) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in exc.value.errors]


# --- the child ------------------------------------------------------------------------------------

def test_create_a_child_with_a_new_person(db, kita):
    child = children.create_child(db, kita.id, child_input(), notes=" Allergie: Nüsse ", today=TODAY)
    assert (child.last_name, child.first_name, child.birth_date, child.notes) == (
        "Gerber", "Mia", date(2022, 5, 3), "Allergie: Nüsse")
    assert child.version == 1 and child.guardians == child.payers == child.contracts == ()
    assert children.get_child(db, child.id) == child
    assert children.child_id_of_person(db, child.person_id) == child.id


def test_create_a_child_for_an_existing_person(db, kita):
    person = new_person(db, kita.id, "Keller", "Noah", date(2021, 1, 9))
    child = children.create_child(db, kita.id, person_id=person)
    assert (child.person_id, child.first_name) == (person, "Noah")
    with pytest.raises(ValidationError, match="Person: „Noah Keller“ ist schon als Kind erfasst."):
        children.create_child(db, kita.id, person_id=person)
    with pytest.raises(NotFoundError):
        children.create_child(db, kita.id, person_id=999)
    assert count(db, Child) == 1


def test_a_child_needs_a_birth_date_and_is_no_institution_and_nothing_is_stored(db, kita):
    persons_before = count(db, Person)
    with pytest.raises(ValidationError) as exc:
        children.create_child(db, kita.id, child_input(born=None), today=TODAY)
    assert messages(exc) == [("birth_date", "Geburtsdatum: Bitte das Geburtsdatum von „Mia Gerber“ eingeben; es "
                                            "bestimmt die Reihenfolge der Geschwister und das Alter im Haushalt.")]
    with pytest.raises(ValidationError, match="Person: „Jugendamt Stuttgart“ ist eine Institution; ein Kind ist eine "
                                              "Person."):
        children.create_child(db, kita.id, person_id=kita.youth_office)
    with pytest.raises(ValidationError, match="Nachname: Bitte einen Nachnamen eingeben."):
        children.create_child(db, kita.id, child_input(last=" "), today=TODAY)
    assert count(db, Person) == persons_before and count(db, Child) == 0


def test_notes_with_optimistic_locking(db, kita):
    child = children.create_child(db, kita.id, child_input(), today=TODAY)
    updated = children.update_child(db, child.id, child.version, "neu")
    assert (updated.notes, updated.version) == ("neu", 2)
    with pytest.raises(ConflictError, match="Das Kind wurde inzwischen von jemand anderem geändert"):
        children.update_child(db, child.id, child.version, "alt")


# --- guardians and payers -------------------------------------------------------------------------

def test_guardians_are_saved_replaced_and_audited_under_the_child(db, kita):
    child = children.create_child(db, kita.id, child_input(), today=TODAY)
    mother = new_person(db, kita.id, "Gerber", "Laura", date(1988, 2, 1))
    father = new_person(db, kita.id, "Gerber", "Reto", date(1986, 7, 4))

    saved = children.save_guardians(db, child.id, child.version, [
        GuardianInput(mother, "Mutter"), GuardianInput(father, "Vater", valid_to=date(2026, 6, 30))])
    assert [(g.name, g.relation, g.valid_to) for g in saved.guardians] == [
        ("Laura Gerber", "Mutter", None), ("Reto Gerber", "Vater", date(2026, 6, 30))]
    assert saved.version == child.version + 1

    again = children.save_guardians(db, child.id, saved.version, [GuardianInput(mother, "Mutter")])
    assert [g.person_id for g in again.guardians] == [mother]
    history = {(e.action, e.table_name, e.field, e.new_value) for e in audit_log.history(db, "child", child.id)}
    assert ("insert", "child_guardian", "relation", "Vater") in history
    assert ("delete", "child_guardian", "", None) in history
    with pytest.raises(ConflictError):
        children.save_guardians(db, child.id, saved.version, [])


def test_bad_guardians_are_refused_and_nothing_is_stored(db, kita):
    child = children.create_child(db, kita.id, child_input(), today=TODAY)
    mother = new_person(db, kita.id, "Gerber", "Laura", date(1988, 2, 1))
    with pytest.raises(ValidationError) as exc:
        children.save_guardians(db, child.id, child.version, [
            GuardianInput(mother, "Mutter", date(2026, 5, 1), date(2026, 4, 30)),
            GuardianInput(mother),
            GuardianInput(kita.youth_office),
            GuardianInput(child.person_id),
            GuardianInput(999),
            GuardianInput(mother, "x" * 21)])
    assert messages(exc) == [
        ("guardians[0].valid_to", "Sorgeberechtigt bis: Das Ende (30.04.2026) liegt vor dem Beginn (01.05.2026) bei "
                                  "„Laura Gerber“."),
        ("guardians[1].person_id", "Sorgeberechtigte: „Laura Gerber“ ist doppelt eingetragen."),
        ("guardians[2].person_id", "Sorgeberechtigte: „Jugendamt Stuttgart“ ist eine Institution; Sorgeberechtigte "
                                   "sind Personen."),
        ("guardians[3].person_id", "Sorgeberechtigte: Das Kind kann nicht sein eigener Sorgeberechtigter sein."),
        ("guardians[4].person_id", "Sorgeberechtigte: Diese Person gibt es in der Organisation nicht."),
        ("guardians[5].person_id", "Sorgeberechtigte: „Laura Gerber“ ist doppelt eingetragen."),
        ("guardians[5].relation", "Beziehung: höchstens 20 Zeichen erlaubt."),
    ]
    assert count(db, ChildGuardian) == 0 and children.get_child(db, child.id).version == child.version


def test_payer_list_holds_persons_and_institutions_in_order(db, kita):
    child = children.create_child(db, kita.id, child_input(), today=TODAY)
    mother = new_person(db, kita.id, "Gerber", "Laura", date(1988, 2, 1))
    saved = children.save_payers(db, child.id, child.version, [mother, kita.youth_office])
    assert [(p.name, p.kind) for p in saved.payers] == [("Laura Gerber", "NATURAL"),
                                                        ("Jugendamt Stuttgart", "INSTITUTION")]
    swapped = children.save_payers(db, child.id, saved.version, [kita.youth_office, mother])
    assert [p.person_id for p in swapped.payers] == [kita.youth_office, mother]

    with pytest.raises(ValidationError) as exc:
        children.save_payers(db, child.id, swapped.version, [mother, mother, child.person_id, 999])
    assert messages(exc) == [("payers[1]", "Zahler: „Laura Gerber“ ist doppelt eingetragen."),
                             ("payers[2]", "Zahler: Das Kind selbst kann nicht Zahler sein."),
                             ("payers[3]", "Zahler: Diese Person oder Institution gibt es in der Organisation nicht.")]
    assert count(db, ChildPayer) == 2


def test_a_person_of_another_organization_cannot_be_a_payer(db, kita):
    from sollhaben.services import organizations
    from tests.conftest import make_org_input

    other = organizations.create_organization(db, make_org_input("CH"))
    stranger = new_person(db, other.id, "Fremd", "Felix")
    child = children.create_child(db, kita.id, child_input(), today=TODAY)
    with pytest.raises(ValidationError, match="Zahler: Diese Person oder Institution gibt es in der Organisation nicht."):
        children.save_payers(db, child.id, child.version, [stranger])


# --- contracts ------------------------------------------------------------------------------------

@pytest.fixture
def child(db, kita):
    return children.create_child(db, kita.id, child_input(), today=TODAY)


def test_contract_moves_from_registered_to_active_to_deregistered(db, kita, child):
    registered = children.save_contract(db, Contract(child.id, kita.facility, ContractStatus.REGISTERED,
                                                     registered_on=date(2025, 11, 2)), note="Warteliste")
    assert (registered.facility_name, registered.note, registered.contract.version) == (
        "Kita Sonnenschein", "Warteliste", 1)
    active = children.save_contract(db, replace(registered.contract, status=ContractStatus.ACTIVE,
                                                first_day=date(2026, 3, 14)))
    assert (active.contract.status, active.contract.version) == (ContractStatus.ACTIVE, 2)
    left = children.save_contract(db, replace(active.contract, status=ContractStatus.DEREGISTERED,
                                              last_day=date(2026, 7, 31)))
    assert left.contract.last_month.iso() == "2026-07" and left.contract.care_days(left.contract.last_month) == 31
    assert children.get_child(db, child.id).contracts == (left,)
    history = {(e.table_name, e.field, e.old_value, e.new_value) for e in audit_log.history(db, "child", child.id)}
    assert ("contract", "status", "ACTIVE", "DEREGISTERED") in history

    with pytest.raises(ValidationError) as exc:
        children.save_contract(db, replace(left.contract, status=ContractStatus.ACTIVE, last_day=None))
    assert messages(exc) == [("status", "Status: Ein Vertrag wechselt nur von „angemeldet“ über „lfd. Vertrag“ zu "
                                        "„abgemeldet“; von „abgemeldet“ zurück zu „lfd. Vertrag“ geht nicht. Bitte "
                                        "einen neuen Vertrag anlegen.")]
    with pytest.raises(ConflictError, match="Der Vertrag wurde inzwischen"):
        children.save_contract(db, replace(active.contract, last_day=date(2026, 8, 31),
                                           status=ContractStatus.DEREGISTERED))


@pytest.mark.parametrize("status, first, last, registered, expected", [
    (ContractStatus.ACTIVE, None, None, None,
     [("first_day", "Erster Betreuungstag: Für einen laufenden oder abgemeldeten Vertrag bitte den ersten "
                    "Betreuungstag eingeben.")]),
    (ContractStatus.DEREGISTERED, date(2026, 3, 1), None, None,
     [("last_day", "Letzter Betreuungstag: Zum Abmelden bitte den letzten Betreuungstag eingeben.")]),
    (ContractStatus.DEREGISTERED, date(2026, 3, 1), date(2026, 2, 28), None,
     [("last_day", "Letzter Betreuungstag: Der 28.02.2026 liegt vor dem ersten Betreuungstag (01.03.2026).")]),
    (ContractStatus.ACTIVE, date(2026, 3, 1), date(2026, 7, 31), None,
     [("last_day", "Letzter Betreuungstag: nur bei Status „abgemeldet“; bitte zum Abmelden den Status auf "
                   "„abgemeldet“ setzen.")]),
    (ContractStatus.ACTIVE, date(2026, 3, 1), None, date(2026, 3, 2),
     [("registered_on", "Angemeldet am: Der 02.03.2026 liegt nach dem ersten Betreuungstag (01.03.2026).")]),
])
def test_bad_contracts_are_refused_and_nothing_is_stored(db, kita, child, status, first, last, registered, expected):
    with pytest.raises(ValidationError) as exc:
        children.save_contract(db, Contract(child.id, kita.facility, status, registered, first, last))
    assert messages(exc) == expected
    assert count(db, ContractRow) == 0


def test_contracts_of_a_child_in_one_facility_never_overlap(db, kita, child):
    first = children.save_contract(db, Contract(child.id, kita.facility, ContractStatus.DEREGISTERED,
                                                first_day=date(2025, 1, 1), last_day=date(2025, 7, 31)))
    # a new contract from August is fine, one from July is not
    children.save_contract(db, Contract(child.id, kita.facility, ContractStatus.ACTIVE, first_day=date(2025, 9, 1)))
    with pytest.raises(ValidationError) as exc:
        children.save_contract(db, Contract(child.id, kita.facility, ContractStatus.DEREGISTERED,
                                            first_day=date(2025, 7, 31), last_day=date(2025, 8, 31)))
    assert messages(exc) == [("first_day", "Erster Betreuungstag: Das Kind hat in „Kita Sonnenschein“ schon einen "
                                           "Vertrag vom 01.01.2025 bis 31.07.2025; Verträge einer Einrichtung dürfen "
                                           "sich nicht überschneiden.")]
    with pytest.raises(ValidationError, match="schon einen Vertrag vom 01.09.2025 bis offen"):  # pending registration
        children.save_contract(db, Contract(child.id, kita.facility, ContractStatus.REGISTERED))
    # another facility is another matter
    other = children.save_contract(db, Contract(child.id, kita.facility2, ContractStatus.REGISTERED))
    assert other.facility_name == "Kita Mondschein"
    assert count(db, ContractRow) == 3 and first.contract.id is not None


def test_a_contract_needs_a_facility_of_the_organization(db, kita, child):
    with pytest.raises(ValidationError, match="Einrichtung: „Amt für Kinder“ ist keine Einrichtung"):
        children.save_contract(db, Contract(child.id, kita.office, ContractStatus.REGISTERED))
    started = children.save_contract(db, Contract(child.id, kita.facility, ContractStatus.ACTIVE,
                                                  first_day=date(2026, 1, 1)))
    with pytest.raises(ValidationError, match="Einrichtung: Ein Vertrag mit Betreuungsbeginn wechselt nicht die "
                                              "Einrichtung"):
        children.save_contract(db, replace(started.contract, facility_id=kita.facility2))
    with pytest.raises(ValidationError, match="Status: Bitte angemeldet, lfd. Vertrag oder abgemeldet wählen."):
        children.save_contract(db, replace(started.contract, status="RUNNING"))


# --- the list -------------------------------------------------------------------------------------

def test_children_list_in_dictionary_order_with_the_latest_contract(db, kita):
    zoe = children.create_child(db, kita.id, child_input("Zoe", last="Zürcher"), today=TODAY)
    oezil = children.create_child(db, kita.id, child_input("Ela", last="Öztürk"), today=TODAY)
    otto = children.create_child(db, kita.id, child_input("Tim", last="Otto"), today=TODAY)
    children.save_contract(db, Contract(oezil.id, kita.facility, ContractStatus.DEREGISTERED,
                                        first_day=date(2024, 9, 1), last_day=date(2025, 7, 31)))
    children.save_contract(db, Contract(oezil.id, kita.facility2, ContractStatus.ACTIVE, first_day=date(2025, 9, 1)))
    children.save_contract(db, Contract(zoe.id, kita.facility, ContractStatus.REGISTERED,
                                        registered_on=date(2026, 10, 1)))

    rows = children.list_child_rows(db, kita.id)
    assert [(r.last_name, r.facility_name, r.status, r.first_day, r.birth_date) for r in rows] == [
        ("Otto", "", "", None, date(2022, 5, 3)),
        ("Öztürk", "Kita Mondschein", "ACTIVE", date(2025, 9, 1), date(2022, 5, 3)),
        ("Zürcher", "Kita Sonnenschein", "REGISTERED", None, date(2022, 5, 3))]
    in_sun = children.list_child_rows(db, kita.id, kita.facility)
    assert [(r.id, r.status, r.last_day) for r in in_sun] == [(oezil.id, "DEREGISTERED", date(2025, 7, 31)),
                                                              (zoe.id, "REGISTERED", None)]
    assert otto.id not in {r.id for r in in_sun}
