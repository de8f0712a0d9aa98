"""The Kita part of the demo on SQLite and PostgreSQL: statute and settings, children whose periods
validate, the income scale of Kita Regenbogen (configuration, transferred assessments, the posted
income tiers, a newer assessment not transferred, a follow-up), three posted months per facility,
the ledger invariant, the November preview with its deliberate recalculation, determinism,
all-or-nothing (failure and cancel) and the CLI."""
from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from sollhaben.cli import main
from sollhaben.domain.income import model as im
from sollhaben.domain.kita import model as m
from sollhaben.domain.kita.validation import validate_period
from sollhaben.domain.months import Month
from sollhaben.persistence.database import open_database
from sollhaben.persistence.models import (
    AuditEntry,
    BillingPeriod,
    BillingRun,
    Child,
    Contract,
    FeeGroup,
    FollowUp,
    IncomeAssessment,
    IncomeTransfer,
    Organization,
    Posting,
)
from sollhaben.services import demo, followups, organizations
from sollhaben.services.income import assessments, bulk, configuration, transfer
from sollhaben.services.kita import (
    billing_data,
    billing_run,
    catalogue,
    children,
    facility,
)
from tests.integration.kita.billing_run_helpers import ledger_problems

SIZE = 50
POSTED = (Month(2026, 8), Month(2026, 9), Month(2026, 10))
NOVEMBER = Month(2026, 11)


@pytest.fixture
def fresh_sqlite(tmp_path, sqlite_template):
    path = tmp_path / "fresh.sqlite"
    shutil.copy(sqlite_template, path)
    database = open_database(f"sqlite:///{path}", user="demo")
    yield database
    database.dispose()


def facilities(db, org_id: int) -> dict[str, int]:
    return {u.name: u.id for u in organizations.list_units(db, org_id) if u.kind == "FACILITY"}


def count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def kita_figures(db, org_id: int) -> dict:
    """What must be the same in every load of the same size: per facility (by name) and month the
    postings' count and sum by category, the runs' totals, payments, children, periods, and the
    November preview."""
    result: dict = {}
    names = {v: k for k, v in facilities(db, org_id).items()}
    with db.session() as session:
        rows = session.execute(select(BillingRun.facility_id, Posting.value_month, Posting.category,
                                      func.count(), func.sum(Posting.amount_minor))
                               .join(BillingRun, BillingRun.id == Posting.source_id)
                               .where(Posting.source == "BILLING_RUN")
                               .group_by(BillingRun.facility_id, Posting.value_month, Posting.category)).all()
        result["postings"] = sorted((names[f], str(mo), c, n, int(s)) for f, mo, c, n, s in rows)
        result["payments"] = session.execute(select(func.count(), func.sum(Posting.amount_minor))
                                             .where(Posting.source == "PAYMENT")).one()
        result["runs"] = sorted((names[r.facility_id], str(r.month), r.totals["total"], r.counts["postings"])
                                for r in session.scalars(select(BillingRun)))
        result["children"] = session.scalar(select(func.count()).select_from(Child))
        result["periods"] = session.scalar(select(func.count()).select_from(BillingPeriod))
        result["transfers"] = sorted((str(t.valid_from), t.tier, str(t.run_month), t.text)
                                     for t in session.scalars(select(IncomeTransfer)))
    result["assessments"] = sorted((r.child_name, str(r.valid), r.household_size, r.tier, r.status, r.complete,
                                    str(r.follow_up_due)) for r in assessments.list_assessments(db, org_id))
    for name, facility_id in sorted(facilities(db, org_id).items()):
        preview = billing_run.preview_run(db, facility_id, NOVEMBER)
        result[name] = (preview.children, len(preview.lines), len(preview.recalculations), preview.total.minor)
    return result


