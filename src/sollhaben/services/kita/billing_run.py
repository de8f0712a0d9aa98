"""The billing run (Sollstellung) of a facility and month: preview, post, undo, list.

`preview_run` and `post_run` do the same computation: load the facility's children, periods,
lines, contracts and what earlier runs posted in a few bulk queries (`billing_run_load`), let the
domain plan the run (`domain.kita.run_plan`: the month's lines, fee-free months, the month after
leaving, recalculation of every billed month, resets, idempotency keys), and either describe it
(preview, nothing written) or post it in ONE unit of work (`billing_run_post`): run row, accounts,
postings, resets, billed-through marks. `cancelled()` is checked while planning and once more
before the commit; a cancelled, refused or crashed run leaves the database exactly as it was.

Months run in order (the facility's first billing month, then each next one); a posted month is
refused. Even if that check were bypassed, every posting carries the plan's idempotency key and
the plan subtracts what is posted already, so nothing is posted twice. `undo_last_run` is in
`billing_run_undo`, the run list and subsidy list reports in `billing_run_report`.
"""
from __future__ import annotations

import concurrent.futures
import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.kita.fast import build
from sollhaben.domain.kita.run_plan import check_run_month, plan_run
from sollhaben.domain.kita.run_types import (
    ChildRun,
    PlannedPosting,
    RunPlan,
    RunRequest,
)
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.database import Database, defer_checkpoint
from sollhaben.persistence.models import BillingRun, Unit
from sollhaben.services.kita import billing_run_post as writer
from sollhaben.services.kita.billing_run_dto import (
    RunLineDTO,
    RunPreviewDTO,
    RunProblem,
    RunResultDTO,
    RunRowDTO,
    RunTotal,
    RunTotals,
)
from sollhaben.services.kita.billing_run_load import (
    RunInputs,
    load_inputs,
    person_names,
)
from sollhaben.services.unit_of_work import read_only, unit_of_work

Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]

PROGRESS_EVERY = 500  # children between two progress reports and cancel checks
#: The last progress text of `post_run`, reported inside the transaction right before the commit
#: (after the last cancel check): everything is written, nothing is committed yet.
BEFORE_COMMIT = "Buchungen geschrieben – Abschluss"


class RunCancelled(concurrent.futures.CancelledError):
    """The run was cancelled before its commit; nothing was posted."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """The garbage collector off while a run loads, plans and writes: it creates some 500 000
    objects without a reference cycle for 10 000 children, and the collector's passes over them
    cost about a third of the run. Restored afterwards (also on error)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise RunCancelled("Die Sollstellung wurde abgebrochen; es wurde nichts gebucht.")


def refusal(inputs: RunInputs, month: Month) -> str:
    """Why the month may not be posted now (German), or ""."""
    history = inputs.history
    if month in history.posted_months:
        return (f"Abrechnungsmonat: {month} ist für die Einrichtung „{inputs.facility_name}“ bereits abgerechnet; "
                "eine Sollstellung kann nur einmal gebucht werden (Änderungen werden mit der nächsten "
                "Sollstellung nachberechnet, oder die letzte Sollstellung wird rückgängig gemacht).")
    try:
        check_run_month(month, history.last_month, inputs.settings.first_billing_month)
    except ValidationError as exc:
        return str(exc)
    return ""


def _children(children: list[ChildRun], progress: Progress | None, cancelled: Cancelled | None,
              text: str) -> Iterator[ChildRun]:
    total = len(children)
    for done, child in enumerate(children):
        if done % PROGRESS_EVERY == 0:
            _check(cancelled)
            if progress is not None:
                progress(done, total, text)
        yield child
    _check(cancelled)
    if progress is not None:
        progress(total, total, text)


def compute_plan(inputs: RunInputs, month: Month, progress: Progress | None = None,
                 cancelled: Cancelled | None = None) -> RunPlan:
    history = inputs.history
    request = RunRequest(inputs.facility_id, month, inputs.settings, inputs.catalogue, history.attempt(month),
                         first_billed_month=history.first_month)
    return plan_run(request, _children(inputs.children, progress, cancelled, f"Sollstellung {month}: Kinder"))


# --- DTOs -------------------------------------------------------------------------------------------

def child_name(inputs: RunInputs, child_id: int) -> str:
    last, first = inputs.child_names.get(child_id, (f"Kind {child_id}", ""))
    return f"{last}, {first}" if first else last


