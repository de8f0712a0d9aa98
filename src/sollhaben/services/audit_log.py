"""Read the audit log of one record (the history tab of every editor)."""
from __future__ import annotations

from sqlalchemy import select

from sollhaben.persistence.database import Database
from sollhaben.persistence.models import AuditEntry
from sollhaben.services.dto import AuditEntryDTO
from sollhaben.services.unit_of_work import read_only


def history(db: Database, table_name: str, record_id: int) -> list[AuditEntryDTO]:
    with read_only(db) as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.owner_table == table_name,
                                                        AuditEntry.owner_id == record_id)
                               .order_by(AuditEntry.changed_at.desc(), AuditEntry.id.desc()))
        return [AuditEntryDTO(r.changed_at, r.changed_by, r.action, r.table_name, r.field, r.old_value, r.new_value)
                for r in rows]
