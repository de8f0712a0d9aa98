"""One place of category names: every category a module books has a German label there, and the
statement, lists and exports read the same table."""
from __future__ import annotations

from sollhaben.domain import ledger
from sollhaben.domain.receivables.dunning import FEE_CATEGORY
from sollhaben.domain.receivables.payouts import REFUND_CATEGORY
from sollhaben.domain.receivables.sepa_collection_rules import RETURN_DEBIT_FEE_CATEGORY
from sollhaben.services.kita.billing_run_dto import CATEGORY_EXTRA, CATEGORY_FEE, CATEGORY_MEALS
from sollhaben.services.receivables import statement_labels

BOOKED_CATEGORIES = {
    REFUND_CATEGORY: "Rückzahlung", RETURN_DEBIT_FEE_CATEGORY: "Rücklastschriftgebühr", FEE_CATEGORY: "Mahngebühr",
    "PAYMENT": "Zahlung", CATEGORY_FEE: "Kita-Beitrag", CATEGORY_EXTRA: "Zusatzkosten", CATEGORY_MEALS: "Verpflegung",
    "MAINTENANCE": "Unterhalt",
}


def test_every_booked_category_has_its_german_label():
    assert {code: ledger.category_label(code) for code in BOOKED_CATEGORIES} == BOOKED_CATEGORIES


def test_the_statement_labels_are_the_domain_labels():
    assert statement_labels.CATEGORY_LABELS is ledger.CATEGORY_LABELS
    assert statement_labels.category_label("REFUND") == "Rückzahlung"
    assert ledger.category_label("OWN_MODULE_CODE") == "OWN_MODULE_CODE"  # a module's own code stays readable
