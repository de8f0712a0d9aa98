"""Demo data for the receivables pages: a few credit balances to pay back (page Auszahlungen).

In the demo's ledgers every payment is allocated, so no account holds money of the payer and the
refund proposal would be empty. Here two settled accounts per organization whose holder has a bank
account receive a payment twice („doppelt überwiesen“) through `ledger.book_payment`; the second
stays as credit balance. Dunning levels need no demo data: an organization without its own
settings uses the default policy of its country (`dunning_settings.policy_in`). SEPA mandates come
from `receivables.sepa_demo`.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.money import Money
from sollhaben.persistence.models import Account, PersonBankAccount, Posting
from sollhaben.services import ledger
from sollhaben.services.demo import DemoContext, register_demo_part

CREDITS_PER_ORGANIZATION = 2


def _settled_accounts(ctx: DemoContext, organization_id: int, with_bank: bool) -> list[tuple[int, int, str]]:
    """(account id, largest payment in minor units, currency) of settled accounts (holder with a bank
    account when `with_bank`: the refund can be paid out at once)."""
    balance = func.sum(Posting.amount_minor)
    paid = func.min(Posting.amount_minor)  # payments are negative: the largest one
    query = (select(Account.id, paid, Account.currency)
             .join(Posting, Posting.account_id == Account.id)
             .where(Account.organization_id == organization_id)
             .group_by(Account.id, Account.currency)
             .having(balance == 0, paid < 0)
             .order_by(Account.id))
    if with_bank:
        query = query.where(Account.holder_id.in_(select(PersonBankAccount.person_id)))
    return [(account_id, -minor, currency) for account_id, minor, currency in ctx.connection.execute(query)]


def create_credit_balances(ctx: DemoContext) -> None:
    for key, org in sorted(ctx.organizations.items()):
        # without a payer's bank account the refund proposal says so (a case the page shows too)
        candidates = _settled_accounts(ctx, org.id, True) or _settled_accounts(ctx, org.id, False)
        rng = ctx.rng(f"credits:{key}")
        chosen = sorted(rng.sample(candidates, min(CREDITS_PER_ORGANIZATION, len(candidates))))
        for account_id, minor, currency in chosen:
            ledger.book_payment(ctx.db, account_id, ctx.reference_date - timedelta(days=3 + rng.randrange(10)),
                                Money(minor, currency), text="Zahlung doppelt überwiesen",
                                source=PostingSource.PAYMENT)
            ctx.counts["postings"] += 1
            ctx.counts["credit_balances"] += 1


register_demo_part("Debitoren: Guthaben", create_credit_balances, weight=1, after="Debitorenkonten")
