"""Record every change of master data in the audit log (who, when, field, old → new).

Installed as an `after_flush` listener on the session factory, so no service can forget it:
inserts, updates and deletes of the audited tables write AuditEntry rows in the same transaction.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session, object_session, sessionmaker

from sollhaben.persistence.base import utcnow
from sollhaben.persistence.models import Account, AuditEntry

AUDITED_TABLES = {
    "organization", "bank_account", "unit", "person", "person_bank_account", "person_role",
    "household", "household_membership", "follow_up",
    # Kita billing: the catalogue, the facility settings and offer, children and their billing data
    "fee_group", "fee_group_version", "fee_tier", "discount", "discount_version", "extra_cost",
    "extra_cost_version", "facility_settings", "facility_offer", "child", "child_guardian", "child_payer",
    "contract", "billing_period", "billing_period_sibling", "fee_line", "fee_line_discount", "extra_line",
    "line_payer",
    # Income scale (Staffelberechnung): configuration and assessments (transfer protocols are history)
    "income_item_type", "income_scale_version", "income_threshold", "income_bracket", "income_assessment",
    "income_assessment_person", "income_item",
    # Receivables: what a clerk keeps per payer or account, and the organization's dunning policy
    "sepa_mandate", "payment_agreement", "dunning_block", "dunning_settings", "dunning_level",
}
_SKIPPED_COLUMNS = {"version", "created_at", "updated_at"}
# Columns the app maintains itself, not the clerk: a mandate's use is kept by every collection run
# (thousands of mandates per run; the run's items are that history), so they are not audited.
_SKIPPED_BY_TABLE = {"sepa_mandate": {"first_used_on", "last_used_on", "sequence_type"}}


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _organization_id(obj) -> int | None:
    if obj.__tablename__ == "organization":
        return obj.id
    return getattr(obj, "organization_id", None)


_OWNERS = {
    "person_bank_account": ("person", "person_id"),
    "person_role": ("person", "person_id"),
    "household_membership": ("household", "household_id"),
    "bank_account": ("organization", "organization_id"),
    # Catalogue versions and tiers show in their entry's history; settings and offer in the unit's.
    "fee_group_version": ("fee_group", "fee_group_id"),
    "fee_tier": ("fee_group", "fee_group_id"),
    "discount_version": ("discount", "discount_id"),
    "extra_cost_version": ("extra_cost", "extra_cost_id"),
    "facility_settings": ("unit", "facility_id"),
    "facility_offer": ("unit", "facility_id"),
    # A child's guardians, payers, contracts and billing data show in the child's history (every
    # row below a period carries child_id for this).
    **{table: ("child", "child_id") for table in (
        "child_guardian", "child_payer", "contract", "billing_period", "billing_period_sibling", "fee_line",
        "fee_line_discount", "extra_line", "line_payer")},
    # An assessment's persons and items show in its history; thresholds and brackets in their version's.
    "income_threshold": ("income_scale_version", "version_id"),
    "income_bracket": ("income_scale_version", "version_id"),
    "income_assessment_person": ("income_assessment", "assessment_id"),
    "income_item": ("income_assessment", "assessment_id"),
    # A payer's mandates show in the payer's history; the dunning policy in the organization's.
    "sepa_mandate": ("person", "payer_id"),
    "dunning_settings": ("organization", "organization_id"),
    "dunning_level": ("organization", "organization_id"),
}
# Rows kept per debtor account show in the history of the account's holder (the person a clerk
# looks up), found through the account: an account's holder never changes.
_HELD_BY_ACCOUNT_HOLDER = {"payment_agreement", "dunning_block"}


def _holder_of(obj) -> int | None:
    session = object_session(obj)
    if session is None or obj.account_id is None:
        return None
    return session.connection().scalar(select(Account.holder_id).where(Account.id == obj.account_id))


def _rows_for(obj, action: str, user: str) -> list[dict]:
    state = inspect(obj)
    record_id = state.identity[0] if state.identity else obj.id
    owner_table, owner_key = _OWNERS.get(obj.__tablename__, (obj.__tablename__, "id"))
    owner_id = record_id if owner_key == "id" else getattr(obj, owner_key)
    if obj.__tablename__ in _HELD_BY_ACCOUNT_HOLDER:
        owner_id = _holder_of(obj)
        owner_table, owner_key = ("person", "account_id") if owner_id else ("account", "account_id")
    if owner_id is None:  # a child removed from its parent's collection has lost its key
        owner_id = state.committed_state.get(owner_key) or record_id
    base = {
        "organization_id": _organization_id(obj),
        "table_name": obj.__tablename__,
        "record_id": record_id,
        "owner_table": owner_table,
        "owner_id": owner_id,
        "action": action,
        "changed_by": user,
        "changed_at": utcnow(),
    }
    rows = []
    skipped = _SKIPPED_BY_TABLE.get(obj.__tablename__, ())
    for column in state.mapper.column_attrs:
        name = column.key
        if name in _SKIPPED_COLUMNS or name == "id" or name in skipped:
            continue
        if action == "update":
            history = state.attrs[name].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if _text(old) == _text(new):
                continue
            rows.append({**base, "field": name, "old_value": _text(old), "new_value": _text(new)})
        elif action == "insert":
            value = getattr(obj, name)
            if value not in (None, "", [], {}):
                rows.append({**base, "field": name, "old_value": None, "new_value": _text(value)})
    if action == "delete":
        # One row for the removed record, carrying what it held (a deleted bank account keeps its
        # IBAN in the history). Read from the state, never from the database: the row is gone.
        values = [(column.key, state.dict.get(column.key)) for column in state.mapper.column_attrs
                  if column.key not in _SKIPPED_COLUMNS and column.key != "id"]
        old = "; ".join(f"{name}={_text(value)}" for name, value in values if value not in (None, "", [], {}))
        rows.append({**base, "field": "", "old_value": old or None, "new_value": None})
    return rows


def _after_flush(session: Session, _context) -> None:
    user = session.info.get("user", "system")
    rows: list[dict] = []
    for obj in session.new:
        if getattr(obj, "__tablename__", None) in AUDITED_TABLES:
            rows.extend(_rows_for(obj, "insert", user))
    for obj in session.dirty:
        if getattr(obj, "__tablename__", None) in AUDITED_TABLES and session.is_modified(obj):
            rows.extend(_rows_for(obj, "update", user))
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)


_DELETED = "audit_deleted_rows"


def _deleted(session: Session, instance) -> None:
    """Deletes are taken from the flush itself, not from `session.deleted`: a child removed from
    its parent's collection (delete-orphan) is only found to be deleted during the flush."""
    if getattr(instance, "__tablename__", None) in AUDITED_TABLES:
        session.info.setdefault(_DELETED, []).extend(
            _rows_for(instance, "delete", session.info.get("user", "system")))


def _after_flush_postexec(session: Session, _context) -> None:
    rows = session.info.pop(_DELETED, None)
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)


def _forget(session: Session, *_args) -> None:
    session.info.pop(_DELETED, None)


_LISTENERS = (("after_flush", _after_flush), ("persistent_to_deleted", _deleted),
              ("after_flush_postexec", _after_flush_postexec), ("after_soft_rollback", _forget))


def install(sessions: sessionmaker) -> None:
    """Listen on a new session factory. No `event.contains` guard: SQLAlchemy's event registry is
    keyed by id(), and a factory made after an earlier one was garbage-collected can reuse its
    id — the guard then skipped the listeners and the audit log silently stayed empty."""
    for name, listener in _LISTENERS:
        event.listen(sessions, name, listener)
