"""Swiss QR-bill data: the frozen input, the rules of the SIX Implementation Guidelines 2.3, and the
payload built with the `qrbill` package.

`qrbill` builds and checks the payload (IBAN, reference, lengths), but it still accepts what the
standard no longer does: combined addresses (type K, withdrawn with version 2.3) and an amount of
0.00. `prepare_bill` refuses those itself, checks the permitted character set and every length, and
reports each problem in German with the field it belongs to.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sollhaben.domain.errors import ErrorCollector, ValidationError
from sollhaben.domain.formatting import format_number_minor
from sollhaben.domain.money import Money
from sollhaben.domain.references import (
    check_reference_for_iban,
    format_creditor_reference,
    format_iban,
    format_qr_reference,
    is_qr_iban,
    normalize_iban,
)

LANGUAGES = ("de", "fr", "it", "en")
MAX_AMOUNT_MINOR = 99_999_999_999  # 999 999 999.99
# Latin-1 printable, Latin Extended-A, Ș ș Ț ț and € (Implementation Guidelines 2.3, 4.1.1)
_PERMITTED = re.compile("^[\u0020-\u007e\u00a0-\u00ff\u0100-\u017f\u0218-\u021b\u20ac]*$")
_ROLES = {"creditor": "Zahlbar an (Gläubiger)", "debtor": "Zahlbar durch (Schuldner)"}


@dataclass(frozen=True)
class BillAddress:
    """A structured address (type S). `lines` is the combined form (type K) only so that a caller
    who has nothing better is refused with a clear message instead of a broken bill."""

    name: str
    street: str = ""
    house_number: str = ""
    postal_code: str = ""
    town: str = ""
    country: str = "CH"
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class BillData:
    account: str  # IBAN or QR-IBAN of the creditor (CH/LI)
    creditor: BillAddress
    amount: Money | None  # None: open amount (blank boxes with corner marks)
    currency: str = "CHF"  # CHF or EUR
    debtor: BillAddress | None = None  # None: blank "payable by" box
    reference: str = ""  # QR reference (QR-IBAN) or creditor reference RF… (IBAN) or none
    additional_information: str = ""  # unstructured message, printed and encoded
    language: str = "de"


@dataclass(frozen=True)
class PreparedBill:
    """A validated bill: the exact QR payload and the texts as they are printed."""

    data: BillData
    payload: str
    account_text: str  # IBAN grouped by four
    reference_text: str  # grouped as the style guide shows it, "" without reference
    amount_text: str  # 1 234.50 (space as thousands separator), "" for an open amount
    currency: str


def _check_text(errors: ErrorCollector, field: str, label: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors.add(field, f"{label}: höchstens {limit} Zeichen erlaubt (QR-Rechnung).")
    bad = sorted({ch for ch in value if not _PERMITTED.match(ch)})
    if bad:
        shown = " ".join(bad[:5])
        errors.add(field, f"{label}: enthält Zeichen, die auf der QR-Rechnung nicht erlaubt sind ({shown}).")


def _check_address(errors: ErrorCollector, role: str, address: BillAddress) -> None:
    who = _ROLES[role]
    if address.lines:
        errors.add(role, f"{who}: Kombinierte Adressen (Adresszeilen) sind seit QR-Rechnung 2.3 nicht mehr "
                         "erlaubt; bitte Strasse, Hausnummer, PLZ und Ort getrennt erfassen.")
        return
    for name, label, limit, required in (("name", "Name", 70, True), ("street", "Strasse", 70, False),
                                         ("house_number", "Hausnummer", 16, False),
                                         ("postal_code", "PLZ", 16, True), ("town", "Ort", 35, True)):
        value = getattr(address, name).strip()
        if required and not value:
            errors.add(f"{role}.{name}", f"{who}: {label} fehlt; die QR-Rechnung braucht eine strukturierte "
                                         "Adresse mit Name, PLZ und Ort.")
        _check_text(errors, f"{role}.{name}", f"{who}, {label}", value, limit)
    if not re.fullmatch(r"[A-Z]{2}", address.country.strip()):
        errors.add(f"{role}.country", f"{who}: Land „{address.country}“ ist kein zweistelliger Ländercode.")


def _check_amount(errors: ErrorCollector, data: BillData) -> None:
    if data.currency not in ("CHF", "EUR"):
        errors.add("currency", f"Währung: Die QR-Rechnung kennt nur CHF und EUR, nicht „{data.currency}“.")
    if data.amount is None:
        return
    if data.amount.currency.value != data.currency:
        errors.add("amount", f"Betrag: in {data.amount.currency.value}, die Rechnung lautet auf {data.currency}.")
    if data.amount.minor <= 0:
        errors.add("amount", "Betrag: Eine QR-Rechnung über 0.00 oder weniger ist nicht erlaubt; "
                             "für einen offenen Betrag das Feld leer lassen.")
    elif data.amount.minor > MAX_AMOUNT_MINOR:
        errors.add("amount", "Betrag: höchstens 999'999'999.99 auf einer QR-Rechnung.")


def _address_dict(address: BillAddress) -> dict:
    return {"name": address.name.strip(), "street": address.street.strip(),
            "house_num": address.house_number.strip(), "pcode": address.postal_code.strip(),
            "city": address.town.strip(), "country": address.country.strip()}


def permitted_text(text: str, limit: int = 140) -> str:
    """`text` reduced to the QR-bill character set (others become spaces), one line, at most
    `limit` characters — for free texts that are only copied onto the bill, such as a subject."""
    cleaned = "".join(ch if _PERMITTED.match(ch) else " " for ch in text)
    return " ".join(cleaned.split())[:limit]


def amount_text(amount: Money | None) -> str:
    """The amount as the style guide prints it: space as thousands separator, two decimals."""
    return "" if amount is None else format_number_minor(amount.minor, "CH").replace("'", " ")


def _address_fields(address: BillAddress | None) -> list[str]:
    if address is None:
        return [""] * 7
    fields = _address_dict(address)
    return ["S", *(" ".join(fields[key].splitlines()) for key in ("name", "street", "house_num", "pcode", "city")),
            fields["country"]]


def qr_payload(iban: str, data: BillData, reference: str | None) -> str:
    """The QR code's text (IG 2.3, section 4.2), from data `prepare_bill` has validated. Written
    here rather than through the qrbill package, whose constructor validated everything a second
    time for every bill (a third of the bill's preparation in a print run of thousands);
    `tests/unit/reports/test_qr_bill_data.py` checks that both give the same text."""
    if data.amount is None:
        amount = ""
    else:
        whole, cents = divmod(data.amount.minor, 100)
        amount = f"{whole}.{cents:02d}"
    ref_type = "NON" if not reference else ("QRR" if is_qr_iban(iban) else "SCOR")
    values = ["SPC", "0200", "1", iban, *_address_fields(data.creditor), *([""] * 7), amount, data.currency,
              *_address_fields(data.debtor), ref_type, reference or "",
              " ".join(" ".join(data.additional_information.split()).splitlines()), "EPD"]
    return "\r\n".join(values)


def prepare_bill(data: BillData) -> PreparedBill:
    """Validate everything the standard demands and build the QR payload (raises ValidationError)."""
    errors = ErrorCollector()
    if data.language not in LANGUAGES:
        errors.add("language", f"Sprache: „{data.language}“; erlaubt sind de, fr, it und en.")
    iban = errors.check("account", normalize_iban, data.account, "IBAN")
    if iban and iban[:2] not in ("CH", "LI"):
        errors.add("account", "IBAN: Eine QR-Rechnung braucht ein Konto in der Schweiz oder in Liechtenstein.")
        iban = None
    reference = None
    if iban and is_qr_iban(iban) and data.reference.strip().upper().startswith("RF"):
        errors.add("reference", "Referenz: Zu einer QR-IBAN gehört eine QR-Referenz (27 Ziffern), "
                                "keine RF-Referenz.")
    elif iban:
        reference = errors.check("reference", check_reference_for_iban, iban, data.reference)
    _check_address(errors, "creditor", data.creditor)
    if data.debtor is not None:
        _check_address(errors, "debtor", data.debtor)
    _check_amount(errors, data)
    _check_text(errors, "additional_information", "Zusätzliche Informationen", data.additional_information, 140)
    errors.raise_if_any()
    payload = qr_payload(iban, data, reference)
    if reference:
        reference_text = (format_qr_reference(reference) if reference.isdigit()
                          else format_creditor_reference(reference))
    else:
        reference_text = ""
    return PreparedBill(data, payload, format_iban(iban), reference_text, amount_text(data.amount), data.currency)
