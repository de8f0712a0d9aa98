"""The payout run: open orders → one credit transfer file (pain.001), all or nothing.

One unit of work locks the chosen OPEN orders, builds the file (checked by the rules of its
flavour and validated against the XSD before anything is written), stores the file record with its
XML and marks the orders IN_FILE. The file goes to a temporary name beside the target first and is
renamed only after the commit: a failed or cancelled run leaves neither a file nor a trace in the
database, and a stored run whose rename failed can be saved again from its record
(`save_payout_file`) — the orders are never filed twice.

A file the bank did not execute is withdrawn (`withdraw_payout_file`, with a reason): its orders
are OPEN again. The debtor account is the organization's default bank account (the only one if there is one);
a QR-IBAN only receives QR-bill payments and is refused as debtor account.
"""
from __future__ import annotations

import concurrent.futures
import hashlib
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from sollhaben import __version__
from sollhaben.banking.pain001 import build_credit_transfer
from sollhaben.domain.errors import FieldError, NotFoundError, ValidationError
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.payouts import (
    CURRENCY, PAIN_VERSION, FileKind, OrderStatus, Party, Transfer, TransferBatch, check_debtor_account,
)
from sollhaben.domain.references import is_qr_iban
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import BankAccount, Organization, PayoutFile, PayoutOrder
from sollhaben.services.receivables.payout_dto import PayoutFileDTO, PayoutOrderDTO, file_dto, order_dto
from sollhaben.services.receivables.payout_orders import file_kind
from sollhaben.services.unit_of_work import read_only, unit_of_work

Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]


class PayoutRunCancelled(concurrent.futures.CancelledError):
    """The clerk cancelled the run; nothing was stored or written."""


@dataclass(frozen=True)
class PayoutRunPreview:
    kind: FileKind
    pain_version: str
    debtor_iban: str
    orders: tuple[PayoutOrderDTO, ...]
    total: Money
    problems: tuple[FieldError, ...]  # the debtor account's (QR-IBAN, none); orders are checked in the run


def _default_account(session: Session, organization: Organization) -> BankAccount | None:
    accounts = list(session.scalars(select(BankAccount).where(BankAccount.organization_id == organization.id)
                                    .order_by(BankAccount.id)))
    chosen = [a for a in accounts if a.is_default] or (accounts if len(accounts) == 1 else [])
    return chosen[0] if chosen else None


def debtor_account(session: Session, organization: Organization) -> BankAccount:
    """The default bank account (or the only one), which must not be a QR-IBAN."""
    account = _default_account(session, organization)
    if account is None:
        raise ValidationError("Auftraggeberkonto: Bitte in den Einstellungen ein Bankkonto als Standardkonto "
                              "festlegen; von ihm werden die Auszahlungen belastet.", "debtor_iban")
    if account.is_qr_iban or is_qr_iban(account.iban):
        raise ValidationError("Auftraggeberkonto: Das Standardkonto ist eine QR-IBAN. Eine QR-IBAN dient nur dem "
                              "Empfang von QR-Rechnungen und kann nicht belastet werden; bitte ein Konto mit "
                              "normaler IBAN als Standardkonto wählen.", "debtor_iban")
    check_debtor_account(file_kind(organization), account.iban)
    return account


def _open_orders(session: Session, organization_id: int, order_ids: list[int] | None,
                 lock: bool) -> list[PayoutOrder]:
    query = select(PayoutOrder).where(PayoutOrder.organization_id == organization_id,
                                      PayoutOrder.status == OrderStatus.OPEN.value)
    if order_ids is not None:
        query = query.where(PayoutOrder.id.in_(order_ids))
    orders = list(session.scalars((query.with_for_update() if lock else query).order_by(PayoutOrder.id)))
    if order_ids is not None:
        missing = sorted(set(order_ids) - {o.id for o in orders})
        if missing:
            raise ValidationError(f"Aufträge: {', '.join(map(str, missing))} sind nicht (mehr) offen.", "orders")
    return orders


def preview_payout_run(db: Database, organization_id: int, order_ids: list[int] | None = None) -> PayoutRunPreview:
    with read_only(db) as session:
        organization = session.get(Organization, organization_id)
        if organization is None:
            raise NotFoundError("Organisation gibt es nicht.")
        kind = file_kind(organization)
        orders = _open_orders(session, organization_id, order_ids, lock=False)
        problems: tuple[FieldError, ...] = ()
        iban = ""
        try:
            iban = debtor_account(session, organization).iban
        except ValidationError as exc:
            problems = tuple(exc.errors)
            refused = _default_account(session, organization)
            iban = refused.iban if refused is not None else ""  # shown with its problem
        total = Money(sum(o.amount_minor for o in orders), CURRENCY[kind])
        return PayoutRunPreview(kind, PAIN_VERSION, iban, tuple(order_dto(o) for o in orders), total, problems)


def _transfer(order: PayoutOrder) -> Transfer:
    party = Party(order.recipient_name, order.street, order.house_number, order.postal_code, order.town,
                  order.country)
    return Transfer(order.id, Money(order.amount_minor, order.currency), party, order.iban, order.bic,
                    order.reference, order.purpose)


def _write_temporary(target: Path, content: bytes) -> Path:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    return temporary