def totals(sums: writer.Sums, currency, payer_names: dict[int, str], catalogue) -> RunTotals:
    """The run's totals as DTOs (one per fee group, extra cost and payer; sorted by name)."""
    def name(kind: str, entry_id: int) -> str:
        entries = catalogue.fee_groups if kind == "FEE" else catalogue.extra_costs
        entry = entries.get(entry_id)
        return entry.name if entry is not None else f"{entry_id}"

    def total(key: int, label: str, minor: int, count: int) -> RunTotal:
        return build(RunTotal, key=key, name=label, amount=Money(minor, currency), postings=count)

    def made(kind: str) -> tuple[RunTotal, ...]:
        found = [total(eid, name(k, eid), v[0], v[1]) for (k, eid), v in sums.groups.items() if k == kind]
        return tuple(sorted(found, key=lambda t: (t.name.casefold(), t.key)))

    by_payer = [total(pid, payer_names.get(pid) or str(pid), v[0], v[1]) for pid, v in sums.payers.items()]
    by_payer.sort(key=lambda t: (t.name.casefold(), t.key))
    return RunTotals(made("FEE"), made("EXTRA"), tuple(by_payer), Money(sums.regular, currency),
                     Money(sums.recalculation, currency))


def _line_dto(inputs: RunInputs, p: PlannedPosting, payer_names: dict[int, str]) -> RunLineDTO:
    currency = p.amount.currency
    deducted = sum(d.amount.minor for d in p.deductions)
    return RunLineDTO(
        p.child_id, child_name(inputs, p.child_id), p.payer_id, payer_names.get(p.payer_id, str(p.payer_id)),
        p.value_month, p.line_key, p.line_kind.value, p.catalogue_id, p.name, writer.category(p), p.tier, p.quantity,
        p.unit_amount, Money(deducted, currency), p.share, p.posted_before, p.amount, p.is_recalculation, p.is_meal,
        writer.posting_text(p, inputs.child_names.get(p.child_id, ("", ""))[1]))


def problems(inputs: RunInputs, plan: RunPlan) -> tuple[RunProblem, ...]:
    return tuple(RunProblem(pr.child_id, child_name(inputs, pr.child_id), pr.month, pr.line_key, pr.message)
                 for pr in plan.problems)


# --- preview ----------------------------------------------------------------------------------------

def preview_run(db: Database, facility_id: int, month: Month, progress: Progress | None = None,
                cancelled: Cancelled | None = None, *, full_recalculation: bool = False) -> RunPreviewDTO:
    """What a run of `month` would post, its totals and every problem. Nothing is written."""
    with collector_paused():  # the plan's objects are freed before the collector runs again
        return _preview(db, facility_id, month, progress, cancelled, full_recalculation)


def _preview(db: Database, facility_id: int, month: Month, progress: Progress | None,
             cancelled: Cancelled | None, full_recalculation: bool = False) -> RunPreviewDTO:
    with read_only(db) as session:
        inputs = load_inputs(session, facility_id, month, full_recalculation)
        plan = compute_plan(inputs, month, progress, cancelled)
        names = person_names(session.connection(), {p.payer_id for p in plan.postings})
    lines = [_line_dto(inputs, p, names) for p in plan.postings]
    return RunPreviewDTO(
        facility_id, inputs.facility_name, month, inputs.currency.value, plan.attempt, plan.children,
        tuple(x for x in lines if not x.is_recalculation), tuple(x for x in lines if x.is_recalculation),
        totals(writer.Sums.of(plan.postings), plan.currency, names, inputs.catalogue), problems(inputs, plan),
        len(plan.resets), refusal(inputs, month))


# --- post -------------------------------------------------------------------------------------------

def _lock_facility(session: Session, facility_id: int) -> None:
    """Serialize runs of one facility on PostgreSQL (SQLite holds the write lock already)."""
    session.execute(select(Unit.id).where(Unit.id == facility_id).with_for_update())


def post_run(db: Database, facility_id: int, month: Month, user: str, progress: Progress | None = None,
             cancelled: Cancelled | None = None, today: date | None = None, *,
             full_recalculation: bool = False) -> RunResultDTO:
    """Post the month's billing run in one transaction (see the module docstring).
    `full_recalculation`: compare every child's billed months, not only those whose inputs changed
    (the same postings; the change detection is tested against it)."""
    started = time.perf_counter()
    with collector_paused():  # the run's objects are freed before the collector runs again
        result = _post(db, facility_id, month, user, progress, cancelled, today or date.today(),
                       full_recalculation)
    return replace(result, seconds=time.perf_counter() - started)


def _post(db: Database, facility_id: int, month: Month, user: str, progress: Progress | None,
          cancelled: Cancelled | None, today: date, full_recalculation: bool = False) -> RunResultDTO:
    with unit_of_work(db) as session:
        _lock_facility(session, facility_id)
        defer_checkpoint(session.connection())  # SQLite: the WAL is copied after the user's wait
        inputs = load_inputs(session, facility_id, month, full_recalculation)
        reason = refusal(inputs, month)
        if reason:
            raise ValidationError(reason, "month")
        plan = compute_plan(inputs, month, progress, cancelled)
        written = _write(session, inputs, plan, user, today, progress)
        payer_names = person_names(session.connection(), set(written["sums"].payers))
        result = RunResultDTO(
            written["run_id"], facility_id, inputs.facility_name, month, plan.attempt, plan.children,
            written["postings"], written["regular"], written["recalculation"], written["accounts"], written["resets"],
            written["periods"], totals(written["sums"], plan.currency, payer_names, inputs.catalogue),
            problems(inputs, plan), 0.0)
        _check(cancelled)  # the last moment a cancel is honoured: after it, the commit
        if progress is not None:
            progress(1, 1, f"Sollstellung {month}: {BEFORE_COMMIT}")
    return result


