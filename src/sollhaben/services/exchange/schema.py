"""The fields of format version 1 and `parse_document`: JSON → validated domain inputs, or every error.

Nothing here touches the database except through the `name_taken` callback.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from sollhaben.domain.formatting import format_date
from sollhaben.domain.master_data import (
    MODULES,
    Address,
    BankAccountInput,
    OrganizationInput,
    PersonInput,
    UnitInput,
    duplicate_key,
    validate_organization,
    validate_person,
    validate_unit,
)
from sollhaben.services.exchange import FORMAT_NAME, FORMAT_VERSION
from sollhaben.services.exchange.reader import Field, Reader, text, type_name

ADDRESS = {"street": text("Strasse"), "house_number": text("Hausnummer"), "postal_code": text("PLZ"),
           "town": text("Ort"), "country": text("Land")}
DOCUMENT = {"format": text("Format", True), "version": Field("int", "Version", True),
            "generator": text("Erzeugt von"), "organization": Field("object", "Organisation", True),
            "units": Field("list", "Einheiten"), "persons": Field("list", "Personen"),
            "households": Field("list", "Haushalte")}
ORGANIZATION = {
    "name": text("Name", True, 120), "legal_country": text("Land", True), "currency": text("Währung"),
    "address": Field("object", "Adresse", True), "phone": text("Telefon", max_len=40),
    "email": text("E-Mail", max_len=120), "website": text("Website", max_len=120),
    "sepa_creditor_id": text("Gläubiger-ID", max_len=35), "rounding_rule": Field("text", "Rundung", default="cents"),
    "enabled_modules": Field("list", "Module"), "options": Field("object", "Optionen", default={}),
    "bank_accounts": Field("list", "Bankkonten"),
}
ORG_BANK_ACCOUNT = {"iban": text("IBAN", True), "bic": text("BIC"), "label": text("Bezeichnung", max_len=60),
                    "is_default": Field("bool", "Standardkonto", default=False)}
UNIT = {"kind": text("Art", True), "name": text("Name", True, 120), "code": text("Kürzel", max_len=20),
        "address": Field("object", "Adresse"), "note": text("Notiz")}
PERSON = {
    "key": text("Schlüssel", True, 60), "kind": Field("text", "Art", default="NATURAL"),
    "last_name": text("Nachname", True), "first_name": text("Vorname"), "salutation": text("Anrede", max_len=20),
    "birth_date": Field("date", "Geburtsdatum"), "address": Field("object", "Adresse"),
    "address_extra": text("Adresszusatz", max_len=70), "phone": text("Telefon", max_len=40),
    "email": text("E-Mail", max_len=120), "language": Field("text", "Sprache", default="de"),
    "note": text("Notiz"), "bank_accounts": Field("list", "Bankkonten"),
    "roles": Field("list", "Rollen"),
}
PERSON_BANK_ACCOUNT = {"iban": text("IBAN", True), "bic": text("BIC"), "holder": text("Kontoinhaber", max_len=70)}
ROLE = {"module": text("Modul", True), "role": text("Rolle", True, 20)}
HOUSEHOLD = {"name": text("Name", True, 120), "members": Field("list", "Mitglieder")}
MEMBER = {"person": text("Person", True), "valid_from": Field("date", "Ab", True),
          "valid_to": Field("date", "Bis"), "relation": text("Beziehung", max_len=20)}


@dataclass(frozen=True)
class Member:
    person: str  # file-local person key
    valid_from: date
    valid_to: date | None
    relation: str


@dataclass
class Document:
    """A validated document, ready to store."""

    organization: OrganizationInput
    units: list[UnitInput] = field(default_factory=list)
    persons: list[tuple[str, PersonInput]] = field(default_factory=list)
    households: list[tuple[str, list[Member]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _address(reader: Reader, value: Any, path: str) -> Address:
    data = reader.record(value, path, ADDRESS, "Adresse") if value is not None else None
    return Address(**data) if data else Address()


def _bank_accounts(reader: Reader, value: Any, path: str, spec: dict, label_key: str) -> tuple:
    result = []
    for item_path, item in reader.items(value, path, "Bankkonten"):
        data = reader.record(item, item_path, spec, "Bankkonto")
        if data is not None:
            result.append(BankAccountInput(data["iban"], data["bic"], data[label_key],
                                           bool(data.get("is_default", False))))
    return tuple(result)


def _texts(reader: Reader, value: Any, path: str, label: str) -> tuple[str, ...]:
    result = []
    for item_path, item in reader.items(value, path, label):
        if isinstance(item, str):
            result.append(item)
        else:
            reader.add(item_path, f"{label}: Text erwartet, gefunden {type_name(item)}.")
    return tuple(result)


def _organization(reader: Reader, value: Any, name_taken: Callable[[str], bool]) -> OrganizationInput | None:
    path = "$.organization"
    data = reader.record(value, path, ORGANIZATION, "Organisation")
    if data is None:
        return None
    data["address"] = _address(reader, data["address"], f"{path}.address")
    data["bank_accounts"] = _bank_accounts(reader, data["bank_accounts"], f"{path}.bank_accounts",
                                           ORG_BANK_ACCOUNT, "label")
    data["enabled_modules"] = _texts(reader, data["enabled_modules"], f"{path}.enabled_modules", "Module")
    org = reader.check(path, validate_organization, OrganizationInput(**data))
    if org is not None and name_taken(org.name):
        reader.add(f"{path}.name", f"Name: Eine Organisation „{org.name}“ gibt es schon.")
    return org


def _units(reader: Reader, value: Any) -> list[UnitInput]:
    units, seen = [], {}
    for path, item in reader.items(value, "$.units", "Einheiten"):
        data = reader.record(item, path, UNIT, "Einheit")
        if data is None:
            continue
        data["address"] = _address(reader, data["address"], f"{path}.address")
        unit = reader.check(path, validate_unit, UnitInput(**data))
        if unit is None:
            continue
        if unit.name in seen:
            reader.add(f"{path}.name",
                       f"Name: Die Einheit „{unit.name}“ kommt doppelt vor (schon bei {seen[unit.name]}).")
        seen.setdefault(unit.name, path)
        units.append(unit)
    return units


def _roles(reader: Reader, value: Any, path: str) -> tuple[tuple[str, str], ...]:
    roles = []
    for item_path, item in reader.items(value, path, "Rollen"):
        before = len(reader.errors)
        data = reader.record(item, item_path, ROLE, "Rolle")
        if data is None or len(reader.errors) > before:
            continue
        if data["module"] not in MODULES:
            reader.add(f"{item_path}.module",
                       f"Modul: „{data['module']}“ ist unbekannt (erlaubt: {', '.join(MODULES)}).")
            continue
        roles.append((data["module"], data["role"].strip()))
    return tuple(roles)


def _persons(reader: Reader, value: Any, today: date, keys: dict[str, str]) -> list[tuple[str, PersonInput]]:
    persons = []
    for path, item in reader.items(value, "$.persons", "Personen"):
        data = reader.record(item, path, PERSON, "Person")
        if data is None:
            continue
        key = data.pop("key").strip()
        if key in keys:
            reader.add(f"{path}.key", f"Schlüssel: „{key}“ kommt doppelt vor (schon bei {keys[key]}).")
        elif key:
            keys[key] = path
        data["address"] = _address(reader, data["address"], f"{path}.address")
        data["bank_accounts"] = _bank_accounts(reader, data["bank_accounts"], f"{path}.bank_accounts",
                                               PERSON_BANK_ACCOUNT, "holder")
        data["roles"] = _roles(reader, data["roles"], f"{path}.roles")
        person = reader.check(path, validate_person, PersonInput(**data), today)
        if person is not None:
            persons.append((key, person))
    return persons


def _households(reader: Reader, value: Any, keys: dict[str, str]) -> list[tuple[str, list[Member]]]:
    households = []
    periods: dict[str, list[tuple[date, date | None, str]]] = defaultdict(list)
    for path, item in reader.items(value, "$.households", "Haushalte"):
        data = reader.record(item, path, HOUSEHOLD, "Haushalt")
        if data is None:
            continue
        members = []
        for member_path, member in reader.items(data["members"], f"{path}.members", "Mitglieder"):
            before = len(reader.errors)
            m = reader.record(member, member_path, MEMBER, "Mitglied")
            if m is None or len(reader.errors) > before:
                continue
            key = m["person"].strip()
            if key not in keys:
                reader.add(f"{member_path}.person", f"Person: „{key}“ gibt es in der Datei nicht (persons[].key).")
                continue
            if m["valid_to"] is not None and m["valid_to"] < m["valid_from"]:
                reader.add(f"{member_path}.valid_to", "Bis: Das Ende der Zugehörigkeit liegt vor ihrem Beginn.")
                continue
            _check_overlap(reader, periods[key], key, m["valid_from"], m["valid_to"], member_path)
            members.append(Member(key, m["valid_from"], m["valid_to"], m["relation"].strip()))
        households.append((data["name"].strip(), members))
    return households


def _check_overlap(reader: Reader, earlier: list, key: str, start: date, end: date | None, path: str) -> None:
    """A person belongs to one household at a time: periods of one person never overlap."""
    for other_start, other_end, other_path in earlier:
        if start <= (other_end or date.max) and other_start <= (end or date.max):
            reader.add(f"{path}.valid_from",
                       f"Ab: Person „{key}“ gehört vom {format_date(max(start, other_start))} an schon zu "
                       f"einem Haushalt ({other_path}); Zeiträume dürfen sich nicht überschneiden.")
            return
    earlier.append((start, end, path))


def _header(reader: Reader, data: Any) -> dict | None:
    """Format and version first: a file of another kind or version is not read any further."""
    if not isinstance(data, dict):
        reader.add("$", f"Format: Die Datei muss ein JSON-Objekt enthalten, gefunden {type_name(data)}.")
        return None
    fmt, version = data.get("format"), data.get("version")
    if fmt != FORMAT_NAME:
        reader.add("$.format", f"Format: „{fmt}“ ist keine Sollhaben-Stammdatendatei (erwartet „{FORMAT_NAME}“)."
                   if fmt is not None else f"Format: Pflichtfeld „format“ fehlt (erwartet „{FORMAT_NAME}“).")
        return None
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        reader.add("$.version", f"Version: „{version}“ ist keine Formatversion (erwartet {FORMAT_VERSION}).")
        return None
    if version > FORMAT_VERSION:
        reader.add("$.version", f"Version: Die Datei hat Formatversion {version}; dieses Programm liest bis "
                   f"Version {FORMAT_VERSION}. Bitte Sollhaben aktualisieren.")
        return None
    return reader.record(data, "$", DOCUMENT, "Datei")


def _duplicate_warnings(persons: list[tuple[str, PersonInput]]) -> list[str]:
    seen: dict[tuple, str] = {}
    warnings = []
    for key, p in persons:
        if p.kind != "NATURAL" or p.birth_date is None:
            continue
        dup = duplicate_key(p.last_name, p.first_name, p.birth_date)
        if dup in seen:
            warnings.append(f"Person „{key}“ ({p.first_name} {p.last_name}, {format_date(p.birth_date)}) "
                            f"hat denselben Namen und dasselbe Geburtsdatum wie „{seen[dup]}“.")
        seen.setdefault(dup, key)
    return warnings


def parse_document(data: Any, today: date, name_taken: Callable[[str], bool] = lambda name: False) -> Document:
    """Validate a whole document; raise one ValidationError listing every error with its JSON path."""
    reader = Reader()
    top = _header(reader, data)
    if top is None:
        reader.raise_if_any()
    organization = _organization(reader, top["organization"], name_taken) if top["organization"] else None
    units = _units(reader, top["units"])
    keys: dict[str, str] = {}
    persons = _persons(reader, top["persons"], today, keys)
    households = _households(reader, top["households"], keys)
    reader.raise_if_any()
    assert organization is not None
    return Document(organization, units, persons, households, _duplicate_warnings(persons))
