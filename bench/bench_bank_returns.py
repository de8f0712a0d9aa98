"""Benchmark: return debits from a bank file (not a test; prints figures and PASS/FAIL).

No budget in the issue; the references are ours, for what a clerk waits on: after a December run of
5 000 collected accounts (setup of `bench_sepa_run`, all mandates on ONE IBAN, so the IBAN-and-amount
fallback finds many candidates), a camt.054 with 200 returns naming their collection (RtrInf AM04),
100 returns without an id and 50 bank charges is imported; then

- noting the returns on the stored lines (`note_return_details`, after every import) ≤ 1 s,
- the tab's list (`list_return_debits`, reloaded on every posting change) ≤ 0.5 s,
- booking one return (`book_return_debit`, a clerk's click) ≤ 0.3 s (mean of 10),

on SQLite; PostgreSQL (SOLLHABEN_BENCH_PG_URL, else SOLLHABEN_TEST_DATABASE_URL) beside it.
Run: .venv/bin/python bench/bench_bank_returns.py [N]
"""
from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import time
import uuid
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sollhaben.banking.camt_writer import EntrySpec, FileSpec, TxSpec, write_camt  # noqa: E402
from sollhaben.banking.return_info import add_return_info  # noqa: E402
from sollhaben.domain.money import Money  # noqa: E402
from sollhaben.persistence import migrate  # noqa: E402
from sollhaben.persistence.database import open_database  # noqa: E402
from sollhaben.services.receivables import bank_returns, sepa_collections, sepa_proposal, sepa_run  # noqa: E402
from sollhaben.services.receivables.bank_import import import_bank_file  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_sepa_run", Path(__file__).with_name("bench_sepa_run.py"))
sepa_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sepa_bench)

NOTE_BUDGET, LIST_BUDGET, BOOK_BUDGET = 1.0, 0.5, 0.3
RETURNED = date(2026, 12, 4)


def bank_file(items) -> bytes:
    entries = []
    for n, item in enumerate(items[:300]):
        e2e = item.end_to_end_id if n < 200 else "NOTPROVIDED"
        entries.append(EntrySpec(item.amount, RETURNED, f"R{n}", credit=False, transactions=(TxSpec(
            item.amount, f"R{n}-1", e2e, text="RUECKLASTSCHRIFT", debtor_name=item.holder_name,
            debtor_iban=sepa_bench.IBAN, credit=False),)))
    for n in range(50):
        fee = Money.of("4.90", "EUR")
        entries.append(EntrySpec(fee, RETURNED, f"F{n}", credit=False, transactions=(
            TxSpec(fee, f"F{n}-1", text="Entgelt", credit=False),)))
    content = write_camt(FileSpec("054", "001.08", "DE89370400440532013000", "BENCH-RET", datetime(2026, 12, 4, 18),
                                  tuple(entries)))
    return add_return_info(content, {i.end_to_end_id: ("AM04", "") for i in items[:200]})


def measure(db, n: int, label: str) -> bool:
    org = sepa_bench.build(db, n)
    result = sepa_run.run_collection(db, sepa_proposal.propose(db, org, sepa_bench.DUE, sepa_bench.TODAY), "08",
                                     None, today=sepa_bench.TODAY)
    items = sepa_collections.collection_items(db, result.collection_id)
    content = bank_file(items)
    start = time.perf_counter()
    import_bank_file(db, org, content, "returns.xml")
    imported = time.perf_counter() - start
    start = time.perf_counter()
    noted = bank_returns.note_return_details(db, org, content)
    note_s = time.perf_counter() - start
    start = time.perf_counter()
    lines = bank_returns.list_return_debits(db, org)
    list_s = time.perf_counter() - start
    bookable = [line for line in lines if line.item_id is not None][:10]
    start = time.perf_counter()
    for line in bookable:
        bank_returns.book_return_debit(db, org, line.entry_id, line.item_id, RETURNED, "AM04",
                                       Money.of("3.00", "EUR"), today=RETURNED)
    book_s = (time.perf_counter() - start) / max(len(bookable), 1)
    ok = note_s <= NOTE_BUDGET and list_s <= LIST_BUDGET and book_s <= BOOK_BUDGET and noted == 200
    print(f"{label:10} {n} collected, 350 debits (import {imported:.2f} s): noted {noted} in {note_s:.2f} s "
          f"({note_s / NOTE_BUDGET:.2f} × budget), list of {len(lines)} {list_s:.3f} s "
          f"({list_s / LIST_BUDGET:.2f} × budget), booking one {book_s:.3f} s ({book_s / BOOK_BUDGET:.2f} × budget)"
          f"  {'PASS' if ok else 'FAIL'}", flush=True)
    return ok


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    folder = Path(tempfile.mkdtemp())
    db = open_database(f"sqlite:///{folder / 'bench.sqlite'}", user="bench")
    migrate.upgrade(db.engine, backup=False)
    ok = measure(db, n, "SQLite")
    db.dispose()
    url = os.environ.get("SOLLHABEN_BENCH_PG_URL") or os.environ.get("SOLLHABEN_TEST_DATABASE_URL")
    if url:
        schema = f"bench_returns_{uuid.uuid4().hex[:8]}"
        admin = open_database(url)
        with admin.engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            pg = open_database(f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}", user="bench")
            migrate.upgrade(pg.engine, backup=False)
            ok = measure(pg, n, "PostgreSQL") and ok
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
