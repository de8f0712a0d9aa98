"""Master-data exchange on SQLite and PostgreSQL: round trip, every error with its JSON path,
all-or-nothing, audit of imported rows."""
from __future__ import annotations

import copy
import json
import shutil
from datetime import date

import pytest
from sqlalchemy import func, select

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.master_data import Address, BankAccountInput, PersonInput, UnitInput
from sollhaben.persistence.database import open_database
from sollhaben.persistence.models import (
    AuditEntry,
    Household,
    HouseholdMembership,
    Organization,
    Person,
    PersonBankAccount,
    PersonRole,
    Unit,
)
from sollhaben.services import households, import_export, organizations, persons
from tests.conftest import make_org_input

TODAY = date(2026, 11, 24)
TABLES = (Organization, Unit, Person, PersonBankAccount, PersonRole, Household, HouseholdMembership, AuditEntry)


def counts(db) -> dict[str, int]:
    with db.session() as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in TABLES}


@pytest.fixture
def fresh_sqlite(tmp_path, sqlite_template):
    path = tmp_path / "fresh.sqlite"
    shutil.copy(sqlite_template, path)
    database = open_database(f"sqlite:///{path}", user="import")
    yield database
    database.dispose()


def person(key: str, last: str, first: str, birth: str | None = "1985-04-12", **extra) -> dict:
    data = {"key": key, "kind": "NATURAL", "last_name": last, "first_name": first, "birth_date": birth,
            "address": {"street": "Bahnhofstrasse", "house_number": "5", "postal_code": "3123", "town": "Belp",
                        "country": "CH"}}
    data.update(extra)
    return data


def document() -> dict:
    return {
        "format": "sollhaben-master-data", "version": 1,
        "organization": {
            "name": "Sozialdienst Gürbetal", "legal_country": "CH", "currency": "CHF",
            "address": {"street": "Gartenstrasse", "house_number": "2", "postal_code": "3123", "town": "Belp",
                        "country": "CH"},
            "rounding_rule": "0.05", "enabled_modules": ["alimony", "receivables"], "options": {"lock_billed": True},
            "bank_accounts": [{"iban": "CH44 3199 9123 0008 8901 2", "label": "QR-Konto", "is_default": True},
                              {"iban": "CH9300762011623852957", "bic": "BCBECH22XXX", "label": "Bankkonto"}],
        },
        "units": [{"kind": "OFFICE", "name": "Geschäftsstelle Belp", "code": "BEL"},
                  {"kind": "MUNICIPALITY", "name": "Gemeinde Toffen",
                   "address": {"street": "Bahnhofstrasse", "house_number": "1", "postal_code": "3125",
                               "town": "Toffen", "country": "CH"}}],
        "persons": [
            person("mutter", "Gerber", "Laura", bank_accounts=[{"iban": "CH93 0076 2011 6238 5295 7",
                                                                "holder": "Laura Gerber"}],
                   roles=[{"module": "alimony", "role": "creditor"}], phone="031 123 45 67",
                   email="laura@example.com", salutation="Frau"),
            person("vater", "Gerber", "Reto", "1983-01-30", roles=[{"module": "alimony", "role": "debtor"},
                                                                   {"module": "receivables", "role": "debtor"}]),
            person("kind1", "Gerber", "Nina", "2016-08-01", roles=[{"module": "alimony", "role": "beneficiary"}]),
            person("kind2", "Gerber", "Luca", "19.03.2019", language="de"),
            {"key": "amt", "kind": "INSTITUTION", "last_name": "Kantonales Sozialamt",
             "address": {"street": "Rathausgasse", "house_number": "1", "postal_code": "3011", "town": "Bern",
                         "country": "CH"}},
            person("ohne", "Zaugg", "Urs", None, address=None),
        ],
        "households": [
            {"name": "Familie Gerber", "members": [
                {"person": "mutter", "valid_from": "2015-01-01", "relation": "parent"},
                {"person": "vater", "valid_from": "2015-01-01", "valid_to": "2022-06-30", "relation": "parent"},
                {"person": "kind1", "valid_from": "2016-08-01", "relation": "child"},
                {"person": "kind2", "valid_from": "2019-03-19", "valid_to": None, "relation": "child"}]},
            {"name": "Haushalt Reto Gerber", "members": [
                {"person": "vater", "valid_from": "2022-07-01", "relation": "single"}]},
        ],
    }


