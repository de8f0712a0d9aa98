"""Pure rules of a SEPA collection run: identifiers, the pending mark, return reason codes.

- Message id: "SH" + organization + collection number + creation time (≤ 35 characters, unique
  per creditor because the collection number is unique in the database).
- End-to-end id: "SH" + collection number + "-" + account id: unique, and it leads a return debit
  reported by the bank back to the collected item.
- A direct-debit payment is booked at once but stays pending until its due date: its posting's
  detail carries {"pending_until": ISO date, "sepa_collection": id, "end_to_end_id": …}.
"""
from __future__ import annotations

import re
from datetime import date, datetime

PENDING_UNTIL = "pending_until"
RETURN_DEBIT_FEE_CATEGORY = "RETURN_DEBIT_FEE"
RETURN_FEE_OPTION = "sepa.return_debit_fee"  # organization option: default fee as "3.00"

#: The reason codes a bank reports with a return debit (ISO 20022 / EPC), with a German label.
REASON_CODES = {
    "AC01": "IBAN fehlerhaft", "AC04": "Konto erloschen", "AC06": "Konto gesperrt",
    "AC13": "Zahler ist Firmenkunde", "AG01": "Lastschrift für dieses Konto nicht erlaubt",
    "AG02": "Ungültiger Zahlungsverkehrscode", "AM04": "Deckung unzureichend", "AM05": "Doppelte Einreichung",
    "BE05": "Gläubiger unbekannt", "CNOR": "Bank des Gläubigers nicht erreichbar",
    "DNOR": "Bank des Zahlers nicht erreichbar", "FF01": "Ungültiges Dateiformat", "MD01": "Kein Mandat",
    "MD02": "Mandatsdaten fehlen oder falsch", "MD06": "Erstattung auf Wunsch des Zahlers",
    "MD07": "Zahler verstorben", "MS02": "Widerspruch des Zahlers (ohne Angabe)",
    "MS03": "Grund nicht angegeben", "RC01": "BIC fehlerhaft", "RR01": "Angaben zum Zahler fehlen",
    "RR02": "Name/Adresse des Zahlers fehlt", "RR03": "Name/Adresse des Gläubigers fehlt",
    "RR04": "Regulatorische Gründe", "SL01": "Dienstleistung der Bank des Zahlers",
}


def message_id(organization_id: int, collection_id: int, created_at: datetime) -> str:
    return f"SH{organization_id}-{collection_id}-{created_at:%Y%m%d%H%M%S}"


def end_to_end_id(collection_id: int, account_id: int) -> str:
    return f"SH{collection_id}-{account_id}"


def pending_detail(due_date: date, collection_id: int, e2e: str, mandate_reference: str) -> dict:
    return {PENDING_UNTIL: due_date.isoformat(), "sepa_collection": collection_id, "end_to_end_id": e2e,
            "mandate_reference": mandate_reference}


def is_pending(detail: dict | None, on: date) -> bool:
    """True while a direct-debit payment is not yet due (the bank may still return it unasked)."""
    until = (detail or {}).get(PENDING_UNTIL)
    return bool(until) and on < date.fromisoformat(until)


def reason_problem(code: str) -> str:
    """German text of what is wrong with a return reason code, "" when it has the ISO form."""
    if not re.fullmatch(r"[A-Z0-9]{4}", code):
        return "Rückgabegrund: Bitte den vierstelligen Code der Bank eingeben (z. B. AM04, MD06, MS02)."
    return ""


def reason_label(code: str) -> str:
    return REASON_CODES.get(code, "anderer Grund")
