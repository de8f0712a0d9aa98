"""The register of persons and institutions on SQLite and PostgreSQL: structured addresses, bank
accounts, roles, duplicate warning, validation, optimistic locking and the list rows."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
from sollhaben.domain.master_data import Address, BankAccountInput, PersonInput
from sollhaben.persistence.models import AuditEntry, Person, PersonBankAccount, PersonRole
from sollhaben.services import organizations, persons
from sollhaben.services.dto import PersonRow
from tests.conftest import make_org_input

TODAY = date(2026, 11, 24)
CH_IBAN = "CH93 0076 2011 6238 5295 7"
DE_IBAN = "DE89 3704 0044 0532 0130 00"


@pytest.fixture
def org(db):
    return organizations.create_organization(db, make_org_input("CH"))


def counts(db) -> dict[str, int]:
    with db.session() as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                for m in (Person, PersonBankAccount, PersonRole, AuditEntry)}


def errors_of(exc: pytest.ExceptionInfo) -> dict[str, str]:
    return {e.field: e.message for e in exc.value.errors}


def laura(**change) -> PersonInput:
    data = PersonInput(
        kind="NATURAL", last_name=" Gerber ", first_name=" Laura ", salutation="Frau",
        birth_date=date(1985, 4, 12), address=Address("Bahnhofstrasse", "5", "3123", "Belp", "ch"),
        address_extra="c/o Muster", phone="031 123 45 67", email=" laura@example.com ", language="fr",
        note="Ruft lieber an.",
        bank_accounts=(BankAccountInput(CH_IBAN.lower(), "pofichbexxx", "Laura Gerber"),),
        roles=(("alimony", "creditor"), ("kita", "guardian"), ("alimony", "creditor")))
    return replace(data, **change)


def save(db, org, data: PersonInput, person_id=None, version=None):
    return persons.save_person(db, org.id, data, person_id, version, today=TODAY)


# --- create and read --------------------------------------------------------------------------

def test_create_natural_person_with_address_accounts_and_roles(db, org):
    created = save(db, org, laura())

    assert created.id > 0 and created.version == 1 and created.organization_id == org.id
    assert (created.kind, created.last_name, created.first_name) == ("NATURAL", "Gerber", "Laura")
    assert created.birth_date == date(1985, 4, 12)
    assert created.address == Address("Bahnhofstrasse", "5", "3123", "Belp", "CH")
    assert (created.address_extra, created.phone, created.email, created.language) == (
        "c/o Muster", "031 123 45 67", "laura@example.com", "fr")
    assert created.bank_accounts == (BankAccountInput("CH9300762011623852957", "POFICHBEXXX", "Laura Gerber"),)
    assert created.roles == (("alimony", "creditor"), ("kita", "guardian"))
    assert created.display_name == "Gerber, Laura" and created.postal_name == "Laura Gerber"
    assert persons.get_person(db, created.id) == created
    assert counts(db)["person_bank_account"] == 1 and counts(db)["person_role"] == 2


def test_create_institution_without_address(db, org):
    office = save(db, org, PersonInput("INSTITUTION", "Kantonales Sozialamt", roles=(("alimony", "payer"),)))
    assert (office.kind, office.display_name, office.birth_date) == ("INSTITUTION", "Kantonales Sozialamt", None)
    assert office.address == Address()
    assert office.roles == (("alimony", "payer"),)


def test_get_unknown_person(db, org):
    with pytest.raises(NotFoundError, match="Person 123 gibt es nicht"):
        persons.get_person(db, 123)


# --- update -----------------------------------------------------------------------------------

def test_update_address_accounts_and_roles(db, org):
    created = save(db, org, laura())
    changed = laura(address=Address("Seftigenstrasse", "10a", "3007", "Bern", "CH"),
                    bank_accounts=(BankAccountInput(DE_IBAN, "", "Gemeinschaftskonto"),
                                   BankAccountInput(CH_IBAN, "", "Laura Gerber")),
                    roles=(("alimony", "creditor"),))

    updated = save(db, org, changed, created.id, created.version)

    assert updated.version == created.version + 1
    assert updated.address == Address("Seftigenstrasse", "10a", "3007", "Bern", "CH")
    assert [b.iban for b in updated.bank_accounts] == ["DE89370400440532013000", "CH9300762011623852957"]
    assert updated.roles == (("alimony", "creditor"),)
    assert persons.get_person(db, created.id) == updated
    assert counts(db)["person_bank_account"] == 2 and counts(db)["person_role"] == 1


def test_saving_unchanged_data_changes_nothing(db, org):
    created = save(db, org, laura())
    before = counts(db)
    again = save(db, org, laura(), created.id, created.version)
    assert again == created
    assert counts(db) == before


def test_person_of_another_organization_cannot_be_saved_through_this_one(db, org):
    other = organizations.create_organization(db, make_org_input("DE"))
    stranger = persons.save_person(db, other.id, PersonInput("NATURAL", "Fremd"), today=TODAY)
    with pytest.raises(NotFoundError):
        save(db, org, PersonInput("NATURAL", "Übernommen"), stranger.id, stranger.version)
    assert persons.get_person(db, stranger.id).last_name == "Fremd"


def test_person_for_an_unknown_organization_is_refused(db):
    with pytest.raises(NotFoundError, match="Organisation 77 gibt es nicht"):
        persons.save_person(db, 77, PersonInput("NATURAL", "Niemand"), today=TODAY)
    assert counts(db)["person"] == 0


# --- validation -------------------------------------------------------------------------------

@pytest.mark.parametrize("change, field, text", [
    ({"last_name": "  "}, "last_name", "Nachname: Bitte einen Nachnamen eingeben."),
    ({"kind": "ROBOT"}, "kind", "Art: Person oder Institution wählen."),
    ({"birth_date": date(2027, 1, 1)}, "birth_date", "Geburtsdatum: darf nicht in der Zukunft liegen."),
    ({"birth_date": date(1899, 12, 31)}, "birth_date", "Geburtsdatum: vor 1900 ist nicht plausibel."),
    ({"address": Address("Bahnhofstrasse", "5", "312", "Belp", "CH")}, "address.postal_code",
     "PLZ: Eine Postleitzahl in CH hat 4 Ziffern."),
    ({"address": Address("Bahnhofstrasse", "5", "3123", "Belp", "Schweiz")}, "address.country", "Land: Bitte"),
    ({"address": Address("Bahnhofstrasse", "5", "3123", "B" * 36, "CH")}, "address.town",
     "Ort: höchstens 35 Zeichen erlaubt."),
    ({"address": Address("Bahnhofstrasse ☺", "5", "3123", "Belp", "CH")}, "address.street",
     "Strasse: enthält Zeichen, die auf Einzahlungsscheinen nicht erlaubt sind."),
    ({"email": "laura.example.com"}, "email", "E-Mail: „laura.example.com“ ist keine E-Mail-Adresse."),
    ({"language": "rm"}, "language", "Sprache: de, fr, it oder en."),
    ({"bank_accounts": (BankAccountInput(CH_IBAN), BankAccountInput("CH93 0076 2011 6238 5295 8"))},
     "bank_accounts[1].iban", "IBAN (Konto 2): Die Prüfziffer der IBAN"),
    ({"bank_accounts": (BankAccountInput("DE89 3704 0044 0532 0130"),)}, "bank_accounts[0].iban",
     "IBAN (Konto 1): Eine IBAN aus DE hat 22 Stellen, eingegeben wurden 20."),
    ({"bank_accounts": (BankAccountInput(CH_IBAN, label="L" * 71),)}, "bank_accounts[0].label",
     "Kontoinhaber (Konto 1): höchstens 70 Zeichen erlaubt."),
    ({"salutation": "Sehr geehrte Frau Dr."}, "salutation", "Anrede: höchstens 20 Zeichen erlaubt."),
    ({"phone": "0" * 41}, "phone", "Telefon: höchstens 40 Zeichen erlaubt."),
    ({"address_extra": "x" * 71}, "address_extra", "Adresszusatz: höchstens 70 Zeichen erlaubt."),
    ({"roles": (("chess", "player"),)}, "roles[0].module", "Modul: „chess“ ist unbekannt"),
    ({"roles": (("kita", ""),)}, "roles[0].role", "Rolle: Bitte eine Rolle angeben."),
    ({"roles": (("kita", "x" * 21),)}, "roles[0].role", "Rolle: höchstens 20 Zeichen erlaubt."),
])
def test_invalid_person_is_refused_and_nothing_stored(db, org, change, field, text):
    before = counts(db)
    with pytest.raises(ValidationError) as caught:
        save(db, org, laura(**change))
    assert errors_of(caught)[field].startswith(text)
    assert counts(db) == before
    assert before["person"] == 0


def test_institution_has_no_birth_date(db, org):
    with pytest.raises(ValidationError) as caught:
        save(db, org, PersonInput("INSTITUTION", "Jugendamt", birth_date=date(2000, 1, 1)))
    assert errors_of(caught) == {"birth_date": "Geburtsdatum: Eine Institution hat kein Geburtsdatum."}
    with pytest.raises(ValidationError) as caught:
        save(db, org, PersonInput("INSTITUTION", ""))
    assert errors_of(caught) == {"last_name": "Name: Bitte einen Namen eingeben."}


def test_invalid_update_keeps_the_stored_person(db, org):
    created = save(db, org, laura())
    before = counts(db)
    with pytest.raises(ValidationError):
        save(db, org, laura(last_name="", bank_accounts=()), created.id, created.version)
    assert persons.get_person(db, created.id) == created
    assert counts(db) == before


# --- optimistic locking -------------------------------------------------------------------------

def test_second_save_of_the_same_version_is_a_conflict(db, org):
    created = save(db, org, laura())
    form_a = persons.get_person(db, created.id)
    form_b = persons.get_person(db, created.id)
    saved_a = save(db, org, laura(phone="031 111 11 11"), form_a.id, form_a.version)
    with pytest.raises(ConflictError, match="Die Person wurde inzwischen von jemand anderem geändert. Bitte neu laden"):
        save(db, org, laura(phone="031 222 22 22"), form_b.id, form_b.version)
    assert persons.get_person(db, created.id) == saved_a
    assert saved_a.phone == "031 111 11 11"


@pytest.mark.parametrize("change", [
    {"bank_accounts": ()},
    {"roles": (("alimony", "creditor"), ("kita", "guardian"), ("receivables", "debtor"))},
])
def test_a_change_of_child_rows_only_also_bumps_the_version(db, org, change):
    created = save(db, org, laura())
    saved = save(db, org, laura(**change), created.id, created.version)
    assert saved.version == created.version + 1
    with pytest.raises(ConflictError):  # the stale form would silently undo the change
        save(db, org, laura(note="Notiz"), created.id, created.version)
    assert persons.get_person(db, created.id) == saved


# --- duplicates -----------------------------------------------------------------------------------

def test_duplicates_by_name_and_birth_date(db, org):
    first = save(db, org, laura())
    save(db, org, laura(first_name="Lara"))
    save(db, org, laura(birth_date=date(1985, 4, 13)))
    found = persons.find_duplicates(db, org.id, "  gerber ", "LAURA", date(1985, 4, 12))
    assert found == [PersonRow(first.id, "NATURAL", "Gerber", "Laura", date(1985, 4, 12), "3123", "Belp",
                               "Bahnhofstrasse")]
    assert persons.find_duplicates(db, org.id, "Gerber", "Laura", date(1985, 4, 12), exclude_id=first.id) == []
    assert persons.find_duplicates(db, org.id, "Gerber", "Laura", None) == []
    assert persons.find_duplicates(db, org.id, "", "Laura", date(1985, 4, 12)) == []


def test_duplicates_ignore_case_of_umlauts_and_inner_spaces(db, org):
    first = save(db, org, PersonInput("NATURAL", "Özdemir", "Ümit  Can", birth_date=date(1990, 1, 2)))
    found = persons.find_duplicates(db, org.id, "ÖZDEMIR", "ümit can", date(1990, 1, 2))
    assert [p.id for p in found] == [first.id]


def test_duplicates_without_birth_date_and_per_organization(db, org):
    office = save(db, org, PersonInput("INSTITUTION", "Jugendamt Bern"))
    other = organizations.create_organization(db, make_org_input("DE"))
    persons.save_person(db, other.id, PersonInput("INSTITUTION", "Jugendamt Bern"), today=TODAY)
    assert [p.id for p in persons.find_duplicates(db, org.id, "jugendamt bern", "", None)] == [office.id]


# --- the list -------------------------------------------------------------------------------------

def test_list_rows_have_what_the_list_shows_sorted_by_name(db, org):
    b = save(db, org, laura())
    a = save(db, org, PersonInput("NATURAL", "Amsler", "Beat", address=Address("Dorfstrasse", "1", "3122",
                                                                               "Kehrsatz", "CH")))
    c = save(db, org, PersonInput("INSTITUTION", "Gerber AG"))
    d = save(db, org, laura(first_name="Anna", bank_accounts=()))
    other = organizations.create_organization(db, make_org_input("DE"))
    persons.save_person(db, other.id, PersonInput("NATURAL", "Fremd"), today=TODAY)

    rows = persons.list_person_rows(db, org.id)

    assert rows == [
        PersonRow(a.id, "NATURAL", "Amsler", "Beat", None, "3122", "Kehrsatz", "Dorfstrasse"),
        PersonRow(d.id, "NATURAL", "Gerber", "Anna", date(1985, 4, 12), "3123", "Belp", "Bahnhofstrasse"),
        PersonRow(b.id, "NATURAL", "Gerber", "Laura", date(1985, 4, 12), "3123", "Belp", "Bahnhofstrasse"),
        PersonRow(c.id, "INSTITUTION", "Gerber AG", "", None, "", "", ""),
    ]
    assert all(isinstance(r, PersonRow) for r in rows)
    assert persons.list_person_ids(db, org.id) == [r.id for r in rows]
    assert persons.list_person_rows(db, other.id)[0].last_name == "Fremd"
