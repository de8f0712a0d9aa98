"""Property through the database (SQLite): over random sequences of changes and runs, the run with
change detection plans exactly what the run with full recalculation plans — before every run the
two previews are compared posting for posting, then the month is posted (with change detection),
so the history goes on from what change detection posted. This covers what the domain property
cannot: the digests and the facility state as stored and read back, and the postings of the
recalculated children read from `billing_run_child` instead of the ledger."""
from __future__ import annotations

import shutil
import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import insert, select, update

from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import PersonInput, UnitInput
from sollhaben.persistence.database import open_database
from sollhaben.persistence.models import Contract, ExtraLine, FeeGroupVersion, FeeLine, FeeTier
from sollhaben.services import organizations, persons
from sollhaben.services.kita import billing_data, billing_run, catalogue, children, facility
from sollhaben.services.kita.dto import GuardianInput
from sollhaben.services.unit_of_work import unit_of_work
from tests.conftest import make_org_input
from tests.integration.kita.billing_run_helpers import RUN_DAY, ledger_problems
from tests.integration.kita.conftest import TODAY, eur, month, valid
from tests.integration.kita.test_billing_run_changes import _lines

FIRST = month("03.2026")
CHILDREN = 3


def _world(db) -> dict:
    """A facility with a small statute and three children (two of them siblings), billing from March."""
    org = organizations.create_organization(db, make_org_input("DE"))
    unit = organizations.save_unit(db, org.id, UnitInput("Kita Sonnenschein", "FACILITY")).id
    tiers = tuple(m.Tier(i + 1, "", eur(a)) for i, a in enumerate(("291.20", "250.00", "162.00")))
    group = catalogue.save_fee_group(db, org.id, m.FeeGroup("Ganztag", m.BillingMode.MONTHLY, m.TierSource.CHOSEN, (
        m.FeeGroupVersion(valid("01.2026"), tiers),))).group.id
    meals = catalogue.save_extra_cost(db, org.id, m.ExtraCost("Mittagessen", m.BillingMode.PER_UNIT, True, (
        m.ExtraCostVersion(valid("01.2026"), eur("3.80")),))).extra_cost.id
    percent = catalogue.save_discount(db, org.id, m.Discount("Familienpass", m.DiscountKind.PERCENT, (
        m.DiscountVersion(valid("01.2026"), percent=Decimal("10")),))).discount.id
    ladder = catalogue.save_discount(db, org.id, m.Discount("Geschwister", m.DiscountKind.SIBLING_LADDER, (
        m.DiscountVersion(valid("01.2026"), ladder=(Decimal("25"), Decimal("50"))),))).discount.id
    facility.save_facility_settings(db, m.FacilitySettings(unit, first_billing_month=FIRST, version=0))
    mother = persons.save_person(db, org.id, PersonInput("NATURAL", "Keller", "Eva", birth_date=date(1985, 1, 1)),
                                 today=TODAY).id
    father = persons.save_person(db, org.id, PersonInput("NATURAL", "Keller", "Tom", birth_date=date(1984, 1, 1)),
                                 today=TODAY).id
    kids, periods = [], []
    for n in range(CHILDREN):
        child = children.create_child(db, org.id, PersonInput("NATURAL", "Keller", f"Kind{n}",
                                                              birth_date=date(2021 + n, 2, 1)), today=TODAY)
        dto = children.save_guardians(db, child.id, child.version, [GuardianInput(mother)] if n < 2 else [])
        children.save_payers(db, child.id, dto.version, [mother, father])
        children.save_contract(db, m.Contract(child.id, unit, m.ContractStatus.ACTIVE, first_day=date(2026, 3, 1)))
        period = billing_data.save_period(db, m.BillingPeriod(child.id, valid("03.2026"), fee_lines=(
            m.FeeLine(group, tier=1 + n % 3, discount_ids=(ladder,) if n < 2 else (),
                      payers=(m.PayerShare(mother),)),), extra_lines=(
            m.ExtraLine(meals, count=10 + n, payers=(m.PayerShare(mother),)),), version=0)).period
        kids.append(child.id)
        periods.append(period.id)
    return {"unit": unit, "org": org.id, "group": group, "percent": percent, "mother": mother, "father": father,
            "children": kids, "periods": periods}


