"""IBAN, Swiss QR reference (QRR) and ISO 11649 creditor reference (SCOR) validation."""
from __future__ import annotations

import re

from sollhaben.domain.errors import ValidationError

# IBAN lengths of the countries our users meet (SEPA area); others are checked by mod 97 only.
IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22,
    "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18,
    "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "VA": 22,
}

_MOD10_TABLE = (0, 9, 4, 6, 8, 2, 7, 1, 3, 5)


def _mod97(text: str) -> int:
    digits = "".join(str(int(ch, 36)) for ch in text)
    return int(digits) % 97


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text or "").upper()


def normalize_iban(text: str, field: str = "IBAN") -> str:
    """Return the IBAN without spaces, upper case, or raise a German validation error."""
    iban = compact(text)
    if not iban:
        raise ValidationError(f"{field}: Bitte eine IBAN eingeben.", field)
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}", iban):
        raise ValidationError(
            f"{field}: „{text.strip()}“ ist keine IBAN (Ländercode, zwei Prüfziffern, Kontonummer).",
            field,
        )
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        raise ValidationError(
            f"{field}: Eine IBAN aus {iban[:2]} hat {expected} Stellen, eingegeben wurden {len(iban)}.",
            field,
        )
    if _mod97(iban[4:] + iban[:4]) != 1:
        raise ValidationError(f"{field}: Die Prüfziffer der IBAN {format_iban(iban)} stimmt nicht.", field)
    return iban


def is_valid_iban(text: str) -> bool:
    try:
        normalize_iban(text)
        return True
    except ValidationError:
        return False


def is_qr_iban(iban: str) -> bool:
    """A Swiss/Liechtenstein QR-IBAN has an institution id (QR-IID) of 30000–31999."""
    iban = compact(iban)
    return (
        iban[:2] in ("CH", "LI")
        and re.fullmatch(r"[0-9]{5}", iban[4:9]) is not None
        and 30000 <= int(iban[4:9]) <= 31999
    )


def is_valid_creditor_id(text: str) -> bool:
    """SEPA creditor identifier (e.g. DE98ZZZ09999999999): country, two check digits, a business
    code (3 characters, not part of the check), the national identifier. The check digits are
    ISO 7064 mod 97-10 over national identifier + country + check digits."""
    cid = compact(text)
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{1,28}", cid):
        return False
    return _mod97(cid[7:] + cid[:4]) == 1


def format_iban(iban: str) -> str:
    iban = compact(iban)
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def qr_check_digit(digits: str) -> int:
    """Recursive modulo 10 check digit of the Swiss QR reference."""
    carry = 0
    for ch in digits:
        carry = _MOD10_TABLE[(carry + int(ch)) % 10]
    return (10 - carry) % 10


def make_qr_reference(payload_digits: str) -> str:
    """Build a 27-digit QR reference from up to 26 digits (left-padded with zeros)."""
    if not re.fullmatch(r"[0-9]{1,26}", payload_digits):
        raise ValueError("QR reference payload must be up to 26 digits")
    body = payload_digits.rjust(26, "0")
    return body + str(qr_check_digit(body))


def normalize_qr_reference(text: str, field: str = "QR-Referenz") -> str:
    ref = compact(text)
    if not re.fullmatch(r"[0-9]{27}", ref):
        raise ValidationError(f"{field}: Eine QR-Referenz hat genau 27 Ziffern.", field)
    if qr_check_digit(ref[:26]) != int(ref[26]):
        raise ValidationError(f"{field}: Die Prüfziffer der QR-Referenz stimmt nicht.", field)
    return ref


def make_creditor_reference(body: str) -> str:
    """Build an ISO 11649 creditor reference RFnn + body (1–21 alphanumerics)."""
    body = compact(body)
    if not re.fullmatch(r"[A-Z0-9]{1,21}", body):
        raise ValueError("creditor reference body must be 1–21 letters or digits")
    check = 98 - _mod97(body + "RF00")
    return f"RF{check:02d}{body}"


def normalize_creditor_reference(text: str, field: str = "Referenz") -> str:
    ref = compact(text)
    if not re.fullmatch(r"RF[0-9]{2}[A-Z0-9]{1,21}", ref):
        raise ValidationError(
            f"{field}: Eine Creditor Reference beginnt mit RF, zwei Prüfziffern und bis zu 21 Zeichen.",
            field,
        )
    if _mod97(ref[4:] + ref[:4]) != 1:
        raise ValidationError(f"{field}: Die Prüfziffer der Creditor Reference stimmt nicht.", field)
    return ref


