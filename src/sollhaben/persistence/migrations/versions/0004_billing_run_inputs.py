"""billing run change detection: the inputs a run saw, per facility and per child

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 03:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The next run recalculates only the children whose inputs changed since the latest run
    # (docs/kita-billing.md → Recalculation). Runs posted before this revision have no stored
    # inputs: the first run after it recalculates every child, as before, and stores them.
    op.create_table('billing_run_child',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('inputs', sa.BigInteger(), nullable=False),
    sa.Column('posted', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['billing_run.id'], name=op.f('fk_billing_run_child_run_id_billing_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'child_id', name=op.f('pk_billing_run_child'))
    )
    with op.batch_alter_table('billing_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inputs', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('billing_run', schema=None) as batch_op:
        batch_op.drop_column('inputs')
    op.drop_table('billing_run_child')