changes = st.lists(st.tuples(st.sampled_from(["tier", "payer", "discount", "price_from", "fee_free", "contract_end",
                                              "counts", "nothing"]),
                             st.integers(0, CHILDREN - 1), st.integers(0, 8)), max_size=2)


def _apply(db, w: dict, kind: str, k: int, x: int, now) -> None:
    period_id = w["periods"][k]
    if kind in ("tier", "payer", "discount"):
        stored = billing_data.get_period(db, period_id).period
        line = stored.fee_lines[0]
        if kind == "tier":
            line = replace(line, tier=1 + (line.tier % 3))
        elif kind == "payer":
            other = w["father"] if line.payers[0].payer_id == w["mother"] else w["mother"]
            line = replace(line, payers=(m.PayerShare(other),))
        else:
            ids = line.discount_ids
            line = replace(line, discount_ids=tuple(d for d in ids if d != w["percent"])
                           if w["percent"] in ids else ids + (w["percent"],))
        billing_data.save_period(db, replace(stored, fee_lines=(line,)))
    elif kind == "price_from":  # a new price of the group from a month (written into the tables)
        since = max(FIRST + x, FIRST)
        with unit_of_work(db) as session:
            versions = session.scalars(select(FeeGroupVersion).where(FeeGroupVersion.fee_group_id == w["group"])
                                       .order_by(FeeGroupVersion.valid_from)).all()
            for version in versions:
                if version.valid_from >= since:
                    session.delete(version)
                elif version.valid_to is None or version.valid_to >= since:
                    version.valid_to = since - 1
            session.flush()
            new = session.execute(insert(FeeGroupVersion).values(fee_group_id=w["group"], valid_from=since,
                                                                 valid_to=None).returning(FeeGroupVersion.id)).scalar()
            for number in (1, 2, 3):
                session.execute(insert(FeeTier).values(fee_group_version_id=new, fee_group_id=w["group"],
                                                       number=number, label="", amount_minor=20000 + 1000 * x - number))
    elif kind == "fee_free":
        settings = facility.get_facility_settings(db, w["unit"])
        months = settings.fee_free_months ^ {1 + (x + 2) % 12}
        facility.save_facility_settings(db, replace(settings, fee_free_months=frozenset(months)))
    elif kind == "contract_end":
        end = None if x == 8 else date(2026, 3 + x, 10)
        with unit_of_work(db) as session:
            session.execute(update(Contract).where(Contract.child_id == w["children"][k])
                            .values(last_day=end, status="DEREGISTERED" if end else "ACTIVE",
                                    version=Contract.version + 1))
    elif kind == "counts":  # the quick entry before the next run
        with unit_of_work(db) as session:
            session.execute(update(ExtraLine).where(ExtraLine.period_id == period_id).values(count=x * 3))
            session.execute(update(FeeLine).where(FeeLine.period_id == period_id).values(count=0))


@given(history=st.lists(changes, min_size=2, max_size=6))
@hsettings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
def test_change_detection_plans_what_full_recalculation_plans(history, sqlite_template, tmp_path):
    path = tmp_path / f"{uuid.uuid4().hex}.sqlite"
    shutil.copy(sqlite_template, path)
    db = open_database(f"sqlite:///{path}", user="test")
    try:
        w = _world(db)
        for n, step in enumerate(history):
            for kind, k, x in step:
                _apply(db, w, kind, k, x, n)
            current = FIRST + n
            detected = billing_run.preview_run(db, w["unit"], current)
            full = billing_run.preview_run(db, w["unit"], current, full_recalculation=True)
            assert _lines(detected) == _lines(full), (n, step)
            assert detected.problems == full.problems
            billing_run.post_run(db, w["unit"], current, "anna", today=RUN_DAY)
        assert ledger_problems(db) == []
    finally:
        db.dispose()
        path.unlink(missing_ok=True)
