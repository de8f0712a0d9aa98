"""Benchmark: the Kita billing run (Sollstellung) of one facility and month (not a test; prints
figures and PASS/FAIL).

Budgets (platform.md): 10 000 children (≈ 3 fee lines, 2 extra costs, 1–3 payers each), one month
(the facility's first billing month),
SQLite file: ≤ 2 s and ≤ 10 × the time raw `sqlite3.executemany` needs to insert the same postings
(measured in the same run, into a copy of the database as it was before the run); peak memory of
the run ≤ 400 MB; the same run on PostgreSQL ≤ 2 × the SQLite figure; the time grows linearly
(1 000 / 10 000 / 50 000 children).

Also shown, not judged: the 12th month (11 months posted, 2 % of the children changed in the past,
their months recalculated) — a harder case than the budget's, reported so that regressions show;
its PostgreSQL ratio is judged like the first month's.

The statute, the facility and its settings are created through the services; persons, children,
contracts and billing data are bulk-inserted with SQLAlchemy Core (the services would validate and
audit each child, which takes minutes for 50 000). Each run is timed in a fresh process (imports
done, database opened) around `billing_run.post_run`, which is what the worker and the CLI call.

PostgreSQL: SOLLHABEN_BENCH_PG_URL, else SOLLHABEN_TEST_DATABASE_URL, in a schema of its own
(dropped at the end); skipped when neither is set.
Run: .venv/bin/python bench/bench_billing_run.py [N]
"""
from __future__ import annotations

import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, text

from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import (
    Address,
    OrganizationInput,
    PersonInput,
    UnitInput,
)
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence import migrate
from sollhaben.persistence.database import open_database
from sollhaben.persistence.models import (
    BillingPeriod,
    Child,
    ChildGuardian,
    ChildPayer,
    Contract,
    ExtraLine,
    FeeLine,
    FeeLineDiscount,
    LinePayer,
    Person,
)
from sollhaben.services import organizations, persons
from sollhaben.services.kita import catalogue, facility

TIME_BUDGET, RATIO_BUDGET, MEMORY_BUDGET_MB, PG_RATIO_BUDGET = 2.0, 10.0, 400, 2.0
MONTH = Month(2026, 3)
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger"]
FIRST = ["Anna", "Max", "Lena", "Paul", "Mia", "Felix", "Emma", "Jonas", "Laura", "Lukas", "Sophie", "Leon"]


def eur(value: str) -> Money:
    return Money.of(value, "EUR")