def test_facilities_have_settings_and_a_statute(db):
    summary = demo.load_demo(db, size=SIZE)
    org_id = summary.organization_id
    ids = facilities(db, org_id)
    settings = {name: facility.get_facility_settings(db, fid) for name, fid in ids.items()}
    sun, rainbow, park = settings["Kita Sonnenschein"], settings["Kita Regenbogen"], settings["Kinderhaus Am Park"]
    assert (sun.wuerttemberg, sun.fee_free_months, sun.due_day, sun.lock_billed) == (True, frozenset({8}), 1, False)
    assert (rainbow.wuerttemberg, rainbow.lock_billed, rainbow.partial_month, rainbow.due_day) == (
        False, True, m.PartialMonth.PRO_RATA, 15)
    assert park.wuerttemberg and park.standard_rate_meals and not park.lock_billed
    institutions = {p.person_id: p.name for p in facility.list_institutions(db, org_id)}
    assert institutions[park.hardship_fund_payer_id] == "Härtefallfonds der Stadt Stuttgart"
    assert institutions[park.sibling_meal_payer_id] == "Jugendamt Stuttgart"
    assert {s.first_billing_month for s in settings.values()} == {Month(2026, 8)}

    groups = {r.name: r for r in catalogue.list_fee_groups(db, org_id, today=date(2026, 10, 31))}
    assert {n for n, r in groups.items() if r.detail == "Württemberger Modell"} == {
        "Regelgruppe", "Verlängerte Öffnungszeit 30 h", "Ganztag 45 h", "Krippe 30 h (unter 3 Jahren)"}
    assert groups["Ganztag 45 h"].versions == 3 and groups["Ganztag 45 h"].current == "4 Staffeln"
    assert groups["Kindergarten Ganztag 45 h"].current == "6 Staffeln"
    whole = catalogue.load_catalogue(db, org_id)
    krippe = next(g for g in whole.fee_groups.values() if g.name.startswith("Krippe 30 h"))
    assert [t.amount for t in krippe.version_for(Month(2026, 10)).tiers] == sorted(
        (t.amount for t in krippe.version_for(Month(2026, 10)).tiers), reverse=True)
    day_care = next(g for g in whole.fee_groups.values() if g.name == "Ganztag 45 h")
    assert krippe.version_for(Month(2026, 10)).tier(1).amount > day_care.version_for(Month(2026, 10)).tier(1).amount
    discounts = {d.name: d for d in whole.discounts.values()}
    assert discounts["Geschwisterermäßigung"].kind is m.DiscountKind.SIBLING_LADDER
    assert discounts["Zuschuss der Stadt"].kind is m.DiscountKind.FIXED
    assert discounts["Familienpass"].kind is m.DiscountKind.PERCENT
    extras = {e.name: e for e in whole.extra_costs.values()}
    meals = extras["Mittagessen"]
    assert (meals.mode, meals.is_meal, str(meals.version_for(Month(2026, 9)).amount)) == (
        m.BillingMode.PER_UNIT, True, "3.80 EUR")
    assert (extras["Getränkepauschale"].mode, extras["Getränkepauschale"].is_meal) == (m.BillingMode.MONTHLY, True)
    assert (extras["Bastelgeld"].mode, extras["Ausflug"].mode) == (m.BillingMode.MONTHLY, m.BillingMode.INDIVIDUAL)
    offer = facility.get_facility_offer(db, ids["Kita Regenbogen"])
    assert {whole.fee_groups[i].tier_source for i in offer.fee_group_ids} == {m.TierSource.INCOME}
    assert count(db, FeeGroup) == 7


def test_children_have_contracts_and_periods_that_validate(db):
    summary = demo.load_demo(db, size=SIZE)
    org_id = summary.organization_id
    ids = facilities(db, org_id)
    rows = children.list_child_rows(db, org_id)
    assert len(rows) == summary.counts["kita_children"] >= 10
    statuses = {r.status for r in rows}
    assert {"ACTIVE", "REGISTERED", "DEREGISTERED"} <= statuses
    settings = {fid: facility.get_facility_settings(db, fid) for fid in ids.values()}
    catalogues = {fid: catalogue.load_catalogue(db, org_id, fid) for fid in ids.values()}
    checked = 0
    for row in rows:
        child = children.get_child(db, row.id)
        assert child.guardians and child.payers and len(child.contracts) == 1
        contract = child.contracts[0].contract
        payer_ids = frozenset(p.person_id for p in child.payers)
        stored = [billing_data.get_period(db, p.id).period for p in billing_data.list_periods(db, row.id)]
        assert stored and stored[0].valid.valid_from == Month.of(contract.first_day)
        fid, fsettings = contract.facility_id, settings[contract.facility_id]
        for period in stored:
            month = period.valid.valid_from
            facts = m.ChildMonthFacts(row.id, month, contract.care_days(month),
                                      children.sibling_position(db, row.id, month),
                                      children.children_in_household(db, row.id, month))
            locked = period.billed_through if fsettings.lock_billed else None
            assert validate_period(period, catalogues[fid], payer_ids, stored, fsettings, locked, facts=facts) == period
            checked += 1
    assert checked >= len(rows)


