"""Render screenshots of the Kita children pages into docs/screenshots/kita_child_*.png and
kita_quick_entry.png (re-run after UI changes).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_kita_children.py [--out docs/screenshots]

Builds a temporary SQLite database through the services (the statute and families of the GUI tests'
set-up in tests/gui/kita/test_children_fixtures.py), then grabs the children list, every layer of
the child editor, the sub-layers of the billing data (with live figures and the summary of the
spec's worked examples), field errors, a locked period and the quick entry grid.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def settle(app) -> None:
    for _ in range(10):
        app.processEvents()


def build(db):
    from sqlalchemy import update

    from sollhaben.domain.kita import model as m
    from sollhaben.domain.months import Month, Validity
    from sollhaben.persistence.models import BillingPeriod
    from sollhaben.services.kita import billing_data, children
    from sollhaben.services.unit_of_work import unit_of_work
    from tests.gui.kita.test_children_fixtures import build_child, build_statute, eur

    s = build_statute(db)
    mia = build_child(db, s)
    noah = build_child(db, s, "Arndt", "Noah", date(2025, 9, 1))
    lea = build_child(db, s, "Gerber", "Lea", date(2025, 9, 1), parents=(mia.mother, mia.father))
    children.save_contract(db, m.Contract(children.create_child(db, s.org, __import__(
        "sollhaben.domain.master_data", fromlist=["PersonInput"]).PersonInput(
        "NATURAL", "Yilmaz", "Deniz", birth_date=date(2023, 2, 11)), today=date(2026, 3, 1)).id, s.facility,
        m.ContractStatus.REGISTERED, registered_on=date(2026, 2, 2)))
    for family, amount, count in ((noah, "45.00", 12), (lea, "0.00", 9)):
        billing_data.save_period(db, m.BillingPeriod(family.child, Validity(Month(2026, 1)), (
            m.FeeLine(s.monthly, tier=2, discount_ids=(s.sibling,), payers=(m.PayerShare(family.mother),)),
            m.FeeLine(s.individual, amount=eur(amount), reset=True, payers=(m.PayerShare(family.mother),))), (
            m.ExtraLine(s.meals, count=count, payers=(m.PayerShare(family.mother),)),
            m.ExtraLine(s.trip, amount=eur("8.50"), reset=True, payers=(m.PayerShare(family.father),))), version=0))
    billed = billing_data.list_periods(db, lea.child)[0].id
    with unit_of_work(db) as session:
        session.execute(update(BillingPeriod).where(BillingPeriod.id == billed).values(billed_through=Month(2026, 2)))
    return s, mia, noah, lea


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    out = Path(parser.parse_args(argv).out)
    out.mkdir(parents=True, exist_ok=True)
    from PySide6.QtWidgets import QApplication

    import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)

    app = QApplication.instance() or QApplication(["sollhaben"])
    from sollhaben.domain.kita import model as m
    from sollhaben.persistence import migrate
    from sollhaben.persistence.database import open_database
    from sollhaben.services.kita import facility
    from sollhaben.ui.kita.children_page import ChildrenPage
    from sollhaben.ui.kita.quick_entry_page import QuickEntryPage
    from tests.gui.kita.test_children_fixtures import choose, make_context

    tmp = tempfile.mkdtemp()
    db = open_database(f"sqlite:///{tmp}/kita.sqlite", user="mb")
    migrate.upgrade(db.engine, backup=False)
    s, mia, _noah, lea = build(db)
    context = make_context(db, s.org)
    page = ChildrenPage(context, today=lambda: date(2026, 3, 20))
    page.resize(1010, 720)
    page.show()
    settle(app)

    def shot(name: str, widget=None) -> None:
        settle(app)
        (widget or page).grab().save(str(out / name))
        print(out / name)

    shot("kita_child_list.png")
    editor = page.editor
    page.open_child(mia.child)
    editor.basic.ui.notesEdit.setPlainText("Allergie: Nüsse. Abholung dienstags durch die Grosseltern.")
    for index, name in ((0, "kita_child_basic.png"), (1, "kita_child_contracts.png"), (2, "kita_child_family.png")):
        editor.ui.layerTabs.setCurrentIndex(index)
        shot(name)
    editor.ui.layerTabs.setCurrentIndex(3)
    editor.load_period(None)
    panel = editor.periods
    fees = panel.fees
    daily = fees.add_line()
    choose(daily.entry, "Tagesplatz")
    choose(daily.tier, "Staffel 1")
    choose(daily.payers[0].combo, "Laura")
    daily.payers[0].share.setText("5,00")
    choose(daily.payers[1].combo, "Reto")
    daily.payers[1].rest.setChecked(True)
    monthly = fees.add_line()
    choose(monthly.entry, "Ganztag")
    choose(monthly.tier, "Stufe 2")
    choose(monthly.discounts[0], "Ermäßigung 10")
    monthly.special.setText("5,00")
    choose(monthly.payers[0].combo, "Laura")
    monthly.payers[0].share.setText("100,00")
    choose(monthly.payers[1].combo, "Reto")
    monthly.payers[1].rest.setChecked(True)
    meals = panel.extras.add_line()
    choose(meals.entry, "Mittagessen")
    meals.count.setText("17")
    choose(meals.payers[0].combo, "Laura")
    trip = panel.extras.add_line()
    choose(trip.entry, "Ausflug")
    trip.amount.setText("12,50")
    trip.reset.setChecked(True)
    choose(trip.payers[0].combo, "Reto")
    panel.tabs.setCurrentIndex(0)
    shot("kita_child_period_basic.png")
    panel.tabs.setCurrentIndex(1)
    shot("kita_child_fees.png")
    panel.tabs.setCurrentIndex(2)
    shot("kita_child_extras.png")
    monthly.payers[1].rest.setChecked(False)
    editor.save()
    panel.tabs.setCurrentIndex(1)
    shot("kita_child_errors.png")
    monthly.payers[1].rest.setChecked(True)
    editor.save()
    panel.tabs.setCurrentIndex(3)
    panel.summary.date_edit.setText("14.03.2026")
    panel.apply_summary()
    shot("kita_child_summary.png")
    panel.tabs.setCurrentIndex(4)
    shot("kita_child_income.png")
    facility.save_facility_settings(db, m.FacilitySettings(
        s.facility, lock_billed=True, version=facility.get_facility_settings(db, s.facility).version))
    page.open_child(lea.child)
    editor.ui.layerTabs.setCurrentIndex(3)
    editor.periods.tabs.setCurrentIndex(1)
    shot("kita_child_locked.png")

    quick = QuickEntryPage(context, today=lambda: date(2026, 3, 20))
    quick.resize(1010, 520)
    quick.show()
    quick.load()
    quick.ui.grid.item(0, 3).setText("14")
    quick.ui.grid.setCurrentCell(1, 3)
    shot("kita_quick_entry.png", quick)
    db.dispose()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # skip the interpreter's teardown of the Qt objects: the files are written
