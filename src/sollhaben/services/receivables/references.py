"""The registry of issued payment references: a document that carries a QR reference or creditor
reference (dunning letter, statement with QR-bill, fee assessment) registers it here, so that the
bank import finds account and designated items again when the payer pays with it.

A reference that is not registered but follows our scheme (`domain.references`: account id and
document number inside the reference) still resolves to its account, without designated items.

Both functions take the caller's `Session`, so a document service registers its reference in the
same unit of work that stores the document (nothing half-stored).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sollhaben.domain.errors import FieldError, NotFoundError, ValidationError
from sollhaben.domain.references import compact, parse_document_reference
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.models import Account, IssuedReference
from sollhaben.services.receivables.bank_sql import among

# The kinds in use; others are accepted (a module may add its own), up to 20 characters.
KINDS = ("DUNNING", "STATEMENT", "FEE_ASSESSMENT", "AGREEMENT")


@dataclass(frozen=True)
class ResolvedReference:
    """What a reference points to: the account and, if the document named them, its items."""

    account_id: int
    item_ids: tuple[int, ...] = ()
    kind: str = ""  # "" when not registered (resolved from the reference scheme alone)
    document_id: int | None = None
    registered: bool = False


def register_issued_reference(session: Session, *, organization_id: int, account_id: int, reference: str,
                              kind: str, document_id: int | None = None,
                              item_ids: Iterable[int] = ()) -> int:
    """Remember that a document carries `reference` for `account_id` (and these items).

    Idempotent: registering the same reference for the same account again returns the first row
    unchanged (a reprinted letter). The same reference for another account is refused — a payment
    with it could not be matched. Returns the registry row id."""
    ref = compact(reference)
    if not ref or len(ref) > 35:
        raise ValidationError("Referenz: Eine Zahlungsreferenz hat 1 bis 35 Zeichen.", "reference")
    if not kind.strip() or len(kind) > 20:
        raise ValidationError("Art: Die Dokumentart hat 1 bis 20 Zeichen (z. B. DUNNING).", "kind")
    account = session.get(Account, account_id)
    if account is None or account.organization_id != organization_id:
        raise NotFoundError(f"Konto {account_id} gibt es in dieser Organisation nicht.")
    items = [int(i) for i in item_ids]
    existing = session.scalar(select(IssuedReference).where(
        IssuedReference.organization_id == organization_id, IssuedReference.reference == ref))
    if existing is not None:
        if existing.account_id != account_id:
            raise ValidationError(f"Referenz: {ref} wurde bereits für ein anderes Konto ausgegeben.", "reference")
        return existing.id
    row = IssuedReference(organization_id=organization_id, reference=ref, account_id=account_id, kind=kind,
                          document_id=document_id, item_ids=items)
    session.add(row)
    session.flush()
    return row.id


@dataclass(frozen=True)
class IssuedReferenceInput:
    account_id: int
    reference: str
    kind: str
    document_id: int | None = None
    item_ids: tuple[int, ...] = ()


def register_issued_references(session: Session, organization_id: int,
                               entries: Sequence[IssuedReferenceInput]) -> None:
    """Bulk form of `register_issued_reference` for a run (2 000 dunning letters): the same rules,
    three queries in all instead of three per letter; rows are inserted with one executemany."""
    errors: list[FieldError] = []
    wanted: dict[str, IssuedReferenceInput] = {}
    for index, entry in enumerate(entries):
        ref = compact(entry.reference)
        if not ref or len(ref) > 35:
            errors.append(FieldError(f"references[{index}]", "Referenz: Eine Zahlungsreferenz hat 1 bis 35 Zeichen."))
        elif not entry.kind.strip() or len(entry.kind) > 20:
            errors.append(FieldError(f"references[{index}]", "Art: Die Dokumentart hat 1 bis 20 Zeichen."))
        elif ref in wanted and wanted[ref].account_id != entry.account_id:
            errors.append(FieldError(f"references[{index}]", f"Referenz: {ref} ist zwei Konten zugedacht."))
        else:
            wanted.setdefault(ref, entry)
    accounts = {e.account_id for e in wanted.values()}
    known = set(session.scalars(select(Account.id).where(
        Account.organization_id == organization_id,
        among(session, Account.id, sorted(accounts))))) if accounts else set()
    for missing in sorted(accounts - known):
        errors.append(FieldError("references", f"Konto {missing} gibt es in dieser Organisation nicht."))
    existing = dict(session.execute(select(IssuedReference.reference, IssuedReference.account_id).where(
        IssuedReference.organization_id == organization_id,
        among(session, IssuedReference.reference, sorted(wanted)))).all()) if wanted else {}
    for ref, account_id in existing.items():
        if account_id != wanted[ref].account_id:
            errors.append(FieldError("references", f"Referenz: {ref} wurde bereits für ein anderes Konto ausgegeben."))
    if errors:
        raise ValidationError(errors)
    rows = [dict(organization_id=organization_id, reference=ref, account_id=e.account_id, kind=e.kind,
                 document_id=e.document_id, item_ids=[int(i) for i in e.item_ids], created_at=utcnow())
            for ref, e in wanted.items() if ref not in existing]
    if rows:
        session.execute(insert(IssuedReference), rows)


def resolve_reference(session: Session, organization_id: int, reference: str) -> ResolvedReference | None:
    """The account (and designated items) a reference was issued for; None when it is unknown."""
    return resolve_references(session, organization_id, [reference]).get(compact(reference))


def resolve_references(session: Session, organization_id: int,
                       references: Sequence[str]) -> dict[str, ResolvedReference]:
    """Bulk form for the bank import: {compact reference: resolved} for those that resolve.
    Two queries for any number of references (one array parameter each, see `bank_sql`)."""
    wanted = sorted({ref for ref in map(compact, filter(None, references)) if ref})
    result: dict[str, ResolvedReference] = {}
    if not wanted:
        return result
    rows = session.connection().execute(
        select(IssuedReference.reference, IssuedReference.account_id, IssuedReference.item_ids,
               IssuedReference.kind, IssuedReference.document_id)
        .where(IssuedReference.organization_id == organization_id,
               among(session, IssuedReference.reference, wanted))).all()
    for ref, account_id, item_ids, kind, document_id in rows:
        result[ref] = ResolvedReference(account_id, tuple(int(i) for i in item_ids or ()), kind, document_id, True)
    parsed = {ref: parse_document_reference(ref) for ref in wanted if ref not in result}
    parsed = {ref: p for ref, p in parsed.items() if p is not None}
    account_ids = sorted({p[0] for p in parsed.values()})
    known = set(session.scalars(select(Account.id).where(
        Account.organization_id == organization_id, among(session, Account.id, account_ids)))) if account_ids else set()
    for ref, (account_id, _document_no) in parsed.items():
        if account_id in known:
            result[ref] = ResolvedReference(account_id)
    return result
