"""Benchmark: a SEPA collection run (not a test; prints figures and PASS/FAIL).

There is no budget for it in the issue; the reference here is ours: the December run of a large
German Kita organization — 5 000 payer accounts with a mandate, two open items each (fee and meals),
plus 20 000 paid postings of earlier months — proposal ≤ 3 s, and the run (pending payments, 10 000
allocations, mandates, pain.008 built, validated against the XSD and written) ≤ 15 s, on SQLite.
PostgreSQL (SOLLHABEN_BENCH_PG_URL, else SOLLHABEN_TEST_DATABASE_URL, in a schema of its own) is
shown beside it with the same reference.

Setup through the services for the organization; persons, accounts, postings and mandates are
bulk-inserted with SQLAlchemy Core (the services validate and audit each row). The run is
`sepa_run.run_collection`, what the worker and the CLI call.
Run: .venv/bin/python bench/bench_sepa_run.py [N]
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput  # noqa: E402
from sollhaben.persistence import migrate  # noqa: E402
from sollhaben.persistence.base import utcnow  # noqa: E402
from sollhaben.persistence.database import open_database  # noqa: E402
from sollhaben.persistence.models import Account, Person, Posting, SepaMandate  # noqa: E402
from sollhaben.services import organizations  # noqa: E402
from sollhaben.services.receivables import sepa_proposal, sepa_run  # noqa: E402

TODAY = date(2026, 11, 25)
DUE = date(2026, 12, 1)
PROPOSAL_BUDGET, RUN_BUDGET = 3.0, 15.0
IBAN = "DE02120300000000202051"


def build(db, n: int) -> int:
    org = organizations.create_organization(db, OrganizationInput(
        name="Kita Bench", legal_country="DE", address=Address("Hauptstraße", "5", "70173", "Stuttgart", "DE"),
        bank_accounts=(BankAccountInput("DE89370400440532013000"),), sepa_creditor_id="DE98ZZZ09999999999",
        enabled_modules=("kita",)))
    now = utcnow()
    with db.engine.begin() as connection:
        persons = [{"id": i + 1, "organization_id": org.id, "kind": "NATURAL", "last_name": f"Zahler{i:05d}",
                    "first_name": "Eva", "version": 1, "created_at": now, "updated_at": now} for i in range(n)]
        connection.execute(insert(Person.__table__), persons)
        connection.execute(insert(Account.__table__), [
            {"id": i + 1, "organization_id": org.id, "holder_id": i + 1, "key": "main", "number": f"{i + 1:06d}",
             "module": "kita", "currency": "EUR", "created_at": now} for i in range(n)])
        postings, pid = [], 0
        for i in range(n):
            for month, category, minor in ((12, "FEE_GROUP", 18_000 + i % 700), (12, "MEAL", 6_240)):
                pid += 1
                postings.append({"id": pid, "account_id": i + 1, "booking_date": date(2026, 11, 1),
                                 "due_date": DUE, "category": category, "amount_minor": minor, "currency": "EUR",
                                 "source": "BILLING_RUN", "text": f"{category} 12.2026", "detail": {},
                                 "created_by": "bench", "created_at": now, "reference": ""})
            for month in range(4):  # earlier months, paid: receivable + payment, allocated in full
                due = date(2026, 7 + month, 1)
                for sign in (1, -1):
                    pid += 1
                    postings.append({"id": pid, "account_id": i + 1, "booking_date": due, "due_date": due,
                                     "category": "FEE_GROUP" if sign > 0 else "PAYMENT", "amount_minor": sign * 18_000,
                                     "currency": "EUR", "source": "BILLING_RUN" if sign > 0 else "PAYMENT",
                                     "text": "", "detail": {}, "created_by": "bench", "created_at": now,
                                     "reference": ""})
        connection.execute(insert(Posting.__table__), postings)
        connection.execute(text(
            "INSERT INTO allocation (credit_id, item_id, amount_minor, created_by, created_at) "
            "SELECT p.id, p.id - 1, 18000, 'bench', :now FROM posting p WHERE p.category = 'PAYMENT'"), {"now": now})
        connection.execute(insert(SepaMandate.__table__), [
            {"organization_id": org.id, "payer_id": i + 1, "reference": f"KITA-{i:06d}", "reference_key": f"KITA-{i:06d}",
             "signed_on": TODAY - timedelta(days=400), "debtor_name": f"Eva Zahler{i:05d}", "iban": IBAN, "bic": "",
             "first_used_on": date(2026, 7, 1), "last_used_on": date(2026, 10, 1), "sequence_type": "RCUR",
             "note": "", "version": 1, "created_at": now, "updated_at": now} for i in range(n)])
        if connection.dialect.name == "postgresql":  # ids were given explicitly: move the sequences on
            for table in ("person", "account", "posting"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
    return org.id


def measure(db, n: int, label: str, folder: Path) -> bool:
    org = build(db, n)
    start = time.perf_counter()
    proposal = sepa_proposal.propose(db, org, DUE, TODAY)
    proposed = time.perf_counter() - start
    assert len(proposal.lines) == n and not proposal.problems, proposal.problems[:3]
    start = time.perf_counter()
    result = sepa_run.run_collection(db, proposal, "08", folder / f"{label}.xml", today=TODAY)
    ran = time.perf_counter() - start
    size = (folder / f"{label}.xml").stat().st_size
    ok = proposed <= PROPOSAL_BUDGET and ran <= RUN_BUDGET
    print(f"{label:10} {n} accounts: proposal {proposed:.2f} s ({proposed / PROPOSAL_BUDGET:.2f} × budget), "
          f"run {ran:.2f} s ({ran / RUN_BUDGET:.2f} × budget), {result.count} debits, {result.total}, "
          f"file {size / 1e6:.1f} MB  {'PASS' if ok else 'FAIL'}", flush=True)
    return ok


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    folder = Path(tempfile.mkdtemp())
    db = open_database(f"sqlite:///{folder / 'bench.sqlite'}", user="bench")
    migrate.upgrade(db.engine, backup=False)
    ok = measure(db, n, "SQLite", folder)
    db.dispose()
    url = os.environ.get("SOLLHABEN_BENCH_PG_URL") or os.environ.get("SOLLHABEN_TEST_DATABASE_URL")
    if url:
        schema = f"bench_sepa_{uuid.uuid4().hex[:8]}"
        admin = open_database(url)
        with admin.engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            pg = open_database(f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}", user="bench")
            migrate.upgrade(pg.engine, backup=False)
            ok = measure(pg, n, "PostgreSQL", folder) and ok
            pg.dispose()
        finally:
            with admin.engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
    else:
        print("PostgreSQL: skipped (SOLLHABEN_BENCH_PG_URL / SOLLHABEN_TEST_DATABASE_URL not set)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
