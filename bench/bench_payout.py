"""Benchmark: payouts (not a test; prints figures and PASS/FAIL).

There is no budget for payouts in the issue; the references here are ours, for a large Swiss social
service on SQLite: the credit balance list over 5 000 accounts with credit (among 15 000 postings),
each checked by the rules of its file, ≤ 2 s; one refund order (posting, allocation, order in one
unit of work — one click) ≤ 100 ms on average over 200; a payout run of 5 000 open orders (checked,
pain.001 built, validated against the XSD and the SPS restrictions, stored and written) ≤ 10 s.
PostgreSQL (SOLLHABEN_BENCH_PG_URL, else SOLLHABEN_TEST_DATABASE_URL, in a schema of its own) is
shown beside it with the same references.

Setup: the organization through the services; persons, bank accounts, accounts, postings and the
module orders of the run are bulk-inserted with SQLAlchemy Core.
Run: .venv/bin/python bench/bench_payout.py [N]
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
from sollhaben.persistence.models import Account, PayoutOrder, Person, PersonBankAccount, Posting  # noqa: E402
from sollhaben.services import organizations  # noqa: E402
from sollhaben.services.receivables import payout_refunds, payout_run  # noqa: E402

TODAY = date.today()
LIST_BUDGET, REFUND_BUDGET, RUN_BUDGET = 2.0, 0.1, 10.0
REFUNDS = 200
IBAN = "CH5604835012345678009"


def build(db, n: int) -> int:
    org = organizations.create_organization(db, OrganizationInput(
        name="Sozialdienst Bench", legal_country="CH", address=Address("Thunstrasse", "74", "3074", "Muri", "CH"),
        bank_accounts=(BankAccountInput("CH4431999123000889012", label="QR"),
                       BankAccountInput("CH9300762011623852957", is_default=True)), enabled_modules=("alimony",)))
    now = utcnow()
    with db.engine.begin() as connection:
        connection.execute(insert(Person.__table__), [
            {"id": i + 1, "organization_id": org.id, "kind": "NATURAL", "last_name": f"Zahler{i:05d}",
             "first_name": "Eva", "street": "Dorfstrasse", "house_number": str(i % 90 + 1), "postal_code": "3074",
             "town": "Muri", "country": "CH", "version": 1, "created_at": now, "updated_at": now} for i in range(n)])
        connection.execute(insert(PersonBankAccount.__table__), [
            {"person_id": i + 1, "iban": IBAN, "bic": "", "holder": ""} for i in range(n)])
        connection.execute(insert(Account.__table__), [
            {"id": i + 1, "organization_id": org.id, "holder_id": i + 1, "key": "main", "number": f"{i + 1:06d}",
             "module": "alimony", "currency": "CHF", "created_at": now} for i in range(n)])
        postings = []
        for i in range(n):  # a fee, its payment (allocated) and an overpayment (the credit balance)
            base = 3 * i
            for offset, amount, category in ((1, 40_000, "MAINTENANCE"), (2, -40_000, "PAYMENT"),
                                             (3, -(1_000 + i % 5_000), "PAYMENT")):
                postings.append({"id": base + offset, "account_id": i + 1, "booking_date": date(2026, 10, 1),
                                 "due_date": date(2026, 10, 1), "category": category, "amount_minor": amount,
                                 "currency": "CHF", "source": "PAYMENT", "text": "", "detail": {},
                                 "created_by": "bench", "created_at": now, "reference": ""})
        connection.execute(insert(Posting.__table__), postings)
        connection.execute(text(
            "INSERT INTO allocation (credit_id, item_id, amount_minor, created_by, created_at) "
            "SELECT p.id, p.id - 1, 40000, 'bench', :now FROM posting p WHERE p.amount_minor = -40000"), {"now": now})
        connection.execute(insert(PayoutOrder.__table__), [
            {"organization_id": org.id, "account_id": i + 1, "recipient_name": f"Eva Zahler{i:05d}",
             "street": "Dorfstrasse", "house_number": "1", "postal_code": "3074", "town": "Muri", "country": "CH",
             "iban": IBAN, "bic": "", "amount_minor": 42_000 + i, "currency": "CHF",
             "purpose": f"Unterhalt November 2026 Fall {i}", "reference": "", "source_kind": "MODULE",
             "source_id": i + 1, "status": "OPEN", "created_by": "bench", "created_at": now, "cancelled_by": ""}
            for i in range(n)])
        if connection.dialect.name == "postgresql":  # ids were given explicitly: move the sequences on
            for table in ("person", "account", "posting"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
    return org.id


def measure(db, n: int, label: str, folder: Path) -> bool:
    org = build(db, n)
    start = time.perf_counter()
    balances = payout_refunds.list_credit_balances(db, org)
    listed = time.perf_counter() - start
    assert len(balances) == n and all(b.ready for b in balances), balances[0].problem_text
    start = time.perf_counter()
    for balance in balances[:REFUNDS]:
        payout_refunds.create_refund_order(db, org, balance.account_id, booking_date=TODAY)
    per_refund = (time.perf_counter() - start) / REFUNDS
    target = folder / f"{label}.xml"
    start = time.perf_counter()
    result = payout_run.create_payout_file(db, org, execution_date=TODAY + timedelta(days=1), target_path=target)
    ran = time.perf_counter() - start
    ok = listed <= LIST_BUDGET and per_refund <= REFUND_BUDGET and ran <= RUN_BUDGET
    print(f"{label:10} list {n} credit balances {listed:.2f} s ({listed / LIST_BUDGET:.2f} × budget), "
          f"refund {per_refund * 1000:.1f} ms ({per_refund / REFUND_BUDGET:.2f} × budget), "
          f"run {result.count} orders {ran:.2f} s ({ran / RUN_BUDGET:.2f} × budget), "
          f"file {target.stat().st_size / 1e6:.1f} MB  {'PASS' if ok else 'FAIL'}", flush=True)
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
        schema = f"bench_payout_{uuid.uuid4().hex[:8]}"
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
