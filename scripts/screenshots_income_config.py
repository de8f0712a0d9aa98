"""Render the screenshots of the income-scale settings (page „Staffeltabelle“) into docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_income_config.py [--out docs/screenshots]

Builds a temporary SQLite database through the services (a German Kita operator with six income item
types, the scale of 2025 and the spec's example scale from 01.2026, and one assessment of the Gerber
family so that the types and the version show „in Gebrauch“) and grabs
income_config.png: the page with both sections, the 2026 version marked;
income_config_version.png: the dialog „Neu …“, filled from the 2026 version.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 24)
TYPES = (("Lohn/Gehalt", "+"), ("Rente", "+"), ("Unterhalt erhalten", "+"), ("Elterngeld", "+"),
         ("Werbungskosten", "-"), ("Unterhalt gezahlt", "-"))


def settle(app, seconds: float = 0.3) -> None:
    """Let queued events (layouts, paints) arrive."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def sample_settings(db):
    """The organization, its item types, two versions and one assessment; returns the organization."""
    from sollhaben.domain.income import model as im
    from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, PersonInput, UnitInput
    from sollhaben.domain.money import Money
    from sollhaben.domain.months import Month, Validity
    from sollhaben.services import organizations, persons
    from sollhaben.services.income import assessments, configuration
    from sollhaben.services.kita import children
    from sollhaben.services.kita.dto import GuardianInput

    org = organizations.create_organization(db, OrganizationInput(
        name="Kita-Verbund Musterstadt e. V.", legal_country="DE",
        address=Address("Hauptstraße", "5", "70173", "Stuttgart", "DE"),
        bank_accounts=(BankAccountInput("DE89 3704 0044 0532 0130 00", label="Girokonto"),),
        sepa_creditor_id="DE98ZZZ09999999999", enabled_modules=("kita", "income", "receivables")))
    facility = organizations.save_unit(db, org.id, UnitInput("Kita Sonnenschein", "FACILITY")).id

    def eur(text: str) -> Money:
        return Money.of(text, "EUR")

    types = {label: configuration.save_item_type(db, org.id, im.IncomeItemType(
        label, im.ItemSign(sign), position)).item_type.id for position, (label, sign) in enumerate(TYPES, start=1)}
    elterngeld = next(t for t in configuration.get_configuration(db, org.id).item_types
                      if t.item_type.label == "Elterngeld")
    configuration.save_item_type(db, org.id, im.IncomeItemType(
        "Elterngeld", im.ItemSign.PLUS, elterngeld.item_type.position, elterngeld.item_type.id,
        Validity(Month(2024, 1), Month(2026, 12))), elterngeld.version)

    def scale(start: str, amounts: tuple[str, str, str], increment: str, fixed: str) -> im.IncomeScaleVersion:
        return im.IncomeScaleVersion(
            Validity.parse(start),
            tuple(im.IncomeThreshold(size, eur(a)) for size, a in zip((2, 3, 4), amounts)), eur(increment),
            tuple(im.TierBracket(eur(up_to), tier) for tier, up_to in enumerate(
                ("0.00", "250.00", "500.00", "750.00", "1000.00"), start=1)),
            highest_tier=6, exemption_percent=Decimal(5), exemption_fixed=eur(fixed))

    configuration.save_version(db, org.id, scale("01.2025", ("1750.00", "2050.00", "2350.00"), "290.00", "40.00"))
    configuration.save_version(db, org.id, scale("01.2026", ("1800.00", "2100.00", "2400.00"), "300.00", "50.00"))

    child = children.create_child(db, org.id, PersonInput("NATURAL", "Gerber", "Mia", birth_date=date(2021, 5, 3)),
                                  today=TODAY)
    mother = persons.save_person(db, org.id, PersonInput("NATURAL", "Gerber", "Laura", birth_date=date(1988, 2, 1)),
                                 today=TODAY).id
    father = persons.save_person(db, org.id, PersonInput("NATURAL", "Gerber", "Reto", birth_date=date(1986, 7, 4)),
                                 today=TODAY).id
    children.save_guardians(db, child.id, child.version, [GuardianInput(mother), GuardianInput(father)])
    assessments.save_assessment(db, org.id, im.IncomeAssessment(
        child_id=child.id, facility_id=facility, valid_from=Month(2026, 1), household_size=4,
        persons=(im.AssessmentPerson(mother, False, (im.IncomeItem(types["Lohn/Gehalt"], eur("30000.00")),
                                                     im.IncomeItem(types["Werbungskosten"], eur("1200.00")),
                                                     im.IncomeItem(types["Unterhalt gezahlt"], eur("2400.00")))),
                 im.AssessmentPerson(father, True, (im.IncomeItem(types["Lohn/Gehalt"], eur("800.00")),))),
        version=0), today=TODAY)
    return org


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QStandardPaths

    from sollhaben.app import create_application
    from sollhaben.bootstrap import open_and_upgrade
    from sollhaben.ui.context import AppContext
    from sollhaben.ui.income.config_page import IncomeConfigPage

    QStandardPaths.setTestModeEnabled(True)
    app = create_application([sys.argv[0]])
    with tempfile.TemporaryDirectory() as tmp:
        db = open_and_upgrade(f"sqlite:///{Path(tmp) / 'screenshots.sqlite'}", backup=False)
        try:
            org = sample_settings(db)
            context = AppContext(db=db, organization=org)
            page = IncomeConfigPage(context, today=lambda: TODAY)
            page.resize(1100, 720)
            page.show()
            page.types.select(lambda row: row.item_type.label == "Werbungskosten")
            settle(app)
            page.grab().save(str(out / "income_config.png"))

            dialog = page.open_version_dialog(None)
            settle(app)
            dialog.grab().save(str(out / "income_config_version.png"))
            dialog.done(0)
            page.close()
        finally:
            db.dispose()
    for name in ("income_config", "income_config_version"):
        print(out / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