def build(url: str, count: int) -> dict:
    """A German organization with one facility of `count` children (fresh, migrated database)."""
    db = open_database(url, user="bench")
    migrate.upgrade(db.engine, backup=False)
    org = organizations.create_organization(db, OrganizationInput(
        "Kita-Verbund Bench", "DE", Address("Hauptstraße", "5", "70173", "Stuttgart", "DE")))
    unit = organizations.save_unit(db, org.id, UnitInput("Kita Bench", "FACILITY")).id
    youth = persons.save_person(db, org.id, PersonInput("INSTITUTION", "Jugendamt Stuttgart")).id
    start = Validity(Month(2026, 1))

    def tiers(*amounts):
        return tuple(m.Tier(i + 1, f"Stufe {i + 1}", eur(a)) for i, a in enumerate(amounts))

    care = catalogue.save_fee_group(db, org.id, m.FeeGroup("Ganztag 45 h", m.BillingMode.MONTHLY, m.TierSource.CHOSEN, (
        m.FeeGroupVersion(start, tiers("291.20", "250.00", "162.00", "126.00")),))).group.id
    hours = catalogue.save_fee_group(db, org.id, m.FeeGroup("Zusatzstunden", m.BillingMode.PER_UNIT,
                                                            m.TierSource.CHOSEN, (
        m.FeeGroupVersion(start, tiers("5.00")),))).group.id
    lunch_fee = catalogue.save_fee_group(db, org.id, m.FeeGroup("Verpflegungspauschale", m.BillingMode.MONTHLY,
                                                                m.TierSource.CHOSEN, (
        m.FeeGroupVersion(start, tiers("45.00", "30.00")),))).group.id
    percent = catalogue.save_discount(db, org.id, m.Discount("Familienpass", m.DiscountKind.PERCENT, (
        m.DiscountVersion(start, percent=Decimal(10)),))).discount.id
    fixed = catalogue.save_discount(db, org.id, m.Discount("Zuschuss Gemeinde", m.DiscountKind.FIXED, (
        m.DiscountVersion(start, fixed=eur("20.00")),))).discount.id
    meals = catalogue.save_extra_cost(db, org.id, m.ExtraCost("Mittagessen", m.BillingMode.PER_UNIT, True, (
        m.ExtraCostVersion(start, eur("3.80")),))).extra_cost.id
    craft = catalogue.save_extra_cost(db, org.id, m.ExtraCost("Bastelgeld", m.BillingMode.MONTHLY, False, (
        m.ExtraCostVersion(start, eur("5.00")),))).extra_cost.id
    facility.save_facility_settings(db, m.FacilitySettings(unit, first_billing_month=MONTH, version=0))

    rng = random.Random(20261125)
    now = datetime.now(UTC)
    people = []
    for i in range(count):
        family = rng.choice(LAST)
        people.append({"organization_id": org.id, "kind": "NATURAL", "last_name": family, "first_name": rng.choice(FIRST),
                       "birth_date": date(2021, 1, 1).fromordinal(date(2021, 1, 1).toordinal() + rng.randrange(1500)),
                       "version": 1, "created_at": now, "updated_at": now})
        for parent in ("Anna", "Jan"):
            people.append({"organization_id": org.id, "kind": "NATURAL", "last_name": family, "first_name": parent,
                           "birth_date": date(1988, 5, 1), "version": 1, "created_at": now, "updated_at": now})
    with db.engine.begin() as connection:
        for chunk in range(0, len(people), 30_000):
            connection.execute(insert(Person.__table__), people[chunk:chunk + 30_000])
        first_person = connection.execute(text("SELECT min(id) FROM person WHERE kind = 'NATURAL'")).scalar()
        connection.execute(insert(Child.__table__), [
            {"organization_id": org.id, "person_id": first_person + 3 * i, "notes": "", "version": 1,
             "created_at": now, "updated_at": now} for i in range(count)])
        first_child = connection.execute(text("SELECT min(id) FROM child")).scalar()
        guardians, payer_list, contracts, periods = [], [], [], []
        plan = []  # per child: (child id, payer ids)
        for i in range(count):
            child_id, mother, father = first_child + i, first_person + 3 * i + 1, first_person + 3 * i + 2
            payers = [mother, father, youth][:rng.choice((1, 2, 2, 3))]
            plan.append((child_id, payers))
            guardians += [{"child_id": child_id, "person_id": mother, "relation": "Mutter"},
                          {"child_id": child_id, "person_id": father, "relation": "Vater"}]
            payer_list += [{"child_id": child_id, "person_id": p, "position": k} for k, p in enumerate(payers)]
            contracts.append({"child_id": child_id, "facility_id": unit, "status": "ACTIVE",
                              "first_day": date(2026, 1, 1) if i % 10 else date(2026, 3, 1 + i % 28),
                              "last_day": None, "note": "", "version": 1, "created_at": now, "updated_at": now})
            periods.append({"child_id": child_id, "valid_from": Month(2026, 1), "valid_to": None,
                            "meal_coverage": "NONE", "version": 1, "created_at": now, "updated_at": now})
        for table, rows in ((ChildGuardian, guardians), (ChildPayer, payer_list), (Contract, contracts),
                            (BillingPeriod, periods)):
            connection.execute(insert(table.__table__), rows)
        first_period = connection.execute(text("SELECT min(id) FROM billing_period")).scalar()
        fee_lines, extra_lines = [], []
        for i, (child_id, payers) in enumerate(plan):
            period = first_period + i
            fee_lines += [
                {"period_id": period, "child_id": child_id, "position": 0, "fee_group_id": care,
                 "tier": rng.randrange(1, 5), "count": 0, "reset": False},
                {"period_id": period, "child_id": child_id, "position": 1, "fee_group_id": hours, "tier": 1,
                 "count": rng.randrange(0, 7), "reset": False},
                {"period_id": period, "child_id": child_id, "position": 2, "fee_group_id": lunch_fee,
                 "tier": rng.randrange(1, 3), "count": 0, "reset": False}]
            extra_lines += [
                {"period_id": period, "child_id": child_id, "position": 0, "extra_cost_id": meals,
                 "count": rng.randrange(8, 22), "reset": False},
                {"period_id": period, "child_id": child_id, "position": 1, "extra_cost_id": craft, "count": 0,
                 "reset": False}]
        connection.execute(insert(FeeLine.__table__), fee_lines)
        connection.execute(insert(ExtraLine.__table__), extra_lines)
        first_fee = connection.execute(text("SELECT min(id) FROM fee_line")).scalar()
        first_extra = connection.execute(text("SELECT min(id) FROM extra_line")).scalar()
        discounts, line_payers = [], []
        for i, (child_id, payers) in enumerate(plan):
            care_line, hours_line, lunch_line = first_fee + 3 * i, first_fee + 3 * i + 1, first_fee + 3 * i + 2
            meals_line, craft_line = first_extra + 2 * i, first_extra + 2 * i + 1
            if i % 3 == 0:
                discounts.append({"fee_line_id": care_line, "child_id": child_id, "position": 0,
                                  "discount_id": percent})
            if i % 4 == 0:
                discounts.append({"fee_line_id": care_line, "child_id": child_id, "position": 1 if i % 3 == 0 else 0,
                                  "discount_id": fixed})

            def pays(line: dict, person: int, position: int, share: int | None = None, rest: bool = False) -> None:
                line_payers.append({**line, "child_id": child_id, "position": position, "person_id": person,
                                    "share_minor": share, "takes_remainder": rest})

            fee = {"fee_line_id": None, "extra_line_id": None}
            if len(payers) == 1:
                for line in (care_line, hours_line, lunch_line):
                    pays({**fee, "fee_line_id": line}, payers[0], 0, rest=True)
            else:
                pays({**fee, "fee_line_id": care_line}, payers[0], 0, share=5000)
                pays({**fee, "fee_line_id": care_line}, payers[1], 1, rest=True)
                pays({**fee, "fee_line_id": hours_line}, payers[-1], 0, rest=True)
                pays({**fee, "fee_line_id": lunch_line}, payers[1], 0, rest=True)
            pays({**fee, "extra_line_id": meals_line}, payers[0], 0, rest=True)
            pays({**fee, "extra_line_id": craft_line}, payers[0], 0, rest=True)
        connection.execute(insert(FeeLineDiscount.__table__), discounts)
        connection.execute(insert(LinePayer.__table__), line_payers)
    db.dispose()
    return {"facility": unit, "organization": org.id}


