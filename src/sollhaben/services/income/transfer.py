"""The transfer (Übertragen) of an assessment's tier into the child's billing data.

One unit of work: the child is locked; the assessment is validated again (the configuration may have
changed since it was saved) and its tier computed (`calculate`); the child is loaded as the billing
run loads it (`billing_run_load.load_inputs` of the assessment's facility with every posting, the
facility's next run, `locked_through` = the child's last billed month when the lock option is on);
the domain plans the transfer (`plan_transfer`); the closed or changed periods and the new ones are
stored through `billing_data.save_period` (the same validation, lock and version checks as the
form), each part with the billed months of the original (`billed_through`); the assessment gets
status 2 and the protocol is stored. A refused period refuses the whole transfer: nothing is stored.
The transfer posts nothing; the next billing run posts the differences the protocol announces.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.orm import Session

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.income import model as im
from sollhaben.domain.income.calculation import calculate
from sollhaben.domain.income.transfer import plan_transfer
from sollhaben.domain.income.validation import validate_assessment
from sollhaben.domain.kita.run_types import ChildRun, RunRequest
from sollhaben.domain.months import Month
from sollhaben.persistence import income_mapping as mapping
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import BillingPeriod, IncomeTransfer
from sollhaben.services.income.configuration import config_in
from sollhaben.services.income.context import (
    assessment_row,
    child_assessments,
    child_name,
    linked_persons,
    protocol_json,
)
from sollhaben.services.income.dto import ProtocolLine, TransferResultDTO
from sollhaben.services.kita import billing_data
from sollhaben.services.kita.billing_run_load import RunInputs, load_inputs, person_names, run_history
from sollhaben.services.kita.children import contracts_in, load_child
from sollhaben.services.kita.facility import settings_in
from sollhaben.services.unit_of_work import check_version, unit_of_work

WHAT = "Die Staffelberechnung"

#: facility id → what the billing run loaded for it and the next run's month (a bulk transfer loads
#: each facility once; transfers post nothing, so what it read of the postings stays true)
InputsCache = dict[int, tuple[RunInputs, Month]]


def next_run_month(session: Session, facility_id: int, today: date) -> Month:
    """The month of the facility's next run: after the last run, else the first billing month of the
    settings, else the current month."""
    history = run_history(session, facility_id)
    if history.last_month is not None:
        return history.last_month + 1
    return settings_in(session, facility_id).first_billing_month or Month.of(today)


def _inputs(session: Session, facility_id: int, today: date, cache: InputsCache | None) -> tuple[RunInputs, Month]:
    if cache is not None and facility_id in cache:
        return cache[facility_id]
    month = next_run_month(session, facility_id, today)
    loaded = load_inputs(session, facility_id, month, full_recalculation=True), month
    if cache is not None:
        cache[facility_id] = loaded
    return loaded


def _child_run(session: Session, inputs: RunInputs, child_id: int, periods) -> ChildRun:
    """The child as the run loads it, with its billing periods as stored now."""
    loaded = next((c for c in inputs.children if c.child_id == child_id), None)
    if loaded is None:  # no contract in the facility: nothing of it is billed there
        contracts = tuple(c for c in contracts_in(session, child_id) if c.facility_id == inputs.facility_id)
        return ChildRun(child_id, tuple(periods), contracts, None, ())
    return replace(loaded, periods=tuple(periods), recalculate_from=None)


def transfer_in(db: Database, session: Session, assessment_id: int, user: str, *, version: int | None = None,
                organization_id: int | None = None, today: date | None = None,
                cache: InputsCache | None = None) -> TransferResultDTO:
    """The transfer inside an open unit of work of `db` (see the module)."""
    today = today or date.today()
    row = assessment_row(session, assessment_id, organization_id)
    load_child(session, row.child_id, lock=True)  # no period or assessment of the child changes meanwhile
    check_version(version, row.version, WHAT)
    config = config_in(session, row.organization_id)
    currency = config.currency.value
    assessment = mapping.assessment_to_domain(row, currency)
    linked = frozenset(p.person_id for p in linked_persons(session, row.child_id))
    try:
        validate_assessment(assessment, config, linked, [a for _, a in child_assessments(session, row.child_id,
                                                                                         currency)])
    except ValidationError as exc:
        raise ValidationError([replace(e, message=f"Übertragen nicht möglich – {e.message}") for e in exc.errors])
    tier = calculate(assessment, config).tier
    inputs, month = _inputs(session, row.facility_id, today, cache)
    history = inputs.history
    stored = billing_data.periods_in(session, row.child_id, currency)
    periods = [p for _, p in stored]
    request = RunRequest(inputs.facility_id, month, inputs.settings, inputs.catalogue, history.attempt(month),
                         first_billed_month=history.first_month)
    billed = [p.billed_through for p in periods if p.billed_through is not None]
    locked_through = max(billed) if billed and inputs.settings.lock_billed else None
    payers = {s.payer_id for p in periods for line in p.fee_lines + p.extra_lines for s in line.payers}
    plan = plan_transfer(assessment, tier, _child_run(session, inputs, row.child_id, periods), request,
                         locked_through=locked_through, payer_names=person_names(session.connection(), payers))
    _store_periods(db, session, plan.changed, plan.created)
    row.status = int(im.AssessmentStatus.TRANSFERRED)
    protocol = tuple(ProtocolLine(e.kind, e.text, e.month, e.payer_id, e.amount, e.period_id) for e in plan.protocol)
    transfer = IncomeTransfer(
        organization_id=row.organization_id, child_id=row.child_id, assessment_id=row.id,
        facility_id=row.facility_id, valid_from=row.valid_from, valid_to=row.valid_to, tier=plan.tier,
        run_month=month, transferred_by=user[:60], text="\n".join(line.text for line in protocol),
        entries=protocol_json(protocol))
    session.add(transfer)
    session.flush()
    return TransferResultDTO(transfer.id, row.id, row.version, row.child_id, child_name(session, row.child_id),
                             row.facility_id, plan.tier, assessment.validity, month, len(plan.changed),
                             len(plan.created), protocol)


def _store_periods(db: Database, session: Session, changed, created) -> None:
    """Closed or changed periods first (so the new ones do not overlap them), then the new ones in
    order; each keeps the billed months of its part of the original."""
    for period in list(changed) + sorted(created, key=lambda p: p.valid.valid_from):
        try:
            saved = billing_data.save_period(db, period).period
        except ValidationError as exc:
            raise ValidationError([replace(e, message=f"Übertragen nicht möglich – Abrechnungszeitraum "
                                                      f"{period.valid}: {e.message}") for e in exc.errors])
        if saved.billed_through != period.billed_through:
            stored = session.get(BillingPeriod, saved.id)
            stored.billed_through = period.billed_through
    session.flush()


def transfer_assessment(db: Database, assessment_id: int, user: str, *, version: int | None = None,
                        organization_id: int | None = None, today: date | None = None) -> TransferResultDTO:
    """Transfer one assessment („Übertragen“). `version`: the row version the form loaded (None: no
    check). Raises ValidationError (nothing stored), ConflictError or NotFoundError."""
    with unit_of_work(db, WHAT) as session:
        return transfer_in(db, session, assessment_id, user, version=version, organization_id=organization_id,
                           today=today)

