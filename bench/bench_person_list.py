"""Benchmark: the person list with 100 000 persons (not a test; prints figures and PASS/FAIL).

Budgets (docs: platform.md): opening the page (one query, model rows, first paint, and the
search texts built between events after it) ≤ 1 s, filter as you type ≤ 100 ms per keystroke. Reference in the same run: the raw sqlite3 query of
the same columns. Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_person_list.py [N]
"""
from __future__ import annotations

import os
import random
import resource
import sqlite3
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from sollhaben.domain.master_data import Address, OrganizationInput  # noqa: E402
from sollhaben.persistence import migrate  # noqa: E402
from sollhaben.persistence.database import open_database  # noqa: E402
from sollhaben.persistence.models import Person  # noqa: E402
from sollhaben.services import organizations, persons  # noqa: E402
from sollhaben.ui.context import AppContext  # noqa: E402
from sollhaben.ui.persons import PersonsPage  # noqa: E402

OPEN_BUDGET, FILTER_BUDGET = 1.0, 0.100
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger",
        "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann", "Huber", "Keller"]
FIRST = ["Anna", "Max", "Lena", "Paul", "Mia", "Felix", "Emma", "Jonas", "Laura", "Lukas", "Sophie", "Leon",
         "Marie", "Noah", "Hannah", "Elias", "Lea", "Ben", "Clara", "Finn", "Nora", "Tim", "Ida", "Jan"]
TOWNS = [("70173", "Stuttgart"), ("80331", "München"), ("10115", "Berlin"), ("20095", "Hamburg"),
         ("50667", "Köln"), ("60311", "Frankfurt am Main"), ("01067", "Dresden"), ("04109", "Leipzig")]
STREETS = ["Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schulstraße", "Lindenallee", "Rosenweg", "Kirchplatz"]


def create_persons(db, organization_id: int, count: int) -> None:
    rng = random.Random(20261124)
    now = datetime.now(timezone.utc)
    rows = []
    for i in range(count):
        postal_code, town = rng.choice(TOWNS)
        rows.append({
            "organization_id": organization_id, "kind": "NATURAL", "last_name": rng.choice(LAST),
            "first_name": rng.choice(FIRST), "salutation": "", "version": 1, "created_at": now, "updated_at": now,
            "birth_date": date(1950, 1, 1).fromordinal(date(1950, 1, 1).toordinal() + rng.randrange(25_000)),
            "street": rng.choice(STREETS), "house_number": str(rng.randrange(1, 200)), "postal_code": postal_code,
            "town": town, "country": "DE", "address_extra": "", "phone": "", "email": "", "language": "de",
            "note": "",
        })
    with db.engine.begin() as connection:
        for start in range(0, count, 20_000):
            connection.execute(insert(Person.__table__), rows[start:start + 20_000])


class PaintProbe(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.painted = False

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted = True
        return False


def main(count: int = 100_000) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    folder = Path(tempfile.mkdtemp(prefix="bench_persons_"))
    db = open_database(f"sqlite:///{folder / 'bench.sqlite'}", user="bench")
    migrate.upgrade(db.engine, backup=False)
    org = organizations.create_organization(db, OrganizationInput(
        "Kita-Verbund Bench", "DE", Address("Hauptstraße", "5", "70173", "Stuttgart", "DE")))
    t = time.perf_counter()
    create_persons(db, org.id, count)
    print(f"setup: {count} persons inserted in {time.perf_counter() - t:.2f} s")
    context = AppContext(db)
    context.set_organization(org)

    raw = sqlite3.connect(folder / "bench.sqlite")
    t = time.perf_counter()
    raw.execute("SELECT id, kind, last_name, first_name, birth_date, postal_code, town, street FROM person "
                "WHERE organization_id = ? ORDER BY last_name, first_name, id", (org.id,)).fetchall()
    raw_query = time.perf_counter() - t
    t = time.perf_counter()
    rows = persons.list_person_rows(db, org.id)
    query = time.perf_counter() - t

    t = time.perf_counter()
    page = PersonsPage(context)  # loads the rows and fills the model
    built = time.perf_counter() - t
    probe = PaintProbe()
    page.list.table.viewport().installEventFilter(probe)
    page.resize(1100, 700)
    page.show()
    while not probe.painted:
        app.processEvents()
    opened = time.perf_counter() - t
    while not page.list.model.search_ready():  # search texts are built between events after the paint
        app.processEvents()
    ready = time.perf_counter() - t
    assert page.list.model.rowCount() == len(rows) == count

    print(f"rows: {count}; raw sqlite3 query {raw_query * 1000:.0f} ms; service query {query * 1000:.0f} ms "
          f"({query / raw_query:.1f} × raw)")
    print(f"open page: query + model {built * 1000:.0f} ms, to first paint {opened * 1000:.0f} ms, "
          f"ready to filter {ready * 1000:.0f} ms (budget {OPEN_BUDGET * 1000:.0f} ms for both)")
    ok = ready <= OPEN_BUDGET

    worst = 0.0
    for word in ("m", "mü", "mül", "müll", "mülle", "müller", "müller a", "", "stutt", "1980", "70173", "zzz", ""):
        probe.painted = False
        t = time.perf_counter()
        page.list.search.setText(word)
        page.list.table.viewport().update()
        while not probe.painted:
            app.processEvents()
        took = time.perf_counter() - t
        worst = max(worst, took)
        print(f"filter {word!r:12} → {page.list.proxy.rowCount():6} rows in {took * 1000:5.1f} ms")
    print(f"filter as you type: worst {worst * 1000:.1f} ms (budget {FILTER_BUDGET * 1000:.0f} ms)")
    ok = ok and worst <= FILTER_BUDGET

    t = time.perf_counter()
    page.open_person(page.list.proxy.row_at(page.list.proxy.index(0, 0)).id)
    first = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(20):
        page.editor.go(1)
    step = (time.perf_counter() - t) / 20
    print(f"editor: open a record {first * 1000:.0f} ms, record ► {step * 1000:.1f} ms per step")
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print("PASS" if ok else "FAIL")
    page.close()
    db.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
