"""bank files: issued references, imports, entries, clearing

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 06:50:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sollhaben.persistence.base


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issued_reference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=35), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('item_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_issued_reference_account_id_account')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_issued_reference_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_reference')),
    sa.UniqueConstraint('organization_id', 'reference', name=op.f('uq_issued_reference_organization_id_reference'))
    )
    with op.batch_alter_table('issued_reference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_reference_account_id'), ['account_id'], unique=False)

    op.create_table('bank_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.String(length=35), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('version', sa.String(length=8), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('imported_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('imported_by', sa.String(length=60), nullable=False),
    sa.Column('matched_count', sa.Integer(), nullable=False),
    sa.Column('matched_minor', sollhaben.persistence.base.MinorUnits(), nullable=False),
    sa.Column('clearing_count', sa.Integer(), nullable=False),
    sa.Column('clearing_minor', sollhaben.persistence.base.MinorUnits(), nullable=False),
    sa.Column('skipped_count', sa.Integer(), nullable=False),
    sa.Column('duplicate_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_bank_import_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_import'))
    )
    with op.batch_alter_table('bank_import', schema=None) as batch_op:
        batch_op.create_index('ix_bank_import_org_imported', ['organization_id', 'imported_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_import_sha256'), ['sha256'], unique=False)

    op.create_table('bank_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.String(length=60), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('servicer_reference', sa.String(length=80), nullable=False),
    sa.Column('credit', sa.Boolean(), nullable=False),
    sa.Column('amount_minor', sollhaben.persistence.base.MinorUnits(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('booking_date', sa.Date(), nullable=True),
    sa.Column('value_date', sa.Date(), nullable=True),
    sa.Column('debtor_name', sa.String(length=140), nullable=False),
    sa.Column('debtor_iban', sa.String(length=34), nullable=False),
    sa.Column('reference', sa.String(length=35), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('updated_by', sa.String(length=60), nullable=False),
    sa.Column('updated_at', sollhaben.persistence.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_bank_entry_account_id_account')),
    sa.ForeignKeyConstraint(['import_id'], ['bank_import.id'], name=op.f('fk_bank_entry_import_id_bank_import')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_bank_entry_organization_id_organization')),
    sa.ForeignKeyConstraint(['payment_id'], ['posting.id'], name=op.f('fk_bank_entry_payment_id_posting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_entry')),
    sa.UniqueConstraint('organization_id', 'servicer_reference', name=op.f('uq_bank_entry_organization_id_servicer_reference'))
    )
    with op.batch_alter_table('bank_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_entry_import_id'), ['import_id'], unique=False)
        batch_op.create_index('ix_bank_entry_org_status', ['organization_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('bank_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_bank_entry_org_status')
        batch_op.drop_index(batch_op.f('ix_bank_entry_import_id'))
    op.drop_table('bank_entry')
    with op.batch_alter_table('bank_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_import_sha256'))
        batch_op.drop_index('ix_bank_import_org_imported')
    op.drop_table('bank_import')
    with op.batch_alter_table('issued_reference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_reference_account_id'))
    op.drop_table('issued_reference')
