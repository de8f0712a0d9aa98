"""German names for the receivables rows in a person's history (the audit log's „Verlauf“ layer):
the payer's SEPA mandates, the agreements and dunning blocks of the accounts the person holds
(`persistence/audit.py` files them under the holder). Merged into the person history's tables."""
from __future__ import annotations

from decimal import Decimal

from sollhaben.domain.receivables.agreements import AgreementStatus, Interval

TABLE_LABELS = {"sepa_mandate": "Lastschriftmandat", "payment_agreement": "Zahlungsvereinbarung",
                "dunning_block": "Mahnsperre"}

FIELD_LABELS = {
    # sepa_mandate
    "reference": "Mandatsreferenz", "signed_on": "Unterschrieben am", "debtor_name": "Kontoinhaber/in",
    "revoked_on": "Widerrufen am",
    # payment_agreement
    "status": "Stand", "total_minor": "Gesamtbetrag", "currency": "Währung", "created_on": "Vereinbart am",
    "first_due": "Erste Fälligkeit", "schedule_interval": "Rhythmus", "instalment_count": "Anzahl Raten",
    "instalment_amount_minor": "Ratenbetrag", "down_payment_minor": "Anzahlung", "grace_days": "Karenztage",
    "broken_on": "Nicht eingehalten am", "closed_on": "Beendet am", "close_reason": "Grund der Beendigung",
    "created_by": "Erfasst von",
    # dunning_block
    "account_id": "Konto-ID", "item_id": "Posten Nr.", "reason": "Grund", "valid_until": "Gültig bis",
    "agreement_id": "Vereinbarung Nr.", "lifted_at": "Aufgehoben am", "lifted_by": "Aufgehoben von",
    "lift_reason": "Grund der Aufhebung",
}

HIDDEN_FIELDS = {"payer_id", "reference_key"}  # the link to the person; the reference in upper case

CODES = {
    "status": {s.value: s.label for s in AgreementStatus},
    "schedule_interval": {i.value: i.label for i in Interval},
}


def money_text(field: str, text: str) -> str | None:
    """An amount in minor units as the history shows it („28049“ → „280.49“); None for other fields."""
    if not field.endswith("_minor") or not text.lstrip("-").isdigit():
        return None
    return f"{Decimal(int(text)).scaleb(-2):.2f}"