def format_qr_reference(ref: str) -> str:
    """27 digits grouped as the style guide shows them: 2 + 5 × 5."""
    ref = compact(ref)
    return ref[:2] + " " + " ".join(ref[i : i + 5] for i in range(2, 27, 5))


def format_creditor_reference(ref: str) -> str:
    ref = compact(ref)
    return " ".join(ref[i : i + 4] for i in range(0, len(ref), 4))


def check_reference_for_iban(iban: str, reference: str | None, field: str = "Referenz") -> str:
    """The QR-bill rule: a QR-IBAN needs a QR reference; a normal IBAN a SCOR or none."""
    iban = compact(iban)
    ref = compact(reference or "")
    if is_qr_iban(iban):
        if not ref:
            raise ValidationError(f"{field}: Zu einer QR-IBAN gehört eine QR-Referenz (27 Ziffern).", field)
        return normalize_qr_reference(ref, field)
    if not ref:
        return ""
    if re.fullmatch(r"[0-9]+", ref):
        raise ValidationError(
            f"{field}: Eine QR-Referenz ist nur mit einer QR-IBAN erlaubt; zu dieser IBAN passt eine RF-Referenz.",
            field,
        )
    return normalize_creditor_reference(ref, field)


# --- the document reference scheme: account and document in one reference ------------------
#
# Every payment request (QR-bill, SEPA transfer text) carries a reference that a bank file gives
# back unchanged, so a payment is matched to the account and the document it was issued for.
# Core: 21 digits = account id (9 digits, zero-padded) + document number (12 digits, zero-padded;
# 0 = no particular document: the payment goes to the account's open items by the usual rule).
#   QR reference (QR-IBAN):      "00000" + core, plus the recursive modulo 10 check digit (27 digits)
#   creditor reference (IBAN):   "RF" + ISO 11649 check digits + core                   (25 characters)

ACCOUNT_DIGITS = 9
DOCUMENT_DIGITS = 12
_QR_PREFIX = "00000"


def document_reference_core(account_id: int, document_no: int = 0) -> str:
    """The 21 digits that identify account and document."""
    if not isinstance(account_id, int) or not 1 <= account_id < 10 ** ACCOUNT_DIGITS:
        raise ValueError(f"account id must be 1 … {10 ** ACCOUNT_DIGITS - 1}")
    if not isinstance(document_no, int) or not 0 <= document_no < 10 ** DOCUMENT_DIGITS:
        raise ValueError(f"document number must be 0 … {10 ** DOCUMENT_DIGITS - 1}")
    return f"{account_id:0{ACCOUNT_DIGITS}d}{document_no:0{DOCUMENT_DIGITS}d}"


def make_document_qr_reference(account_id: int, document_no: int = 0) -> str:
    """27-digit QR reference (for a QR-IBAN) of account and document."""
    return make_qr_reference(_QR_PREFIX + document_reference_core(account_id, document_no))


def make_document_creditor_reference(account_id: int, document_no: int = 0) -> str:
    """ISO 11649 creditor reference RFnn… (for an IBAN, CH or SEPA) of account and document."""
    return make_creditor_reference(document_reference_core(account_id, document_no))


def make_document_reference(iban: str, account_id: int, document_no: int = 0) -> str:
    """The reference that fits the IBAN: a QR reference for a QR-IBAN, else a creditor reference."""
    if is_qr_iban(iban):
        return make_document_qr_reference(account_id, document_no)
    return make_document_creditor_reference(account_id, document_no)


def parse_document_reference(reference: str) -> tuple[int, int] | None:
    """(account id, document number) from a QR or creditor reference of our scheme; None for a
    reference of another scheme or with a wrong check digit (the bank import then tries the IBAN)."""
    ref = compact(reference)
    core = ""
    if re.fullmatch(r"[0-9]{27}", ref):
        if qr_check_digit(ref[:26]) == int(ref[26]) and ref.startswith(_QR_PREFIX):
            core = ref[len(_QR_PREFIX):26]
    elif re.fullmatch(r"RF[0-9]{2}[0-9]{21}", ref) and _mod97(ref[4:] + ref[:4]) == 1:
        core = ref[4:]
    if not core:
        return None
    account_id, document_no = int(core[:ACCOUNT_DIGITS]), int(core[ACCOUNT_DIGITS:])
    return (account_id, document_no) if account_id else None
