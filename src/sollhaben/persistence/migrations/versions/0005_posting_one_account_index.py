"""one account index on posting instead of two

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 04:30:00
"""
from __future__ import annotations

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # (account_id, booking_date) served the statements, (account_id, amount_minor) the balances.
    # Every posting went into both at a random place (the accounts of a run are spread over the
    # table), which was a third of the cost of inserting a billing run's postings into a grown
    # table. One index (account_id, booking_date, amount_minor) serves both: statements by its
    # prefix, balances from the index alone (it still covers account and amount).
    op.create_index("ix_posting_account_booking_amount", "posting", ["account_id", "booking_date", "amount_minor"])
    op.drop_index("ix_posting_account_amount", table_name="posting")
    op.drop_index("ix_posting_account_booking", table_name="posting")


def downgrade() -> None:
    op.create_index("ix_posting_account_booking", "posting", ["account_id", "booking_date"])
    op.create_index("ix_posting_account_amount", "posting", ["account_id", "amount_minor"])
    op.drop_index("ix_posting_account_booking_amount", table_name="posting")
