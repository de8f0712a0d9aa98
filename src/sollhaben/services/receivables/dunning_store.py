"""Stores a confirmed dunning run inside the caller's unit of work: the run, the reminder fees
(REMINDER_FEE postings, source DUNNING, due on the letter's deadline, one idempotency key per run and
account), one notice per letter or hand-over with its items (the history per item), the registered
payment reference of every letter, and one collection measure per notice.

A run of 2 000 letters must post in seconds, so the rows are written set-wise (bulk INSERT … RETURNING
of the ORM, as the billing run writes its postings) instead of one flush per object; the rules
`ledger.post` checks per posting (positive amount in the account's currency, category, lengths, a
fresh idempotency key) hold by construction here: fees come from the validated policy in the
organization's currency and the keys contain the new run's id.
"""
from __future__ import annotations

from concurrent.futures import CancelledError
from typing import Callable

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.receivables.dunning import FEE_CATEGORY, AccountLine, Proposal, deadline
from sollhaben.persistence.models import Account, Organization, Person, Posting
from sollhaben.persistence.models.dunning import DunningNotice, DunningNoticeItem, DunningRun
from sollhaben.services.receivables.dunning_settings import PolicyDTO
from sollhaben.services.receivables.dunning_text import default_iban, letter_texts, measure_text, reference_for
from sollhaben.services.receivables.measures import log_measures
from sollhaben.services.receivables.references import IssuedReferenceInput, register_issued_references

Progress = Callable[[int, int, str], None]


def _holder_names(session: Session, account_ids: list[int]) -> dict[int, str]:
    """First and last name (institutions: the name) of each account's holder, for {name}."""
    names: dict[int, str] = {}
    for start in range(0, len(account_ids), 900):
        chunk = account_ids[start:start + 900]
        for account_id, first, last in session.execute(
                select(Account.id, Person.first_name, Person.last_name).join(Person, Person.id == Account.holder_id)
                .where(Account.id.in_(chunk))):
            names[account_id] = f"{first} {last}".strip()
    return names


def _post_fees(session: Session, org: Organization, policy: PolicyDTO, run: DunningRun,
               letters: list[AccountLine], user: str) -> dict[int, int]:
    """account → fee posting id."""
    rows = []
    for line in letters:
        if line.fee_minor <= 0:
            continue
        level = policy.policy.level(line.letter_level)
        rows.append({"account_id": line.account.id, "booking_date": run.run_date, "value_month": None,
                     "due_date": deadline(policy.policy, line.letter_level, run.run_date),
                     "category": FEE_CATEGORY, "amount_minor": line.fee_minor, "currency": org.currency,
                     "source": PostingSource.DUNNING.value, "source_id": run.id, "reverses_id": None, "reference": "",
                     "text": f"Mahngebühr {level.name} vom {run.run_date:%d.%m.%Y}"[:200], "detail": {},
                     "idempotency_key": f"dunning:{run.id}:{line.account.id}", "created_by": user})
    if not rows:
        return {}
    ids = session.scalars(insert(Posting).returning(Posting.id, sort_by_parameter_order=True), rows).all()
    return {row["account_id"]: posting_id for row, posting_id in zip(rows, ids)}