def _write(session: Session, inputs: RunInputs, plan: RunPlan, user: str, today: date,
           progress: Progress | None) -> dict:
    now = utcnow()
    run = BillingRun(organization_id=inputs.organization_id, facility_id=inputs.facility_id, month=plan.month,
                     kind="RUN", status="POSTED", started_at=now, started_by=user[:60],
                     currency=inputs.currency.value, counts={}, totals={})
    session.add(run)
    session.flush()
    if progress is not None:
        progress(0, 1, f"Sollstellung {plan.month}: Buchungen schreiben")
    count, opened, sums = writer.write_postings(session, inputs, plan, run.id, user[:60], today, now)
    resets, periods = writer.write_resets(session, inputs, plan, run.id, now)
    writer.write_child_state(session, inputs, plan, run.id, sums)
    recalculations = len(plan.recalculations)
    counts = {"attempt": plan.attempt, "children": plan.children,
              "children_billed": len({p.child_id for p in plan.postings}), "postings": count,
              "regular": len(plan.postings) - recalculations, "recalculation": recalculations,
              "children_recalculated": inputs.recalculated,
              "accounts_opened": opened, "resets": resets, "periods": periods, "problems": len(plan.problems)}
    session.execute(update(BillingRun).where(BillingRun.id == run.id).values(
        counts=counts, totals=sums.as_json(), finished_at=utcnow(), inputs=inputs.state))
    return {"run_id": run.id, "postings": count, "accounts": opened, "resets": resets, "periods": periods,
            "sums": sums, "regular": counts["regular"], "recalculation": recalculations}


# --- runs of a facility -----------------------------------------------------------------------------

def _row(run: BillingRun) -> RunRowDTO:
    counts, sums = run.counts or {}, run.totals or {}
    return RunRowDTO(run.id, run.facility_id, run.month, run.kind, run.status, run.started_at, run.finished_at,
                     run.started_by, run.currency, int(counts.get("postings", counts.get("reversals", 0))),
                     int(counts.get("children", 0)), Money(int(sums.get("total", 0)), run.currency),
                     run.reversed_by_id, int(counts.get("attempt", 1)))


def list_runs(db: Database, facility_id: int) -> list[RunRowDTO]:
    """The facility's runs and undos, newest first."""
    with read_only(db) as session:
        from sollhaben.services.kita.billing_run_load import require_facility

        require_facility(session, facility_id)
        rows = session.scalars(select(BillingRun).where(BillingRun.facility_id == facility_id)
                               .order_by(BillingRun.id.desc())).all()
        return [_row(r) for r in rows]


def get_run(db: Database, run_id: int) -> RunRowDTO:
    from sollhaben.domain.errors import NotFoundError

    with read_only(db) as session:
        run = session.get(BillingRun, run_id)
        if run is None:
            raise NotFoundError(f"Sollstellung {run_id} gibt es nicht.")
        return _row(run)


def parse_month(text: str) -> Month:
    """"2026-03" or "03.2026" (German message naming the field on error)."""
    return Month.parse(text, "Abrechnungsmonat")


def find_facility(db: Database, wanted: str) -> tuple[int, str, str, str]:
    """A facility by id or name (case-insensitive): (id, name, organization name, country)."""
    from sollhaben.domain.errors import NotFoundError
    from sollhaben.domain.master_data import UnitKind
    from sollhaben.persistence.models import Organization

    with read_only(db) as session:
        rows = session.execute(select(Unit.id, Unit.name, Organization.name, Organization.legal_country)
                               .join(Organization, Organization.id == Unit.organization_id)
                               .where(Unit.kind == UnitKind.FACILITY.value).order_by(Unit.id)).all()
    text = (wanted or "").strip()
    matches = [r for r in rows if text.isdigit() and r[0] == int(text)]
    matches = matches or [r for r in rows if r[1] == text] or [r for r in rows if r[1].casefold() == text.casefold()]
    if not matches:
        known = "; ".join(f"{r[0]} = {r[1]}" for r in rows[:20]) or "keine"
        raise NotFoundError(f"Einrichtung: „{text}“ gibt es nicht (Einrichtungen: {known}).")
    if len(matches) > 1:
        listing = "; ".join(f"{r[0]} = {r[1]} ({r[2]})" for r in matches)
        raise NotFoundError(f"Einrichtung: „{text}“ gibt es mehrmals; bitte die ID angeben ({listing}).")
    return tuple(matches[0])
