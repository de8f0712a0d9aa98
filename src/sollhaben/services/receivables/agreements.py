"""Payment agreements (Zahlungsvereinbarung): create, cancel, list with the instalments' state.

Creating one is one unit of work: the agreement, its instalments (the schedule of
`domain.receivables.agreements`), the covered items, one automatic dunning block per covered item
(`agreement_id` set, valid until the last instalment's due date plus the grace days) and an entry
AGREEMENT in the collection log. Items are blocked one by one, not the whole account, so receivables
that arise later are reminded as usual. An item can be covered by one running agreement only.
The monitoring run is `agreements_monitor.check_agreements`.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from sollhaben.domain.errors import ErrorCollector, NotFoundError, ValidationError
from sollhaben.domain.formatting import format_date, format_money
from sollhaben.domain.master_data import check_length
from sollhaben.domain.money import Money, total
from sollhaben.domain.receivables.agreements import Interval, assess, build_schedule, last_deadline
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account, Allocation, Organization, Posting
from sollhaben.persistence.models.agreement import AgreementInstalment, AgreementItem, PaymentAgreement
from sollhaben.services.receivables import blocks, measures
from sollhaben.services.receivables.agreements_dto import (
    AgreementDTO, AgreementInput, CheckResult, CoverableItem,
)
from sollhaben.services.receivables.agreements_monitor import (
    MEASURE_REF, check_agreements, payments_of, schedule_of, to_dto,
)
from sollhaben.services.unit_of_work import check_version, read_only, unit_of_work

__all__ = ["AgreementDTO", "AgreementInput", "CheckResult", "CoverableItem", "cancel_agreement",
           "check_agreements", "coverable_items", "create_agreement", "get_agreement", "list_agreements"]

NOTE_MAX = 2000
BLOCK_REASON = "Zahlungsvereinbarung Nr. {id}"


def _covering(session: Session, item_ids: list[int]) -> dict[int, int]:
    """item id → the running agreement that covers it."""
    if not item_ids:
        return {}
    rows = session.execute(select(AgreementItem.posting_id, PaymentAgreement.id)
                           .join(PaymentAgreement, PaymentAgreement.id == AgreementItem.agreement_id)
                           .where(AgreementItem.posting_id.in_(item_ids), PaymentAgreement.status == "ACTIVE"))
    return dict(rows.all())


def _open_items(session: Session, account_id: int) -> list[tuple[Posting, int]]:
    items = session.scalars(select(Posting).where(Posting.account_id == account_id, Posting.amount_minor > 0)
                            .order_by(Posting.due_date, Posting.id)).all()
    allocated = dict(session.execute(select(Allocation.item_id, func.sum(Allocation.amount_minor))
                                     .where(Allocation.item_id.in_([p.id for p in items]))
                                     .group_by(Allocation.item_id)).all()) if items else {}
    return [(p, p.amount_minor - int(allocated.get(p.id, 0))) for p in items
            if p.amount_minor - int(allocated.get(p.id, 0)) > 0]


def coverable_items(db: Database, account_id: int) -> list[CoverableItem]:
    """The account's open items (oldest due first), each with the running agreement covering it."""
    with read_only(db) as session:
        items = _open_items(session, account_id)
        covered = _covering(session, [p.id for p, _ in items])
        return [CoverableItem(p.id, p.booking_date, p.due_date, p.category, p.text, Money(p.amount_minor, p.currency),
                              Money(open_minor, p.currency), covered.get(p.id)) for p, open_minor in items]


def create_agreement(db: Database, organization_id: int, data: AgreementInput, today: date) -> int:
    """Store a new agreement with its schedule, block the covered items and log it; returns its id.
    `today` is the day it is agreed: the first due date may not lie before it."""
    errors = ErrorCollector()
    note = (data.note or "").strip()
    check_length(errors, "note", "Notiz", note, NOTE_MAX)
    errors.raise_if_any()
    with unit_of_work(db, "Zahlungsvereinbarung") as session:
        account = session.scalar(select(Account).where(Account.id == data.account_id).with_for_update())
        if account is None or account.organization_id != organization_id:
            raise NotFoundError(f"Konto {data.account_id} gibt es in dieser Organisation nicht.")
        open_items = {p.id: (p, o) for p, o in _open_items(session, account.id)}
        covered = _covering(session, list(open_items))
        if data.item_ids is None:
            chosen = [i for i in open_items if i not in covered]
        else:
            chosen = list(dict.fromkeys(data.item_ids))
            for item_id in chosen:
                if item_id not in open_items:
                    errors.add("items", f"Posten: Posten {item_id} ist auf diesem Konto nicht offen.")
                elif item_id in covered:
                    errors.add("items", f"Posten: „{open_items[item_id][0].text}“ gehört schon zur laufenden "
                                        f"Zahlungsvereinbarung Nr. {covered[item_id]}.")
        if data.terms.total.currency.value != account.currency:
            errors.add("total", f"Gesamtbetrag: Das Konto führt {account.currency}, "
                                f"nicht {data.terms.total.currency.value}.")
        errors.raise_if_any()
        covered_total = total((Money(open_items[i][1], account.currency) for i in chosen), account.currency)
        schedule = build_schedule(data.terms, covered_total, today)
        terms = data.terms
        agreement = PaymentAgreement(
            organization_id=organization_id, account_id=account.id, status="ACTIVE",
            total_minor=terms.total.minor, currency=account.currency, created_on=today, first_due=terms.first_due,
            schedule_interval=terms.interval.value, instalment_count=terms.instalment_count,
            instalment_amount_minor=terms.instalment_amount.minor if terms.instalment_amount else None,
            down_payment_minor=terms.down_payment.minor if terms.down_payment else None,
            grace_days=terms.grace_days, note=note, created_by=session.info.get("user", "system"),
            instalments=[AgreementInstalment(position=i.position, due_date=i.due_date, amount_minor=i.amount.minor,
                                             is_down_payment=i.is_down_payment) for i in schedule],
            items=[AgreementItem(posting_id=i, open_minor=open_items[i][1]) for i in chosen])
        session.add(agreement)
        session.flush()
        until = last_deadline(schedule, terms.grace_days)
        for item_id in chosen:
            blocks.add_block(session, organization_id=organization_id, account_id=account.id, item_id=item_id,
                             reason=BLOCK_REASON.format(id=agreement.id), valid_until=until,
                             agreement_id=agreement.id)
        _log(session, agreement, today, _created_text(session, agreement, schedule, len(chosen)))
        return agreement.id


