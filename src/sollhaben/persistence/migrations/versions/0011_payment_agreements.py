"""payment agreements and instalments

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 06:50:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sollhaben.persistence.base


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('payment_agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('total_minor', sollhaben.persistence.base.MinorUnits(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('first_due', sa.Date(), nullable=False),
    sa.Column('schedule_interval', sa.String(length=10), nullable=False),
    sa.Column('instalment_count', sa.Integer(), nullable=True),
    sa.Column('instalment_amount_minor', sollhaben.persistence.base.MinorUnits(), nullable=True),
    sa.Column('down_payment_minor', sollhaben.persistence.base.MinorUnits(), nullable=True),
    sa.Column('grace_days', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('broken_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('close_reason', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("schedule_interval IN ('WEEKLY', 'MONTHLY', 'QUARTERLY')", name=op.f('ck_payment_agreement_schedule_interval')),
    sa.CheckConstraint("status IN ('ACTIVE', 'FULFILLED', 'BROKEN', 'CANCELLED')", name=op.f('ck_payment_agreement_status')),
    sa.CheckConstraint('grace_days >= 0', name=op.f('ck_payment_agreement_grace_days_not_negative')),
    sa.CheckConstraint('total_minor > 0', name=op.f('ck_payment_agreement_total_positive')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_payment_agreement_account_id_account')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_payment_agreement_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_agreement'))
    )
    with op.batch_alter_table('payment_agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_agreement_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_payment_agreement_org_status', ['organization_id', 'status'], unique=False)

    op.create_table('agreement_instalment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('amount_minor', sollhaben.persistence.base.MinorUnits(), nullable=False),
    sa.Column('is_down_payment', sa.Boolean(), nullable=False),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_agreement_instalment_amount_positive')),
    sa.ForeignKeyConstraint(['agreement_id'], ['payment_agreement.id'], name=op.f('fk_agreement_instalment_agreement_id_payment_agreement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_instalment')),
    sa.UniqueConstraint('agreement_id', 'position', name=op.f('uq_agreement_instalment_agreement_id_position'))
    )
    op.create_table('agreement_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('open_minor', sollhaben.persistence.base.MinorUnits(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['payment_agreement.id'], name=op.f('fk_agreement_item_agreement_id_payment_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['posting_id'], ['posting.id'], name=op.f('fk_agreement_item_posting_id_posting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_item')),
    sa.UniqueConstraint('agreement_id', 'posting_id', name=op.f('uq_agreement_item_agreement_id_posting_id'))
    )
    with op.batch_alter_table('agreement_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_item_posting_id'), ['posting_id'], unique=False)

    


def downgrade() -> None:
    with op.batch_alter_table('agreement_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_item_posting_id'))

    op.drop_table('agreement_item')
    op.drop_table('agreement_instalment')
    with op.batch_alter_table('payment_agreement', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_agreement_org_status')
        batch_op.drop_index(batch_op.f('ix_payment_agreement_account_id'))

    op.drop_table('payment_agreement')
