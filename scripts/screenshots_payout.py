"""Render the screenshots of the page „Auszahlungen“ into docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_payout.py [--out docs/screenshots]

Builds a temporary SQLite database through the services (a Swiss organization with a QR-IBAN for
incoming QR-bills and a normal IBAN as default account, payers who paid too much — one without a
bank account, one without a town — and a maintenance payout of the alimony module) and grabs:
payout_balances.png: the tab Guthaben with the proposals and what stops two of them;
payout_refund_dialog.png: „Rückzahlung anlegen“ with an amount above the credit refused at its field;
payout_orders.png: the tab Offene Aufträge (refunds and a module payout);
payout_run_dialog.png: „Zahlungsdatei erstellen“ with a past execution date refused at its field;
payout_files.png: the tab Zahlungsdateien after the run;
payout_qr_debtor.png: the run dialog of an organization whose default account is its QR-IBAN.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
TODAY = date.today()
PAYERS = [("Gerber", "Anna", "CH56 0483 5012 3456 7800 9", "Bern", "186.40"),
          ("Keller", "Reto", "CH93 0076 2011 6238 5295 7", "Muri", "45.00"),
          ("Zürcher", "Lea", "", "Bern", "12.50"),
          ("Bühler", "Marco", "CH56 0483 5012 3456 7800 9", "", "80.00"),
          ("Müller-Schär", "Zoë", "CH93 0076 2011 6238 5295 7", "Köniz", "1250.00"),
          ("Widmer", "Urs", "CH56 0483 5012 3456 7800 9", "Bern", "3.15")]


def organization(db, name: str, qr_default: bool):
    from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput
    from sollhaben.services import organizations

    return organizations.create_organization(db, OrganizationInput(
        name=name, legal_country="CH", address=Address("Thunstrasse", "74", "3074", "Muri", "CH"),
        bank_accounts=(BankAccountInput("CH44 3199 9123 0008 8901 2", label="QR-Konto", is_default=qr_default),
                       BankAccountInput("CH93 0076 2011 6238 5295 7", label="Zahlungskonto",
                                        is_default=not qr_default)),
        enabled_modules=("alimony", "receivables")))


def build(db):
    from sollhaben.domain.master_data import Address, BankAccountInput, PersonInput
    from sollhaben.domain.money import Money
    from sollhaben.services import ledger, persons
    from sollhaben.services.receivables import payout_orders

    org = organization(db, "Gemeinde Muri bei Bern", qr_default=False)
    accounts = {}
    for n, (last, first, iban, town, credit) in enumerate(PAYERS):
        address = Address("Dorfstrasse", str(n + 3), "3074", town, "CH") if town else Address()
        banks = (BankAccountInput(iban),) if iban else ()
        person = persons.save_person(db, org.id, PersonInput("NATURAL", last, first, address=address,
                                                             bank_accounts=banks), today=TODAY)
        account = ledger.open_account(db, org.id, person.id, module="kita")
        accounts[last] = account
        ledger.post(db, ledger.NewPosting(account.id, date(2026, 10, 1), "FEE", Money(38_000, "CHF"),
                                          text="Elternbeitrag 10.2026", due_date=date(2026, 10, 15)))
        ledger.book_payment(db, account.id, date(2026, 10, 14), Money(38_000, "CHF") + Money.of(credit, "CHF"),
                            "Zahlung")
    payout_orders.create_payout_order(
        db, organization_id=org.id, account_id=accounts["Gerber"].id, recipient=accounts["Gerber"].holder_id,
        iban="CH56 0483 5012 3456 7800 9", amount=Money.of("650.00", "CHF"),
        purpose="Unterhalt November 2026 für Lia Gerber", source_kind="MODULE", source_id=1)
    return org


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    from PySide6.QtWidgets import QApplication

    from sollhaben.app import create_application
    from sollhaben.domain.formatting import format_date
    from sollhaben.persistence import migrate
    from sollhaben.persistence.database import open_database
    from sollhaben.services.receivables import payout_refunds, payout_run
    from sollhaben.ui.context import AppContext
    from sollhaben.ui.receivables.payout_dialogs import PayoutRunDialog, RefundDialog
    from sollhaben.ui.receivables.payout_page import PayoutPage
    from sollhaben.workers.jobs import JobRunner

    app = create_application()
    folder = Path(tempfile.mkdtemp())
    db = open_database(f"sqlite:///{folder / 'payout.sqlite'}", user="sachbearbeitung")
    migrate.upgrade(db.engine, backup=False)
    org = build(db)
    runner = JobRunner()
    context = AppContext(db=db, organization=org, worker=runner)
    page = PayoutPage(context)
    page.resize(1280, 720)
    page.show()

    def settle(condition=lambda: True, rounds: int = 1000) -> None:
        for _ in range(rounds):
            app.processEvents()
            if condition() and not runner.is_busy():
                break
            QApplication.instance().thread().msleep(10)
        for _ in range(5):
            app.processEvents()

    settle()
    page.balances.select(lambda r: r.holder_name.startswith("Keller"))
    settle()
    page.grab().save(str(out / "payout_balances.png"))

    dialog = RefundDialog(context, page.balances.current_row(), page)
    dialog.amount.setText("50.00")
    dialog.show()
    dialog.save()  # more than the credit: refused at the field
    settle()
    dialog.grab().save(str(out / "payout_refund_dialog.png"))
    dialog.amount.setText("45.00")
    dialog.save()
    dialog.close()
    for row in payout_refunds.list_credit_balances(db, org.id):
        if row.ready and not row.holder_name.startswith("Keller"):
            payout_refunds.create_refund_order(db, org.id, row.account_id)
    page.reload()
    page.tabs.setCurrentIndex(1)
    settle()
    page.grab().save(str(out / "payout_orders.png"))

    preview = payout_run.preview_payout_run(db, org.id)
    run = PayoutRunDialog(context, preview, str(folder), page)
    run.date_edit.setText(format_date(TODAY - timedelta(days=3)))
    run.show()
    run.save()
    settle()
    run.grab().save(str(out / "payout_run_dialog.png"))
    run.date_edit.setText(format_date(TODAY + timedelta(days=2)))
    assert run.save()
    run.close()
    page.start_run(run)
    settle(lambda: not page.jobs.busy)
    settle()
    page.grab().save(str(out / "payout_files.png"))

    qr_org = organization(db, "Sozialdienst Aaretal", qr_default=True)
    qr_context = AppContext(db=db, organization=qr_org, worker=runner)
    qr_run = PayoutRunDialog(qr_context, payout_run.preview_payout_run(db, qr_org.id), str(folder))
    qr_run.show()
    settle()
    qr_run.grab().save(str(out / "payout_qr_debtor.png"))
    qr_run.close()
    runner.shutdown()
    db.dispose()
    print(f"Screenshots in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
