"""Benchmark: the account statement of one payer with ten years of monthly history (not a test;
prints figures and PASS/FAIL).

Budget (issue 5): the statement of one payer with 10 years of history ≤ 200 ms — the data AND the
PDF (with the QR-bill of a CH organization: the worst case). The XLSX is shown, not judged.

The database has a realistic size: 5 000 accounts of one CH organization with two years of monthly
fees and payments each, every fifth account six months behind (bulk-inserted with SQLAlchemy Core,
about 234 000 postings with their allocations), and the payer: 120
monthly fees, 120 payments (allocated by the ledger), 6 reminder fees, 4 reversed fees and 2 reversed
payments, booked through the services. Timed in the same process after one warm-up run; the
figure is the median of 15 runs (the machine is shared: figures are noisy). The first (cold) run is
shown too.

PostgreSQL: SOLLHABEN_BENCH_PG_URL, else SOLLHABEN_TEST_DATABASE_URL, in a schema of its own
(dropped at the end); skipped when neither is set.
Run: .venv/bin/python bench/bench_statement.py [ACCOUNTS]
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert, text

from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.persistence import migrate
from sollhaben.persistence.database import open_database
from sollhaben.persistence.models import Account, Person, Posting
from sollhaben.reports.account_statement import render_statement
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables.open_items import OpenItemsFilter, collections_per_month, open_item_list
from sollhaben.services.receivables.statement import load_statement
from sollhaben.services.receivables.statement_export import statement_xlsx
from sollhaben.services.receivables.statement_print import build_document

BUDGET_MS = 200.0
RUNS = 15
TODAY = date(2026, 11, 25)


def chf(value: str) -> Money:
    return Money.of(value, "CHF")


def build(url: str, accounts: int) -> int:
    """A CH organization with `accounts` background accounts and the payer; returns its account id."""
    db = open_database(url, user="bench")
    migrate.upgrade(db.engine, backup=False)
    org = organizations.create_organization(db, OrganizationInput(
        "Sozialdienst Bench", "CH", Address("Bahnhofstrasse", "12", "3000", "Bern", "CH"),
        bank_accounts=(BankAccountInput("CH44 3199 9123 0008 8901 2", label="QR-Konto"),),
        enabled_modules=("receivables",)))
    now = datetime.now(UTC)
    with db.engine.begin() as connection:
        connection.execute(insert(Person.__table__), [
            {"organization_id": org.id, "kind": "NATURAL", "last_name": f"Muster{i:05d}", "first_name": "Eva",
             "street": "Weg", "house_number": str(i % 90 + 1), "postal_code": "3000", "town": "Bern", "country": "CH",
             "version": 1, "created_at": now, "updated_at": now} for i in range(accounts)])
        first_person = connection.execute(text("SELECT min(id) FROM person")).scalar()
        connection.execute(insert(Account.__table__), [
            {"organization_id": org.id, "holder_id": first_person + i, "key": "main",
             "number": f"{first_person + i:06d}", "label": "", "module": "", "currency": "CHF", "created_at": now}
            for i in range(accounts)])
        first_account = connection.execute(text("SELECT min(id) FROM account")).scalar()
        rows = []
        for i in range(accounts):
            for m in range(24):
                month = Month(2024, 12) + m
                rows.append({"account_id": first_account + i, "booking_date": month.first_day, "value_month": month,
                             "due_date": month.first_day.replace(day=28), "category": "KITA_FEE",
                             "amount_minor": 45_000, "currency": "CHF", "source": "BILLING_RUN", "text": "Beitrag",
                             "detail": {}, "reference": "", "created_by": "bench", "created_at": now})
                if i % 5 == 0 and m >= 18:
                    continue  # every fifth account has not paid its last six months: open items for the list
                rows.append({"account_id": first_account + i, "booking_date": month.first_day.replace(day=25),
                             "value_month": month, "due_date": None, "category": "PAYMENT", "amount_minor": -45_000,
                             "currency": "CHF", "source": "PAYMENT", "text": "Zahlung", "detail": {}, "reference": "",
                             "created_by": "bench", "created_at": now})
            if len(rows) >= 48_000:
                connection.execute(insert(Posting.__table__), rows)
                rows = []
        if rows:
            connection.execute(insert(Posting.__table__), rows)
        # each payment settles the fee of its month (the value month joins them)
        connection.execute(text(
            "INSERT INTO allocation (credit_id, item_id, amount_minor, created_by, created_at) "
            "SELECT c.id, i.id, 45000, 'bench', :now FROM posting c JOIN posting i ON i.account_id = c.account_id "
            "AND i.value_month = c.value_month AND i.category = 'KITA_FEE' WHERE c.category = 'PAYMENT'"),
            {"now": now.replace(tzinfo=None) if connection.dialect.name == "sqlite" else now})
    payer = persons.save_person(db, org.id, PersonInput("NATURAL", "Zehnjahr", "Anna",
                                                        address=Address("Marktgasse", "28", "3011", "Bern", "CH")))
    account = ledger.open_account(db, org.id, payer.id).id
    fees = []
    for n in range(120):
        month = Month(2016, 12) + n
        fees.append(ledger.post(db, NewPosting(account, month.first_day, "KITA_FEE", chf("450.00"), f"Beitrag {month}",
                                               value_month=month, due_date=month.first_day.replace(day=28))))
        if n % 20 == 7:
            ledger.post(db, NewPosting(account, month.first_day.replace(day=10), "REMINDER_FEE", chf("20.00"),
                                       "Mahngebühr", value_month=month, due_date=month.first_day.replace(day=28)))
        paid = ledger.book_payment(db, account, month.first_day.replace(day=26), chf("440.00" if n % 9 else "450.00"),
                                   "Zahlung")
        if n % 60 == 30:
            ledger.reverse(db, paid, month.first_day.replace(day=27), "Rücklastschrift")
        if n % 30 == 15:
            ledger.reverse(db, fees[-1], month.first_day.replace(day=27), "falscher Beitrag")
    db.dispose()
    return account


def median_ms(func) -> tuple[float, float]:
    start = time.perf_counter()
    func()
    cold = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), cold


def measure(url: str, account: int, label: str) -> float:
    db = open_database(url, user="bench")
    statement = load_statement(db, account, today=TODAY)
    document = build_document(db, statement)
    pages = render_statement(document).count(b"/Type /Page\n") or "?"
    data_ms, data_cold = median_ms(lambda: load_statement(db, account, today=TODAY))
    build_ms, _ = median_ms(lambda: build_document(db, statement))
    render_ms, render_cold = median_ms(lambda: render_statement(document))
    total_ms, total_cold = median_ms(lambda: render_statement(build_document(db, load_statement(db, account,
                                                                                            today=TODAY))))
    xlsx_ms, _ = median_ms(lambda: statement_xlsx(db, account, today=TODAY))
    organization_id = statement.organization_id
    start = time.perf_counter()
    listed = open_item_list(db, organization_id, OpenItemsFilter(TODAY))
    list_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    collections_per_month(db, organization_id, 2026)
    collections_ms = (time.perf_counter() - start) * 1000
    db.dispose()
    print(f"{label}: {len(statement.lines)} postings, {len(statement.open_items)} open items, PDF {pages} pages")
    print(f"  data (load_statement)          {data_ms:7.1f} ms (cold {data_cold:.1f} ms)")
    print(f"  PDF (letter, QR-bill, render)  {build_ms + render_ms:7.1f} ms (build {build_ms:.1f}, render "
          f"{render_ms:.1f}; cold render {render_cold:.1f} ms)")
    print(f"  data + PDF end to end          {total_ms:7.1f} ms (cold {total_cold:.1f} ms)  "
          f"ratio {total_ms / BUDGET_MS:.2f} of {BUDGET_MS:.0f} ms")
    print(f"  XLSX (data + workbook)         {xlsx_ms:7.1f} ms (not judged)")
    print(f"  open-item list of the organization at a key date: {list_ms:.0f} ms ({len(listed.items)} items, "
          f"{len(listed.ageing)} accounts; on the worker, not judged); collections of a year {collections_ms:.0f} ms")
    return total_ms


def main() -> int:
    accounts = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    folder = Path(tempfile.mkdtemp(prefix="bench-statement-"))
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    start = time.perf_counter()
    account = build(url, accounts)
    print(f"built {accounts} accounts + the payer in {time.perf_counter() - start:.0f} s (SQLite)")
    verdicts = [measure(url, account, "SQLite") <= BUDGET_MS]
    pg = os.environ.get("SOLLHABEN_BENCH_PG_URL") or os.environ.get("SOLLHABEN_TEST_DATABASE_URL")
    if pg:
        schema = f"bench_statement_{uuid.uuid4().hex[:8]}"
        admin = open_database(pg)
        with admin.engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        pg_url = f"{pg}{'&' if '?' in pg else '?'}options=-csearch_path%3D{schema}"
        try:
            account = build(pg_url, accounts)
            verdicts.append(measure(pg_url, account, "PostgreSQL") <= BUDGET_MS)
        finally:
            with admin.engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
    else:
        print("PostgreSQL: skipped (SOLLHABEN_BENCH_PG_URL / SOLLHABEN_TEST_DATABASE_URL not set)")
    ok = all(verdicts)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
