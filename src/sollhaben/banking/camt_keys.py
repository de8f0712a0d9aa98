"""The servicer key of a transaction: what makes importing the same transaction twice a no-op.

1. the transaction's own servicer reference (TxDtls/Refs/AcctSvcrRef);
2. else the entry's servicer reference (Ntry/AcctSvcrRef) + "/" + the transaction's index in the
   entry (1-based; an entry without details is transaction 1);
3. else — a bank that gives no servicer reference at all — a digest of what identifies the
   transaction (account, dates, amount, direction, end-to-end id, debtor IBAN, reference, text)
   plus its occurrence among identical transactions of the same file, prefixed "H:". The same file
   read again gives the same keys; two identical payments in one file stay two.

"NONREF" (what many banks write when they have no reference) counts as no reference.
"""
from __future__ import annotations

import hashlib

NO_REFERENCE = {"", "NONREF", "NOTPROVIDED"}


def has_reference(value: str) -> bool:
    return value.strip().upper() not in NO_REFERENCE


def transaction_key(tx_reference: str, entry_reference: str, index: int) -> str | None:
    """Key by rule 1 or 2; None when neither reference exists (rule 3 applies)."""
    if has_reference(tx_reference):
        return tx_reference.strip()
    if has_reference(entry_reference):
        return f"{entry_reference.strip()}/{index}"
    return None


def digest_key(parts: tuple[str, ...], occurrence: int) -> str:
    """Rule 3: "H:" + 40 hex digits of SHA-256 over the parts + "#" + occurrence (1-based)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:40]
    return f"H:{digest}#{occurrence}"