def test_the_income_scale_is_configured_through_the_services(db):
    summary = demo.load_demo(db, size=SIZE)
    org_id = summary.organization_id
    dto = configuration.get_configuration(db, org_id)
    assert [(t.item_type.label, t.item_type.sign.value) for t in dto.item_types] == [
        ("Lohn/Gehalt", "+"), ("Renten", "+"), ("Unterhalt erhalten", "+"), ("Elterngeld", "+"),
        ("Einkünfte aus selbständiger Arbeit", "+"), ("Werbungskosten", "-"), ("Unterhalt gezahlt", "-")]
    assert not any("Kindergeld" in t.item_type.label for t in dto.item_types)  # not counted in BW statutes
    [version] = [v.scale for v in dto.versions]
    assert (str(version.valid), [(t.household_size, str(t.amount)) for t in version.thresholds],
            str(version.increment_per_person)) == (
        "01.2026 – offen", [(2, "1800.00 EUR"), (3, "2100.00 EUR"), (4, "2400.00 EUR")], "300.00 EUR")
    assert (version.exemption_percent, str(version.exemption_fixed)) == (Decimal(5), "50.00 EUR")
    whole = catalogue.load_catalogue(db, org_id)
    rainbow = facility.get_facility_offer(db, facilities(db, org_id)["Kita Regenbogen"])
    tiers = {len(whole.fee_groups[i].version_for(Month(2026, 8)).tiers) for i in rainbow.fee_group_ids}
    assert tiers == {version.highest_tier} and [b.tier for b in version.brackets] == [1, 2, 3, 4, 5]
    with db.session() as session:  # saved through the services: audited
        audited = set(session.scalars(select(AuditEntry.owner_table).where(
            AuditEntry.owner_table.in_(("income_item_type", "income_scale_version")))))
    assert audited == {"income_item_type", "income_scale_version"}


def test_regenbogen_children_are_billed_with_their_transferred_income_tiers(db):
    summary = demo.load_demo(db, size=SIZE)
    org_id = summary.organization_id
    rainbow = facilities(db, org_id)["Kita Regenbogen"]
    income_groups = {g.id for g in catalogue.load_catalogue(db, org_id).fee_groups.values()
                     if g.tier_source is m.TierSource.INCOME}
    rows = assessments.list_assessments(db, org_id)
    transferred = defaultdict(list)  # child → (validity, tier) of its transfers, as transferred
    for row in rows:
        dto = assessments.get_assessment(db, row.id)
        assert row.facility_id == rainbow and 2 <= row.household_size <= 5
        if row.status is im.AssessmentStatus.TRANSFERRED:
            assert [t.tier for t in dto.transfers] == [row.tier]
            transferred[row.child_id] += [(t.valid, t.tier) for t in dto.transfers]
        else:
            assert dto.transfers == ()  # the newer income: the lines keep the transferred tier
    billed_tiers = {}
    for child in children.list_child_rows(db, org_id):
        periods = [billing_data.get_period(db, p.id).period for p in billing_data.list_periods(db, child.id)]
        lines = [(p, line) for p in periods for line in p.fee_lines if line.fee_group_id in income_groups]
        assert bool(lines) == (child.id in transferred), child.name  # every Regenbogen child, only those
        for period, line in lines:
            months = [mo for mo in period.valid.months(until=Month(2027, 12)) if mo >= Month(2026, 8)]
            for mo in months:
                [tier] = [t for valid, t in transferred[child.id] if valid.contains(mo)]
                assert line.tier == tier, (child.name, str(mo))
            if not months:  # before billing started: the transfer split the period, no tier there
                assert line.tier is None
        billed_tiers[child.id] = {t for _v, t in transferred[child.id]}
    assert len(transferred) >= 3 and len({t for ts in billed_tiers.values() for t in ts}) >= 2
    with db.session() as session:
        runs = session.execute(select(BillingRun.month, BillingRun.counts).where(
            BillingRun.facility_id == rainbow)).all()
        fees = session.execute(select(Posting.detail).join(BillingRun, BillingRun.id == Posting.source_id).where(
            Posting.source == "BILLING_RUN", BillingRun.facility_id == rainbow,
            Posting.category == "KITA_FEE")).scalars().all()
    assert sorted(mo for mo, _c in runs) == list(POSTED) and all(c["problems"] == 0 for _m, c in runs)
    assert fees and all(d["tier"] in billed_tiers[d["child"]] for d in fees)  # the income tier, no "keine …"
    assert bulk.due_children(db, org_id, NOVEMBER) == []  # every income line is covered