def write_atomically(target: Path, content: bytes) -> None:
    """Write the whole file under a temporary name beside it, then rename: never half a file."""
    temporary = _write_temporary(target, content)
    try:
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def create_payout_file(db: Database, organization_id: int, *, execution_date: date, target_path: str | Path,
                       order_ids: list[int] | None = None, today: date | None = None,
                       progress: Progress | None = None, cancelled: Cancelled | None = None) -> PayoutFileDTO:
    """File the OPEN orders (all, or the ids given) into one pain.001 file at `target_path`."""
    target = Path(target_path)
    today = today or date.today()
    temporary: Path | None = None
    try:
        with unit_of_work(db, "Zahlungsdatei") as session:
            organization = session.get(Organization, organization_id)
            if organization is None:
                raise NotFoundError("Organisation gibt es nicht.")
            kind = file_kind(organization)
            account = debtor_account(session, organization)
            orders = _open_orders(session, organization_id, order_ids, lock=True)
            total_steps = len(orders) + 2
            transfers = []
            for done, order in enumerate(orders):
                if cancelled is not None and cancelled():
                    raise PayoutRunCancelled("Zahlungsdatei abgebrochen")
                if progress is not None:
                    progress(done, total_steps, "Aufträge prüfen")
                transfers.append(_transfer(order))
            created = utcnow()
            message_id = f"SOLLHABEN-{organization_id}-{created:%Y%m%d%H%M%S%f}"[:35]
            batch = TransferBatch(kind, message_id, created, execution_date,
                                  Party(organization.name, organization.street, organization.house_number,
                                        organization.postal_code, organization.town, organization.country),
                                  account.iban, tuple(transfers), account.bic, __version__)
            if progress is not None:
                progress(len(orders), total_steps, "Zahlungsdatei erstellen und prüfen (XSD)")
            checked, content = build_credit_transfer(batch, today)
            row = PayoutFile(organization_id=organization_id, kind=kind.value, pain_version=PAIN_VERSION,
                             message_id=message_id, execution_date=execution_date, debtor_iban=checked.debtor_iban,
                             count=len(checked.transfers), sum_minor=sum(t.amount.minor for t in checked.transfers),
                             currency=CURRENCY[kind], file_name=target.name,
                             sha256=hashlib.sha256(content).hexdigest(), content=content,
                             created_by=session.info.get("user", "system"), created_at=created)
            session.add(row)
            session.flush()
            for order in orders:
                order.status = OrderStatus.IN_FILE.value
                order.file_id = row.id
            session.flush()
            if progress is not None:
                progress(len(orders) + 1, total_steps, "Datei schreiben")
            temporary = _write_temporary(target, content)
            if cancelled is not None and cancelled():
                raise PayoutRunCancelled("Zahlungsdatei abgebrochen")
            result = file_dto(row)
        os.replace(temporary, target)  # after the commit: a file exists only for a stored run
        temporary = None
        if progress is not None:
            progress(total_steps, total_steps, "Fertig")
        return result
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def list_payout_files(db: Database, organization_id: int) -> list[PayoutFileDTO]:
    with read_only(db) as session:
        rows = session.scalars(select(PayoutFile).where(PayoutFile.organization_id == organization_id)
                               .order_by(PayoutFile.id.desc()))
        return [file_dto(row) for row in rows]


def save_payout_file(db: Database, file_id: int, target_path: str | Path) -> None:
    """Write a stored file again (e.g. when saving it failed after the run was stored)."""
    with read_only(db) as session:
        row = session.get(PayoutFile, file_id)
        if row is None:
            raise NotFoundError(f"Zahlungsdatei {file_id} gibt es nicht.")
        if row.withdrawn_at is not None:
            raise ValidationError("Datei: Die Zahlungsdatei ist zurückgenommen; ihre Aufträge sind wieder offen "
                                  "und gehören in eine neue Datei.", "file")
        content = row.content
    write_atomically(Path(target_path), content)


def withdraw_payout_file(db: Database, file_id: int, reason: str) -> int:
    """Withdraw a file the bank did not execute (rejected, or never uploaded): its orders are OPEN
    again, for a new file or to be cancelled. Returns the number of orders reopened.

    Only the clerk knows that the bank did not pay: withdrawing a file the bank executed would pay
    its orders twice, so a reason is required and kept with the file."""
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError("Grund: Bitte angeben, warum die Datei nicht ausgeführt wurde (z. B. von der Bank "
                              "abgelehnt, nie übermittelt).", "reason")
    if len(reason) > 200:
        raise ValidationError("Grund: höchstens 200 Zeichen erlaubt.", "reason")
    with unit_of_work(db, "Zahlungsdatei") as session:
        row = session.scalar(select(PayoutFile).where(PayoutFile.id == file_id).with_for_update())
        if row is None:
            raise NotFoundError(f"Zahlungsdatei {file_id} gibt es nicht.")
        if row.withdrawn_at is not None:
            raise ValidationError("Zurücknehmen: Die Zahlungsdatei ist bereits zurückgenommen.", "file")
        orders = list(session.scalars(select(PayoutOrder).where(PayoutOrder.file_id == file_id,
                                                                PayoutOrder.status == OrderStatus.IN_FILE.value)
                                      .with_for_update()))
        for order in orders:
            order.status = OrderStatus.OPEN.value
            order.file_id = None
        row.withdrawn_at = utcnow()
        row.withdrawn_by = session.info.get("user", "system")
        row.withdraw_reason = reason
        return len(orders)
