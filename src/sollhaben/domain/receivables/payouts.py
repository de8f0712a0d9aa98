"""Payouts and refunds: the values of a credit transfer (pain.001) and the rules it must keep.

Two flavours, chosen by the organization's country:

- **CH**: pain.001.001.09 as the Swiss Payment Standards (SPS, Swiss Implementation Guidelines for
  Customer Credit Transfer, schema ``pain.001.001.09.ch.03``) restrict it: domestic payments in CHF
  to CH/LI accounts; a QR-IBAN as creditor account only with a QR reference (``QRR``), a normal IBAN
  with a creditor reference (``SCOR``), an unstructured purpose or nothing; the debtor account is
  never a QR-IBAN; texts in the SPS character set (Basic Latin, Latin-1 Supplement, Latin Extended-A,
  €, Ș ș Ț ț); identifiers in the SWIFT set; structured addresses with at least town and country.
- **DE**: SEPA credit transfer pain.001.001.09 (DFÜ-Abkommen Anlage 3, accepted by German banks
  since November 2023): EUR to IBANs of the SEPA area, service level ``SEPA``, charges ``SLEV``;
  texts in the SEPA set plus what the DK allows (Ä Ö Ü ä ö ü ß & * $ %); other letters are written
  without their accents (é → e), anything else is refused. The BIC and the creditor's address are
  required when the creditor's bank is outside the EEA (CH, GB, MC, SM, AD, VA).

Every rule raises `ValidationError` with a German message naming the field; `check_batch` collects
all of them, so the clerk sees every problem of a run at once.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from sollhaben.domain.errors import ErrorCollector, FieldError, ValidationError
from sollhaben.domain.money import Money
from sollhaben.domain.references import (
    IBAN_LENGTHS, check_reference_for_iban, compact, is_qr_iban, normalize_creditor_reference, normalize_iban,
)


class FileKind(str, Enum):
    CH = "CH"  # Swiss Payment Standards
    DE = "DE"  # SEPA (EPC / DFÜ-Abkommen)


class SourceKind(str, Enum):
    CREDIT_BALANCE = "CREDIT_BALANCE"  # refund of an account's unallocated credit
    MODULE = "MODULE"  # a module pays out (maintenance forwarded to a creditor …)


class OrderStatus(str, Enum):
    OPEN = "OPEN"
    IN_FILE = "IN_FILE"
    CANCELLED = "CANCELLED"

    @property
    def label(self) -> str:
        return {"OPEN": "offen", "IN_FILE": "in Zahlungsdatei", "CANCELLED": "storniert"}[self.value]


PAIN_VERSION = "pain.001.001.09"  # both flavours; see docs/payouts.md for why not .001.001.03
XSD_FILE = {FileKind.CH: "pain.001.001.09.xsd", FileKind.DE: "pain.001.001.09.xsd"}
CURRENCY = {FileKind.CH: "CHF", FileKind.DE: "EUR"}
REFUND_CATEGORY = "REFUND"
MAX_AMOUNT_MINOR = 99_999_999_999  # 999 999 999.99, the largest amount the schemes take
NAME_MAX, PURPOSE_MAX = 70, 140
SOFTWARE_NAME = "Sollhaben"

# SEPA countries outside the EEA: the creditor's BIC and address are required (EPC rulebook).
NON_EEA_SEPA = frozenset({"CH", "GB", "MC", "SM", "AD", "VA"})
DOMESTIC_CH = frozenset({"CH", "LI"})

_SWISS_OUTSIDE = re.compile("[^\x20-\x7e\xa0-\u017f\u20ac\u0218-\u021b]")
_SWIFT_ID = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]{1,35}")
_SEPA_BASIC = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ ")
_DK_EXTRA = set("ÄÖÜäöüß&*$%")
_DE_ALLOWED = _SEPA_BASIC | _DK_EXTRA
_DE_PLAIN = re.compile("[" + re.escape("".join(sorted(_DE_ALLOWED))) + "]*")
_FOLD = {"Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "Ł": "L", "ł": "l", "Đ": "D", "đ": "d",
         "’": "'", "‘": "'", "–": "-", "—": "-", "„": "", "“": "", "”": "", "\"": "", "€": "EUR"}


def swiss_char_allowed(ch: str) -> bool:
    """The SPS character set: Basic Latin, Latin-1 Supplement and Latin Extended-A without control
    characters, the euro sign and Ș ș Ț ț (Romanian)."""
    code = ord(ch)
    return (0x20 <= code <= 0x7E or 0xA0 <= code <= 0x17F or code == 0x20AC or 0x218 <= code <= 0x21B)


def swiss_text(text: str, field: str, label: str, limit: int, required: bool = False) -> str:
    """A text for a Swiss file: refused (not converted) when it has a character outside the set."""
    text = " ".join((text or "").split())
    if required and not text:
        raise ValidationError(f"{label}: Bitte angeben.", field)
    bad = sorted(set(_SWISS_OUTSIDE.findall(text)))
    if bad:
        shown = " ".join(f"„{ch}“" for ch in bad)
        raise ValidationError(f"{label}: Die Zeichen {shown} sind im Schweizer Zahlungsverkehr (Swiss Payment "
                              "Standards) nicht erlaubt.", field)
    if len(text) > limit:
        raise ValidationError(f"{label}: höchstens {limit} Zeichen erlaubt (SPS), eingegeben {len(text)}.", field)
    return text


def sepa_text(text: str, field: str, label: str, limit: int, required: bool = False) -> str:
    """A text for a German SEPA file: accents are dropped (é → e), what cannot be written is refused."""
    text = " ".join((text or "").split())
    if required and not text:
        raise ValidationError(f"{label}: Bitte angeben.", field)
    if _DE_PLAIN.fullmatch(text):
        if len(text) > limit:
            raise ValidationError(f"{label}: höchstens {limit} Zeichen erlaubt (SEPA), eingegeben {len(text)}.",
                                  field)
        return text
    out, bad = [], set()
    for ch in text:
        if ch in _DE_ALLOWED:
            out.append(ch)
            continue
        folded = _FOLD.get(ch)
        if folded is None:
            folded = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if folded and all(c in _DE_ALLOWED for c in folded):
            out.append(folded)
        elif folded == "":
            continue
        else:
            bad.add(ch)
    if bad:
        shown = " ".join(f"„{ch}“" for ch in sorted(bad))
        raise ValidationError(f"{label}: Die Zeichen {shown} sind im SEPA-Zahlungsverkehr nicht erlaubt.", field)
    result = "".join(out)
    if len(result) > limit:
        raise ValidationError(f"{label}: höchstens {limit} Zeichen erlaubt (SEPA), eingegeben {len(result)}.", field)
    return result


def file_text(kind: FileKind, text: str, field: str, label: str, limit: int, required: bool = False) -> str:
    return (swiss_text if kind is FileKind.CH else sepa_text)(text, field, label, limit, required)


def check_identifier(value: str, field: str, label: str) -> str:
    """Message, payment and end-to-end identifiers: SWIFT characters, 1–35 (SPS and EPC)."""
    if not _SWIFT_ID.fullmatch(value or ""):
        raise ValidationError(f"{label}: 1–35 Zeichen aus A–Z, a–z, 0–9 und / - ? : ( ) . , ' + erlaubt.", field)
    return value


@dataclass(frozen=True)
class Party:
    """Name and structured postal address of a debtor or creditor."""

    name: str
    street: str = ""
    house_number: str = ""
    postal_code: str = ""
    town: str = ""
    country: str = ""

    @property
    def has_address(self) -> bool:
        return any((self.street, self.house_number, self.postal_code, self.town, self.country))


def check_party(kind: FileKind, party: Party, field: str, label: str, address_required: bool) -> Party:
    """Name (≤ 70) and a structured address: town and country at least (unstructured address lines
    are no longer accepted since November 2026, SPS and SEPA alike)."""
    errors = ErrorCollector()
    name = _keep(errors, file_text, kind, party.name, f"{field}.name", f"{label} Name", NAME_MAX, True)
    values = {}
    for attr, text, limit in (("street", "Strasse", 70), ("house_number", "Hausnummer", 16),
                              ("postal_code", "PLZ", 16), ("town", "Ort", 35)):
        values[attr] = _keep(errors, file_text, kind, getattr(party, attr), f"{field}.{attr}",
                             f"{label} {text}", limit) or ""
    country = compact(party.country)
    if address_required or party.has_address:
        if not values["town"]:
            errors.add(f"{field}.town", f"{label} Ort: Eine strukturierte Adresse braucht mindestens Ort und Land.")
        if not re.fullmatch(r"[A-Z]{2}", country):
            errors.add(f"{field}.country", f"{label} Land: Bitte den zweistelligen Ländercode angeben (z. B. CH, DE).")
    errors.raise_if_any()
    return Party(name or "", values["street"], values["house_number"], values["postal_code"], values["town"], country)


@dataclass(frozen=True)
class Transfer:
    """One credit transfer: the payout order it comes from, amount, creditor and remittance."""

    order_id: int
    amount: Money
    creditor: Party
    iban: str
    bic: str = ""
    reference: str = ""  # QR reference (QR-IBAN) or creditor reference RF… ; empty: none
    purpose: str = ""  # unstructured remittance text (≤ 140)

    @property
    def end_to_end_id(self) -> str:
        return f"SOLLHABEN-PO-{self.order_id}"

    @property
    def instruction_id(self) -> str:
        return f"PO-{self.order_id}"


@dataclass(frozen=True)
class TransferBatch:
    kind: FileKind
    message_id: str
    created_at: datetime
    execution_date: date
    debtor: Party
    debtor_iban: str
    transfers: tuple[Transfer, ...]
    debtor_bic: str = ""
    software_version: str = ""

    @property
    def currency(self) -> str:
        return CURRENCY[self.kind]

    @property
    def control_sum(self) -> Decimal:
        """Σ amounts, exact: summed in minor units, converted once."""
        return minor_to_decimal(sum(t.amount.minor for t in self.transfers))


def minor_to_decimal(minor: int) -> Decimal:
    return (Decimal(minor) / 100).quantize(Decimal("0.01"))


def check_bic(bic: str, field: str) -> str:
    bic = compact(bic)
    if bic and not re.fullmatch(r"[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?", bic):
        raise ValidationError(f"BIC: „{bic}“ ist kein BIC (8 oder 11 Zeichen).", field)
    return bic


def check_debtor_account(kind: FileKind, iban: str, field: str = "debtor_iban") -> str:
    iban = _as_field(field, normalize_iban, iban, "Auftraggeberkonto")
    if is_qr_iban(iban):
        raise ValidationError("Auftraggeberkonto: Eine QR-IBAN dient nur dem Empfang von QR-Rechnungen; "
                              "Zahlungen werden vom Konto mit der normalen IBAN ausgeführt. Bitte in den "
                              "Einstellungen ein Konto mit normaler IBAN als Standardkonto wählen.", field)
    if kind is FileKind.CH and iban[:2] not in DOMESTIC_CH:
        raise ValidationError("Auftraggeberkonto: Eine Schweizer Zahlungsdatei braucht ein Konto in CH oder LI.",
                              field)
    return iban


def _in(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _as_field(field: str, func, *args):
    """Call a validator whose messages are right but whose field is its label; name the field."""
    try:
        return func(*args)
    except ValidationError as exc:
        raise ValidationError([FieldError(field, e.message) for e in exc.errors]) from None


def _keep(errors: ErrorCollector, func, *args):
    """Run a validator and keep its errors with their own (detailed) fields; None on failure."""
    try:
        return func(*args)
    except ValidationError as exc:
        errors.errors.extend(exc.errors)
        return None


def check_creditor_account(kind: FileKind, iban: str, reference: str, bic: str,
                           field: str = "") -> tuple[str, str, str]:
    """(IBAN, reference, BIC) as they go into the file, or the German rule that refuses them."""
    iban = _as_field(_in(field, "iban"), normalize_iban, iban, "Empfänger-IBAN")
    bic = check_bic(bic, _in(field, "bic"))
    country = iban[:2]
    if kind is FileKind.CH:
        if country not in DOMESTIC_CH:
            raise ValidationError(f"Empfänger-IBAN: Auszahlungen gehen nur an Konten in der Schweiz und in "
                                  f"Liechtenstein; {country} wäre eine Auslandzahlung.", _in(field, "iban"))
        # QR-IBAN ⇒ QR reference; IBAN ⇒ SCOR or none; a QR reference with a normal IBAN is refused.
        reference = _as_field(_in(field, "reference"), check_reference_for_iban, iban, reference)
        return iban, reference, bic
    if country not in IBAN_LENGTHS:
        raise ValidationError(f"Empfänger-IBAN: {country} gehört nicht zum SEPA-Raum.", _in(field, "iban"))
    if country in NON_EEA_SEPA and not bic:
        raise ValidationError(f"BIC: Für Empfängerbanken ausserhalb des EWR ({country}) ist der BIC Pflicht.",
                              _in(field, "bic"))
    ref = compact(reference)
    if ref:
        ref = _as_field(_in(field, "reference"), normalize_creditor_reference, ref)
    return iban, ref, bic


def check_transfer(kind: FileKind, transfer: Transfer, field: str = "") -> Transfer:
    """One transfer by the rules of the flavour; field names: amount, iban, bic, reference,
    purpose, creditor.name, creditor.town … (under `field` when given)."""
    errors = ErrorCollector()
    amount = transfer.amount
    if amount.currency.value != CURRENCY[kind]:
        errors.add(_in(field, "amount"), f"Betrag: Eine {kind.value}-Zahlungsdatei enthält nur {CURRENCY[kind]}.")
    if not 0 < amount.minor <= MAX_AMOUNT_MINOR:
        errors.add(_in(field, "amount"), "Betrag: Auszahlungen zwischen 0.01 und 999 999 999.99.")
    account = _keep(errors, check_creditor_account, kind, transfer.iban, transfer.reference, transfer.bic, field)
    iban, reference, bic = account or (transfer.iban, transfer.reference, transfer.bic)
    needs_address = kind is FileKind.CH or (account is not None and iban[:2] in NON_EEA_SEPA)
    creditor = _keep(errors, check_party, kind, transfer.creditor, _in(field, "creditor"), "Empfänger", needs_address)
    purpose = _keep(errors, file_text, kind, transfer.purpose, _in(field, "purpose"), "Verwendungszweck", PURPOSE_MAX)
    errors.raise_if_any()
    return Transfer(transfer.order_id, amount, creditor, iban, bic, reference, purpose or "")


def check_batch(batch: TransferBatch, today: date) -> TransferBatch:
    """Every rule of the flavour over the whole batch; all problems in one ValidationError."""
    errors = ErrorCollector()
    kind = batch.kind
    if not batch.transfers:
        errors.add("orders", "Aufträge: Bitte mindestens einen offenen Auszahlungsauftrag wählen.")
    if batch.execution_date < today:
        errors.add("execution_date", "Ausführungsdatum: Das Datum liegt in der Vergangenheit.")
    _keep(errors, check_identifier, batch.message_id, "message_id", "Nachrichten-ID")
    debtor_iban = _keep(errors, check_debtor_account, kind, batch.debtor_iban)
    debtor_bic = _keep(errors, check_bic, batch.debtor_bic, "debtor_bic")
    debtor = _keep(errors, check_party, kind, batch.debtor, "debtor", "Auftraggeber", False)
    transfers = []
    seen: set[int] = set()
    for index, transfer in enumerate(batch.transfers):
        field = f"orders[{index}]"
        if transfer.order_id in seen:
            errors.add(field, f"Auftrag {transfer.order_id}: doppelt gewählt.")
        seen.add(transfer.order_id)
        checked = _with_order(errors, transfer.order_id, lambda t=transfer, f=field: check_transfer(kind, t, f))
        if checked is not None:
            transfers.append(checked)
    errors.raise_if_any()
    return TransferBatch(kind, batch.message_id, batch.created_at, batch.execution_date, debtor, debtor_iban,
                         tuple(transfers), debtor_bic or "", batch.software_version)


def _with_order(errors: ErrorCollector, order_id: int, check):
    """Prefix each message of one order with the order, so a run's list says which one is wrong."""
    try:
        return check()
    except ValidationError as exc:
        errors.errors.extend(FieldError(e.field, f"Auftrag {order_id}: {e.message}") for e in exc.errors)
        return None
