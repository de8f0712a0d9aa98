"""Render the screenshots of the page „Staffelberechnung“ into docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_income.py [--out docs/screenshots]

Builds a temporary SQLite database through the services — the settings of
`screenshots_income_config.py` (item types, the scales of 2025 and 2026, the Gerber family's
assessment from 01.2026), an income-dependent fee group billed to Mia at tier 5 for January to March 2026 —
and grabs:
income_list.png: the page's list;
income_editor.png: the assessment with its figures (layer Grunddaten);
income_editor_person.png: the layer Einkommenspositionen 1. Person;
income_protocol.png: the protocol after „Übertragen …“;
income_child_layer.png: the child's billing data, layer Staffelberechnung.
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
sys.path.insert(0, str(ROOT / "scripts"))
TODAY = date(2026, 4, 10)  # the transfer of the spec's example happens in April 2026


def billing(db, org) -> int:
    """The income-dependent fee group, Mia's contract and her billing period at tier 5; her child id."""
    from sollhaben.domain.kita import model as m
    from sollhaben.domain.master_data import UnitKind
    from sollhaben.domain.money import Money
    from sollhaben.domain.months import Month, Validity
    from sollhaben.services import organizations
    from sollhaben.services.kita import billing_data, catalogue, children, facility

    def eur(text: str) -> Money:
        return Money.of(text, "EUR")

    unit = organizations.list_units(db, org.id, UnitKind.FACILITY.value)[0].id
    tiers = tuple(m.Tier(i + 1, f"Staffel {i + 1}", eur(a))
                  for i, a in enumerate(("100.00", "140.00", "180.00", "215.00", "250.00", "290.00")))
    group = catalogue.save_fee_group(db, org.id, m.FeeGroup(
        "Kindergarten einkommensabhängig", m.BillingMode.MONTHLY, m.TierSource.INCOME,
        (m.FeeGroupVersion(Validity(Month(2025, 1)), tiers),))).group.id
    facility.save_facility_settings(db, m.FacilitySettings(unit, first_billing_month=Month(2026, 1), version=0))
    child = children.list_child_rows(db, org.id)[0]
    dto = children.get_child(db, child.id)
    mother = dto.guardians[0].person_id
    children.save_payers(db, child.id, dto.version, [g.person_id for g in dto.guardians])
    children.save_contract(db, m.Contract(child.id, unit, m.ContractStatus.ACTIVE, first_day=date(2025, 12, 1)))
    billing_data.save_period(db, m.BillingPeriod(child.id, Validity(Month(2026, 1)), (
        m.FeeLine(group, tier=5, payers=(m.PayerShare(mother),)),), version=0))
    from sollhaben.services.kita import billing_run

    for month in (1, 2, 3):  # January to March billed at tier 5, as in the spec's example
        billing_run.post_run(db, unit, Month(2026, month), "screenshots", today=date(2026, month, 1))
    return child.id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QStandardPaths

    from screenshots_income_config import sample_settings, settle
    from sollhaben.app import create_application
    from sollhaben.bootstrap import open_and_upgrade
    from sollhaben.ui.context import AppContext
    from sollhaben.ui.income.assessments_page import AssessmentsPage
    from sollhaben.ui.kita.children_page import ChildrenPage

    QStandardPaths.setTestModeEnabled(True)
    app = create_application([sys.argv[0]])
    names = []
    with tempfile.TemporaryDirectory() as tmp:
        db = open_and_upgrade(f"sqlite:///{Path(tmp) / 'screenshots.sqlite'}", backup=False)
        try:
            org = sample_settings(db)
            child_id = billing(db, org)
            context = AppContext(db=db, organization=org)
            page = AssessmentsPage(context, today=lambda: TODAY)
            page.resize(1300, 760)
            page.show()
            settle(app)
            page.grab().save(str(out / "income_list.png"))
            names.append("income_list")
            page.open_assessment(page.list.model.rows()[0].id)
            settle(app)
            page.grab().save(str(out / "income_editor.png"))
            page.editor.ui.layerTabs.setCurrentIndex(1)
            settle(app)
            page.grab().save(str(out / "income_editor_person.png"))
            names += ["income_editor", "income_editor_person"]
            page.editor.transfer_button.click()
            settle(app)
            page.dialog.resize(900, 420)
            settle(app)
            page.dialog.grab().save(str(out / "income_protocol.png"))
            page.dialog.reject()
            names.append("income_protocol")
            children = ChildrenPage(context, today=lambda: TODAY)
            children.resize(1100, 640)
            children.show()
            children.open_child(child_id)
            editor = children.editor
            editor.ui.layerTabs.setCurrentWidget(editor.periods)
            rows = editor.periods.rows
            editor.load_period(rows[-1].id)
            editor.periods.tabs.setCurrentWidget(editor.periods.income)
            settle(app)
            children.grab().save(str(out / "income_child_layer.png"))
            names.append("income_child_layer")
        finally:
            db.dispose()
    for name in names:
        print(out / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
