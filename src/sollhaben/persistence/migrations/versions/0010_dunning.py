"""dunning: levels, runs, notices, blocks, collection log

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 06:50:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sollhaben.persistence.base


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dunning_block',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('lifted_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('lifted_by', sa.String(length=60), nullable=False),
    sa.Column('lift_reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_dunning_block_organization_id_organization')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_dunning_block_account_id_account')),
    sa.ForeignKeyConstraint(['item_id'], ['posting.id'], name=op.f('fk_dunning_block_item_id_posting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dunning_block'))
    )
    with op.batch_alter_table('dunning_block', schema=None) as batch_op:
        batch_op.create_index('ix_dunning_block_org_account', ['organization_id', 'account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dunning_block_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('collection_measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('ref_kind', sa.String(length=40), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.CheckConstraint("kind IN ('LETTER', 'REMINDER', 'CALL', 'AGREEMENT', 'ENFORCEMENT', 'HANDOVER', 'NOTE')", name=op.f('ck_collection_measure_kind')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_collection_measure_organization_id_organization')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_collection_measure_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collection_measure'))
    )
    with op.batch_alter_table('collection_measure', schema=None) as batch_op:
        batch_op.create_index('ix_collection_measure_account_date', ['account_id', 'occurred_on'], unique=False)

    op.create_table('dunning_level',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('fee_minor', sollhaben.persistence.base.MinorUnits(), nullable=False),
    sa.Column('payment_days', sa.Integer(), nullable=False),
    sa.Column('qr_bill', sa.Boolean(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_dunning_level_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dunning_level')),
    sa.UniqueConstraint('organization_id', 'position', name=op.f('uq_dunning_level_organization_id_position'))
    )
    op.create_table('dunning_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('run_date', sa.Date(), nullable=False),
    sa.Column('run_key', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('letters', sa.Integer(), nullable=False),
    sa.Column('handovers', sa.Integer(), nullable=False),
    sa.Column('fees_minor', sollhaben.persistence.base.MinorUnits(), nullable=False),
    sa.Column('excluded', sa.JSON(), nullable=False),
    sa.Column('created_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_dunning_run_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dunning_run')),
    sa.UniqueConstraint('run_key', name=op.f('uq_dunning_run_run_key'))
    )
    with op.batch_alter_table('dunning_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dunning_run_organization_id'), ['organization_id'], unique=False)

    op.create_table('dunning_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('minimum_minor', sollhaben.persistence.base.MinorUnits(), nullable=False),
    sa.Column('handover', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_dunning_settings_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dunning_settings')),
    sa.UniqueConstraint('organization_id', name=op.f('uq_dunning_settings_organization_id'))
    )
    op.create_table('dunning_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('level_name', sa.String(length=60), nullable=False),
    sa.Column('fee_minor', sollhaben.persistence.base.MinorUnits(), nullable=False),
    sa.Column('fee_posting_id', sa.Integer(), nullable=True),
    sa.Column('amount_minor', sollhaben.persistence.base.MinorUnits(), nullable=False),
    sa.Column('payment_due', sa.Date(), nullable=True),
    sa.Column('qr_bill', sa.Boolean(), nullable=False),
    sa.Column('reference', sa.String(length=35), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_dunning_notice_account_id_account')),
    sa.ForeignKeyConstraint(['fee_posting_id'], ['posting.id'], name=op.f('fk_dunning_notice_fee_posting_id_posting')),
    sa.ForeignKeyConstraint(['run_id'], ['dunning_run.id'], name=op.f('fk_dunning_notice_run_id_dunning_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dunning_notice')),
    sa.UniqueConstraint('run_id', 'account_id', 'kind', name=op.f('uq_dunning_notice_run_id_account_id_kind'))
    )
    with op.batch_alter_table('dunning_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dunning_notice_account_id'), ['account_id'], unique=False)

    op.create_table('dunning_notice_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('open_minor', sollhaben.persistence.base.MinorUnits(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['posting.id'], name=op.f('fk_dunning_notice_item_item_id_posting')),
    sa.ForeignKeyConstraint(['notice_id'], ['dunning_notice.id'], name=op.f('fk_dunning_notice_item_notice_id_dunning_notice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dunning_notice_item'))
    )
    with op.batch_alter_table('dunning_notice_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dunning_notice_item_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dunning_notice_item_notice_id'), ['notice_id'], unique=False)


def downgrade() -> None:
    op.drop_table('dunning_notice_item')
    op.drop_table('dunning_notice')
    op.drop_table('dunning_settings')
    op.drop_table('dunning_run')
    op.drop_table('dunning_level')
    op.drop_table('collection_measure')
    op.drop_table('dunning_block')