def test_the_staffelberechnung_page_shows_every_state(db):
    summary = demo.load_demo(db, size=SIZE)
    org_id = summary.organization_id
    rows = assessments.list_assessments(db, org_id)
    details = {r.id: assessments.get_assessment(db, r.id).assessment for r in rows}
    assert sum(1 for r in rows if r.complete) > len(rows) / 2 and any(not r.complete for r in rows)
    assert any(a.highest_tier for a in details.values())
    highest = next(r for r in rows if details[r.id].highest_tier)
    assert highest.tier == 6
    assert any(p.monthly_entry for a in details.values() for p in a.persons)
    assert any(len(a.persons) == 2 for a in details.values()) and any(
        len(a.persons) == 1 for a in details.values() if not a.highest_tier)
    [newer] = [r for r in rows if r.status is im.AssessmentStatus.NOT_TRANSFERRED]
    assert (newer.valid.valid_from, newer.valid.valid_to, newer.complete) == (NOVEMBER, None, True)
    [before] = [r for r in rows if r.child_id == newer.child_id and r.id != newer.id]
    assert (before.status, before.valid.valid_to) == (im.AssessmentStatus.TRANSFERRED, Month(2026, 10))
    assert newer.tier > before.tier  # a higher income, not yet on the billing data
    preview = billing_run.preview_run(db, newer.facility_id, NOVEMBER)
    fee = next(line for line in preview.lines if line.child_id == newer.child_id and line.line_kind == "FEE")
    assert fee.tier == before.tier
    [follow_up] = followups.list_due(db, org_id, today=date(2026, 10, 31))
    assert (follow_up.record_type, follow_up.module, follow_up.due_date) == (
        "income_assessment", "income", date(2026, 11, 5))
    [marked] = [r for r in rows if r.follow_up_due is not None]
    assert marked.id == follow_up.record_id and not marked.complete
    assert count(db, FollowUp) == 1


def test_a_transfer_through_the_service_finds_nothing_to_change(db):
    """The demo's transfers are planned by the domain and bulk-inserted; the service agrees with them."""
    summary = demo.load_demo(db, size=SIZE)
    rows = [r for r in assessments.list_assessments(db, summary.organization_id)
            if r.status is im.AssessmentStatus.TRANSFERRED and r.valid.valid_to is None]
    assert rows
    for row in rows:
        result = transfer.transfer_assessment(db, row.id, "test", version=row.version, today=date(2026, 10, 31))
        assert (result.tier, result.periods_changed, result.periods_created) == (row.tier, 0, 0)
        assert not [line for line in result.protocol if line.kind.value in ("DIFFERENCE", "PROBLEM")]


def test_three_months_are_posted_per_facility_and_the_ledger_holds(db):
    summary = demo.load_demo(db, size=SIZE)
    org_id = summary.organization_id
    ids = facilities(db, org_id)
    for name, fid in ids.items():
        runs = billing_run.list_runs(db, fid)
        assert [(r.month, r.kind, r.status) for r in reversed(runs)] == [(mo, "RUN", "POSTED") for mo in POSTED]
        assert all(r.postings > 0 and r.total.minor > 0 for r in runs), name
    with db.session() as session:
        problems = [r.counts["problems"] for r in session.scalars(select(BillingRun))]
        booked = session.execute(select(BillingRun.facility_id, BillingRun.month, Posting.value_month,
                                        Posting.category, Posting.detail)
                                 .join(BillingRun, BillingRun.id == Posting.source_id)
                                 .where(Posting.source == "BILLING_RUN")).all()
        contracts = {c.child_id: c for c in session.scalars(select(Contract))}
    assert problems == [0] * 9
    by_run = defaultdict(set)
    for facility_id, run_month, value_month, category, detail in booked:
        assert value_month == run_month and detail["kind"] == "REGULAR"  # no recalculation in the history
        by_run[(facility_id, run_month)].add(category)
    assert set(by_run) == {(fid, mo) for fid in ids.values() for mo in POSTED}
    sun = ids["Kita Sonnenschein"]
    assert "KITA_FEE" not in by_run[(sun, Month(2026, 8))]  # August is fee-free there …
    assert "MEALS" in by_run[(sun, Month(2026, 8))] and "KITA_FEE" in by_run[(sun, Month(2026, 9))]  # … meals not
    after_leaving = [d for _f, _r, value_month, category, d in booked if category == "MEALS"
                     and contracts[d["child"]].last_day and value_month == Month.of(contracts[d["child"]].last_day) + 1]
    assert after_leaving  # lunches of the last month billed once more after the child left
    assert ledger_problems(db) == []
    with db.session() as session:
        payments = session.scalar(select(func.count()).select_from(Posting).where(Posting.source == "PAYMENT",
                                                                                 Posting.account_id.in_(
            select(Posting.account_id).where(Posting.source == "BILLING_RUN"))))
    assert payments > 0


