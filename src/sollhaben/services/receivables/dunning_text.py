"""What a notice says: the level's text with its placeholders filled, the measure's log text, and the
payment reference of the letter (account id + a document number of the dunning range)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from sollhaben.domain.formatting import format_date, format_number_minor
from sollhaben.domain.receivables.dunning import AccountLine
from sollhaben.domain.receivables.dunning_policy import DunningLevel, fill_text
from sollhaben.domain.references import make_document_reference
from sollhaben.persistence.models import BankAccount
from sollhaben.services.receivables.dunning_settings import PolicyDTO

#: Document numbers of reminder letters: this base + the notice id (statements use 800…, see
#: statement_print; 0 is "the account only"), so no two documents of one account share a reference.
DUNNING_DOCUMENT_BASE = 700_000_000_000


def money_text(minor: int, country: str, currency: str) -> str:
    amount = format_number_minor(minor, country)
    return f"{currency} {amount}" if country == "CH" else f"{amount} {currency}"


def letter_texts(policy: PolicyDTO, level: DunningLevel, account: AccountLine, run_date: date, due: date,
                 name: str) -> tuple[str, str]:
    """(subject, body) of the letter, as stored with the notice and printed."""
    values = {
        "name": name,
        "betrag": money_text(account.amount_minor, policy.country, policy.currency),
        "gebuehr": money_text(account.fee_minor, policy.country, policy.currency),
        "frist": format_date(due),
        "datum": format_date(run_date),
        "stufe": level.name,
    }
    return level.name, fill_text(level.text, values)


def measure_text(kind: str, level_name: str, amount_minor: int, items: int, country: str, currency: str) -> str:
    amount = money_text(amount_minor, country, currency)
    if kind == "HANDOVER":
        return f"Übergabe ({level_name}): {items} Posten, {amount}"
    return f"{level_name}: {items} Posten, {amount}"


def default_iban(session: Session, organization_id: int) -> str:
    """The organization's default bank account (the one marked default, else the first)."""
    row = session.execute(select(BankAccount.iban).where(BankAccount.organization_id == organization_id)
                          .order_by(BankAccount.is_default.desc(), BankAccount.id).limit(1)).first()
    return row[0] if row else ""


def reference_for(iban: str, account_id: int, notice_id: int) -> str:
    """QR reference for a QR-IBAN, creditor reference otherwise; "" without a bank account."""
    return make_document_reference(iban, account_id, DUNNING_DOCUMENT_BASE + notice_id) if iban else ""
