"""bank files: imports, entries, clearing

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 06:50:00
"""
from __future__ import annotations

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import sollhaben.persistence.base  # noqa: F401


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled by the part of issue 5 that owns these tables


def downgrade() -> None:
    pass
