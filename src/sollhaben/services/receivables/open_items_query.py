"""SQL of the organization's open items at a key date (the rule of `open_items_rules`, in the
database so that only open items travel): each receivable booked up to the key date minus the
allocations whose payment is booked up to the key date; the balances of the accounts at the key
date.

That simple form is the rule exactly for an account without releases (negative allocations, written
by reversals of allocated postings). The few accounts with releases are read whole
(`account_postings_statement`, `account_allocations_statement`) and computed by the rule in Python;
a test compares the list with the statements over random histories on SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import date
from typing import Sequence

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased

from sollhaben.persistence.models import Account, Allocation, Person, Posting


def open_items_statement(organization_id: int, key_date: date) -> Select:
    """Rows: item id, account id, booking date, due date, value month (index), category, text,
    amount, open amount — items open at the key date by the simple form of the rule."""
    credit = aliased(Posting)
    counted = case((credit.booking_date <= key_date, Allocation.amount_minor), else_=0)
    allocated = func.coalesce(func.sum(counted), 0)
    return (select(Posting.id, Posting.account_id, Posting.booking_date, Posting.due_date, Posting.value_month,
                   Posting.category, Posting.text, Posting.amount_minor, (Posting.amount_minor - allocated))
            .join(Account, Account.id == Posting.account_id)
            .outerjoin(Allocation, Allocation.item_id == Posting.id)
            .outerjoin(credit, credit.id == Allocation.credit_id)
            .where(Account.organization_id == organization_id, Posting.amount_minor > 0,
                   Posting.booking_date <= key_date)
            .group_by(Posting.id, Posting.account_id, Posting.booking_date, Posting.due_date, Posting.value_month,
                      Posting.category, Posting.text, Posting.amount_minor)
            .having(Posting.amount_minor - allocated > 0))


def accounts_with_releases_statement(organization_id: int) -> Select:
    return (select(Posting.account_id).distinct().join(Allocation, Allocation.item_id == Posting.id)
            .join(Account, Account.id == Posting.account_id)
            .where(Account.organization_id == organization_id, Allocation.amount_minor < 0))


def account_postings_statement(account_ids: Sequence[int]) -> Select:
    """Rows: id, account id, booking date, due date, value month (index), category, text, amount,
    reverses id — every posting of the accounts (reversals after the key date count too)."""
    return (select(Posting.id, Posting.account_id, Posting.booking_date, Posting.due_date, Posting.value_month,
                   Posting.category, Posting.text, Posting.amount_minor, Posting.reverses_id)
            .where(Posting.account_id.in_(list(account_ids))))


def account_allocations_statement(account_ids: Sequence[int]) -> Select:
    """Rows: credit id, item id, amount — in the order written."""
    return (select(Allocation.credit_id, Allocation.item_id, Allocation.amount_minor)
            .join(Posting, Posting.id == Allocation.item_id)
            .where(Posting.account_id.in_(list(account_ids))).order_by(Allocation.id))


def balances_statement(organization_id: int, key_date: date) -> Select:
    """Rows: account id, number, holder last and first name, balance at the key date — every
    account of the organization that has a posting up to the key date."""
    return (select(Account.id, Account.number, Person.last_name, Person.first_name,
                   func.sum(Posting.amount_minor))
            .join(Person, Person.id == Account.holder_id)
            .join(Posting, Posting.account_id == Account.id)
            .where(Account.organization_id == organization_id, Posting.booking_date <= key_date)
            .group_by(Account.id, Account.number, Person.last_name, Person.first_name))


def categories_statement(organization_id: int) -> Select:
    """The categories of the organization's receivables (for the filter)."""
    return (select(Posting.category).distinct().join(Account, Account.id == Posting.account_id)
            .where(Account.organization_id == organization_id, Posting.amount_minor > 0,
                   Posting.category != "PAYMENT")  # reversals of payments are settled at once
            .order_by(Posting.category))


def collections_statement(organization_id: int, date_from: date, date_to: date) -> Select:
    """Rows: booking date, payments received (minor, positive), payments reversed (minor, positive)
    — postings of the category PAYMENT per day."""
    return (select(Posting.booking_date,
                   func.coalesce(func.sum(case((Posting.amount_minor < 0, -Posting.amount_minor), else_=0)), 0),
                   func.coalesce(func.sum(case((Posting.amount_minor > 0, Posting.amount_minor), else_=0)), 0))
            .join(Account, Account.id == Posting.account_id)
            .where(Account.organization_id == organization_id, Posting.category == "PAYMENT",
                   Posting.booking_date >= date_from, Posting.booking_date <= date_to)
            .group_by(Posting.booking_date))
