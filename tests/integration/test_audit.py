"""The audit log on SQLite and PostgreSQL: every master-data change records who, when and
old → new per field, child rows included, and is viewable per record."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from sollhaben.domain.errors import ConflictError, ValidationError
from sollhaben.domain.master_data import Address, BankAccountInput, PersonInput, UnitInput
from sollhaben.persistence.models import AuditEntry, Household
from sollhaben.services import audit_log, households, organizations, persons
from sollhaben.services.unit_of_work import unit_of_work
from tests.conftest import make_org_input

TODAY = date(2026, 11, 24)
CH_IBAN = "CH93 0076 2011 6238 5295 7"
DE_IBAN = "DE89 3704 0044 0532 0130 00"


@pytest.fixture
def org(db):
    return organizations.create_organization(db, make_org_input("CH"))


def laura(**change) -> PersonInput:
    return replace(PersonInput(
        "NATURAL", "Gerber", "Laura", birth_date=date(1985, 4, 12),
        address=Address("Bahnhofstrasse", "5", "3123", "Belp", "CH"), phone="031 123 45 67",
        bank_accounts=(BankAccountInput(CH_IBAN, "", "Laura Gerber"),),
        roles=(("alimony", "creditor"), ("kita", "guardian"))), **change)


def audit_count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def changes(entries) -> set[tuple]:
    return {(e.action, e.table_name, e.field, e.old_value, e.new_value) for e in entries}


def test_creating_a_person_records_every_field_and_child_row(db, org):
    db.user = "mbe"
    started = datetime.now(timezone.utc) - timedelta(seconds=1)
    created = persons.save_person(db, org.id, laura(), today=TODAY)

    entries = audit_log.history(db, "person", created.id)

    assert {e.changed_by for e in entries} == {"mbe"}
    assert all(e.changed_at.tzinfo is not None and started <= e.changed_at <= datetime.now(timezone.utc)
               for e in entries)
    assert {("insert", "person", "last_name", None, "Gerber"), ("insert", "person", "first_name", None, "Laura"),
            ("insert", "person", "birth_date", None, "1985-04-12"), ("insert", "person", "town", None, "Belp"),
            ("insert", "person_bank_account", "iban", None, "CH9300762011623852957"),
            ("insert", "person_bank_account", "holder", None, "Laura Gerber"),
            ("insert", "person_role", "module", None, "alimony"), ("insert", "person_role", "role", None, "creditor"),
            ("insert", "person_role", "role", None, "guardian")} <= changes(entries)
    assert not {e.field for e in entries} & {"version", "created_at", "updated_at", "id"}
    assert all(e.action == "insert" for e in entries)


def test_an_update_records_old_and_new_of_changed_fields_only(db, org):
    created = persons.save_person(db, org.id, laura(), today=TODAY)
    before = audit_count(db)
    db.user = "ab"
    persons.save_person(db, org.id, laura(address=Address("Bahnhofstrasse", "5", "3007", "Bern", "CH"),
                                          phone="031 999 99 99"), created.id, created.version, today=TODAY)

    new = audit_log.history(db, "person", created.id)[:audit_count(db) - before]
    assert changes(new) == {("update", "person", "postal_code", "3123", "3007"),
                            ("update", "person", "town", "Belp", "Bern"),
                            ("update", "person", "phone", "031 123 45 67", "031 999 99 99")}
    assert {e.changed_by for e in new} == {"ab"}


def test_a_replaced_bank_account_and_a_removed_role_keep_their_old_values(db, org):
    created = persons.save_person(db, org.id, laura(), today=TODAY)
    before = audit_count(db)
    persons.save_person(db, org.id, laura(bank_accounts=(BankAccountInput(DE_IBAN, "", "Laura Gerber"),),
                                          roles=(("alimony", "creditor"),)), created.id, created.version, today=TODAY)

    new = audit_log.history(db, "person", created.id)[:audit_count(db) - before]
    deleted = {e.table_name: e.old_value for e in new if e.action == "delete"}
    assert "iban=CH9300762011623852957" in deleted["person_bank_account"]
    assert "holder=Laura Gerber" in deleted["person_bank_account"]
    assert "module=kita" in deleted["person_role"] and "role=guardian" in deleted["person_role"]
    assert ("insert", "person_bank_account", "iban", None, "DE89370400440532013000") in changes(new)
    assert not any(e.table_name == "person" for e in new)  # the version bump itself is not a change
    assert not any(e.table_name == "person_role" and e.action == "insert" for e in new)  # kept role untouched


def test_an_edited_bank_account_shows_old_and_new_per_field(db, org):
    created = persons.save_person(db, org.id, laura(), today=TODAY)
    before = audit_count(db)
    persons.save_person(db, org.id, laura(bank_accounts=(BankAccountInput(CH_IBAN, "POFICHBEXXX", "L. Gerber"),
                                                         BankAccountInput(DE_IBAN))),
                        created.id, created.version, today=TODAY)
    new = audit_log.history(db, "person", created.id)[:audit_count(db) - before]
    assert {("update", "person_bank_account", "bic", "", "POFICHBEXXX"),
            ("update", "person_bank_account", "holder", "Laura Gerber", "L. Gerber"),
            ("insert", "person_bank_account", "iban", None, "DE89370400440532013000")} <= changes(new)
    assert not any(e.action == "delete" for e in new)


def test_saving_without_changes_writes_no_entries(db, org):
    created = persons.save_person(db, org.id, laura(), today=TODAY)
    org_now = organizations.get_organization(db, org.id)
    before = audit_count(db)
    persons.save_person(db, org.id, laura(), created.id, created.version, today=TODAY)
    organizations.update_organization(db, org.id, org_now.version, make_org_input("CH"))
    assert audit_count(db) == before


def test_failed_saves_write_no_entries(db, org):
    created = persons.save_person(db, org.id, laura(), today=TODAY)
    persons.save_person(db, org.id, laura(note="erste"), created.id, created.version, today=TODAY)
    before = audit_count(db)
    with pytest.raises(ValidationError):
        persons.save_person(db, org.id, laura(last_name=""), created.id, created.version + 1, today=TODAY)
    with pytest.raises(ConflictError):
        persons.save_person(db, org.id, laura(note="zweite"), created.id, created.version, today=TODAY)
    with pytest.raises(ValidationError):
        organizations.update_organization(db, org.id, org.version, replace(make_org_input("CH"), name=""))
    assert audit_count(db) == before


def test_organization_settings_and_bank_accounts_are_audited(db, org):
    before = audit_count(db)
    data = replace(make_org_input("CH"), rounding_rule="0.05", enabled_modules=("alimony",),
                   bank_accounts=make_org_input("CH").bank_accounts + (BankAccountInput(CH_IBAN, label="Bank"),))
    organizations.update_organization(db, org.id, org.version, data)

    new = audit_log.history(db, "organization", org.id)[:audit_count(db) - before]
    assert changes(new) >= {
        ("update", "organization", "rounding_rule", "cents", "0.05"),
        ("update", "organization", "enabled_modules", "['alimony', 'receivables']", "['alimony']"),
        ("insert", "bank_account", "iban", None, "CH9300762011623852957"),
        ("insert", "bank_account", "label", None, "Bank"),
    }
    # the unchanged QR account is neither deleted nor inserted again
    assert not any(e.table_name == "bank_account" and e.new_value == "CH4431999123000889012" for e in new)
    assert not any(e.action == "delete" for e in new)


def test_units_are_audited_on_their_own_record(db, org):
    unit = organizations.save_unit(db, org.id, UnitInput("Gemeinde Toffen", "MUNICIPALITY"))
    organizations.save_unit(db, org.id, UnitInput("Gemeinde Toffen", "MUNICIPALITY", code="TOF"), unit.id,
                            unit.version)
    entries = audit_log.history(db, "unit", unit.id)
    assert (entries[0].action, entries[0].field, entries[0].old_value, entries[0].new_value) == (
        "update", "code", "", "TOF")
    assert ("insert", "unit", "name", None, "Gemeinde Toffen") in changes(entries)


def test_household_membership_history_is_shown_on_the_household(db, org):
    person = persons.save_person(db, org.id, laura(), today=TODAY)
    home = households.create_household(db, org.id, "Familie Gerber")
    membership = households.add_member(db, home, person.id, date(2020, 1, 1), relation="parent")
    households.end_membership(db, membership, date(2024, 6, 30))

    entries = audit_log.history(db, "household", home)
    assert entries[0].action == "update"
    assert (entries[0].table_name, entries[0].field, entries[0].old_value, entries[0].new_value) == (
        "household_membership", "valid_to", None, "2024-06-30")
    assert {("insert", "household", "name", None, "Familie Gerber"),
            ("insert", "household_membership", "valid_from", None, "2020-01-01"),
            ("insert", "household_membership", "relation", None, "parent")} <= changes(entries)


def test_history_is_per_record_newest_first(db, org):
    a = persons.save_person(db, org.id, laura(), today=TODAY)
    b = persons.save_person(db, org.id, PersonInput("NATURAL", "Amsler", "Beat"), today=TODAY)
    a2 = persons.save_person(db, org.id, laura(note="eins"), a.id, a.version, today=TODAY)
    persons.save_person(db, org.id, laura(note="zwei"), a.id, a2.version, today=TODAY)

    history_a = audit_log.history(db, "person", a.id)
    notes = [(e.old_value, e.new_value) for e in history_a if e.field == "note"]
    assert notes == [("eins", "zwei"), ("", "eins")]
    assert [e.changed_at for e in history_a] == sorted((e.changed_at for e in history_a), reverse=True)
    assert {e.new_value for e in audit_log.history(db, "person", b.id) if e.field == "last_name"} == {"Amsler"}
    assert "Amsler" not in {e.new_value for e in history_a}
    assert audit_log.history(db, "person", 999) == []


def test_an_explicit_delete_is_recorded_once_with_its_values(db, org):
    person = persons.save_person(db, org.id, laura(), today=TODAY)
    home = households.create_household(db, org.id, "Wohngemeinschaft")
    households.add_member(db, home, person.id, date(2020, 1, 1))
    with unit_of_work(db) as session:
        session.delete(session.scalar(select(Household).options(selectinload(Household.memberships))
                                      .where(Household.id == home)))
    deletes = [e for e in audit_log.history(db, "household", home) if e.action == "delete"]
    assert sorted(e.table_name for e in deletes) == ["household", "household_membership"]
    by_table = {e.table_name: e.old_value for e in deletes}
    assert "name=Wohngemeinschaft" in by_table["household"]
    assert "valid_from=2020-01-01" in by_table["household_membership"]


def test_every_database_opened_in_a_process_is_audited(tmp_path):
    """Regression: the listeners were skipped when a new session factory reused the id() of a
    collected one (SQLAlchemy's event registry), leaving the audit log silently empty."""
    import gc

    from sollhaben.persistence import audit
    from sollhaben.persistence.database import open_database

    for i in range(60):
        database = open_database(f"sqlite:///{tmp_path / f'a{i}.sqlite'}")
        with database.sessions() as session:
            assert list(session.dispatch.after_flush).count(audit._after_flush) == 1
        database.dispose()
        del database, session
        gc.collect()
