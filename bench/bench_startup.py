"""Benchmark: app start to usable main window, 50 000 persons and 1 000 000 postings (not a test).

Budget (docs: platform.md): ≤ 1.5 s from process start to a usable main window.

Data: an SQLite file with the two demo organizations (DE Kita-Träger, CH Sozialdienst) of the demo
generator at about 25 000 persons each, one debtor account per payer/debtor, 1 000 000 postings
spread over those accounts (monthly receivables with the organization's categories — Elternbeitrag
and Verpflegung in DE, bevorschusste Alimente and Rückerstattungen in CH — and payments around the
due date; some debtors pay in part, late or not at all; each receivable carries a billing-run
idempotency key), allocations for the paid part, and a few hundred follow-ups (the start page
lists them). It is built once and cached in `<tmp>/sollhaben-bench/`, keyed by the sizes and the
schema revision; `--rebuild` builds it again.

What is measured, in a fresh subprocess per run (`python -m sollhaben --database URL`, so every
import counts) with SOLLHABEN_STARTUP_PROBE=1 (see `sollhaben/startup_probe.py`):

- from spawn: from just before `subprocess.Popen` in this script (interpreter start included)
- from main: from the first line of `sollhaben.cli.main`
- to "usable main window": the main window is shown on its start page (Wiedervorlagen), the
  page's list is populated (the start-up load on the worker has finished and its rows are in the
  model), the list's table has painted since, and a key press posted to the list's search field
  has been processed by the event loop (the window accepts input). Then the app quits.

The runs use the OS file cache warm and compiled bytecode, as an installed app does (one untimed
warm-up run first; bytecode cached under the bench folder), and their own QSettings folder.
Reference in the same run: a bare PySide6 main window with an empty table, spawn → first paint.
For information (not the budget) it also times starts that open other pages at once (`--pages`),
and with `--importtime` lists the slowest imports. POSIX only (the child's peak RSS via wait4).
Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_startup.py [--runs 5] [--importtime]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

BUDGET = 1.5
PROBE = "SOLLHABEN_STARTUP_PROBE"
CACHE = Path(tempfile.gettempdir()) / "sollhaben-bench"
DATA_VERSION = 1  # bump when the generated data changes
PHASES = (  # (label, from mark, to mark)
    ("interpreter start + `import sollhaben.cli`", "spawn", "main"),
    ("imports (app, Qt, SQLAlchemy, UI modules)", "main", "run_app"),
    ("QApplication, locale, translations", "run_app", "qapplication"),
    ("database open + migration check", "qapplication", "database"),
    ("organization lookup", "database", "organization"),
    ("main window construction + show", "organization", "window"),
    ("first list query (worker) + model", "window", "loaded"),
    ("paint + first input processed", "loaded", "usable"),
)


# --- data ----------------------------------------------------------------------------------------------

def database_file(persons: int, postings: int) -> Path:
    from sollhaben.persistence import migrate

    head = migrate.head_revision()
    return CACHE / f"startup-{persons}p-{postings}b-{head}-v{DATA_VERSION}.sqlite"


def build_database(path: Path, persons: int, postings: int) -> None:
    """Demo organizations and persons, then accounts, postings, allocations, follow-ups in bulk."""
    from sollhaben.bootstrap import open_and_upgrade
    from sollhaben.services.demo import load_demo

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".building")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    db = open_and_upgrade(f"sqlite:///{partial}", backup=False)
    try:
        t = time.perf_counter()
        summary = load_demo(db, size=persons // 2)
        print(f"setup: demo data ({summary.counts.get('persons', 0)} persons) in {time.perf_counter() - t:.1f} s",
              flush=True)
        t = time.perf_counter()
        with db.engine.begin() as connection:
            counts = _insert_ledger(connection, postings)
            counts["follow_ups"] = _insert_follow_ups(connection)
        print(f"setup: {counts} in {time.perf_counter() - t:.1f} s", flush=True)
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.dispose()
    partial.rename(path)


def _holders(connection) -> list[tuple[int, int, str]]:
    """(person id, organization id, currency) of every payer (DE) and debtor (CH)."""
    return list(connection.exec_driver_sql(
        "SELECT DISTINCT p.id, p.organization_id, o.currency FROM person p "
        "JOIN person_role r ON r.person_id = p.id JOIN organization o ON o.id = p.organization_id "
        "WHERE (o.currency = 'EUR' AND r.role = 'payer') OR (o.currency = 'CHF' AND r.role = 'debtor') "
        "ORDER BY p.id"))


def _insert_ledger(connection, target: int) -> dict[str, int]:
    from sqlalchemy import insert

    from sollhaben.domain.months import Month
    from sollhaben.persistence.models import Account, Allocation, Posting

    rng = random.Random(20261125)
    now = datetime.now(timezone.utc)
    existing = {holder: (aid, currency) for aid, holder, currency in connection.exec_driver_sql(
        "SELECT id, holder_id, currency FROM account WHERE key = 'main'")}
    next_account = (connection.exec_driver_sql("SELECT max(id) FROM account").scalar() or 0) + 1
    new_accounts, accounts = [], []
    for holder, org_id, currency in _holders(connection):
        if holder in existing:
            accounts.append(existing[holder])
            continue
        new_accounts.append({"id": next_account, "organization_id": org_id, "holder_id": holder, "key": "main",
                             "number": f"{holder:06d}", "label": "", "currency": currency, "created_at": now,
                             "module": "kita" if currency == "EUR" else "alimony", "parent_id": None})
        accounts.append((next_account, currency))
        next_account += 1
    for start in range(0, len(new_accounts), 20_000):
        connection.execute(insert(Account.__table__), new_accounts[start:start + 20_000])

    posting_id = (connection.exec_driver_sql("SELECT max(id) FROM posting").scalar() or 0) + 1
    allocation_id = (connection.exec_driver_sql("SELECT max(id) FROM allocation").scalar() or 0) + 1
    last = (2026, 10)
    target -= connection.exec_driver_sql("SELECT count(*) FROM posting").scalar()  # the demo's few
    per_account, extra = divmod(target, len(accounts))
    rows, allocations = [], []

    def flush(force: bool = False) -> None:
        nonlocal rows, allocations
        if rows and (force or len(rows) >= 50_000):
            connection.execute(insert(Posting.__table__), rows)
            if allocations:
                connection.execute(insert(Allocation.__table__), allocations)
            rows, allocations = [], []

    for n, (account_id, currency) in enumerate(accounts):
        budget = per_account + (1 if n < extra else 0)
        kita = currency == "EUR"
        fee = rng.randrange(150, 420) * 100 + rng.choice((0, 50)) if kita else rng.randrange(300, 950) * 100
        meals = rng.randrange(55, 95) * 100
        habit = rng.random()  # < 0.6 pays in full, < 0.8 in part, < 0.9 stopped paying, else never pays
        year, month = last
        back = 0
        while budget > 0:
            booked = date(year, month, 1)
            due = date(year, month, 15)
            value_month = Month(year, month)
            items = [("KITA_FEE" if kita else "MAINTENANCE", fee, "Elternbeitrag" if kita else "Bevorschusste Alimente")]
            if kita:
                items.append(("MEALS", meals, "Verpflegung"))
            elif rng.random() < 0.15:
                items.append(("REFUND", rng.randrange(50, 600) * 100, "Rückerstattung wirtschaftliche Hilfe"))
            item_ids = []
            for category, amount, label in items[:budget]:
                rows.append({
                    "id": posting_id, "account_id": account_id, "booking_date": booked, "value_month": value_month,
                    "due_date": due, "category": category, "amount_minor": amount, "currency": currency,
                    "source": "billing_run" if kita else "manual", "source_id": None, "reverses_id": None,
                    "reference": "", "text": f"{label} {month:02d}.{year}", "detail": {},
                    "idempotency_key": f"bench:{account_id}:{value_month.index}:{category}", "created_by": "bench",
                    "created_at": now})
                item_ids.append((posting_id, amount))
                posting_id += 1
                budget -= 1
            paying = habit < 0.8 or (habit < 0.9 and back >= 3)
            if budget > 0 and paying:
                total = sum(a for _, a in item_ids)
                paid = total if habit < 0.6 or habit >= 0.8 else total // 2
                day = min(due + timedelta(days=rng.randrange(-10, 20)), date(2026, 10, 31))
                rows.append({
                    "id": posting_id, "account_id": account_id, "booking_date": day, "value_month": None,
                    "due_date": None, "category": "PAYMENT", "amount_minor": -paid, "currency": currency,
                    "source": "payment", "source_id": None, "reverses_id": None, "reference": "",
                    "text": "Zahlung" if paid == total else "Teilzahlung", "detail": {}, "idempotency_key": None,
                    "created_by": "bench", "created_at": now})
                rest = paid
                for item_id, amount in item_ids:
                    part = min(rest, amount)
                    if part > 0:
                        allocations.append({"id": allocation_id, "credit_id": posting_id, "item_id": item_id,
                                            "amount_minor": part, "created_by": "bench", "created_at": now})
                        allocation_id += 1
                        rest -= part
                posting_id += 1
                budget -= 1
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
            back += 1
        flush()
    flush(force=True)
    count = connection.exec_driver_sql("SELECT count(*) FROM posting").scalar()
    return {"accounts": len(accounts), "postings": count,
            "allocations": connection.exec_driver_sql("SELECT count(*) FROM allocation").scalar()}


def _insert_follow_ups(connection) -> int:
    """About 300 follow-ups per organization on persons, due within ±60 days of the build day."""
    from sqlalchemy import insert

    from sollhaben.persistence.models import FollowUp

    rng = random.Random(20261126)
    now = datetime.now(timezone.utc)
    today = date.today()
    subjects = ("Einkommensnachweis anfordern", "Beitragsbescheid prüfen", "Rückruf vereinbaren",
                "Zahlungserinnerung nachfassen", "Unterlagen Kita-Platz", "Alimentenbevorschussung verlängern")
    rows = []
    for (org_id,) in connection.exec_driver_sql("SELECT id FROM organization ORDER BY id"):
        person_ids = [r[0] for r in connection.exec_driver_sql(
            "SELECT id FROM person WHERE organization_id = ? ORDER BY id", (org_id,))]
        for person_id in rng.sample(person_ids, min(300, len(person_ids))):
            done = rng.random() < 0.4
            rows.append({"organization_id": org_id, "due_date": today + timedelta(days=rng.randrange(-60, 60)),
                         "subject": rng.choice(subjects), "note": "", "module": "", "record_type": "person",
                         "record_id": person_id, "assigned_to": rng.choice(("", "mk", "sb", "ar")),
                         "done_at": now if done else None, "version": 1, "created_at": now, "updated_at": now})
    connection.execute(insert(FollowUp.__table__), rows)
    return len(rows)


def table_counts(path: Path) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(path) as raw:
        return {t: raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("organization", "person", "account", "posting", "allocation", "follow_up")}


# --- measurement ---------------------------------------------------------------------------------------

# The reference: the floor of any PySide6 desktop app — a bare interpreter that shows a main window
# with an empty table and stops at its first paint.
REFERENCE = """
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTableWidget
app = QApplication(sys.argv[:1])
window = QMainWindow()
table = QTableWidget(100, 8)
window.setCentralWidget(table)
window.resize(1200, 760)
class Probe(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, lambda: (print("painted", time.monotonic(), flush=True), app.exit(0)))
        return False
