"""Render the screenshots of the page "Sollstellung" into docs/screenshots/ (re-run after a layout change).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_kita_run.py [--out docs/screenshots]

A temporary SQLite database with a German facility (12 children, fee groups Krippe and
Kindergarten with a sibling discount, meals by count, drinks money), January to March 2026 posted
through the service; then a tier changed back to January (recalculation) and a child in an
income-dependent group without an income calculation (a problem); the sample rows are made up. kita_run_preview.png: the page
after "Vorschau" for April; kita_run_done.png: after posting April (result and run list);
kita_run_list.png: page 1 of April's Sollstellungsliste as PDF (pypdfium2, 110 dpi).
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 3, 27)
FAMILIES = (("Gerber", "Laura", "Reto", ("Mia", "Leon")), ("Öztürk", "Elif", "Murat", ("Deniz",)),
            ("Schäfer", "Anna", "Jonas", ("Emma", "Paul")), ("Nguyen", "Linh", "", ("Minh",)),
            ("Wagner", "Julia", "Tobias", ("Lena",)), ("Becker", "Sophie", "Lukas", ("Noah", "Mila")),
            ("Hoffmann", "Sarah", "Felix", ("Ben",)), ("Krüger", "Miriam", "", ("Ida",)),
            ("Zimmermann", "Katrin", "Stefan", ("Jakob",)))


def build(db):
    """The organization, facility, statute and children; returns (org, facility, periods, income group)."""
    from sollhaben.domain.kita import model as m
    from sollhaben.domain.master_data import (
        Address,
        BankAccountInput,
        OrganizationInput,
        PersonInput,
        UnitInput,
    )
    from sollhaben.domain.money import Money
    from sollhaben.domain.months import Month, Validity
    from sollhaben.services import organizations, persons
    from sollhaben.services.kita import billing_data, catalogue, children, facility
    from sollhaben.services.kita.dto import GuardianInput

    def eur(text: str) -> Money:
        return Money.of(text, "EUR")

    org = organizations.create_organization(db, OrganizationInput(
        "Kita-Verbund Musterstadt", "DE", Address("Hauptstraße", "5", "70173", "Stuttgart", "DE"),
        bank_accounts=(BankAccountInput("DE89 3704 0044 0532 0130 00", "COBADEFFXXX"),),
        sepa_creditor_id="DE98ZZZ09999999999")).id
    unit = organizations.save_unit(db, org, UnitInput("Kita Sonnenschein", "FACILITY")).id
    start = Validity(Month(2026, 1))

    def group(name: str, amounts: tuple[str, ...], source=m.TierSource.CHOSEN) -> int:
        tiers = tuple(m.Tier(i + 1, f"Stufe {i + 1}", eur(a)) for i, a in enumerate(amounts))
        return catalogue.save_fee_group(db, org, m.FeeGroup(name, m.BillingMode.MONTHLY, source, (
            m.FeeGroupVersion(start, tiers),))).group.id

    def extra(name: str, mode: m.BillingMode, amount: str, meal: bool = False) -> int:
        return catalogue.save_extra_cost(db, org, m.ExtraCost(name, mode, meal, (
            m.ExtraCostVersion(start, eur(amount)),))).extra_cost.id

    krippe = group("Krippe 45 h", ("1080.00", "980.00", "720.00"))
    kindergarten = group("Kindergarten 35 h", ("420.00", "350.00", "280.00"))
    income = group("Ganztag einkommensabhängig", ("300.00", "200.00"), m.TierSource.INCOME)
    meals = extra("Mittagessen", m.BillingMode.PER_UNIT, "3.80", meal=True)
    drinks = extra("Getränkegeld", m.BillingMode.MONTHLY, "5.50")
    sibling = catalogue.save_discount(db, org, m.Discount("Geschwisterermäßigung", m.DiscountKind.PERCENT, (
        m.DiscountVersion(start, percent=Decimal(25)),))).discount.id
    facility.save_facility_settings(db, m.FacilitySettings(unit, fee_free_months=frozenset({8}), due_day=15,
                                                           first_billing_month=Month(2026, 1), version=0))
    rng = random.Random(7)
    periods = []
    for number, (last, mother_name, father_name, kids) in enumerate(FAMILIES):
        home = Address("Gartenweg", str(3 + number * 2), "70174", "Stuttgart", "DE")
        mother = persons.save_person(db, org, PersonInput("NATURAL", last, mother_name, "Frau",
                                                          date(1986 + number % 5, 1 + number, 3), home), today=TODAY).id
        father = persons.save_person(db, org, PersonInput("NATURAL", last, father_name, "Herr",
                                                          date(1984 + number % 6, 2 + number, 9), home),
                                     today=TODAY).id if father_name else None
        for position, first in enumerate(kids):
            born = date(2024 - number % 4 - position * 2, 1 + (number * 3 + position) % 12, 10)
            child = children.create_child(db, org, PersonInput("NATURAL", last, first, birth_date=born, address=home),
                                          today=TODAY)
            guardians = [GuardianInput(mother)] + ([GuardianInput(father)] if father else [])
            child = children.save_guardians(db, child.id, child.version, guardians)
            children.save_payers(db, child.id, child.version, [mother] + ([father] if father else []))
            children.save_contract(db, m.Contract(child.id, unit, m.ContractStatus.ACTIVE, first_day=date(2026, 1, 1)))
            fee = krippe if born.year >= 2023 else kindergarten
            shares = ((m.PayerShare(mother, eur("100.00")), m.PayerShare(father, takes_remainder=True)) if father
                      else (m.PayerShare(mother),))
            line = m.FeeLine(fee, tier=1 + (number + position) % 2, payers=shares,
                             discount_ids=(sibling,) if position else ())
            period = billing_data.save_period(db, m.BillingPeriod(
                child_id=child.id, valid=start, version=0, fee_lines=(line,),
                extra_lines=(m.ExtraLine(meals, count=rng.randint(12, 20), payers=(m.PayerShare(mother),)),
                             m.ExtraLine(drinks, payers=(m.PayerShare(mother),))))).period
            periods.append(period.id)
    return org, unit, periods, income


def count_meals(db, periods: list[int], rng: random.Random) -> None:
    """The month's meal counts (the run set them back to 0)."""
    from sollhaben.services.kita import billing_data

    for period_id in periods:
        period = billing_data.get_period(db, period_id).period
        meals = replace(period.extra_lines[0], count=rng.randint(10, 21))
        billing_data.save_period(db, replace(period, extra_lines=(meals,) + period.extra_lines[1:]))


