"""Dunning runs: the proposal for a date, the clerk's exclusions, and the confirmation that posts the
fees and records run, notices, the history per item, collection measures and the letters' payment
references — all in one unit of work. Printing follows on the worker (`dunning_letters`).

Confirming is idempotent: the proposal carries a key; confirming the same key again returns the
run already stored. Confirming recomputes the proposal inside the writing transaction (the
organization row locked, so two clerks' runs queue) and refuses, with nothing stored, when it no
longer matches what the clerk saw (a payment, a block or another run came in between).
"""
from __future__ import annotations

import uuid
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.dunning import (
    AccountLine,
    AccountState,
    Action,
    FEE_CATEGORY,
    Blocks,
    Proposal,
    deadline,
    propose,
)
from sollhaben.domain.receivables.dunning_policy import DunningPolicy
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account, Organization, Person
from sollhaben.persistence.models.dunning import DunningNotice, DunningNoticeItem, DunningRun
from sollhaben.services import ledger
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables.dunning_load import load_states
from sollhaben.services.receivables.dunning_settings import PolicyDTO, policy_in
from sollhaben.services.receivables.dunning_text import default_iban, letter_texts, measure_text, reference_for
from sollhaben.services.receivables.measures import log_measure
from sollhaben.services.receivables.references import register_issued_reference
from sollhaben.services.unit_of_work import read_only, unit_of_work

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class DunningPreview:
    """A proposal and what it was computed from: the UI recomputes it from `accounts` and `blocks`
    (pure, instant) when the clerk ticks exclusions; `key` identifies it at confirmation."""

    organization_id: int
    run_date: date
    key: str
    policy: DunningPolicy
    country: str
    currency: str
    accounts: tuple[AccountState, ...]
    blocks: Blocks
    proposal: Proposal
    excluded_accounts: frozenset[int] = field(default_factory=frozenset)
    excluded_items: frozenset[int] = field(default_factory=frozenset)

    def with_exclusions(self, accounts: Iterable[int], items: Iterable[int]) -> "DunningPreview":
        ex_accounts, ex_items = frozenset(accounts), frozenset(items)
        proposal = propose(self.accounts, self.policy, self.run_date, self.blocks, ex_accounts, ex_items,
                           self.country)
        return DunningPreview(self.organization_id, self.run_date, self.key, self.policy, self.country,
                              self.currency, self.accounts, self.blocks, proposal, ex_accounts, ex_items)


@dataclass(frozen=True)
class RunResult:
    run_id: int
    run_date: date
    letters: int
    handovers: int
    fees: Money
    repeated: bool = False  # the key was confirmed before: nothing new stored


def before_proposal(db: Database, organization_id: int, run_date: date) -> None:
    """Runs at the start of every proposal and confirmation, inside the run's unit of work (a unit of
    work opened here joins it). The payment agreements (issue 5, point 7) add their monitoring call
    here — `agreements_monitor.check_agreements(db, organization_id, run_date)` — so that broken
    agreements have their blocks lifted before the proposal reads the blocks."""


def _compute(session: Session, organization_id: int, run_date: date, excluded_accounts: Iterable[int],
             excluded_items: Iterable[int]) -> tuple[PolicyDTO, list[AccountState], Blocks, Proposal]:
    policy = policy_in(session, organization_id)
    accounts, blocks = load_states(session, organization_id, run_date)
    proposal = propose(accounts, policy.policy, run_date, blocks, excluded_accounts, excluded_items, policy.country)
    return policy, accounts, blocks, proposal


def _check_date(run_date: date | None) -> date:
    if run_date is None or not date(2000, 1, 1) <= run_date <= date(2199, 12, 31):
        raise ValidationError("Stichtag: Bitte ein gültiges Datum eingeben.", "run_date")
    return run_date


def preview(db: Database, organization_id: int, run_date: date, excluded_accounts: Iterable[int] = (),
            excluded_items: Iterable[int] = (), progress: Progress | None = None,
            cancelled: Callable[[], bool] | None = None) -> DunningPreview:
    """The proposal for the run date (reads only; the agreements' check writes when it exists)."""
    _check_date(run_date)
    if progress:
        progress(0, 2, "Offene Posten lesen …")
    with unit_of_work(db, "Mahnlauf") as session:
        before_proposal(db, organization_id, run_date)
        policy, accounts, blocks, proposal = _compute(session, organization_id, run_date, excluded_accounts,
                                                      excluded_items)
    if progress:
        progress(2, 2, "Vorschlag berechnet")
    return DunningPreview(organization_id, run_date, uuid.uuid4().hex, policy.policy, policy.country,
                          policy.currency, tuple(accounts), blocks, proposal, frozenset(excluded_accounts),
                          frozenset(excluded_items))


def confirm(db: Database, shown: DunningPreview, progress: Progress | None = None,
            cancelled: Callable[[], bool] | None = None) -> RunResult:
    """Post and record the run the clerk saw (`shown`, with its exclusions), in one unit of work."""
    with unit_of_work(db, "Mahnlauf") as session:
        org = session.scalar(select(Organization).where(Organization.id == shown.organization_id).with_for_update())
        if org is None:
            raise NotFoundError(f"Organisation {shown.organization_id} gibt es nicht.")
        existing = session.scalar(select(DunningRun).where(DunningRun.run_key == shown.key))
        if existing is not None:
            return RunResult(existing.id, existing.run_date, existing.letters, existing.handovers,
                             Money(existing.fees_minor, existing.currency), repeated=True)
        before_proposal(db, shown.organization_id, shown.run_date)
        policy, _accounts, _blocks, proposal = _compute(session, shown.organization_id, shown.run_date,
                                                        shown.excluded_accounts, shown.excluded_items)
        if proposal.selection() != shown.proposal.selection():
            raise ValidationError("Vorschlag: Seit der Berechnung haben sich offene Posten, Sperren oder Mahnläufe "
                                  "geändert. Bitte den Vorschlag neu berechnen.", "proposal")
        if not proposal.letters and not proposal.handovers:
            raise ValidationError("Vorschlag: Es ist nichts zu mahnen oder zu übergeben.", "proposal")
        return _store(db, session, org, policy, proposal, shown, progress, cancelled)


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