def store_run(session: Session, org: Organization, policy: PolicyDTO, proposal: Proposal, run_key: str,
              excluded: dict, progress: Progress | None = None,
              cancelled: Callable[[], bool] | None = None) -> DunningRun:
    user = session.info.get("user", "system")
    run = DunningRun(organization_id=org.id, run_date=proposal.run_date, run_key=run_key, currency=org.currency,
                     letters=len(proposal.letters), handovers=len(proposal.handovers), fees_minor=proposal.fees_minor,
                     excluded=excluded, created_by=user)
    session.add(run)
    session.flush()
    work = [a for a in proposal.accounts if a.letter_level or a.handed_over]
    letters = [a for a in work if a.letter_level]
    names = _holder_names(session, [a.account.id for a in letters])
    fees = _post_fees(session, org, policy, run, letters, user)
    notices: list[dict] = []
    items: list[list[tuple[int, int, int]]] = []  # per notice: (item id, level, open)
    for done, line in enumerate(work, start=1):
        if cancelled is not None and cancelled():
            raise CancelledError("Mahnlauf abgebrochen")  # the unit of work rolls everything back
        if line.letter_level:
            level = policy.policy.level(line.letter_level)
            due = deadline(policy.policy, line.letter_level, run.run_date)
            subject, body = letter_texts(policy, level, line, run.run_date, due, names.get(line.account.id, ""))
            notices.append({"run_id": run.id, "account_id": line.account.id, "kind": "LETTER", "level": level.position,
                            "level_name": level.name, "fee_minor": line.fee_minor,
                            "fee_posting_id": fees.get(line.account.id), "amount_minor": line.amount_minor,
                            "payment_due": due, "qr_bill": level.qr_bill and org.legal_country == "CH",
                            "reference": "", "subject": subject, "body": body})
            items.append([(l.item.id, l.level, l.item.open_minor) for l in line.reminded])
        if line.handed_over:
            handed = line.handed_over
            notices.append({"run_id": run.id, "account_id": line.account.id, "kind": "HANDOVER",
                            "level": policy.policy.last, "level_name": policy.policy.handover.label, "fee_minor": 0,
                            "fee_posting_id": None, "amount_minor": sum(l.item.open_minor for l in handed),
                            "payment_due": None, "qr_bill": False, "reference": "", "subject": "", "body": ""})
            items.append([(l.item.id, l.level, l.item.open_minor) for l in handed])
        if progress is not None and done % 200 == 0:
            progress(done, len(work), "Mahnlauf buchen …")
    ids = session.scalars(insert(DunningNotice).returning(DunningNotice.id, sort_by_parameter_order=True),
                          notices).all()
    session.execute(insert(DunningNoticeItem), [
        {"notice_id": notice_id, "item_id": item_id, "level": level, "open_minor": open_minor}
        for notice_id, rows in zip(ids, items) for item_id, level, open_minor in rows])
    _register_references(session, org, ids, notices, items)
    log_measures(session, [
        {"organization_id": org.id, "account_id": n["account_id"], "occurred_on": run.run_date,
         "kind": "REMINDER" if n["kind"] == "LETTER" else "HANDOVER",
         "text": measure_text(n["kind"], n["level_name"], n["amount_minor"], len(rows), org.legal_country,
                              org.currency), "ref_kind": "dunning_notice", "ref_id": notice_id}
        for notice_id, n, rows in zip(ids, notices, items)])
    if progress is not None:
        progress(len(work), len(work), "Mahnlauf gebucht")
    return run


def _register_references(session: Session, org: Organization, ids: list[int], notices: list[dict],
                         items: list[list[tuple[int, int, int]]]) -> None:
    """Each letter's QR reference (QR-IBAN) or creditor reference, stored with the notice and registered
    with its items and fee, so the bank import allocates the payment to them."""
    iban = default_iban(session, org.id)
    if not iban:
        return
    references, issued = [], []
    for notice_id, n, rows in zip(ids, notices, items):
        if n["kind"] != "LETTER":
            continue
        reference = reference_for(iban, n["account_id"], notice_id)
        references.append({"id": notice_id, "reference": reference})
        designated = [item_id for item_id, _level, _open in rows] + ([n["fee_posting_id"]] if n["fee_posting_id"] else [])
        issued.append(IssuedReferenceInput(account_id=n["account_id"], reference=reference, kind="DUNNING",
                                           document_id=notice_id, item_ids=tuple(designated)))
    register_issued_references(session, org.id, issued)  # set-wise: three queries for the whole run
    if references:
        session.execute(update(DunningNotice), references)
