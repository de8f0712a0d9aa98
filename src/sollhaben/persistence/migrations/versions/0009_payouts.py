"""payouts: credit transfer orders and files

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 06:50:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sollhaben.persistence.base


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('payout_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=2), nullable=False),
    sa.Column('pain_version', sa.String(length=20), nullable=False),
    sa.Column('message_id', sa.String(length=35), nullable=False),
    sa.Column('execution_date', sa.Date(), nullable=False),
    sa.Column('debtor_iban', sa.String(length=34), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('sum_minor', sollhaben.persistence.base.MinorUnits(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=60), nullable=False),
    sa.Column('withdraw_reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_payout_file_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_file')),
    sa.UniqueConstraint('message_id', name=op.f('uq_payout_file_message_id'))
    )
    with op.batch_alter_table('payout_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payout_file_organization_id'), ['organization_id'], unique=False)

    op.create_table('payout_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('recipient_name', sa.String(length=70), nullable=False),
    sa.Column('street', sa.String(length=70), nullable=False),
    sa.Column('house_number', sa.String(length=16), nullable=False),
    sa.Column('postal_code', sa.String(length=16), nullable=False),
    sa.Column('town', sa.String(length=35), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('iban', sa.String(length=34), nullable=False),
    sa.Column('bic', sa.String(length=11), nullable=False),
    sa.Column('amount_minor', sollhaben.persistence.base.MinorUnits(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('purpose', sa.String(length=140), nullable=False),
    sa.Column('reference', sa.String(length=35), nullable=False),
    sa.Column('source_kind', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('payout_posting_id', sa.Integer(), nullable=True),
    sa.Column('cancel_posting_id', sa.Integer(), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_by', sa.String(length=60), nullable=False),
    sa.Column('cancelled_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_payout_order_amount_positive')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_payout_order_account_id_account')),
    sa.ForeignKeyConstraint(['cancel_posting_id'], ['posting.id'], name=op.f('fk_payout_order_cancel_posting_id_posting')),
    sa.ForeignKeyConstraint(['file_id'], ['payout_file.id'], name=op.f('fk_payout_order_file_id_payout_file')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_payout_order_organization_id_organization')),
    sa.ForeignKeyConstraint(['payout_posting_id'], ['posting.id'], name=op.f('fk_payout_order_payout_posting_id_posting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_order'))
    )
    with op.batch_alter_table('payout_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payout_order_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payout_order_file_id'), ['file_id'], unique=False)
        batch_op.create_index('ix_payout_order_org_status', ['organization_id', 'status'], unique=False)
        batch_op.create_index('ix_payout_order_source', ['source_kind', 'source_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('payout_order', schema=None) as batch_op:
        batch_op.drop_index('ix_payout_order_source')
        batch_op.drop_index('ix_payout_order_org_status')
        batch_op.drop_index(batch_op.f('ix_payout_order_file_id'))
        batch_op.drop_index(batch_op.f('ix_payout_order_account_id'))

    op.drop_table('payout_order')
    with op.batch_alter_table('payout_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payout_file_organization_id'))

    op.drop_table('payout_file')