def errors_of(call) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        call()
    return {e.field: e.message for e in caught.value.errors}


def strip_generator(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "generator"}


def test_valid_import_stores_everything_and_audits_it(db):
    result = import_export.import_organization(db, document(), today=TODAY)

    assert (result.units, result.persons, result.households, result.memberships) == (2, 6, 2, 5)
    assert result.warnings == ()
    org = organizations.get_organization(db, result.organization_id)
    assert org.name == "Sozialdienst Gürbetal" and org.options == {"lock_billed": True}
    assert [b.iban for b in org.bank_accounts] == ["CH4431999123000889012", "CH9300762011623852957"]
    assert [u.name for u in organizations.list_units(db, org.id)] == ["Gemeinde Toffen", "Geschäftsstelle Belp"]
    rows = {r.first_name or r.last_name: r for r in persons.list_person_rows(db, org.id)}
    mother = persons.get_person(db, rows["Laura"].id)
    assert mother.bank_accounts[0].iban == "CH9300762011623852957" and mother.roles == (("alimony", "creditor"),)
    assert persons.get_person(db, rows["Luca"].id).birth_date == date(2019, 3, 19)
    assert persons.get_person(db, rows["Urs"].id).address == Address()
    father_households = households.households_of_person(db, rows["Reto"].id)
    assert [h.name for h in father_households] == ["Familie Gerber", "Haushalt Reto Gerber"]
    with db.session() as session:  # the audit listener recorded the inserted rows with the user
        audited = set(session.execute(select(AuditEntry.table_name, AuditEntry.changed_by)
                                      .where(AuditEntry.action == "insert")).all())
    assert {("organization", "test"), ("person", "test"), ("person_bank_account", "test"),
            ("household_membership", "test"), ("unit", "test")} <= audited


def test_round_trip_into_a_fresh_database_gives_the_same_document(db, fresh_sqlite):
    org = organizations.create_organization(db, make_org_input("DE"))
    organizations.save_unit(db, org.id, UnitInput("Kita Sonnenschein", "FACILITY",
                                                  Address("Rosenweg", "4", "70469", "Stuttgart", "DE"), "SON"))
    anna = persons.save_person(db, org.id, PersonInput(
        "NATURAL", "Müller", "Anna", "Frau", date(1988, 2, 29), Address("Hauptstraße", "5", "70173", "Stuttgart", "DE"),
        phone="0711 123456", bank_accounts=(BankAccountInput("DE89 3704 0044 0532 0130 00", label="Anna Müller"),),
        roles=(("kita", "payer"), ("kita", "guardian"))), today=TODAY)
    ben = persons.save_person(db, org.id, PersonInput("NATURAL", "Müller", "Ben", birth_date=date(2022, 5, 1)),
                              today=TODAY)
    persons.save_person(db, org.id, PersonInput("INSTITUTION", "Jugendamt Stuttgart"), today=TODAY)
    home = households.create_household(db, org.id, "Familie Müller")
    households.add_member(db, home, anna.id, date(2020, 1, 1), date(2023, 12, 31), "parent")
    households.add_member(db, home, ben.id, date(2022, 5, 1), None, "child")
    later = households.create_household(db, org.id, "Haushalt Anna Müller")
    households.add_member(db, later, anna.id, date(2024, 1, 1), None, "single")

    first = import_export.export_organization(db, org.id)
    result = import_export.import_organization(fresh_sqlite, json.loads(json.dumps(first)), today=TODAY)
    second = import_export.export_organization(fresh_sqlite, result.organization_id)

    assert second == first
    assert first["persons"][0]["key"] == "p1" and first["persons"][0]["roles"] == [
        {"module": "kita", "role": "guardian"}, {"module": "kita", "role": "payer"}]
    assert first["households"][0]["members"][0] == {"person": "p1", "valid_from": "2020-01-01",
                                                    "valid_to": "2023-12-31", "relation": "parent"}
    # and back into the same back end under another name
    again = copy.deepcopy(first)
    again["organization"]["name"] = "Kita-Verbund Kopie"
    copy_id = import_export.import_organization(db, again, today=TODAY).organization_id
    third = import_export.export_organization(db, copy_id)
    assert strip_generator(third) == strip_generator(again)


