"""SQL of the organization's open items at a key date (the rule of `open_items_rules`, in the
database so that only open items travel): each receivable booked up to the key date minus the
allocations that count at the key date; the balances of the accounts at the key date.

An allocation counts when its payment is booked up to the key date; a release (negative
allocation) moreover only when the reversal that wrote it is booked up to the key date (a release
without a reversal counts like an allocation). Same rule as `open_items_rules.open_at`; a test
compares the two over random histories on SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from sollhaben.persistence.models import Account, Allocation, Person, Posting


def open_items_statement(organization_id: int, key_date: date, categories: tuple[str, ...] = ()) -> Select:
    """Rows: item id, account id, booking date, due date, value month (index), category, text,
    amount, open amount — only items open at the key date."""
    credit = aliased(Posting)
    reverses_credit, reverses_item = aliased(Posting), aliased(Posting)
    counted = and_(credit.booking_date <= key_date,
                   or_(Allocation.amount_minor > 0,
                       and_(reverses_credit.id.is_(None), reverses_item.id.is_(None)),
                       reverses_credit.booking_date <= key_date, reverses_item.booking_date <= key_date))
    allocated = func.coalesce(func.sum(case((counted, Allocation.amount_minor), else_=0)), 0)
    query = (select(Posting.id, Posting.account_id, Posting.booking_date, Posting.due_date, Posting.value_month,
                    Posting.category, Posting.text, Posting.amount_minor, (Posting.amount_minor - allocated))
             .join(Account, Account.id == Posting.account_id)
             .outerjoin(Allocation, Allocation.item_id == Posting.id)
             .outerjoin(credit, credit.id == Allocation.credit_id)
             .outerjoin(reverses_credit, and_(Allocation.amount_minor < 0,
                                              reverses_credit.reverses_id == Allocation.credit_id))
             .outerjoin(reverses_item, and_(Allocation.amount_minor < 0, reverses_item.reverses_id == Posting.id))
             .where(Account.organization_id == organization_id, Posting.amount_minor > 0,
                    Posting.booking_date <= key_date)
             .group_by(Posting.id, Posting.account_id, Posting.booking_date, Posting.due_date, Posting.value_month,
                       Posting.category, Posting.text, Posting.amount_minor)
             .having(Posting.amount_minor - allocated > 0))
    if categories:
        query = query.where(Posting.category.in_(categories))
    return query


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
            .where(Account.organization_id == organization_id, Posting.amount_minor > 0)
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
