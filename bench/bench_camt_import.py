"""Benchmark: importing a camt.054 with 20 000 transactions (not a test; prints figures and
PASS/FAIL).

Budget (issue 5): parse + match + book ≤ 5 s. The file is shaped like a Swiss QR-bill notification:
batch entries of 100 QRR credits each. Every transaction pays a different debtor account with open
items (3 monthly fees each); a quarter of the references are registered in the issued-reference
registry with a designated item (a dunning letter), the rest resolve through the reference scheme;
one in 20 pays only part of its fees. What is timed is `bank_import.import_bank_file` — what the
worker and the CLI call — three times, each in a fresh copy of the SQLite file (WAL, as the app
opens it); the median is judged, the best is shown too. The PostgreSQL figure (one run) is shown
when SOLLHABEN_BENCH_PG_URL or SOLLHABEN_TEST_DATABASE_URL is set (schema of its own).

Persons, accounts, postings and registry rows are bulk-inserted with SQLAlchemy Core (the services
would validate and audit each one). Run: .venv/bin/python bench/bench_camt_import.py [N]
"""
from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, insert, select, text

from sollhaben.banking.camt_writer import EntrySpec, FileSpec, TxSpec, write_camt
from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput
from sollhaben.domain.money import Money
from sollhaben.domain.references import make_document_qr_reference
from sollhaben.persistence import migrate
from sollhaben.persistence.database import open_database
from sollhaben.persistence.models import Account, IssuedReference, Person, Posting
from sollhaben.services import organizations
from sollhaben.services.receivables.bank_import import import_bank_file

BUDGET = 5.0
REPEAT = 3  # the machine is shared: the median of three fresh runs is judged
QR_IBAN = "CH4431999123000889012"
FEE = 35000  # 350.00 CHF per month
BATCH = 100


def build(url: str, count: int) -> tuple[int, bytes]:
    db = open_database(url, user="bench")
    migrate.upgrade(db.engine, backup=False)
    org = organizations.create_organization(db, OrganizationInput(
        name="Sozialdienst Bench", legal_country="CH", address=Address("Bahnhofstrasse", "1", "3000", "Bern", "CH"),
        bank_accounts=(BankAccountInput(QR_IBAN, label="QR-Konto"),), enabled_modules=("kita", "receivables")))
    now = datetime.now(UTC)
    with db.engine.begin() as connection:
        connection.execute(insert(Person), [dict(
            organization_id=org.id, kind="NATURAL", last_name=f"Zahler{i:05d}", first_name="Bench", salutation="",
            address_extra="", phone="", email="", language="de", note="", street="Weg", house_number="1",
            postal_code="3000", town="Bern", country="CH", version=1, created_at=now, updated_at=now)
            for i in range(count)])
        person_ids = connection.execute(select(Person.id).where(Person.organization_id == org.id)
                                        .order_by(Person.id)).scalars().all()
        connection.execute(insert(Account), [dict(
            organization_id=org.id, holder_id=pid, key="main", number=f"{pid:06d}", label="", module="kita",
            currency="CHF", created_at=now) for pid in person_ids])
        account_ids = connection.execute(select(Account.id).where(Account.organization_id == org.id)
                                         .order_by(Account.id)).scalars().all()
        postings = [dict(account_id=aid, booking_date=date(2026, m, 1), due_date=date(2026, m, 28),
                         category="KITA_FEE", amount_minor=FEE, currency="CHF", source="BILLING_RUN",
                         reference="", text=f"Beitrag {m:02d}.2026", detail={}, created_by="bench", created_at=now)
                    for aid in account_ids for m in (8, 9, 10)]
        for start in range(0, len(postings), 20000):
            connection.execute(insert(Posting), postings[start:start + 20000])
        last_items = dict(connection.execute(select(Posting.account_id, func.max(Posting.id))
                                             .group_by(Posting.account_id)).all())
        registered = [dict(organization_id=org.id, reference=make_document_qr_reference(aid, 1), account_id=aid,
                           kind="DUNNING", document_id=None, item_ids=[last_items[aid]], created_at=now)
                      for aid in account_ids[::4]]
        connection.execute(insert(IssuedReference), registered)
    db.dispose()
    txs = []
    for n, aid in enumerate(account_ids):
        reference = make_document_qr_reference(aid, 1 if n % 4 == 0 else 0)
        amount = FEE // 2 if n % 20 == 0 else FEE
        txs.append(TxSpec(Money(amount, "CHF"), f"BENCH-{n:06d}", reference=reference, debtor_name=f"Bench Zahler{n}"))
    entries = tuple(EntrySpec(Money(sum(t.amount.minor for t in txs[i:i + BATCH]), "CHF"), date(2026, 11, 24),
                              f"BATCH-{i // BATCH:05d}", transactions=tuple(txs[i:i + BATCH]))
                    for i in range(0, len(txs), BATCH))
    content = write_camt(FileSpec("054", "001.04", QR_IBAN, "BENCH-1", datetime(2026, 11, 24, 18), entries))
    return org.id, content


def timed_import(url: str, organization_id: int, content: bytes) -> float:
    db = open_database(url, user="bench")
    start, cpu = time.perf_counter(), time.process_time()
    result = import_bank_file(db, organization_id, content, "bench.xml")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    matched = result.preview.count(result.preview.lines[0].status)
    print(f"  {len(result.preview.lines)} transactions, {matched} matched, file {len(content) / 1e6:.1f} MB: "
          f"{seconds:.2f} s (CPU time of this process {cpu:.2f} s)")
    db.dispose()
    return seconds


def run(url: str, count: int) -> float:
    organization_id, content = build(url, count)
    return timed_import(url, organization_id, content)


def run_sqlite(folder: Path, count: int, repeat: int) -> list[float]:
    """The same import `repeat` times, each into a fresh copy of the built file."""
    built = folder / "built.sqlite"
    organization_id, content = build(f"sqlite:///{built}", count)
    figures = []
    for n in range(repeat):
        target = folder / f"run{n}.sqlite"
        shutil.copy(built, target)
        figures.append(timed_import(f"sqlite:///{target}", organization_id, content))
    return figures


def pg_url() -> str | None:
    return os.environ.get("SOLLHABEN_BENCH_PG_URL") or os.environ.get("SOLLHABEN_TEST_DATABASE_URL")


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    with tempfile.TemporaryDirectory() as tmp:
        figures = run_sqlite(Path(tmp), count, REPEAT)
    seconds = statistics.median(figures)
    print(f"SQLite: import of {count} transactions, median of {REPEAT} {seconds:.2f} s, best {min(figures):.2f} s "
          f"(budget {BUDGET:.1f} s, ratio {seconds / BUDGET:.2f})")
    ok = seconds <= BUDGET
    base = pg_url()
    if base:
        admin = open_database(base)
        schema = f"bench_camt_{uuid.uuid4().hex[:8]}"
        with admin.engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            pg = run(f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}", count)
            print(f"PostgreSQL: import of {count} transactions {pg:.2f} s (budget {BUDGET:.1f} s, "
                  f"ratio {pg / BUDGET:.2f})")
            ok = ok and pg <= BUDGET
        finally:
            with admin.engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
    else:
        print("PostgreSQL: skipped (set SOLLHABEN_BENCH_PG_URL or SOLLHABEN_TEST_DATABASE_URL)")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