probe = Probe()
table.viewport().installEventFilter(probe)
window.show()
app.exec()
"""


def reference_once(folder: Path) -> float:
    spawn = time.monotonic()
    done = subprocess.run([sys.executable, "-c", REFERENCE], capture_output=True, text=True, env=_env(folder),
                          check=True)
    return float(done.stdout.split()[1]) - spawn

def _env(folder: Path, probe: str = "1") -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = env.get("QT_QPA_PLATFORM", "offscreen")
    env["XDG_CONFIG_HOME"] = str(folder / "config")  # the app's QSettings, not the user's
    env.pop("SOLLHABEN_DATABASE_URL", None)
    # Like an installed app, run from compiled bytecode (the warm-up run writes it); kept under the
    # bench folder so the checkout stays clean even where PYTHONDONTWRITEBYTECODE is set.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    env[PROBE] = probe
    return env


def start_once(url: str, folder: Path, page: str = "1") -> dict:
    """One app start in a fresh interpreter; marks relative to spawn, plus the child's max RSS.
    `page`: a page title to open right after the window is shown, instead of the start page."""
    out_path, err_path = folder / "stdout.txt", folder / "stderr.txt"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        spawn = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "sollhaben", "--database", url], stdout=out, stderr=err,
                                env=_env(folder, page))
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in out_path.read_text().splitlines() if line.startswith(PROBE)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"app start failed (exit {proc.returncode}):\n{err_path.read_text()[-3000:]}")
    marks = json.loads(lines[-1].split(" ", 1)[1])
    result = {name: value - spawn for name, value in marks.items()}
    result["spawn"] = 0.0
    result["rss_mb"] = usage.ru_maxrss / 1024
    return result


def import_profile(url: str, folder: Path, top: int = 25) -> list[tuple[float, str]]:
    """One extra (untimed) start with `-X importtime`: the slowest imports (cumulative, indented by
    nesting as Python prints them)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "sollhaben", "--database", url],
                          capture_output=True, text=True, env=_env(folder), check=False)
    found = []
    for line in proc.stderr.splitlines():
        parts = line[len("import time:"):].split("|") if line.startswith("import time:") else []
        if len(parts) == 3 and parts[1].strip().isdigit():
            found.append((int(parts[1]) / 1e6, parts[2][1:].rstrip()))
    return sorted(found, key=lambda f: -f[0])[:top]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=50_000)
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--importtime", action="store_true", help="also list the slowest imports")
    parser.add_argument("--pages", default="Personen,Debitoren",
                        help="also time a start that opens these pages at once (information; '' for none)")
    args = parser.parse_args()

    path = database_file(args.persons, args.postings)
    if args.rebuild or not path.exists():
        t = time.perf_counter()
        build_database(path, args.persons, args.postings)
        print(f"setup: database built in {time.perf_counter() - t:.1f} s → {path}")
    else:
        print(f"setup: cached database {path}")
    counts = table_counts(path)
    print("rows: " + ", ".join(f"{n} {t}" for t, n in counts.items())
          + f"; file {path.stat().st_size / 1e6:.0f} MB")
    url = f"sqlite:///{path}"
    folder = Path(tempfile.mkdtemp(prefix="bench_startup_"))

    start_once(url, folder)  # warm-up: OS file cache, .pyc files
    runs = [start_once(url, folder) for _ in range(args.runs)]
    from_spawn = [r["usable"] for r in runs]
    from_main = [r["usable"] - r["main"] for r in runs]
    print(f"runs: {args.runs} (after one warm-up run)")
    for label, values in (("spawn → usable", from_spawn), ("main  → usable", from_main)):
        print(f"{label}: median {statistics.median(values) * 1000:.0f} ms, min {min(values) * 1000:.0f} ms, "
              f"max {max(values) * 1000:.0f} ms")
    reference_once(folder)
    reference = statistics.median(reference_once(folder) for _ in range(args.runs))
    print(f"reference: bare PySide6 main window with an empty table, spawn → first paint: median "
          f"{reference * 1000:.0f} ms; the app takes {statistics.median(from_spawn) / reference:.1f} × that")
    print("where the time goes (median per phase):")
    for label, start, end in PHASES:
        spans = [r[end] - r[start] for r in runs]
        print(f"  {statistics.median(spans) * 1000:6.0f} ms  {label}")
    print(f"peak memory (max RSS of the app process): {max(r['rss_mb'] for r in runs):.0f} MB")
    for page in filter(None, args.pages.split(",")):
        spans = [start_once(url, folder, page)["usable"] for _ in range(3)]
        print(f"start, then open {page} at once: median {statistics.median(spans) * 1000:.0f} ms "
              f"(3 runs; information, not the budget)")
    if args.importtime:
        print("slowest imports (cumulative, one -X importtime run):")
        for seconds, name in import_profile(url, folder):
            print(f"  {seconds * 1000:6.0f} ms  {name}")
    median = statistics.median(from_spawn)
    ok = median <= BUDGET
    print(f"budget {BUDGET * 1000:.0f} ms from spawn: {'PASS' if ok else 'FAIL'} (median {median * 1000:.0f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
