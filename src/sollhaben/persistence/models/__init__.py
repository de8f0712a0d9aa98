"""All mapped tables; importing this package registers them on Base.metadata."""
from sollhaben.persistence.models.agreement import AgreementInstalment, AgreementItem, PaymentAgreement
from sollhaben.persistence.models.audit import AuditEntry
from sollhaben.persistence.models.bank import BankEntry, BankImport, IssuedReference
from sollhaben.persistence.models.dunning import CollectionMeasure, DunningBlock
from sollhaben.persistence.models.followup import FollowUp
from sollhaben.persistence.models.income import (
    IncomeAssessment,
    IncomeAssessmentPerson,
    IncomeBracket,
    IncomeItem,
    IncomeItemType,
    IncomeScaleVersion,
    IncomeThreshold,
    IncomeTransfer,
)
from sollhaben.persistence.models.kita_billing import (
    BillingPeriod,
    ExtraLine,
    FeeLine,
    FeeLineDiscount,
    LinePayer,
    PeriodSibling,
)
from sollhaben.persistence.models.kita_catalogue import (
    Discount,
    DiscountVersion,
    ExtraCost,
    ExtraCostVersion,
    FacilityOffer,
    FacilitySettings,
    FeeGroup,
    FeeGroupVersion,
    FeeTier,
)
from sollhaben.persistence.models.kita_child import Child, ChildGuardian, ChildPayer, Contract
from sollhaben.persistence.models.kita_run import BillingRun, BillingRunChild, BillingRunReset, FeeAssessmentLetter
from sollhaben.persistence.models.ledger import Account, Allocation, Posting
from sollhaben.persistence.models.organization import BankAccount, Organization, Unit
from sollhaben.persistence.models.payout import PayoutFile, PayoutOrder
from sollhaben.persistence.models.person import (
    Household,
    HouseholdMembership,
    Person,
    PersonBankAccount,
    PersonRole,
)
from sollhaben.persistence.models.sepa import SepaCollection, SepaCollectionItem, SepaMandate, SepaReturnDebit

__all__ = [
    "AgreementInstalment", "AgreementItem", "PaymentAgreement",
    "Account", "Allocation", "AuditEntry", "BankAccount", "BankEntry", "BankImport", "IssuedReference", "BillingPeriod", "BillingRun", "BillingRunChild", "BillingRunReset",
    "Child", "ChildGuardian", "ChildPayer", "CollectionMeasure", "Contract", "Discount", "DiscountVersion", "ExtraCost",
    "DunningBlock", "ExtraCostVersion", "ExtraLine", "FacilityOffer", "FacilitySettings", "FeeAssessmentLetter", "FeeGroup",
    "FeeGroupVersion", "FeeLine", "FeeLineDiscount", "FeeTier", "FollowUp", "Household", "HouseholdMembership",
    "IncomeAssessment", "IncomeAssessmentPerson", "IncomeBracket", "IncomeItem", "IncomeItemType", "IncomeScaleVersion",
    "IncomeThreshold", "IncomeTransfer",
    "LinePayer", "Organization", "PeriodSibling", "Person", "PersonBankAccount", "PersonRole", "Posting", "Unit",
    "SepaCollection", "SepaCollectionItem", "SepaMandate", "SepaReturnDebit",
    "PayoutFile", "PayoutOrder",
]
