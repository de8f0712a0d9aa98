"""Receivables in practice (issue 5): pure rules for receipts, allocation and collection."""
from sollhaben.domain.receivables.allocation import (
    KITA_RULE, Allocation, AllocationProposal, AllocationRule, OpenItem, OrderingKey, category_priority,
    kita_key, propose_allocation,
)

__all__ = [
    "KITA_RULE", "Allocation", "AllocationProposal", "AllocationRule", "OpenItem", "OrderingKey",
    "category_priority", "kita_key", "propose_allocation",
]
