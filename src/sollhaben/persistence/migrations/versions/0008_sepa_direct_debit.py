"""SEPA direct debit: mandates, collection runs, return debits

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 06:50:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sollhaben.persistence.base


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sepa_collection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('pain_version', sa.String(length=2), nullable=False),
    sa.Column('message_id', sa.String(length=35), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('total_minor', sollhaben.persistence.base.MinorUnits(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('xml', sa.LargeBinary(), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("pain_version IN ('02', '08')", name=op.f('ck_sepa_collection_pain_version')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_sepa_collection_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sepa_collection')),
    sa.UniqueConstraint('message_id', name=op.f('uq_sepa_collection_message_id'))
    )
    with op.batch_alter_table('sepa_collection', schema=None) as batch_op:
        batch_op.create_index('ix_sepa_collection_org_due', ['organization_id', 'due_date'], unique=False)

    op.create_table('sepa_mandate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('payer_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=35), nullable=False),
    sa.Column('reference_key', sa.String(length=35), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('debtor_name', sa.String(length=70), nullable=False),
    sa.Column('iban', sa.String(length=34), nullable=False),
    sa.Column('bic', sa.String(length=11), nullable=False),
    sa.Column('first_used_on', sa.Date(), nullable=True),
    sa.Column('last_used_on', sa.Date(), nullable=True),
    sa.Column('sequence_type', sa.String(length=4), nullable=False),
    sa.Column('revoked_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("sequence_type IN ('FRST', 'RCUR')", name=op.f('ck_sepa_mandate_sequence_type')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_sepa_mandate_organization_id_organization')),
    sa.ForeignKeyConstraint(['payer_id'], ['person.id'], name=op.f('fk_sepa_mandate_payer_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sepa_mandate')),
    sa.UniqueConstraint('organization_id', 'reference_key', name=op.f('uq_sepa_mandate_organization_id_reference_key'))
    )
    with op.batch_alter_table('sepa_mandate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sepa_mandate_payer_id'), ['payer_id'], unique=False)

    op.create_table('sepa_collection_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('mandate_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('payment_posting_id', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sollhaben.persistence.base.MinorUnits(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('end_to_end_id', sa.String(length=35), nullable=False),
    sa.Column('sequence_type', sa.String(length=4), nullable=False),
    sa.CheckConstraint("sequence_type IN ('FRST', 'RCUR')", name=op.f('ck_sepa_collection_item_sequence_type')),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_sepa_collection_item_amount_positive')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_sepa_collection_item_account_id_account')),
    sa.ForeignKeyConstraint(['collection_id'], ['sepa_collection.id'], name=op.f('fk_sepa_collection_item_collection_id_sepa_collection')),
    sa.ForeignKeyConstraint(['mandate_id'], ['sepa_mandate.id'], name=op.f('fk_sepa_collection_item_mandate_id_sepa_mandate')),
    sa.ForeignKeyConstraint(['payment_posting_id'], ['posting.id'], name=op.f('fk_sepa_collection_item_payment_posting_id_posting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sepa_collection_item')),
    sa.UniqueConstraint('end_to_end_id', name=op.f('uq_sepa_collection_item_end_to_end_id')),
    sa.UniqueConstraint('payment_posting_id', name=op.f('uq_sepa_collection_item_payment_posting_id'))
    )
    with op.batch_alter_table('sepa_collection_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sepa_collection_item_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sepa_collection_item_collection_id'), ['collection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sepa_collection_item_mandate_id'), ['mandate_id'], unique=False)

    op.create_table('sepa_return_debit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collection_item_id', sa.Integer(), nullable=False),
    sa.Column('returned_on', sa.Date(), nullable=False),
    sa.Column('reason_code', sa.String(length=4), nullable=False),
    sa.Column('reversal_posting_id', sa.Integer(), nullable=False),
    sa.Column('fee_posting_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['collection_item_id'], ['sepa_collection_item.id'], name=op.f('fk_sepa_return_debit_collection_item_id_sepa_collection_item')),
    sa.ForeignKeyConstraint(['fee_posting_id'], ['posting.id'], name=op.f('fk_sepa_return_debit_fee_posting_id_posting')),
    sa.ForeignKeyConstraint(['reversal_posting_id'], ['posting.id'], name=op.f('fk_sepa_return_debit_reversal_posting_id_posting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sepa_return_debit')),
    sa.UniqueConstraint('collection_item_id', name=op.f('uq_sepa_return_debit_collection_item_id')),
    sa.UniqueConstraint('fee_posting_id', name=op.f('uq_sepa_return_debit_fee_posting_id')),
    sa.UniqueConstraint('reversal_posting_id', name=op.f('uq_sepa_return_debit_reversal_posting_id'))
    )


def downgrade() -> None:
    op.drop_table('sepa_return_debit')
    op.drop_table('sepa_collection_item')
    op.drop_table('sepa_mandate')
    op.drop_table('sepa_collection')
