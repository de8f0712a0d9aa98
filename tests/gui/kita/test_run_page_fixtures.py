"""Shared set-up of the Sollstellung page tests (no tests of its own): the Gerber family of the fee
assessment tests (facility "Kita Sonnenschein", Mia and Leon from 01.03.2026, mother, father, youth
office) plus Ben Adler, whose fee group is income-dependent without an income calculation — a
problem in every run. Built through the services on a real SQLite database; the page runs its jobs
on a real worker."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select

from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.persistence.models import BillingRun, Posting
from sollhaben.services import organizations
from sollhaben.services.kita import billing_data, billing_run, catalogue, children
from sollhaben.services.kita.dto import GuardianInput
from sollhaben.ui.context import AppContext
from sollhaben.ui.kita.run_page import RunPage
from sollhaben.workers.jobs import JobRunner
from tests.integration.kita.test_fee_assessment_family import (
    Family,
    build_family,
    valid,
)

TODAY = date(2026, 4, 2)
RUN_DAY = date(2026, 3, 31)
MARCH, APRIL = Month(2026, 3), Month(2026, 4)


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


@dataclass(frozen=True)
class RunSetup:
    family: Family
    ben: int
    income: int  # fee group "Einkommensabhängig" (no income calculation → a problem)

    @property
    def facility(self) -> int:
        return self.family.facility


def build_run_setup(db) -> RunSetup:
    family = build_family(db, "DE")
    income = catalogue.save_fee_group(db, family.org, m.FeeGroup(
        "Einkommensabhängig", m.BillingMode.MONTHLY, m.TierSource.INCOME,
        (m.FeeGroupVersion(valid("01.2026"), (m.Tier(1, "A", eur("100.00")),)),))).group.id
    ben = children.create_child(db, family.org, PersonInput("NATURAL", "Adler", "Ben", birth_date=date(2021, 6, 1)),
                                today=TODAY)
    ben = children.save_guardians(db, ben.id, ben.version, [GuardianInput(family.father)])
    children.save_payers(db, ben.id, ben.version, [family.father])
    children.save_contract(db, m.Contract(ben.id, family.facility, m.ContractStatus.ACTIVE,
                                          first_day=date(2026, 3, 1)))
    billing_data.save_period(db, m.BillingPeriod(child_id=ben.id, valid=valid("03.2026"), version=0, fee_lines=(
        m.FeeLine(income, payers=(m.PayerShare(family.father),)),)))
    return RunSetup(family, ben.id, income)


def post_march_and_change_leon(db, setup: RunSetup) -> None:
    """March posted by the service; then Leon's fee from March on is tier 2 (800.00 instead of
    1,234.50, less 25 %): April recalculates March for the mother."""
    billing_run.post_run(db, setup.facility, MARCH, "anna", today=RUN_DAY)
    leon = billing_data.get_period(db, setup.family.leon_period.id).period
    billing_data.save_period(db, replace(leon, fee_lines=(replace(leon.fee_lines[0], tier=2),)))


def count(db, model, **where) -> int:
    with db.session() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.scalar(query)


def postings(db) -> int:
    return count(db, Posting, source="BILLING_RUN")


def runs(db) -> int:
    return count(db, BillingRun, kind="RUN")


def open_context(db, setup: RunSetup) -> AppContext:
    """The organization with a real worker (shut it down at the end: `close_context`)."""
    return AppContext(db=db, organization=organizations.get_organization(db, setup.family.org), worker=JobRunner())


def close_context(context: AppContext) -> None:
    assert context.worker.shutdown(timeout_ms=20_000)


def show_page(qtbot, context: AppContext) -> RunPage:
    widget = RunPage(context, today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def table_texts(model, column: int) -> list[str]:
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]
