"""All mapped tables; importing this package registers them on Base.metadata."""
from sollhaben.persistence.models.audit import AuditEntry
from sollhaben.persistence.models.followup import FollowUp
from sollhaben.persistence.models.ledger import Account, Allocation, Posting
from sollhaben.persistence.models.organization import BankAccount, Organization, Unit
from sollhaben.persistence.models.person import (
    Household,
    HouseholdMembership,
    Person,
    PersonBankAccount,
    PersonRole,
)

__all__ = [
    "Account", "Allocation", "AuditEntry", "BankAccount", "FollowUp", "Household",
    "HouseholdMembership", "Organization", "Person", "PersonBankAccount", "PersonRole", "Posting", "Unit",
]