def _country(session: Session, organization_id: int) -> str:
    org = session.get(Organization, organization_id)
    return org.legal_country if org is not None else "CH"


def _created_text(session: Session, agreement: PaymentAgreement, schedule, item_count: int) -> str:
    country = _country(session, agreement.organization_id)
    amount = lambda m: f"{format_money(m, country)} {agreement.currency}"  # noqa: E731
    regular = [i for i in schedule if not i.is_down_payment]
    text = (f"Zahlungsvereinbarung Nr. {agreement.id} über {amount(Money(agreement.total_minor, agreement.currency))}"
            f" ({item_count} Posten): ")
    if len(schedule) != len(regular):
        text += f"Anzahlung {amount(schedule[0].amount)} am {format_date(schedule[0].due_date)}, "
    text += (f"{len(regular)} Rate{'n' if len(regular) != 1 else ''} {_interval_label(agreement)} "
             f"ab {format_date(regular[0].due_date)} (erste {amount(regular[0].amount)}, "
             f"letzte {amount(regular[-1].amount)} am {format_date(regular[-1].due_date)})")
    if agreement.grace_days:
        text += f", {agreement.grace_days} Karenztage"
    return text + (f". {agreement.note}" if agreement.note else ".")


def _interval_label(agreement: PaymentAgreement) -> str:
    return Interval(agreement.schedule_interval).label


def _log(session: Session, agreement: PaymentAgreement, on: date, text: str) -> None:
    measures.log_measure(session, organization_id=agreement.organization_id, account_id=agreement.account_id,
                         occurred_on=on, kind="AGREEMENT", text=text[:measures.TEXT_MAX], ref_kind=MEASURE_REF,
                         ref_id=agreement.id)


def cancel_agreement(db: Database, agreement_id: int, on: date, reason: str,
                     expected_version: int | None = None) -> None:
    """The office ends a running agreement (e.g. a new one replaces it): status CANCELLED, its
    blocks are lifted and the log says why. Only a running agreement can be cancelled."""
    errors = ErrorCollector()
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", "Grund: Bitte angeben, warum die Vereinbarung aufgehoben wird.")
    check_length(errors, "reason", "Grund", reason, 200)
    errors.raise_if_any()
    with unit_of_work(db, "Zahlungsvereinbarung") as session:
        agreement = session.get(PaymentAgreement, agreement_id)
        if agreement is None:
            raise NotFoundError(f"Zahlungsvereinbarung {agreement_id} gibt es nicht.")
        check_version(expected_version, agreement.version, "Zahlungsvereinbarung")
        if agreement.status != "ACTIVE":
            raise ValidationError("Status: Nur eine laufende Zahlungsvereinbarung kann aufgehoben werden.", "status")
        agreement.status, agreement.closed_on, agreement.close_reason = "CANCELLED", on, reason
        blocks.lift_agreement_blocks(session, agreement.id, reason=f"Zahlungsvereinbarung aufgehoben: {reason}"[:200])
        _log(session, agreement, on, f"Zahlungsvereinbarung Nr. {agreement.id} aufgehoben: {reason}")


def list_agreements(db: Database, account_id: int, on: date) -> list[AgreementDTO]:
    """The account's agreements, newest first, each instalment with its state at `on`."""
    with read_only(db) as session:
        rows = session.scalars(select(PaymentAgreement).where(PaymentAgreement.account_id == account_id)
                               .options(selectinload(PaymentAgreement.instalments),
                                        selectinload(PaymentAgreement.items))
                               .order_by(PaymentAgreement.id.desc())).all()
        payments = payments_of(session, list(rows))
        return [to_dto(a, assess(schedule_of(a), payments.get(a.id, []), on, a.grace_days)) for a in rows]


def get_agreement(db: Database, agreement_id: int, on: date) -> AgreementDTO:
    with read_only(db) as session:
        agreement = session.get(PaymentAgreement, agreement_id)
        if agreement is None:
            raise NotFoundError(f"Zahlungsvereinbarung {agreement_id} gibt es nicht.")
        payments = payments_of(session, [agreement])
        return to_dto(agreement, assess(schedule_of(agreement), payments.get(agreement.id, []), on,
                                        agreement.grace_days))
