"""Master data inputs (organization, unit, person) and their validation rules, free of storage."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum

from sollhaben.domain.errors import ErrorCollector
from sollhaben.domain.formatting import Country
from sollhaben.domain.money import ROUNDING_RULES, Currency
from sollhaben.domain.references import is_qr_iban, is_valid_creditor_id, normalize_iban

# Characters the Swiss QR-bill permits (Latin-1 printable, Latin Extended-A, a few more, €).
_QR_CHARSET = re.compile("^[\u0020-\u007e\u00a0-\u00ff\u0100-\u017f\u0218-\u021b\u20ac]*$")
_POSTAL_CODE = {"DE": re.compile(r"^\d{5}$"), "CH": re.compile(r"^\d{4}$"), "LI": re.compile(r"^\d{4}$"),
                "AT": re.compile(r"^\d{4}$")}
_CREDITOR_ID = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{3}[A-Z0-9]{1,28}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

MODULES = {
    "kita": "Kita-Beiträge",
    "income": "Staffelberechnung",
    "hamburg": "Kita-Gutschein Hamburg",
    "alimony": "Alimentenhilfe",
    "child_protection": "Kindesschutz Bern",
    "receivables": "Debitoren",
}


class UnitKind(str, Enum):
    FACILITY = "FACILITY"
    OFFICE = "OFFICE"
    MUNICIPALITY = "MUNICIPALITY"

    @property
    def label(self) -> str:
        return {"FACILITY": "Einrichtung (Kita)", "OFFICE": "Dienststelle", "MUNICIPALITY": "Gemeinde"}[self.value]


class PersonKind(str, Enum):
    NATURAL = "NATURAL"
    INSTITUTION = "INSTITUTION"

    @property
    def label(self) -> str:
        return "Person" if self is PersonKind.NATURAL else "Institution"


@dataclass(frozen=True)
class Address:
    street: str = ""
    house_number: str = ""
    postal_code: str = ""
    town: str = ""
    country: str = ""

    def is_empty(self) -> bool:
        return not any((self.street, self.house_number, self.postal_code, self.town))

    def one_line(self) -> str:
        street = f"{self.street} {self.house_number}".strip()
        place = f"{self.postal_code} {self.town}".strip()
        return ", ".join(p for p in (street, place) if p)


def check_length(errors: ErrorCollector, field: str, label: str, value: str, limit: int) -> None:
    """The column's length is a rule of the field: refuse longer text before the database does."""
    if len(value) > limit:
        errors.add(field, f"{label}: höchstens {limit} Zeichen erlaubt.")


def validate_address(errors: ErrorCollector, address: Address, prefix: str, required: bool) -> Address:
    """Structured address rules (QR-bill lengths and charset, postal code by country)."""
    address = Address(*(v.strip() for v in (address.street, address.house_number, address.postal_code,
                                            address.town)), address.country.strip().upper())
    if address.is_empty() and not required:
        return replace(address, country="")
    limits = {"street": ("Strasse", 70), "house_number": ("Hausnummer", 16),
              "postal_code": ("PLZ", 16), "town": ("Ort", 35)}
    for name, (label, limit) in limits.items():
        value = getattr(address, name)
        if len(value) > limit:
            errors.add(f"{prefix}.{name}", f"{label}: höchstens {limit} Zeichen erlaubt.")
        if not _QR_CHARSET.match(value):
            errors.add(f"{prefix}.{name}", f"{label}: enthält Zeichen, die auf Einzahlungsscheinen nicht erlaubt sind.")
    if not address.postal_code:
        errors.add(f"{prefix}.postal_code", "PLZ: Bitte die Postleitzahl eingeben.")
    if not address.town:
        errors.add(f"{prefix}.town", "Ort: Bitte den Ort eingeben.")
    if not re.fullmatch(r"[A-Z]{2}", address.country):
        errors.add(f"{prefix}.country", "Land: Bitte den zweistelligen Ländercode eingeben (z. B. DE, CH).")
    else:
        pattern = _POSTAL_CODE.get(address.country)
        if pattern and address.postal_code and not pattern.match(address.postal_code):
            digits = 5 if address.country == "DE" else 4
            errors.add(f"{prefix}.postal_code", f"PLZ: Eine Postleitzahl in {address.country} hat {digits} Ziffern.")
    return address


@dataclass(frozen=True)
class BankAccountInput:
    iban: str
    bic: str = ""
    label: str = ""  # organization accounts: name; person accounts: holder
    is_default: bool = False


