"""Render the screenshots of the Kita catalogue ("Standard") into docs/screenshots/ (re-run after UI changes).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_kita_catalogue.py [--out docs/screenshots]

Builds a temporary SQLite database through the services (a German Kita operator with two
facilities, two institutions and a statute: Württemberg-model groups, a daily group, an individual
group, discounts of every kind, extra costs with meals) and grabs the page "Standard" in the main
window, the fee group editor (two versions, the new one selected), the same editor with field errors,
and the settings of a facility.
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


def settle(app, seconds: float = 0.3) -> None:
    """Let queued events (layouts, paints) arrive."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def sample_statute(db):
    """The organization and its catalogue; returns (organization, facility id)."""
    from sollhaben.domain.kita import model as m
    from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, PersonInput, UnitInput
    from sollhaben.domain.money import Money
    from sollhaben.domain.months import Validity
    from sollhaben.services import organizations, persons
    from sollhaben.services.kita import catalogue, facility
    from sollhaben.services.kita.dto import FacilityOfferDTO

    org = organizations.create_organization(db, OrganizationInput(
        name="Kita-Verbund Musterstadt e. V.", legal_country="DE",
        address=Address("Hauptstraße", "5", "70173", "Stuttgart", "DE"),
        bank_accounts=(BankAccountInput("DE89 3704 0044 0532 0130 00", label="Girokonto"),),
        sepa_creditor_id="DE98ZZZ09999999999", enabled_modules=("kita", "income", "receivables")))
    sun = organizations.save_unit(db, org.id, UnitInput("Kita Sonnenschein", "FACILITY")).id
    organizations.save_unit(db, org.id, UnitInput("Kita Regenbogen", "FACILITY"))
    youth, social = (persons.save_person(db, org.id, PersonInput("INSTITUTION", name)).id
                     for name in ("Jugendamt Musterstadt", "Sozialamt Musterstadt"))

    def eur(text: str) -> Money:
        return Money.of(text, "EUR")

    def wuerttemberg(amounts) -> tuple:
        labels = ("1 Kind", "2 Kinder", "3 Kinder", "4 und mehr Kinder")
        return tuple(m.Tier(i + 1, labels[i], eur(a)) for i, a in enumerate(amounts))

    full_day = catalogue.save_fee_group(db, org.id, m.FeeGroup(
        "Ganztag 45 Std.", m.BillingMode.MONTHLY, m.TierSource.WUERTTEMBERG, (
            m.FeeGroupVersion(Validity.parse("01.2026"), wuerttemberg(("162.00", "126.00", "85.00", "28.00"))),
            m.FeeGroupVersion(Validity.parse("09.2026"), wuerttemberg(("170.00", "132.00", "89.00", "30.00")))),
        code="GT45"))
    catalogue.save_fee_group(db, org.id, m.FeeGroup(
        "Halbtag 25 Std.", m.BillingMode.MONTHLY, m.TierSource.WUERTTEMBERG,
        (m.FeeGroupVersion(Validity.parse("01.2026"), wuerttemberg(("98.00", "76.00", "51.00", "17.00"))),),
        code="HT25"))
    catalogue.save_fee_group(db, org.id, m.FeeGroup(
        "Krippe je Betreuungstag", m.BillingMode.DAILY, m.TierSource.CHOSEN,
        (m.FeeGroupVersion(Validity.parse("01.2026"), (m.Tier(1, "Tagessatz", eur("12.40")),)),), code="KR"))
    catalogue.save_fee_group(db, org.id, m.FeeGroup(
        "Ferienbetreuung", m.BillingMode.INDIVIDUAL, m.TierSource.CHOSEN,
        (m.FeeGroupVersion(Validity.parse("01.2026"), ()),), code="FB"))
    for name, kind, version in (
            ("Geschwisterermäßigung", m.DiscountKind.SIBLING_LADDER,
             m.DiscountVersion(Validity.parse("01.2026"), ladder=(Decimal("25"), Decimal("50"), Decimal("100")))),
            ("Sozialermäßigung", m.DiscountKind.PERCENT, m.DiscountVersion(Validity.parse("01.2026"),
                                                                          percent=Decimal("30"))),
            ("Härtefall", m.DiscountKind.FIXED, m.DiscountVersion(Validity.parse("01.2026"), fixed=eur("20.00")))):
        catalogue.save_discount(db, org.id, m.Discount(name, kind, (version,)))
    meals = catalogue.save_extra_cost(db, org.id, m.ExtraCost("Mittagessen", m.BillingMode.PER_UNIT, True, (
        m.ExtraCostVersion(Validity.parse("01.2026"), eur("3.80")),)), code="ME").extra_cost
    for name, mode, meal, amount, code in (("Frühstück", m.BillingMode.PER_UNIT, True, "1.20", "FR"),
                                           ("Getränkepauschale", m.BillingMode.MONTHLY, False, "5.00", "GP"),
                                           ("Ausflug", m.BillingMode.INDIVIDUAL, False, None, "AU")):
        catalogue.save_extra_cost(db, org.id, m.ExtraCost(name, mode, meal, (
            m.ExtraCostVersion(Validity.parse("01.2026"), eur(amount) if amount else None),)), code=code)
    facility.save_facility_setup(db, m.FacilitySettings(
        sun, fee_free_months=frozenset({8}), due_day=5, lock_billed=True, wuerttemberg=True,
        standard_rate_meals=True, hardship_fund_payer_id=social, sibling_meal_payer_id=youth,
        first_billing_month=Validity.parse("01.2026").valid_from, version=0),
        FacilityOfferDTO(sun, extra_cost_ids=frozenset({meals.id})))
    return org, full_day.group.id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QStandardPaths

    from sollhaben.app import create_application
    from sollhaben.bootstrap import open_and_upgrade
    from sollhaben.services.kita.dto import EntryKind
    from sollhaben.ui.context import AppContext
    from sollhaben.ui.kita.catalogue_page import CataloguePage
    from sollhaben.ui.main_window import MainWindow

    QStandardPaths.setTestModeEnabled(True)
    app = create_application([sys.argv[0]])
    with tempfile.TemporaryDirectory() as tmp:
        db = open_and_upgrade(f"sqlite:///{Path(tmp) / 'screenshots.sqlite'}", backup=False)
        try:
            org, full_day_id = sample_statute(db)
            context = AppContext(db=db, organization=org)
            window = MainWindow(context)
            index = window.page_index("Standard")
            window.pages[index].factory = lambda: CataloguePage(context, today=lambda: TODAY)  # a fixed "today"
            window.resize(1200, 720)
            window.show()
            window.show_page(index)
            page = window.page("Standard")
            page.lists[EntryKind.FEE_GROUP].select(lambda row: row.id == full_day_id)
            settle(app)
            window.grab().save(str(out / "kita_catalogue.png"))

            dialog = page.open_dialog(EntryKind.FEE_GROUP, page.lists[EntryKind.FEE_GROUP].current_row())
            settle(app)
            dialog.grab().save(str(out / "kita_fee_group_dialog.png"))
            dialog.ui.tierTable.item(1, 2).setText("132,505")
            dialog.ui.tierTable.item(3, 2).setText("")
            dialog.save()
            settle(app)
            dialog.grab().save(str(out / "kita_fee_group_errors.png"))
            dialog.load(dialog.dto)
            dialog.done(0)

            page.ui.facilityCombo.setCurrentIndex(page.ui.facilityCombo.findText("Kita Sonnenschein"))
            settings = page.open_facility_settings()
            settle(app)
            settings.grab().save(str(out / "kita_facility_settings.png"))
            settings.done(0)
            window.close()
        finally:
            db.dispose()
    for name in ("kita_catalogue", "kita_fee_group_dialog", "kita_fee_group_errors", "kita_facility_settings"):
        print(out / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
