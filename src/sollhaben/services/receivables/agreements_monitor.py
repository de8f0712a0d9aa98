"""Monitoring of payment agreements: which payments count, the state at a date, the monitoring run.

The payments that count for an agreement are the allocations to its covered items made after the
agreement was stored (allocation rows, so a returned payment's released allocation counts
negative), dated by the booking date of their credit (a release: of the credit's reversal) and
never before the day of the agreement.

`check_agreements` is the monitoring run: each running agreement that is broken at the date is
marked BROKEN, its dunning blocks are lifted („Rate nicht gezahlt“, so dunning resumes) and the
collection log gets an entry; one fully paid is marked FULFILLED and its blocks are lifted.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, selectinload

from sollhaben.domain.formatting import format_date, format_money
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.agreements import (
    AgreementStatus, Assessment, Instalment, InstalmentState, Interval, Payment, assess, instalment_label,
)
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Allocation, Organization, Posting
from sollhaben.persistence.models.agreement import AgreementItem, PaymentAgreement
from sollhaben.services.receivables import blocks, measures
from sollhaben.services.receivables.agreements_dto import AgreementDTO, CheckResult, InstalmentDTO
from sollhaben.services.unit_of_work import unit_of_work

BROKEN_LIFT_REASON = "Rate nicht gezahlt"
FULFILLED_LIFT_REASON = "Zahlungsvereinbarung erfüllt"
MEASURE_REF = "payment_agreement"


def schedule_of(agreement: PaymentAgreement) -> tuple[Instalment, ...]:
    return tuple(Instalment(i.position, i.due_date, Money(i.amount_minor, agreement.currency), i.is_down_payment)
                 for i in agreement.instalments)


def payments_of(session: Session, agreements: list[PaymentAgreement]) -> dict[int, list[Payment]]:
    """The payments that count for each agreement (one query for all of them)."""
    if not agreements:
        return {}
    credit, reversal = aliased(Posting), aliased(Posting)
    by_id = {a.id: a for a in agreements}
    rows = session.execute(
        select(AgreementItem.agreement_id, Allocation.amount_minor, Allocation.created_at, credit.booking_date,
               reversal.booking_date)
        .join(Allocation, Allocation.item_id == AgreementItem.posting_id)
        .join(credit, credit.id == Allocation.credit_id)
        .outerjoin(reversal, reversal.reverses_id == credit.id)
        .where(AgreementItem.agreement_id.in_(list(by_id))))
    payments: dict[int, list[Payment]] = defaultdict(list)
    for agreement_id, amount, created_at, booked, reversed_on in rows:
        agreement = by_id[agreement_id]
        if created_at <= agreement.created_at:
            continue  # settled before the agreement: not part of its total
        # a released allocation (the payment was reversed, e.g. a return debit) counts from the day
        # of the reversal, not retroactively from the day the money first came
        day = max(reversed_on if amount < 0 and reversed_on is not None else booked, agreement.created_on)
        payments[agreement_id].append(Payment(day, Money(amount, agreement.currency)))
    return payments


def to_dto(agreement: PaymentAgreement, assessment: Assessment) -> AgreementDTO:
    currency = agreement.currency

    def money(minor: int | None) -> Money | None:
        return None if minor is None else Money(minor, currency)

    instalments = tuple(InstalmentDTO(s.instalment.position, s.instalment.due_date, s.instalment.amount,
                                      s.instalment.is_down_payment, s.state, s.paid, s.deadline)
                        for s in assessment.instalments)
    return AgreementDTO(
        agreement.id, agreement.account_id, AgreementStatus(agreement.status), Money(agreement.total_minor, currency),
        assessment.paid, agreement.created_on, agreement.first_due, Interval(agreement.schedule_interval),
        agreement.instalment_count, money(agreement.instalment_amount_minor), money(agreement.down_payment_minor),
        agreement.grace_days, agreement.note, agreement.broken_on, agreement.closed_on, agreement.close_reason,
        agreement.created_by, agreement.version, tuple(sorted(i.posting_id for i in agreement.items)), instalments)


def _missed_text(agreement: PaymentAgreement, assessment: Assessment, country: str) -> str:
    missed = next(s for s in assessment.instalments if s.state is InstalmentState.MISSED)
    what = instalment_label(missed.instalment.position, missed.instalment.is_down_payment)
    return (f"Zahlungsvereinbarung Nr. {agreement.id} gebrochen: {what} über "
            f"{format_money(missed.instalment.amount, country)} {agreement.currency}, fällig "
            f"{format_date(missed.instalment.due_date)}, nicht bis {format_date(missed.deadline)} gezahlt "
            f"(gezahlt insgesamt {format_money(assessment.paid, country)} {agreement.currency}). "
            "Die Mahnsperre ist aufgehoben.")


def check_agreements(db: Database, organization_id: int, on: date) -> CheckResult:
    """The monitoring run at the end of day `on` for every running agreement of the organization.
    One unit of work: all status changes, lifted blocks and log entries, or none."""
    broken: list[int] = []
    fulfilled: list[int] = []
    with unit_of_work(db, "Zahlungsvereinbarung") as session:
        org = session.get(Organization, organization_id)
        country = org.legal_country if org is not None else "CH"
        agreements = session.scalars(select(PaymentAgreement).where(
            PaymentAgreement.organization_id == organization_id, PaymentAgreement.status == "ACTIVE",
            PaymentAgreement.created_on <= on).options(selectinload(PaymentAgreement.instalments))
            .order_by(PaymentAgreement.id)).all()
        payments = payments_of(session, list(agreements))
        for agreement in agreements:
            result = assess(schedule_of(agreement), payments.get(agreement.id, []), on, agreement.grace_days)
            if result.status is AgreementStatus.BROKEN:
                agreement.status, agreement.broken_on = "BROKEN", result.broken_on
                agreement.closed_on, agreement.close_reason = on, BROKEN_LIFT_REASON
                blocks.lift_agreement_blocks(session, agreement.id, reason=BROKEN_LIFT_REASON)
                _log(session, agreement, on, _missed_text(agreement, result, country))
                broken.append(agreement.id)
            elif result.status is AgreementStatus.FULFILLED:
                agreement.status, agreement.closed_on = "FULFILLED", result.fulfilled_on
                agreement.close_reason = FULFILLED_LIFT_REASON
                blocks.lift_agreement_blocks(session, agreement.id, reason=FULFILLED_LIFT_REASON)
                _log(session, agreement, on, f"Zahlungsvereinbarung Nr. {agreement.id} erfüllt: "
                     f"{format_money(result.paid, country)} {agreement.currency} gezahlt, zuletzt am "
                     f"{format_date(result.fulfilled_on)}.")
                fulfilled.append(agreement.id)
        session.flush()
        return CheckResult(len(agreements), tuple(broken), tuple(fulfilled))


def _log(session: Session, agreement: PaymentAgreement, on: date, text: str) -> None:
    measures.log_measure(session, organization_id=agreement.organization_id, account_id=agreement.account_id,
                         occurred_on=on, kind="AGREEMENT", text=text, ref_kind=MEASURE_REF, ref_id=agreement.id)