def validate_bank_accounts(errors: ErrorCollector, accounts: list[BankAccountInput], prefix: str,
                           label_name: str = "Bezeichnung", label_limit: int = 60) -> list[BankAccountInput]:
    """IBAN, BIC and label of each account; at most one account is the default."""
    result = []
    for i, account in enumerate(accounts):
        iban = errors.check(f"{prefix}[{i}].iban", normalize_iban, account.iban, f"IBAN (Konto {i + 1})")
        bic = account.bic.strip().upper()
        if bic and not re.fullmatch(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?", bic):
            errors.add(f"{prefix}[{i}].bic", f"BIC (Konto {i + 1}): „{account.bic}“ hat nicht 8 oder 11 Zeichen im BIC-Format.")
        label = account.label.strip()
        check_length(errors, f"{prefix}[{i}].label", f"{label_name} (Konto {i + 1})", label, label_limit)
        if account.is_default and any(a.is_default for a in accounts[:i]):
            errors.add(f"{prefix}[{i}].is_default", "Standardkonto: Nur ein Konto kann das Standardkonto sein.")
        if iban:
            result.append(replace(account, iban=iban, bic=bic, label=label))
    return result


@dataclass(frozen=True)
class OrganizationInput:
    name: str
    legal_country: str
    address: Address
    currency: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    sepa_creditor_id: str = ""
    rounding_rule: str = "cents"
    enabled_modules: tuple[str, ...] = ()
    options: dict = field(default_factory=dict)
    bank_accounts: tuple[BankAccountInput, ...] = ()


def validate_organization(data: OrganizationInput) -> OrganizationInput:
    errors = ErrorCollector()
    name = data.name.strip()
    if not name:
        errors.add("name", "Name: Bitte den Namen der Organisation eingeben.")
    elif len(name) > 70:
        errors.add("name", "Name: höchstens 70 Zeichen erlaubt (Einzahlungsschein).")
    country = data.legal_country.strip().upper()
    if country not in (c.value for c in Country):
        errors.add("legal_country", "Land: Sollhaben kennt die Regeln für DE und CH.")
    currency = data.currency.strip().upper() or ("CHF" if country == "CH" else "EUR")
    if currency not in (c.value for c in Currency):
        errors.add("currency", "Währung: erlaubt sind EUR und CHF.")
    elif country == "DE" and currency != "EUR":
        errors.add("currency", "Währung: Eine deutsche Organisation rechnet in EUR ab.")
    address = validate_address(errors, data.address, "address", required=True)
    check_length(errors, "phone", "Telefon", data.phone.strip(), 40)
    check_length(errors, "website", "Website", data.website.strip(), 120)
    if data.email.strip() and not _EMAIL.match(data.email.strip()):
        errors.add("email", "E-Mail: „%s“ ist keine E-Mail-Adresse." % data.email.strip())
    check_length(errors, "email", "E-Mail", data.email.strip(), 120)
    creditor_id = data.sepa_creditor_id.replace(" ", "").upper()
    if creditor_id and not _CREDITOR_ID.match(creditor_id):
        errors.add("sepa_creditor_id", "Gläubiger-ID: Format wie DE98ZZZ09999999999 erwartet.")
    elif creditor_id and not is_valid_creditor_id(creditor_id):
        errors.add("sepa_creditor_id", f"Gläubiger-ID: Die Prüfziffer der Gläubiger-ID {creditor_id} stimmt nicht.")
    elif creditor_id and country in (c.value for c in Country) and creditor_id[:2] != country:
        errors.add("sepa_creditor_id", f"Gläubiger-ID: Eine Organisation in {country} braucht eine Gläubiger-ID "
                                       f"aus {country}, nicht aus {creditor_id[:2]}.")
    if data.rounding_rule not in ROUNDING_RULES:
        errors.add("rounding_rule", f"Rundung: Regel „{data.rounding_rule}“ ist unbekannt.")
    unknown = [m for m in data.enabled_modules if m not in MODULES]
    if unknown:
        errors.add("enabled_modules", f"Module: unbekannt {', '.join(unknown)}.")
    accounts = validate_bank_accounts(errors, list(data.bank_accounts), "bank_accounts")
    for i, account in enumerate(accounts):
        if is_qr_iban(account.iban) and country != "CH":
            errors.add(f"bank_accounts[{i}].iban", "IBAN: Eine QR-IBAN gibt es nur für Schweizer Organisationen.")
    errors.raise_if_any()
    return replace(data, name=name, legal_country=country, currency=currency, address=address,
                   email=data.email.strip(), sepa_creditor_id=creditor_id, bank_accounts=tuple(accounts),
                   enabled_modules=tuple(dict.fromkeys(data.enabled_modules)))


@dataclass(frozen=True)
class UnitInput:
    name: str
    kind: str
    address: Address = Address()
    code: str = ""
    note: str = ""


def validate_unit(data: UnitInput) -> UnitInput:
    errors = ErrorCollector()
    name = data.name.strip()
    if not name:
        errors.add("name", "Name: Bitte einen Namen eingeben.")
    check_length(errors, "name", "Name", name, 120)
    check_length(errors, "code", "Kürzel", data.code.strip(), 20)
    if data.kind not in (k.value for k in UnitKind):
        errors.add("kind", "Art: Einrichtung, Dienststelle oder Gemeinde wählen.")
    address = validate_address(errors, data.address, "address", required=False)
    errors.raise_if_any()
    return replace(data, name=name, address=address, code=data.code.strip())


@dataclass(frozen=True)
class PersonInput:
    kind: str
    last_name: str
    first_name: str = ""
    salutation: str = ""
    birth_date: date | None = None
    address: Address = Address()
    address_extra: str = ""
    phone: str = ""
    email: str = ""
    language: str = "de"
    note: str = ""
    bank_accounts: tuple[BankAccountInput, ...] = ()
    roles: tuple[tuple[str, str], ...] = ()  # (module, role)


def validate_person(data: PersonInput, today: date) -> PersonInput:
    errors = ErrorCollector()
    if data.kind not in (k.value for k in PersonKind):
        errors.add("kind", "Art: Person oder Institution wählen.")
    last_name = data.last_name.strip()
    first_name = data.first_name.strip()
    label = "Name" if data.kind == PersonKind.INSTITUTION.value else "Nachname"
    if not last_name:
        errors.add("last_name", f"{label}: Bitte einen {label}n eingeben." if label == "Name" else "Nachname: Bitte einen Nachnamen eingeben.")
    if len(f"{first_name} {last_name}".strip()) > 70:
        errors.add("last_name", "Name: Vor- und Nachname zusammen höchstens 70 Zeichen (Einzahlungsschein).")
    for name, value, lbl in (("last_name", last_name, label), ("first_name", first_name, "Vorname")):
        if not _QR_CHARSET.match(value):
            errors.add(name, f"{lbl}: enthält nicht erlaubte Zeichen.")
    if data.birth_date is not None:
        if data.kind == PersonKind.INSTITUTION.value:
            errors.add("birth_date", "Geburtsdatum: Eine Institution hat kein Geburtsdatum.")
        elif data.birth_date > today:
            errors.add("birth_date", "Geburtsdatum: darf nicht in der Zukunft liegen.")
        elif data.birth_date.year < 1900:
            errors.add("birth_date", "Geburtsdatum: vor 1900 ist nicht plausibel.")
    address = validate_address(errors, data.address, "address", required=False)
    for name, label, limit in (("salutation", "Anrede", 20), ("address_extra", "Adresszusatz", 70),
                               ("phone", "Telefon", 40), ("email", "E-Mail", 120)):
        check_length(errors, name, label, getattr(data, name).strip(), limit)
    if data.email.strip() and not _EMAIL.match(data.email.strip()):
        errors.add("email", f"E-Mail: „{data.email.strip()}“ ist keine E-Mail-Adresse.")
    if data.language not in ("de", "fr", "it", "en"):
        errors.add("language", "Sprache: de, fr, it oder en.")
    accounts = validate_bank_accounts(errors, list(data.bank_accounts), "bank_accounts", "Kontoinhaber", 70)
    roles = []
    for i, (module, role) in enumerate(data.roles):
        role = role.strip()
        if module not in MODULES:
            errors.add(f"roles[{i}].module", f"Modul: „{module}“ ist unbekannt (erlaubt: {', '.join(MODULES)}).")
        if not role:
            errors.add(f"roles[{i}].role", "Rolle: Bitte eine Rolle angeben.")
        check_length(errors, f"roles[{i}].role", "Rolle", role, 20)
        roles.append((module, role))
    errors.raise_if_any()
    return replace(data, last_name=last_name, first_name=first_name, address=address,
                   email=data.email.strip(), bank_accounts=tuple(accounts),
                   roles=tuple(dict.fromkeys(roles)))


def duplicate_key(last_name: str, first_name: str, birth_date: date | None) -> tuple[str, str, date | None]:
    """Same name and birth date = probably the same person (case and spacing ignored; casefold
    so that "GROSS" and "Groß" match as well)."""
    return (" ".join(last_name.casefold().split()), " ".join(first_name.casefold().split()), birth_date)
