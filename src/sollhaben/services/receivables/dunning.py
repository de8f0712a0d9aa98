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
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.dunning import (
    AccountState,
    Action,
    Blocks,
    Proposal,
    propose,
)
from sollhaben.domain.receivables.dunning_policy import DunningPolicy
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Organization
from sollhaben.persistence.models.dunning import DunningRun
from sollhaben.services.receivables.dunning_load import load_states
from sollhaben.services.receivables.dunning_settings import PolicyDTO, policy_in
from sollhaben.services.receivables.dunning_store import store_run
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
    # Payment agreements (part „agreement“ of issue 5): the monitoring run. Never beyond today: a
    # proposal for a later date must not break an agreement whose instalment may still be paid in
    # time (a wrong reminder harms; a block held a few days longer only delays).
    from sollhaben.services.receivables.agreements_monitor import check_agreements
    check_agreements(db, organization_id, min(run_date, date.today()))


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
        excluded = {"accounts": sorted(shown.excluded_accounts), "items": sorted(shown.excluded_items)}
        run = store_run(session, org, policy, proposal, shown.key, excluded, progress, cancelled)
        return RunResult(run.id, run.run_date, run.letters, run.handovers, Money(run.fees_minor, org.currency))


def find_run(db: Database, run_key: str) -> RunResult | None:
    """The run stored for a proposal's key, if any (the UI asks after a cancel came too late to stop it)."""
    with read_only(db) as session:
        r = session.scalar(select(DunningRun).where(DunningRun.run_key == run_key))
        return None if r is None else RunResult(r.id, r.run_date, r.letters, r.handovers,
                                                Money(r.fees_minor, r.currency))


def list_runs(db: Database, organization_id: int) -> list[RunResult]:
    """The organization's runs, newest first."""
    with read_only(db) as session:
        rows = session.scalars(select(DunningRun).where(DunningRun.organization_id == organization_id)
                               .order_by(DunningRun.run_date.desc(), DunningRun.id.desc())).all()
        return [RunResult(r.id, r.run_date, r.letters, r.handovers, Money(r.fees_minor, r.currency)) for r in rows]


__all__ = ["Action", "DunningPreview", "RunResult", "before_proposal", "confirm", "find_run", "list_runs", "preview"]