def _store(db: Database, session: Session, org: Organization, policy: PolicyDTO, proposal: Proposal,
           shown: DunningPreview, progress: Progress | None, cancelled: Callable[[], bool] | None) -> RunResult:
    run = DunningRun(organization_id=org.id, run_date=proposal.run_date, run_key=shown.key, currency=org.currency,
                     letters=len(proposal.letters), handovers=len(proposal.handovers), fees_minor=proposal.fees_minor,
                     excluded={"accounts": sorted(shown.excluded_accounts), "items": sorted(shown.excluded_items)},
                     created_by=session.info.get("user", "system"))
    session.add(run)
    session.flush()
    work = [a for a in proposal.accounts if a.letter_level or a.handed_over]
    names = _holder_names(session, [a.account.id for a in work])
    notices: list[tuple[DunningNotice, AccountLine]] = []
    for done, account in enumerate(work, start=1):
        if cancelled is not None and cancelled():
            raise CancelledError("Mahnlauf abgebrochen")  # the unit of work rolls everything back
        if account.letter_level:
            notices.append((_letter_notice(db, session, org, policy, run, account,
                                           names.get(account.account.id, "")), account))
        if account.handed_over:
            notices.append((_handover_notice(session, policy, run, account), account))
        if progress is not None and done % 100 == 0:
            progress(done, len(work), "Gebühren buchen …")
    session.flush()
    iban = default_iban(session, org.id)
    for notice, account in notices:
        _after_notice(session, org, iban, run, notice, account)
    session.flush()
    if progress is not None:
        progress(len(work), len(work), "Mahnlauf gebucht")
    return RunResult(run.id, run.run_date, run.letters, run.handovers, Money(run.fees_minor, org.currency))


def _letter_notice(db: Database, session: Session, org: Organization, policy: PolicyDTO, run: DunningRun,
                   account: AccountLine, name: str) -> DunningNotice:
    level = policy.policy.level(account.letter_level)
    due = deadline(policy.policy, account.letter_level, run.run_date)
    fee_id = None
    if account.fee_minor:
        fee_id = ledger.post(db, NewPosting(
            account.account.id, run.run_date, FEE_CATEGORY, Money(account.fee_minor, org.currency),
            text=f"Mahngebühr {level.name} vom {run.run_date:%d.%m.%Y}", due_date=due, source=PostingSource.DUNNING,
            source_id=run.id, idempotency_key=f"dunning:{run.id}:{account.account.id}"))
    subject, body = letter_texts(policy, level, account, run.run_date, due, name)
    notice = DunningNotice(run_id=run.id, account_id=account.account.id, kind="LETTER", level=level.position,
                           level_name=level.name, fee_minor=account.fee_minor, fee_posting_id=fee_id,
                           amount_minor=account.amount_minor, payment_due=due,
                           qr_bill=level.qr_bill and org.legal_country == "CH", subject=subject, body=body)
    notice.items = [DunningNoticeItem(item_id=l.item.id, level=l.level, open_minor=l.item.open_minor)
                    for l in account.reminded]
    session.add(notice)
    return notice


def _handover_notice(session: Session, policy: PolicyDTO, run: DunningRun, account: AccountLine) -> DunningNotice:
    lines = account.handed_over
    notice = DunningNotice(run_id=run.id, account_id=account.account.id, kind="HANDOVER", level=policy.policy.last,
                           level_name=policy.policy.handover.label, fee_minor=0,
                           amount_minor=sum(l.item.open_minor for l in lines), subject="", body="")
    notice.items = [DunningNoticeItem(item_id=l.item.id, level=l.level, open_minor=l.item.open_minor) for l in lines]
    session.add(notice)
    return notice


def _after_notice(session: Session, org: Organization, iban: str, run: DunningRun, notice: DunningNotice,
                  account: AccountLine) -> None:
    """Register the letter's payment reference (with its items and fee) and log the measure."""
    if notice.kind == "LETTER":
        reference = reference_for(iban, account.account.id, notice.id)
        if reference:
            notice.reference = reference
            items = [row.item_id for row in notice.items] + ([notice.fee_posting_id] if notice.fee_posting_id else [])
            register_issued_reference(session, organization_id=org.id, account_id=account.account.id,
                                      reference=reference, kind="DUNNING", document_id=notice.id, item_ids=items)
    log_measure(session, organization_id=org.id, account_id=account.account.id, occurred_on=run.run_date,
                kind="REMINDER" if notice.kind == "LETTER" else "HANDOVER",
                text=measure_text(notice.kind, notice.level_name, notice.amount_minor, len(notice.items),
                                  org.legal_country, org.currency),
                ref_kind="dunning_notice", ref_id=notice.id)


def list_runs(db: Database, organization_id: int) -> list[RunResult]:
    """The organization's runs, newest first."""
    with read_only(db) as session:
        rows = session.scalars(select(DunningRun).where(DunningRun.organization_id == organization_id)
                               .order_by(DunningRun.run_date.desc(), DunningRun.id.desc())).all()
        return [RunResult(r.id, r.run_date, r.letters, r.handovers, Money(r.fees_minor, r.currency)) for r in rows]


__all__ = ["Action", "DunningPreview", "RunResult", "before_proposal", "confirm", "list_runs", "preview"]
