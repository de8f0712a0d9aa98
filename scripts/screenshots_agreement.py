"""Render the screenshots of payment agreements and the collection log into docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_agreement.py [--out docs/screenshots]

Builds a temporary SQLite database through the services: a Kita payer with fees of August to
November 2026, a reminder, a call, an agreement of 12.10.2026 whose second instalment was missed
(broken by the monitoring run of 10.12.2026), another call; then grabs
agreement_dialog.png: „Zahlungsvereinbarung …“ of 15.12.2026 with a down payment and the live schedule;
agreement_dialog_errors.png: the same dialog with refused entries marked at their fields;
agreement_log.png: the „Inkassoprotokoll“ with the measures and the agreements (the broken one chosen);
agreement_accounts_page.png: the Debitoren page with the buttons that open both.
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
TODAY = date(2026, 12, 15)


def settle(app) -> None:
    for _ in range(5):
        app.processEvents()


def sample(db):
    """The organization and the account of the story above."""
    from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, PersonInput
    from sollhaben.domain.money import Money
    from sollhaben.domain.months import Month
    from sollhaben.domain.receivables.agreements import AgreementTerms
    from sollhaben.services import ledger, organizations, persons
    from sollhaben.services.ledger import NewPosting
    from sollhaben.services.receivables import agreements, measures
    from sollhaben.services.receivables.agreements_dto import AgreementInput
    from sollhaben.services.unit_of_work import unit_of_work

    def eur(text: str) -> Money:
        return Money.of(text, "EUR")

    org = organizations.create_organization(db, OrganizationInput(
        name="Kita-Verbund Musterstadt", legal_country="DE",
        address=Address("Hauptstraße", "5", "70173", "Stuttgart", "DE"),
        bank_accounts=(BankAccountInput("DE89 3704 0044 0532 0130 00", label="Girokonto"),),
        sepa_creditor_id="DE98ZZZ09999999999", enabled_modules=("kita", "receivables")))
    address = Address("Lindenweg", "7", "70176", "Stuttgart", "DE")
    holder = persons.save_person(db, org.id, PersonInput("NATURAL", "Yilmaz", "Aylin", address=address),
                                 today=date(2026, 8, 1))
    other = persons.save_person(db, org.id, PersonInput("NATURAL", "Berger", "Bernd", address=address),
                                today=date(2026, 8, 1))
    account = ledger.open_account(db, org.id, holder.id)
    for month, amount in ((8, "238.00"), (9, "238.00"), (10, "238.00"), (11, "251.50")):
        ledger.post(db, NewPosting(account.id, date(2026, month, 1), "KITA_FEE", eur(amount),
                                   f"Kita-Beitrag {month:02d}/2026", value_month=Month(2026, month),
                                   due_date=date(2026, month, 15)))
    ledger.post(db, NewPosting(account.id, date(2026, 9, 25), "REMINDER_FEE", eur("5.00"), "Mahngebühr 1. Mahnung",
                               due_date=date(2026, 10, 9)))
    berger = ledger.open_account(db, org.id, other.id)
    ledger.post(db, NewPosting(berger.id, date(2026, 11, 1), "KITA_FEE", eur("180.00"), "Kita-Beitrag 11/2026",
                               due_date=date(2026, 11, 15)))

    def log(day: date, kind: str, text: str) -> None:
        with unit_of_work(db) as session:
            measures.log_measure(session, organization_id=org.id, account_id=account.id, occurred_on=day, kind=kind,
                                 text=text)

    log(date(2026, 9, 25), "REMINDER", "1. Mahnung über 476,00 EUR (Beiträge 08 und 09/2026), Mahngebühr 5,00 EUR.")
    measures.add_measure(db, account_id=account.id, occurred_on=date(2026, 10, 5), kind="CALL",
                         text="Frau Yilmaz ruft an: seit August arbeitslos, bittet um Ratenzahlung. "
                              "Unterlagen zum ALG I folgen.")
    first = [i.id for i in agreements.coverable_items(db, account.id)][:3]
    agreements.create_agreement(db, org.id, AgreementInput(
        account.id, AgreementTerms(eur("481.00"), date(2026, 11, 1), instalment_count=4, grace_days=5),
        item_ids=tuple(first), note="Telefonisch vereinbart, schriftlich bestätigt."), date(2026, 10, 12))
    ledger.book_payment(db, account.id, date(2026, 11, 3), eur("120.25"), "Rate 1 Yilmaz")
    agreements.check_agreements(db, org.id, date(2026, 12, 10))
    measures.add_measure(db, account_id=account.id, occurred_on=date(2026, 12, 14), kind="CALL",
                         text="Rückruf: Rate Dezember vergessen, neue Vereinbarung mit Anzahlung besprochen.")
    from sollhaben.services.dto import AccountDTO
    return org, AccountDTO(account.id, holder.id, "Yilmaz, Aylin", "main", account.number, "", "EUR")


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
    from sollhaben.ui.ledger.accounts_page import AccountsPage
    from sollhaben.ui.receivables.agreement_dialog import AgreementDialog
    from sollhaben.ui.receivables.measures_log import MeasuresLog

    QStandardPaths.setTestModeEnabled(True)
    app = create_application([sys.argv[0]])
    names = []
    with tempfile.TemporaryDirectory() as tmp:
        db = open_and_upgrade(f"sqlite:///{Path(tmp) / 'screenshots.sqlite'}", backup=False)
        try:
            org, account = sample(db)
            dialog = AgreementDialog(db, org.id, account, "DE", TODAY)
            dialog.ui.downPaymentEdit.setText("200,00")
            dialog.ui.countSpin.setValue(5)
            dialog.ui.graceSpin.setValue(7)
            dialog.ui.firstDueEdit.setText("02.01.2027")
            dialog.ui.noteEdit.setPlainText("Ersetzt die gebrochene Vereinbarung Nr. 1; Anzahlung bar am Schalter.")
            dialog.refresh_preview()
            dialog.show()
            settle(app)
            dialog.grab().save(str(out / "agreement_dialog.png"))
            names.append("agreement_dialog")
            dialog.ui.totalEdit.setText("900,00")
            dialog.ui.amountRadio.setChecked(True)
            dialog.ui.amountEdit.setText("0,00")
            dialog.ui.firstDueEdit.setText("01.12.2026")
            dialog.save()
            settle(app)
            dialog.grab().save(str(out / "agreement_dialog_errors.png"))
            names.append("agreement_dialog_errors")
            dialog._dirty = False
            dialog.reject()
            log = MeasuresLog(db, org.id, account, "DE", TODAY)
            log.resize(1100, 720)
            log.show()
            settle(app)
            log.grab().save(str(out / "agreement_log.png"))
            names.append("agreement_log")
            log.reject()
            context = AppContext(db=db, organization=org)
            page = AccountsPage(context)
            page.resize(1300, 640)
            page.show()
            page.show_account(account.id)
            settle(app)
            page.grab().save(str(out / "agreement_accounts_page.png"))
            names.append("agreement_accounts_page")
        finally:
            db.dispose()
    for name in names:
        print(out / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