def test_file_helpers_round_trip(db, tmp_path):
    result = import_export.import_organization(db, document(), today=TODAY)
    path = tmp_path / "export.json"
    written = import_export.export_file(db, result.organization_id, path)
    assert json.loads(path.read_text(encoding="utf-8")) == written
    assert "Gürbetal" in path.read_text(encoding="utf-8")  # UTF-8, not \\u escapes
    assert import_export.read_file(path) == written
    assert not list(tmp_path.glob(".*.tmp"))


def test_malformed_json_names_line_and_column_and_stores_nothing(db, tmp_path):
    before = counts(db)
    text = '{\n  "format": "sollhaben-master-data",\n  "version": 1,,\n}'
    errors = errors_of(lambda: import_export.import_text(db, text))
    assert list(errors) == ["$"]
    assert "Zeile 3, Spalte 16" in errors["$"] and "kein gültiges JSON" in errors["$"]
    bad = tmp_path / "latin1.json"
    bad.write_bytes('{"format": "Grüße"}'.encode("latin-1"))
    assert "nicht UTF-8" in errors_of(lambda: import_export.import_file(db, bad))["$"]
    assert "kann nicht gelesen werden" in errors_of(lambda: import_export.import_file(db, tmp_path / "fehlt.json"))["$"]
    assert counts(db) == before


def test_a_key_given_twice_in_one_object_is_an_error(db):
    text = json.dumps(document(), ensure_ascii=False).replace('"last_name": "Gerber", "first_name": "Laura"',
                                                              '"last_name": "Gerber", "last_name": "Graf"', 1)
    errors = errors_of(lambda: import_export.import_text(db, text, today=TODAY))
    assert errors == {"$.persons[0].last_name": "Feld „last_name“ kommt im Objekt mehrfach vor."}
    assert counts(db)["person"] == 0


def test_wrong_format_or_version_is_refused(db):
    newer = dict(document(), version=2)
    assert errors_of(lambda: import_export.import_organization(db, newer)) == {
        "$.version": "Version: Die Datei hat Formatversion 2; dieses Programm liest bis Version 1. "
                     "Bitte Sollhaben aktualisieren."}
    other = dict(document(), format="kitaplus")
    assert list(errors_of(lambda: import_export.import_organization(db, other))) == ["$.format"]
    assert list(errors_of(lambda: import_export.import_organization(db, [1, 2]))) == ["$"]
    assert "ist keine Formatversion" in errors_of(
        lambda: import_export.import_organization(db, dict(document(), version="1")))["$.version"]
    assert counts(db)["organization"] == 0


