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


def downgrade() -> None:
    op.drop_table('collection_measure')
    op.drop_table('dunning_block')