def history(db, org: int, unit: int, periods: list[int], income: int) -> None:
    """January to March posted; then a tier corrected from January and a child without income data."""
    from sollhaben.domain.kita import model as m
    from sollhaben.domain.master_data import PersonInput
    from sollhaben.domain.months import Month, Validity
    from sollhaben.services.kita import billing_data, billing_run, children

    rng = random.Random(11)
    for month in (1, 2, 3):
        if month > 1:
            count_meals(db, periods, rng)
        billing_run.post_run(db, unit, Month(2026, month), "Anna Keller", today=date(2026, month, 2))
    count_meals(db, periods, rng)
    corrected = billing_data.get_period(db, periods[2]).period  # Deniz Öztürk: tier 3 since January
    billing_data.save_period(db, replace(corrected, fee_lines=(replace(corrected.fee_lines[0], tier=3),)))
    payer = corrected.fee_lines[0].payers[0].payer_id
    child = children.create_child(db, org, PersonInput("NATURAL", "Öztürk", "Aylin", birth_date=date(2022, 4, 2)),
                                  today=TODAY)
    child = children.save_payers(db, child.id, child.version, [payer])
    children.save_contract(db, m.Contract(child.id, unit, m.ContractStatus.ACTIVE, first_day=date(2026, 4, 1)))
    billing_data.save_period(db, m.BillingPeriod(child_id=child.id, valid=Validity(Month(2026, 4)), version=0,
                                                 fee_lines=(m.FeeLine(income, payers=(m.PayerShare(payer),)),)))


def grab(widget, path: Path) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # buttons of an earlier notice
    QApplication.processEvents()
    widget.grab().save(str(path))
    print(path)


def screens(out: Path, db, org_id: int, unit: int) -> None:
    import pypdfium2 as pdfium
    from PySide6.QtWidgets import QApplication

    from sollhaben.services import organizations
    from sollhaben.ui.context import AppContext
    from sollhaben.ui.kita import run_dialogs
    from sollhaben.ui.kita.run_page import RunPage

    app = QApplication.instance() or QApplication(sys.argv)
    page = RunPage(AppContext(db=db, organization=organizations.get_organization(db, org_id)),
                   today=lambda: date(2026, 3, 30))
    page.resize(1180, 620)
    page.show()
    app.processEvents()
    assert page.preview()  # no worker: runs at once
    grab(page, out / "kita_run_preview.png")
    assert page.post(ask=False)
    grab(page, out / "kita_run_done.png")
    pdfs: list[bytes] = []
    run_dialogs.open_pdf = lambda _parent, pdf, _title, _name: pdfs.append(pdf)  # no dialog in the script
    page.runs.show_run_list()
    document = pdfium.PdfDocument(pdfs[0])
    document[0].render(scale=110 / 72).to_pil().save(out / "kita_run_list.png")
    print(out / "kita_run_list.png")
    page.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    from sollhaben.persistence import migrate
    from sollhaben.persistence.database import open_database

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'screens.sqlite'}", user="Anna Keller")
        migrate.upgrade(db.engine, backup=False)
        org, unit, periods, income = build(db)
        history(db, org, unit, periods, income)
        screens(args.out, db, org, unit)
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
