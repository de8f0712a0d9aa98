"""Fixed wording of the dunning letter that depends on the country (the level texts themselves are the
organization's, see domain/receivables/dunning_policy.py)."""
from __future__ import annotations


def total_label(country: str) -> str:
    """The label of the table's total line: „Total“ is Swiss usage; a German office writes
    „Gesamtbetrag“ (no „zu bezahlen“: the body and the payment lines say what to do with it)."""
    return "Total zu bezahlen" if country == "CH" else "Gesamtbetrag"