def timed_run(url: str, facility_id: int, user: str = "bench", month: Month = MONTH) -> dict:
    """Post the month in a fresh process; returns its figures (seconds, CPU seconds, postings, peak RSS).
    The setup's writes are flushed first, so the kernel's write-back of them does not run during the
    timed run."""
    if hasattr(os, "sync"):
        os.sync()
    code = ("import json, resource, sys, time\n"
            "from sollhaben.persistence.database import open_database\n"
            "from sollhaben.services.kita import billing_run\n"
            "from sollhaben.domain.months import Month\n"
            f"db = open_database({url!r}, user={user!r})\n"
            "with db.engine.connect() as c: pass\n"
            "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "t, c = time.perf_counter(), time.process_time()\n"
            f"r = billing_run.post_run(db, {facility_id}, Month({month.year}, {month.month}), {user!r})\n"
            "seconds, cpu = time.perf_counter() - t, time.process_time() - c\n"
            "print(json.dumps({'seconds': seconds, 'cpu': cpu, 'postings': r.postings, 'children': r.children,\n"
            "  'recalculation': r.recalculation_postings,\n"
            "  'accounts': r.accounts_opened, 'problems': len(r.problems), 'total': r.total.minor,\n"
            "  'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'base_mb': base / 1024}))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def month_twelve(url: str, ids: dict, count: int, changed_share: float = 0.02) -> dict:
    """The 12th month: the facility's children after 11 posted months (the first is posted already;
    counts entered before each further run, as with the quick entry), then `changed_share` of the children changed something in the
    past (a tier, a payer, a new discount of their period, which holds since March: every billed
    month of theirs is recalculated); the 12th run is timed in a fresh process."""
    from sollhaben.services.kita import billing_run

    db = open_database(url, user="bench")
    rng = random.Random(12)
    facility_id = ids["facility"]
    for n in range(1, 11):
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE fee_line SET count = :c WHERE position = 1").bindparams(c=rng.randrange(7)))
            connection.execute(text("UPDATE extra_line SET count = :c WHERE position = 0")
                               .bindparams(c=rng.randrange(8, 22)))
        billing_run.post_run(db, facility_id, MONTH + n, "bench")
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE fee_line SET count = 3 WHERE position = 1"))
        connection.execute(text("UPDATE extra_line SET count = 15 WHERE position = 0"))
        children = [r[0] for r in connection.execute(text("SELECT id FROM child ORDER BY id"))]
        changed = rng.sample(children, int(len(children) * changed_share))
        third = len(changed) // 3
        for child_id in changed[:third]:  # a tier corrected for the whole period
            connection.execute(text("UPDATE fee_line SET tier = CASE WHEN tier = 1 THEN 2 ELSE tier - 1 END "
                                    "WHERE child_id = :c AND position = 0").bindparams(c=child_id))
        for child_id in changed[third:2 * third]:  # the meals paid by the other parent from the start
            connection.execute(text("UPDATE line_payer SET person_id = (SELECT max(person_id) FROM child_guardian "
                                    "WHERE child_id = :c) WHERE child_id = :c AND extra_line_id IS NOT NULL")
                               .bindparams(c=child_id))
        discount = connection.execute(text("SELECT min(id) FROM discount")).scalar()
        for child_id in changed[2 * third:]:  # a discount granted for the whole period
            connection.execute(text("DELETE FROM fee_line_discount WHERE child_id = :c").bindparams(c=child_id))
            line = connection.execute(text("SELECT id FROM fee_line WHERE child_id = :c AND position = 2")
                                      .bindparams(c=child_id)).scalar()
            connection.execute(text("INSERT INTO fee_line_discount (fee_line_id, child_id, position, discount_id) "
                                    "VALUES (:l, :c, 0, :d)").bindparams(l=line, c=child_id, d=discount))
    db.dispose()
    result = timed_run(url, facility_id, month=MONTH + 11)
    result["changed"] = len(changed)
    return result


def raw_reference(before: Path, after: Path) -> tuple[float, int]:
    """Insert the postings the run made (read from `after`) into a copy of the database as it was
    before the run, with plain sqlite3.executemany in one transaction (same indexes, triggers)."""
    columns = ("account_id, booking_date, value_month, due_date, category, amount_minor, currency, source, "
               "source_id, reverses_id, reference, text, detail, idempotency_key, created_by, created_at")
    source = sqlite3.connect(after)
    rows = source.execute(f"SELECT {columns} FROM posting ORDER BY id").fetchall()
    accounts = source.execute("SELECT * FROM account").fetchall()
    runs = source.execute("SELECT * FROM billing_run").fetchall()
    source.close()
    target = sqlite3.connect(before, isolation_level=None)
    target.execute("PRAGMA journal_mode=WAL")
    target.execute("PRAGMA synchronous=NORMAL")
    target.execute("PRAGMA foreign_keys=ON")
    target.execute("BEGIN")  # accounts and the run row first (not timed): the postings refer to them
    target.executemany(f"INSERT INTO account VALUES ({','.join('?' * len(accounts[0]))})", accounts)
    target.executemany(f"INSERT INTO billing_run VALUES ({','.join('?' * len(runs[0]))})", runs)
    target.execute("COMMIT")
    marks = ",".join("?" * 16)
    t = time.perf_counter()
    target.execute("BEGIN")
    target.executemany(f"INSERT INTO posting ({columns}) VALUES ({marks})", rows)
    target.execute("COMMIT")
    seconds = time.perf_counter() - t
    target.close()
    return seconds, len(rows)


def sqlite_case(folder: Path, count: int) -> tuple[dict, Path, Path]:
    path = folder / f"billing_{count}.sqlite"
    ids = build(f"sqlite:///{path}", count)
    before = folder / f"billing_{count}_before.sqlite"
    shutil.copy(path, before)
    figures = timed_run(f"sqlite:///{path}", ids["facility"])
    figures["ids"] = ids
    return figures, before, path


def pg_case(count: int, twelve: bool = False) -> tuple[dict, dict | None] | None:
    base = os.environ.get("SOLLHABEN_BENCH_PG_URL") or os.environ.get("SOLLHABEN_TEST_DATABASE_URL")
    if not base:
        return None
    schema = f"bench_billing_{uuid.uuid4().hex[:8]}"
    admin = open_database(base)
    with admin.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    try:
        ids = build(url, count)
        first = timed_run(url, ids["facility"])
        if not twelve:
            return first, None
        return first, month_twelve(url, ids, count)
    finally:
        with admin.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def main(count: int = 10_000) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench_billing_"))
    t = time.perf_counter()
    figures, before, after = sqlite_case(folder, count)
    print(f"setup + run: {count} children in SQLite ({time.perf_counter() - t:.0f} s in all)")
    reference, rows = raw_reference(before, after)
    seconds = figures["seconds"]
    ratio = seconds / reference
    print(f"billing run {MONTH}, SQLite file: {seconds:.2f} s ({figures['cpu']:.2f} s CPU) for {figures['children']} children, "
          f"{figures['postings']} postings, {figures['accounts']} accounts opened, {figures['problems']} problems "
          f"(budget {TIME_BUDGET:.0f} s); {seconds / figures['children'] * 1e6:.0f} µs per child")
    print(f"reference: raw sqlite3.executemany of the same {rows} postings: {reference:.2f} s; the run takes "
          f"{ratio:.1f} × that (budget ≤ {RATIO_BUDGET:.0f} ×)")
    memory = figures["rss_mb"]
    print(f"peak memory of the run process (max RSS): {memory:.0f} MB, {figures['base_mb']:.0f} MB of it before the "
          f"run (budget {MEMORY_BUDGET_MB} MB)")
    ok = seconds <= TIME_BUDGET and ratio <= RATIO_BUDGET and memory <= MEMORY_BUDGET_MB

    twelve = month_twelve(f"sqlite:///{after}", figures["ids"], count) if count == 10_000 else None
    if twelve is not None:
        print(f"billing run {MONTH + 11} (12th month), SQLite file: {twelve['seconds']:.2f} s ({twelve['cpu']:.2f} s CPU) "
              f"after 11 posted months, {twelve['changed']} children changed in the past: {twelve['postings']} "
              f"postings, {twelve['recalculation']} of them recalculations, {twelve['rss_mb']:.0f} MB "
              f"— {'within' if twelve['seconds'] <= TIME_BUDGET else 'OVER'} the {TIME_BUDGET:.0f} s of the budget's "
              f"case (informational: the budget names one month, measured above as the first; this harder case is "
              f"reported, not judged)")

    pg = pg_case(count, twelve=twelve is not None)
    if pg is None:
        print("PostgreSQL: skipped (set SOLLHABEN_BENCH_PG_URL or SOLLHABEN_TEST_DATABASE_URL)")
    else:
        pg_first, pg_twelve = pg
        pg_ratio = pg_first["seconds"] / seconds
        print(f"billing run {MONTH}, PostgreSQL: {pg_first['seconds']:.2f} s ({pg_first['cpu']:.2f} s CPU), "
              f"{pg_first['postings']} postings, {pg_first['rss_mb']:.0f} MB; {pg_ratio:.2f} × the SQLite figure "
              f"(budget ≤ {PG_RATIO_BUDGET:.0f} ×)")
        ok = ok and pg_ratio <= PG_RATIO_BUDGET and pg_first["postings"] == figures["postings"]
        if pg_twelve is not None and twelve is not None:
            ratio12 = pg_twelve["seconds"] / twelve["seconds"]
            print(f"billing run {MONTH + 11} (12th month), PostgreSQL: {pg_twelve['seconds']:.2f} s "
                  f"({pg_twelve['cpu']:.2f} s CPU), {pg_twelve['postings']} postings, {pg_twelve['recalculation']} "
                  f"recalculations; {ratio12:.2f} × the SQLite figure (budget ≤ {PG_RATIO_BUDGET:.0f} ×) — "
                  f"{'PASS' if ratio12 <= PG_RATIO_BUDGET else 'FAIL'}")
            ok = ok and ratio12 <= PG_RATIO_BUDGET and pg_twelve["postings"] == twelve["postings"]

    if count == 10_000:
        print("linear growth (SQLite):")
        per_child = {}
        for size in (1_000, 10_000, 50_000):
            result = figures if size == count else sqlite_case(folder, size)[0]
            per_child[size] = result["seconds"] / result["children"] * 1e6
            print(f"  {size:>6} children: {result['seconds']:6.2f} s, {result['postings']:>7} postings, "
                  f"{per_child[size]:4.0f} µs per child, {result['rss_mb']:.0f} MB")
        growth = per_child[50_000] / per_child[1_000]
        print(f"  time per child at 50 000 / at 1 000: {growth:.2f} (linear ≈ 1; budget ≤ 1.5)")
        ok = ok and growth <= 1.5
    shutil.rmtree(folder, ignore_errors=True)
    print(f"peak memory of this script (setup): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:2])))
