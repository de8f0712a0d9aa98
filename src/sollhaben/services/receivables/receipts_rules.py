"""Which rule allocates a receipt on an account, and how its items are grouped by enforcement case.

The ledger does not know the modules. A module registers its `ReceiptRules` under its name (the
`Account.module` of its accounts) once at import time:

    register_receipt_rules("alimony", ReceiptRules(ALIMONY_RULE, enforcement_case=case_of))

and `ledger.book_payment`, the booking window and `allocate_credit` use them for every account of
that module (a sub-account without a module of its own uses its parent's). The Kita module's rule is
registered here; accounts of a module without registered rules use the same order under the name
"Standard" (designation, oldest due first, costs and fees before the principal).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Hashable

from sollhaben.domain.receivables import KITA_RULE, AllocationRule, kita_key

ENFORCEMENT_KEY_PREFIX = "enforcement:"


def default_enforcement_case(account_key: str, detail: dict | None) -> Hashable | None:
    """An item's enforcement case: the module's detail names it, else the sub-account it is on
    (key "enforcement:<case>"); None for an ordinary item."""
    case = (detail or {}).get("enforcement_case")
    if case not in (None, ""):
        return str(case)
    if account_key.startswith(ENFORCEMENT_KEY_PREFIX):
        return account_key[len(ENFORCEMENT_KEY_PREFIX):] or None
    return None


@dataclass(frozen=True)
class ReceiptRules:
    """How the accounts of one module receive money."""

    allocation: AllocationRule = KITA_RULE
    # (account key, posting detail) → the enforcement case the item belongs to, or None
    enforcement_case: Callable[[str, dict | None], Hashable | None] = default_enforcement_case


DEFAULT_RULES = ReceiptRules(AllocationRule(name="Standard", key=kita_key))
_REGISTRY: dict[str, ReceiptRules] = {"kita": ReceiptRules(KITA_RULE)}


def register_receipt_rules(module: str, rules: ReceiptRules) -> None:
    """Let the accounts of `module` allocate receipts by `rules` (replaces an earlier registration)."""
    if not module:
        raise ValueError("module name required")
    _REGISTRY[module] = rules


def unregister_receipt_rules(module: str) -> None:
    _REGISTRY.pop(module, None)


def receipt_rules_for(module: str | None) -> ReceiptRules:
    return _REGISTRY.get(module or "", DEFAULT_RULES)
