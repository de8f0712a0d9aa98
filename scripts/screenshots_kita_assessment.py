"""Render the fee assessment screenshots into docs/screenshots/ (re-run after a layout change).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_kita_assessment.py [--out docs/screenshots]

kita_fee_assessment_de.png: page 1 of a German letter (two children, a shared fee, discounts, open
amounts); kita_fee_assessment_ch.png and kita_fee_assessment_ch_bill.png: page 1 and the last page
(with the QR-bill) of the same letter for a Swiss organization — all through the service from a
temporary SQLite database (pypdfium2, 110 dpi). kita_fee_assessment_page.png: the page
"Festsetzung" with the payers of the German facility.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 2, 20)


def family(db, country: str) -> tuple[int, int, int]:
    """An organization with a facility, a statute and the Gerber family; (org, facility, mother)."""
    from sollhaben.domain.kita import model as m
    from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, PersonInput, UnitInput
    from sollhaben.domain.money import Money
    from sollhaben.domain.months import Month, Validity
    from sollhaben.services import organizations, persons
    from sollhaben.services.kita import billing_data, catalogue, children, facility
    from sollhaben.services.kita.dto import GuardianInput

    swiss = country == "CH"
    currency = "CHF" if swiss else "EUR"

    def money(text: str) -> Money:
        return Money.of(text, currency)

    if swiss:
        org = organizations.create_organization(db, OrganizationInput(
            "Gemeinde Rorschach, Kinderbetreuung", "CH", Address("Hauptstrasse", "29", "9400", "Rorschach", "CH"),
            phone="071 844 21 21", email="kita@rorschach.ch",
            bank_accounts=(BankAccountInput("CH44 3199 9123 0008 8901 2", label="QR-Konto"),))).id
        home = Address("Marktgasse", "28", "9400", "Rorschach", "CH")
    else:
        org = organizations.create_organization(db, OrganizationInput(
            "Kita-Verbund Musterstadt", "DE", Address("Hauptstraße", "5", "70173", "Stuttgart", "DE"),
            phone="0711 123456", email="beitraege@kita-musterstadt.de",
            bank_accounts=(BankAccountInput("DE89 3704 0044 0532 0130 00", "COBADEFFXXX"),),
            sepa_creditor_id="DE98ZZZ09999999999")).id
        home = Address("Gartenweg", "7", "70174", "Stuttgart", "DE")
    unit = organizations.save_unit(db, org, UnitInput("Kita Sonnenschein", "FACILITY")).id
    start = Validity(Month(2026, 1))

    def group(name: str, amounts: tuple[str, ...]) -> int:
        tiers = tuple(m.Tier(i + 1, f"Stufe {i + 1}", money(a)) for i, a in enumerate(amounts))
        return catalogue.save_fee_group(db, org, m.FeeGroup(name, m.BillingMode.MONTHLY, m.TierSource.CHOSEN, (
            m.FeeGroupVersion(start, tiers),))).group.id

    def extra(name: str, mode: m.BillingMode, amount: str | None) -> int:
        return catalogue.save_extra_cost(db, org, m.ExtraCost(name, mode, False, (
            m.ExtraCostVersion(start, money(amount) if amount else None),))).extra_cost.id

    krippe, kindergarten = group("Krippe 45 h", ("1080.00", "980.00")), group("Kindergarten 35 h", ("1234.50",))
    meals = extra("Mittagessen", m.BillingMode.PER_UNIT, "3.80")
    drinks = extra("Getränkegeld", m.BillingMode.MONTHLY, "5.50")
    crafts = extra("Bastelgeld", m.BillingMode.INDIVIDUAL, None)
    sibling = catalogue.save_discount(db, org, m.Discount("Geschwisterermäßigung", m.DiscountKind.PERCENT, (
        m.DiscountVersion(start, percent=Decimal(25)),))).discount.id
    facility.save_facility_settings(db, m.FacilitySettings(unit, fee_free_months=frozenset({8}), due_day=15,
                                                           version=0))
    mother = persons.save_person(db, org, PersonInput("NATURAL", "Gerber", "Laura", "Frau", date(1988, 2, 1), home),
                                 today=TODAY).id
    father = persons.save_person(db, org, PersonInput("NATURAL", "Gerber", "Reto", "Herr", date(1986, 7, 4), home),
                                 today=TODAY).id
    kids = []
    for first, born in (("Mia", date(2022, 5, 3)), ("Leon", date(2020, 9, 12))):
        dto = children.create_child(db, org, PersonInput("NATURAL", "Gerber", first, birth_date=born, address=home),
                                    today=TODAY)
        dto = children.save_guardians(db, dto.id, dto.version, [GuardianInput(mother), GuardianInput(father)])
        children.save_payers(db, dto.id, dto.version, [mother, father])
        children.save_contract(db, m.Contract(dto.id, unit, m.ContractStatus.ACTIVE, first_day=date(2026, 3, 1)))
        kids.append(dto.id)
    to_mother = (m.PayerShare(mother),)
    billing_data.save_period(db, m.BillingPeriod(
        child_id=kids[0], valid=Validity(Month(2026, 3)), version=0,
        fee_lines=(m.FeeLine(krippe, tier=2, payers=(m.PayerShare(mother, money("900.00")),
                                                    m.PayerShare(father, takes_remainder=True))),),
        extra_lines=(m.ExtraLine(meals, payers=to_mother), m.ExtraLine(drinks, payers=to_mother),
                     m.ExtraLine(crafts, amount=money("8.00"), payers=to_mother))))
    billing_data.save_period(db, m.BillingPeriod(
        child_id=kids[1], valid=Validity(Month(2026, 3)), fees_payer_id=mother, version=0,
        fee_lines=(m.FeeLine(kindergarten, tier=1, discount_ids=(sibling,)),),
        extra_lines=(m.ExtraLine(meals, payers=to_mother),)))
    return org, unit, mother


def letters(out: Path, db) -> None:
    import pypdfium2 as pdfium

    from sollhaben.domain.months import Month
    from sollhaben.services.kita import fee_assessment

    for country, names in (("DE", {0: "kita_fee_assessment_de.png"}),
                           ("CH", {0: "kita_fee_assessment_ch.png", -1: "kita_fee_assessment_ch_bill.png"})):
        _org, unit, mother = family(db, country)
        pdf = fee_assessment.preview_assessment(db, unit, mother, Month(2026, 3), today=TODAY)
        document = pdfium.PdfDocument(pdf)
        for index, name in names.items():
            document[index % len(document)].render(scale=110 / 72).to_pil().save(out / name)
            print(out / name)


def page(out: Path, db) -> None:
    from PySide6.QtWidgets import QApplication

    from sollhaben.services import organizations
    from sollhaben.ui.context import AppContext
    from sollhaben.ui.kita.assessment_page import AssessmentPage

    app = QApplication.instance() or QApplication(sys.argv)
    org = next(o for o in organizations.list_organizations(db) if o.legal_country == "DE")
    widget = AssessmentPage(AppContext(db=db, organization=org), today=lambda: TODAY)
    widget.resize(1180, 420)
    widget.show()
    widget.ui.table.selectRow(0)
    app.processEvents()
    widget.grab().save(str(out / "kita_fee_assessment_page.png"))
    print(out / "kita_fee_assessment_page.png")
    widget.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    from sollhaben.persistence import migrate
    from sollhaben.persistence.database import open_database

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'screens.sqlite'}", user="screens")
        migrate.upgrade(db.engine, backup=False)
        letters(args.out, db)
        page(args.out, db)
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