def test_every_error_is_reported_with_its_path_and_nothing_is_stored(db):
    organizations.create_organization(db, make_org_input("CH"))
    before = counts(db)
    data = document()
    data["organization"]["name"] = "Sozialdienst Aaretal"  # exists already
    data["organization"]["colour"] = "blau"
    data["units"][1]["name"] = "Geschäftsstelle Belp"
    people = data["persons"]
    people[0]["nmae"] = "Tippfehler"
    people[1]["first_name"] = 5
    del people[2]["last_name"]
    people[3]["bank_accounts"] = [{"iban": "CH93 0076 2011 6238 5295 8"}]
    people[4]["key"] = "mutter"
    people[5]["birth_date"] = "31.02.2020"
    people.append(person("neu", "Keller", "Rahel", address={"street": "A", "postal_code": "31234", "town": "Belp",
                                                            "country": "CH"},
                         roles=[{"module": "kita", "role": "payer"}, {"module": "zoo", "role": "x"}]))
    members = data["households"][0]["members"]
    members.append({"person": "niemand", "valid_from": "2020-01-01"})
    members.append({"person": "kind1", "valid_from": "2020-01-01", "valid_to": "2019-01-01"})
    data["households"][1]["members"].append({"person": "mutter", "valid_from": "2021-05-01"})
    data["households"].append({"name": "", "members": "keine"})

    errors = errors_of(lambda: import_export.import_organization(db, data, today=TODAY))

    assert set(errors) == {
        "$.organization.name", "$.organization.colour", "$.units[1].name",
        "$.persons[0].nmae", "$.persons[1].first_name", "$.persons[2].last_name",
        "$.persons[3].bank_accounts[0].iban", "$.persons[4].key", "$.persons[5].birth_date",
        "$.persons[6].address.postal_code", "$.persons[6].roles[1].module",
        "$.households[0].members[4].person", "$.households[0].members[5].valid_to",
        "$.households[1].members[1].valid_from", "$.households[2].name", "$.households[2].members",
    }
    assert errors["$.organization.name"] == "Name: Eine Organisation „Sozialdienst Aaretal“ gibt es schon."
    assert errors["$.persons[0].nmae"] == "Unbekanntes Feld „nmae“."
    assert errors["$.persons[1].first_name"] == "Vorname: Text erwartet, gefunden Zahl."
    assert errors["$.persons[2].last_name"] == "Nachname: Pflichtfeld „last_name“ fehlt."
    assert errors["$.persons[3].bank_accounts[0].iban"] == (
        "IBAN (Konto 1): Die Prüfziffer der IBAN CH93 0076 2011 6238 5295 8 stimmt nicht.")
    assert "„mutter“ kommt doppelt vor (schon bei $.persons[0])" in errors["$.persons[4].key"]
    assert errors["$.persons[5].birth_date"] == "Geburtsdatum: Den 31.02.2020 gibt es nicht im Kalender."
    assert errors["$.persons[6].address.postal_code"] == "PLZ: Eine Postleitzahl in CH hat 4 Ziffern."
    assert "„niemand“ gibt es in der Datei nicht" in errors["$.households[0].members[4].person"]
    assert "überschneiden" in errors["$.households[1].members[1].valid_from"]
    assert "$.households[0].members[0]" in errors["$.households[1].members[1].valid_from"]
    assert counts(db) == before


def test_validate_document_without_database_and_duplicate_warnings(db):
    data = document()
    assert import_export.validate_document(data, today=TODAY) == []
    data["persons"].append(person("zwilling", "Gerber", "Laura"))
    result = import_export.import_organization(db, data, today=TODAY)
    assert len(result.warnings) == 1 and "„zwilling“" in result.warnings[0] and "„mutter“" in result.warnings[0]
    assert "7 Personen" in result.summary()


def test_import_reports_progress_and_can_be_cancelled(db):
    seen = []
    import_export.import_organization(db, document(), today=TODAY, progress=lambda d, t, s: seen.append((d, t)))
    assert seen[-1] == (9, 9) and [d for d, _ in seen] == sorted(d for d, _ in seen)

    before = counts(db)
    data = document()
    data["organization"]["name"] = "Abgebrochen"
    with pytest.raises(import_export.ImportCancelled, match="nichts gespeichert"):
        import_export.import_organization(db, data, today=TODAY, cancelled=lambda: True)
    assert counts(db) == before


def test_export_of_unknown_organization(db):
    with pytest.raises(NotFoundError):
        import_export.export_organization(db, 4711)


def test_the_example_in_the_format_documentation_imports(db):
    import re
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "import-format.md").read_text("utf-8")
    example = re.search(r"## Example\n\n```json\n(.*?)```", text, re.S).group(1)
    result = import_export.import_text(db, example, today=TODAY)
    assert (result.units, result.persons, result.households, result.memberships) == (2, 4, 2, 4)