def test_the_november_preview_shows_the_recalculation_and_no_problems(db):
    summary = demo.load_demo(db, size=SIZE)
    recalculations = []
    for name, fid in facilities(db, summary.organization_id).items():
        preview = billing_run.preview_run(db, fid, NOVEMBER)
        assert preview.refusal == "" and preview.problems == (), name
        assert preview.lines, name
        grid = billing_data.quick_entry_rows(db, fid, NOVEMBER)  # October's lunches typed in
        meals = next(c.key for c in grid.columns if c.name == "Mittagessen")
        assert grid.total(meals) > 0 and all(r.cells[meals].value <= 20 for r in grid.rows if meals in r.cells)
        recalculations += preview.recalculations
    assert recalculations and {r.value_month for r in recalculations} == {Month(2026, 9), Month(2026, 10)}
    assert all(r.amount.minor < 0 and r.line_kind == "FEE" for r in recalculations)  # the Familienpass credited
    assert len({r.child_id for r in recalculations}) == 1
    child = recalculations[0].child_id
    periods = billing_data.list_periods(db, child)
    assert [str(p.valid.valid_from) for p in periods][-1] == "09.2026"
    with db.session() as session:  # saved through the service: the child's history shows the change
        audited = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.owner_table == "child", AuditEntry.owner_id == child))
    assert audited > 0


def test_same_size_gives_the_same_kita_figures(db, fresh_sqlite):
    first = demo.load_demo(db, size=SIZE)
    second = demo.load_demo(fresh_sqlite, size=SIZE)
    assert first.counts == second.counts
    assert kita_figures(db, first.organization_id) == kita_figures(fresh_sqlite, second.organization_id)


def test_a_failure_in_the_runs_leaves_nothing(db, monkeypatch):
    calls = []
    real = billing_run.post_run

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("Stromausfall")
        return real(*args, **kwargs)

    monkeypatch.setattr(billing_run, "post_run", failing)
    with pytest.raises(RuntimeError, match="Stromausfall"):
        demo.load_demo(db, size=SIZE)
    assert [count(db, t) for t in (Organization, Child, BillingRun, Posting, AuditEntry, IncomeAssessment,
                                   IncomeTransfer)] == [0] * 7


def test_a_cancel_during_the_runs_leaves_nothing(db):
    seen: list[str] = []

    def cancelled() -> bool:
        return any("Sollstellung 09.2026" in text for text in seen)

    with pytest.raises(demo.DemoCancelled):
        demo.load_demo(db, size=SIZE, progress=lambda done, total, text: seen.append(text), cancelled=cancelled)
    assert [count(db, t) for t in (Organization, Child, BillingRun, Posting, AuditEntry, IncomeAssessment,
                                   IncomeTransfer)] == [0] * 7


def test_the_cli_loads_the_kita_demo(db, capsys):
    code = main(["--database", db.url, "demo", "--size", "50"])
    out, err = capsys.readouterr()
    assert code == 0 and err == "" and "Kita-Kinder" in out and "9 Sollstellungen" in out
    org_id = next(o.id for o in organizations.list_organizations(db) if o.name == demo.KITA_NAME)
    assert all(len(billing_run.list_runs(db, fid)) == 3 for fid in facilities(db, org_id).values())
