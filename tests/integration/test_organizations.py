"""Organizations, their settings, bank accounts and units on SQLite and PostgreSQL: validation with
German messages per field, nothing stored on error, optimistic locking."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, UnitInput
from sollhaben.persistence.models import AuditEntry, BankAccount, Organization, Unit
from sollhaben.services import organizations
from sollhaben.services.unit_of_work import unit_of_work
from tests.conftest import make_org_input

CH_QR_IBAN = "CH44 3199 9123 0008 8901 2"
CH_IBAN = "CH93 0076 2011 6238 5295 7"
DE_IBAN = "DE89 3704 0044 0532 0130 00"


def counts(db) -> dict[str, int]:
    with db.session() as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                for m in (Organization, BankAccount, Unit, AuditEntry)}


def errors_of(exc: pytest.ExceptionInfo) -> dict[str, str]:
    return {e.field: e.message for e in exc.value.errors}


# --- create, read, list -----------------------------------------------------------------------

def test_create_swiss_organization_normalizes_and_reads_back(db):
    data = OrganizationInput(
        name="  Sozialdienst Aaretal ", legal_country="ch",
        address=Address(" Bahnhofstrasse ", "12", "3000", "Bern", "ch"),
        phone=" 031 123 45 67 ", email=" info@aaretal.ch ", website=" www.aaretal.ch ",
        rounding_rule="0.05", enabled_modules=("alimony", "receivables", "alimony"),
        options={"lock_billed": True},
        bank_accounts=(BankAccountInput(CH_QR_IBAN.lower(), label="QR-Konto"),
                       BankAccountInput(CH_IBAN, bic="bcbech22xxx", label=" Bankkonto ")))

    created = organizations.create_organization(db, data)

    assert created.id > 0 and created.version == 1
    assert (created.name, created.legal_country, created.currency) == ("Sozialdienst Aaretal", "CH", "CHF")
    assert created.address == Address("Bahnhofstrasse", "12", "3000", "Bern", "CH")
    assert (created.phone, created.email, created.website) == ("031 123 45 67", "info@aaretal.ch", "www.aaretal.ch")
    assert created.rounding_rule == "0.05"
    assert created.enabled_modules == ("alimony", "receivables")
    assert created.options == {"lock_billed": True}
    assert created.bank_accounts == (
        BankAccountInput("CH4431999123000889012", "", "QR-Konto", True),  # first account becomes default
        BankAccountInput("CH9300762011623852957", "BCBECH22XXX", "Bankkonto", False))
    assert organizations.get_organization(db, created.id) == created
    with db.session() as session:
        qr_flags = session.execute(select(BankAccount.iban, BankAccount.is_qr_iban).order_by(BankAccount.id)).all()
    assert qr_flags == [("CH4431999123000889012", True), ("CH9300762011623852957", False)]


def test_create_german_organization_with_creditor_id(db):
    data = replace(make_org_input("DE"), sepa_creditor_id="de98 zzz0 9999 9999 99", currency="")
    created = organizations.create_organization(db, data)
    assert (created.legal_country, created.currency) == ("DE", "EUR")
    assert created.sepa_creditor_id == "DE98ZZZ09999999999"
    assert created.bank_accounts == (BankAccountInput("DE89370400440532013000", "", "Girokonto", True),)
    assert created.enabled_modules == ("kita", "income", "receivables")


def test_explicit_default_account_is_kept(db):
    data = replace(make_org_input("CH"), bank_accounts=(
        BankAccountInput(CH_QR_IBAN, label="QR"), BankAccountInput(CH_IBAN, label="Bank", is_default=True)))
    created = organizations.create_organization(db, data)
    assert [(b.label, b.is_default) for b in created.bank_accounts] == [("QR", False), ("Bank", True)]


def test_list_organizations_sorted_by_name(db):
    organizations.create_organization(db, make_org_input("CH", name="Sozialdienst Zulg"))
    organizations.create_organization(db, make_org_input("DE", name="Kita-Verbund Aalen"))
    listed = organizations.list_organizations(db)
    assert [(o.name, o.currency, len(o.bank_accounts)) for o in listed] == [
        ("Kita-Verbund Aalen", "EUR", 1), ("Sozialdienst Zulg", "CHF", 1)]


def test_get_unknown_organization(db):
    with pytest.raises(NotFoundError, match="Organisation 4711 gibt es nicht"):
        organizations.get_organization(db, 4711)


# --- update -----------------------------------------------------------------------------------

def test_update_settings_and_bank_accounts(db):
    created = organizations.create_organization(db, make_org_input("CH"))
    data = replace(make_org_input("CH"), currency="EUR", rounding_rule="franc",
                   enabled_modules=("child_protection",), options={"lock_billed": False},
                   address=Address("Marktgasse", "1", "3011", "Bern", "CH"),
                   bank_accounts=(BankAccountInput(CH_IBAN, label="Neu", is_default=True),
                                  BankAccountInput(CH_QR_IBAN, label="QR-Konto")))

    updated = organizations.update_organization(db, created.id, created.version, data)

    assert updated.version == created.version + 1
    assert (updated.currency, updated.rounding_rule) == ("EUR", "franc")
    assert updated.enabled_modules == ("child_protection",) and updated.options == {"lock_billed": False}
    assert updated.address.street == "Marktgasse"
    assert [(b.iban, b.label, b.is_default) for b in updated.bank_accounts] == [
        ("CH9300762011623852957", "Neu", True), ("CH4431999123000889012", "QR-Konto", False)]
    assert organizations.get_organization(db, created.id) == updated
    assert counts(db)["bank_account"] == 2


def test_update_keeping_the_name_is_not_a_duplicate(db):
    created = organizations.create_organization(db, make_org_input("CH"))
    updated = organizations.update_organization(db, created.id, created.version,
                                                replace(make_org_input("CH"), phone="031 000 00 00"))
    assert updated.name == created.name and updated.phone == "031 000 00 00"


def test_update_unknown_organization(db):
    with pytest.raises(NotFoundError):
        organizations.update_organization(db, 99, 1, make_org_input("CH"))


# --- validation: German messages per field, nothing stored --------------------------------------

@pytest.mark.parametrize("change, field, text", [
    ({"name": "   "}, "name", "Name: Bitte den Namen der Organisation eingeben."),
    ({"name": "x" * 71}, "name", "Name: höchstens 70 Zeichen erlaubt"),
    ({"legal_country": "AT"}, "legal_country", "Land: Sollhaben kennt die Regeln für DE und CH."),
    ({"currency": "USD"}, "currency", "Währung: erlaubt sind EUR und CHF."),
    ({"email": "info(at)aaretal.ch"}, "email", "E-Mail: „info(at)aaretal.ch“ ist keine E-Mail-Adresse."),
    ({"rounding_rule": "0.10"}, "rounding_rule", "Rundung: Regel „0.10“ ist unbekannt."),
    ({"enabled_modules": ("kita", "chess")}, "enabled_modules", "Module: unbekannt chess."),
    ({"address": Address("Bahnhofstrasse", "12", "", "Bern", "CH")}, "address.postal_code", "PLZ: Bitte"),
    ({"address": Address("Bahnhofstrasse", "12", "30000", "Bern", "CH")}, "address.postal_code",
     "PLZ: Eine Postleitzahl in CH hat 4 Ziffern."),
    ({"address": Address("Bahnhofstrasse", "12", "3000", "", "CH")}, "address.town", "Ort: Bitte den Ort eingeben."),
    ({"bank_accounts": (BankAccountInput("CH44 3199 9123 0008 8901 3"),)}, "bank_accounts[0].iban",
     "IBAN (Konto 1): Die Prüfziffer der IBAN CH44 3199 9123 0008 8901 3 stimmt nicht."),
    ({"bank_accounts": (BankAccountInput(CH_IBAN), BankAccountInput("CH93 0076 2011"))}, "bank_accounts[1].iban",
     "IBAN (Konto 2): „CH93 0076 2011“ ist keine IBAN"),
    ({"bank_accounts": (BankAccountInput(CH_IBAN, bic="BCBE"),)}, "bank_accounts[0].bic", "BIC (Konto 1)"),
    ({"bank_accounts": (BankAccountInput(CH_IBAN, label="x" * 61),)}, "bank_accounts[0].label",
     "Bezeichnung (Konto 1): höchstens 60 Zeichen erlaubt."),
    ({"phone": "0" * 41}, "phone", "Telefon: höchstens 40 Zeichen erlaubt."),
    ({"website": "w" * 121}, "website", "Website: höchstens 120 Zeichen erlaubt."),
    ({"bank_accounts": (BankAccountInput(CH_QR_IBAN, is_default=True), BankAccountInput(CH_IBAN, is_default=True))},
     "bank_accounts[1].is_default", "Standardkonto: Nur ein Konto kann das Standardkonto sein."),
])
def test_invalid_swiss_settings_are_refused_with_the_field_named(db, change, field, text):
    with pytest.raises(ValidationError) as caught:
        organizations.create_organization(db, replace(make_org_input("CH"), **change))
    assert field in errors_of(caught)
    assert errors_of(caught)[field].startswith(text)
    assert counts(db) == {"organization": 0, "bank_account": 0, "unit": 0, "audit_entry": 0}


@pytest.mark.parametrize("change, field, text", [
    ({"currency": "CHF"}, "currency", "Währung: Eine deutsche Organisation rechnet in EUR ab."),
    ({"bank_accounts": (BankAccountInput(CH_QR_IBAN),)}, "bank_accounts[0].iban",
     "IBAN: Eine QR-IBAN gibt es nur für Schweizer Organisationen."),
    ({"sepa_creditor_id": "DE98-ZZZ-0999"}, "sepa_creditor_id", "Gläubiger-ID: Format wie DE98ZZZ09999999999"),
    ({"sepa_creditor_id": "DE97ZZZ09999999999"}, "sepa_creditor_id", "Gläubiger-ID: Die Prüfziffer"),
    ({"sepa_creditor_id": "AT61ZZZ01234567890"}, "sepa_creditor_id",
     "Gläubiger-ID: Eine Organisation in DE braucht eine Gläubiger-ID aus DE"),
    ({"address": Address("Hauptstraße", "5", "7017", "Stuttgart", "DE")}, "address.postal_code",
     "PLZ: Eine Postleitzahl in DE hat 5 Ziffern."),
])
def test_invalid_german_settings_are_refused_with_the_field_named(db, change, field, text):
    with pytest.raises(ValidationError) as caught:
        organizations.create_organization(db, replace(make_org_input("DE"), **change))
    assert errors_of(caught)[field].startswith(text)
    assert counts(db)["organization"] == 0 and counts(db)["audit_entry"] == 0


def test_all_errors_are_reported_at_once(db):
    bad = OrganizationInput(name="", legal_country="DE", currency="CHF", address=Address(country="DE"),
                            sepa_creditor_id="nonsense", bank_accounts=(BankAccountInput("DE00 1234"),))
    with pytest.raises(ValidationError) as caught:
        organizations.create_organization(db, bad)
    assert set(errors_of(caught)) == {"name", "currency", "address.postal_code", "address.town",
                                      "sepa_creditor_id", "bank_accounts[0].iban"}
    assert counts(db)["organization"] == 0


def test_duplicate_organization_name_is_refused(db):
    first = organizations.create_organization(db, make_org_input("CH"))
    before = counts(db)
    with pytest.raises(ValidationError) as caught:
        organizations.create_organization(db, make_org_input("DE", name=first.name))
    assert errors_of(caught) == {"name": "Name: Eine Organisation „Sozialdienst Aaretal“ gibt es schon."}
    other = organizations.create_organization(db, make_org_input("DE"))
    with pytest.raises(ValidationError, match="gibt es schon"):
        organizations.update_organization(db, other.id, other.version, make_org_input("DE", name=first.name))
    assert organizations.get_organization(db, other.id) == other
    assert counts(db)["organization"] == before["organization"] + 1


def test_invalid_update_changes_nothing(db):
    created = organizations.create_organization(db, make_org_input("CH"))
    before = counts(db)
    bad = replace(make_org_input("CH"), phone="031", bank_accounts=(BankAccountInput("CH00 0000 0000 0000 0000 0"),))
    with pytest.raises(ValidationError):
        organizations.update_organization(db, created.id, created.version, bad)
    assert organizations.get_organization(db, created.id) == created
    assert counts(db) == before


# --- optimistic locking ---------------------------------------------------------------------------

def test_second_save_of_the_same_version_is_a_conflict(db):
    created = organizations.create_organization(db, make_org_input("CH"))
    form_a = organizations.get_organization(db, created.id)
    form_b = organizations.get_organization(db, created.id)
    assert form_a.version == form_b.version == created.version

    saved_a = organizations.update_organization(db, created.id, form_a.version,
                                                replace(make_org_input("CH"), phone="031 111 11 11"))
    with pytest.raises(ConflictError, match="inzwischen.*geändert.*neu laden"):
        organizations.update_organization(db, created.id, form_b.version,
                                          replace(make_org_input("CH"), phone="031 222 22 22"))

    assert organizations.get_organization(db, created.id) == saved_a
    assert saved_a.phone == "031 111 11 11"


def test_a_change_of_bank_accounts_only_also_bumps_the_version(db):
    created = organizations.create_organization(db, make_org_input("CH"))
    more = replace(make_org_input("CH"), bank_accounts=make_org_input("CH").bank_accounts + (
        BankAccountInput(CH_IBAN, label="Zweitkonto"),))
    saved = organizations.update_organization(db, created.id, created.version, more)
    assert saved.version == created.version + 1
    with pytest.raises(ConflictError):  # a stale form would drop the new account unnoticed
        organizations.update_organization(db, created.id, created.version, make_org_input("CH"))
    assert len(organizations.get_organization(db, created.id).bank_accounts) == 2


def test_concurrent_sessions_on_the_same_row_conflict_at_flush(db):
    """Both sessions read version N before either writes: the version column catches it.

    PostgreSQL only: on SQLite a writing unit of work holds the write lock from its start (BEGIN
    IMMEDIATE), so the second one waits and reads version N+1 — tests/integration/test_sqlite_writers.py."""
    if db.is_sqlite:
        pytest.skip("SQLite serializes writing units of work; see test_sqlite_writers.py")
    created = organizations.create_organization(db, make_org_input("CH"))
    first, second = db.session(), db.session()
    try:
        row_a = first.get(Organization, created.id)
        row_b = second.get(Organization, created.id)
        assert row_a.version == row_b.version == 1
        row_a.phone = "031 111 11 11"
        first.commit()
        row_b.phone = "031 222 22 22"
        with pytest.raises(ConflictError, match="neu laden"):
            with unit_of_work(db, "Die Organisation"):  # translate StaleDataError like every service
                second.commit()
    finally:
        second.rollback()
        first.close()
        second.close()
    fresh = organizations.get_organization(db, created.id)
    assert (fresh.phone, fresh.version) == ("031 111 11 11", 2)


# --- units ------------------------------------------------------------------------------------------

def test_units_of_each_kind(db):
    org = organizations.create_organization(db, make_org_input("CH"))
    office = organizations.save_unit(db, org.id, UnitInput(" Geschäftsstelle Belp ", "OFFICE", code=" BEL "))
    town = organizations.save_unit(db, org.id, UnitInput(
        "Gemeinde Toffen", "MUNICIPALITY", Address("Bahnhofstrasse", "1", "3125", "Toffen", "ch")))
    kita = organizations.save_unit(db, org.id, UnitInput("Kita Sonnenblume", "FACILITY", note="Pilot"))

    assert (office.name, office.code, office.kind, office.version) == ("Geschäftsstelle Belp", "BEL", "OFFICE", 1)
    assert office.address == Address()
    assert town.address == Address("Bahnhofstrasse", "1", "3125", "Toffen", "CH")
    assert [u.name for u in organizations.list_units(db, org.id)] == [
        "Gemeinde Toffen", "Geschäftsstelle Belp", "Kita Sonnenblume"]
    assert organizations.list_units(db, org.id, "FACILITY") == [kita]
    assert organizations.list_units(db, org.id, "MUNICIPALITY") == [town]


def test_unit_update_and_locking(db):
    org = organizations.create_organization(db, make_org_input("CH"))
    unit = organizations.save_unit(db, org.id, UnitInput("Gemeinde Toffen", "MUNICIPALITY"))
    renamed = organizations.save_unit(db, org.id, UnitInput("Gemeinde Toffen BE", "MUNICIPALITY"), unit.id,
                                      unit.version)
    assert (renamed.id, renamed.name, renamed.version) == (unit.id, "Gemeinde Toffen BE", 2)
    with pytest.raises(ConflictError, match="Die Einheit wurde inzwischen"):
        organizations.save_unit(db, org.id, UnitInput("Toffen", "MUNICIPALITY"), unit.id, unit.version)
    assert organizations.list_units(db, org.id) == [renamed]


def test_unit_validation_and_uniqueness(db):
    org = organizations.create_organization(db, make_org_input("CH"))
    other = organizations.create_organization(db, make_org_input("DE"))
    organizations.save_unit(db, org.id, UnitInput("Kita Sonnenblume", "FACILITY"))
    before = counts(db)
    with pytest.raises(ValidationError) as caught:
        organizations.save_unit(db, org.id, UnitInput("", "SCHOOL", Address("Weg", "1", "12", "", "CH")))
    assert errors_of(caught) == {
        "name": "Name: Bitte einen Namen eingeben.",
        "kind": "Art: Einrichtung, Dienststelle oder Gemeinde wählen.",
        "address.town": "Ort: Bitte den Ort eingeben.",
        "address.postal_code": "PLZ: Eine Postleitzahl in CH hat 4 Ziffern.",
    }
    with pytest.raises(ValidationError) as caught:
        organizations.save_unit(db, org.id, UnitInput("Kita", "FACILITY", code="K" * 21))
    assert errors_of(caught) == {"code": "Kürzel: höchstens 20 Zeichen erlaubt."}
    with pytest.raises(ValidationError, match="Eine Einheit „Kita Sonnenblume“ gibt es in dieser Organisation schon"):
        organizations.save_unit(db, org.id, UnitInput("Kita Sonnenblume", "FACILITY"))
    assert counts(db) == before
    # the same name in another organization is fine
    assert organizations.save_unit(db, other.id, UnitInput("Kita Sonnenblume", "FACILITY")).organization_id == other.id


def test_unit_of_another_organization_is_not_found(db):
    org = organizations.create_organization(db, make_org_input("CH"))
    other = organizations.create_organization(db, make_org_input("DE"))
    unit = organizations.save_unit(db, org.id, UnitInput("Gemeinde Toffen", "MUNICIPALITY"))
    with pytest.raises(NotFoundError):
        organizations.save_unit(db, other.id, UnitInput("Gemeinde Toffen", "MUNICIPALITY"), unit.id, unit.version)
    with pytest.raises(NotFoundError):
        organizations.save_unit(db, 999, UnitInput("Irgendwo", "OFFICE"))
    assert organizations.list_units(db, other.id) == []
