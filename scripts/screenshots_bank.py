"""Render the screenshots of the page „Zahlungseingänge“ into docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_bank.py [--out docs/screenshots]

Builds a temporary SQLite database through the services (a Swiss organization, four payers with
their IBANs and open fees, one dunning letter's QR reference in the issued-reference registry),
writes a camt.054 with a batch of QR-bill credits, a single credit, a pending entry and a debit,
and grabs:
bank_preview.png: the preview of that file before „Buchen“;
bank_clearing.png: the page after booking, with the clearing list;
bank_assign.png: „Zuordnen …“ of a clearing line (account chosen, an item marked);
bank_imports.png: the tab „Einlesungen“;
bank_errors.png: the preview of a file with problems (each with its place).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 24)
QR_IBAN = "CH4431999123000889012"
PAYERS = (("Gerber", "Reto", "CH9300762011623852957"), ("Meier-Bühler", "Anna", "CH5604835012345678009"),
          ("Rossi", "Giulia", "CH0909000000401234567"), ("Zürcher", "Beat", ""))


def settle(app, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def sample(db):
    """Organization, payers with open fees, a registered dunning reference; (org, accounts, file)."""
    from sollhaben.banking.camt_writer import EntrySpec, FileSpec, TxSpec, write_camt
    from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, PersonInput
    from sollhaben.domain.money import Money
    from sollhaben.domain.references import make_document_creditor_reference, make_document_qr_reference
    from sollhaben.services import ledger, organizations, persons
    from sollhaben.services.ledger import NewPosting
    from sollhaben.services.receivables.references import register_issued_reference
    from sollhaben.services.unit_of_work import unit_of_work

    def chf(text: str) -> Money:
        return Money.of(text, "CHF")

    org = organizations.create_organization(db, OrganizationInput(
        name="Kita Regenbogen Bern", legal_country="CH", address=Address("Bahnhofstrasse", "12", "3000", "Bern", "CH"),
        bank_accounts=(BankAccountInput(QR_IBAN, label="QR-Konto"),), enabled_modules=("kita", "receivables")))
    accounts = []
    for last, first, iban in PAYERS:
        banks = (BankAccountInput(iban),) if iban else ()
        person = persons.save_person(db, org.id, PersonInput("NATURAL", last, first, bank_accounts=banks), today=TODAY)
        account = ledger.open_account(db, org.id, person.id, module="kita")
        for month in (9, 10, 11):
            ledger.post(db, NewPosting(account.id, date(2026, month, 1), "KITA_FEE", chf("480.00"),
                                       text=f"Elternbeitrag {month:02d}.2026", due_date=date(2026, month, 28)))
        accounts.append(account)
    reminder = ledger.post(db, NewPosting(accounts[0].id, date(2026, 11, 10), "REMINDER_FEE", chf("20.00"),
                                          text="Mahngebühr 1. Mahnung", due_date=date(2026, 11, 30)))
    dunning_ref = make_document_qr_reference(accounts[0].id, 4711)
    with unit_of_work(db) as session:
        register_issued_reference(session, organization_id=org.id, account_id=accounts[0].id, reference=dunning_ref,
                                  kind="DUNNING", document_id=4711, item_ids=[reminder])
    batch = (
        TxSpec(chf("500.00"), "261124CH0A1B-0001", reference=dunning_ref, debtor_name="Reto Gerber",
               debtor_iban=PAYERS[0][2]),
        TxSpec(chf("480.00"), "261124CH0A1B-0002", reference=make_document_qr_reference(accounts[1].id),
               debtor_name="Anna Meier-Bühler", debtor_iban=PAYERS[1][2]),
        TxSpec(chf("275.00"), "261124CH0A1B-0003", reference="000000000000000000000047119",
               debtor_name="Hausverwaltung Aare AG"),
        TxSpec(chf("960.00"), "261124CH0A1B-0004", debtor_name="Giulia Rossi", debtor_iban=PAYERS[2][2],
               text="Kita Oktober und November Luca"),
    )
    entries = (
        EntrySpec(chf("2215.00"), TODAY, "261124CH0A1B", transactions=batch),
        EntrySpec(chf("480.00"), TODAY, "261124CH0A1C", transactions=(
            TxSpec(chf("480.00"), reference=make_document_creditor_reference(accounts[3].id),
                   debtor_name="Beat Zürcher", text="Beitrag September"),)),
        EntrySpec(chf("130.00"), TODAY, "261124CH0A1D", transactions=(
            TxSpec(chf("130.00"), debtor_name="M. Muster", text="Spende Sommerfest"),)),
        EntrySpec(chf("480.00"), TODAY, "261124CH0A1E", status="PDNG"),
        EntrySpec(chf("12.50"), TODAY, "261124CH0A1F", credit=False, info="Kontoführung November"),
    )
    content = write_camt(FileSpec("054", "001.04", QR_IBAN, "20261124375204000006523", datetime(2026, 11, 24, 19, 32),
                                  entries))
    return org, accounts, content


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
    from sollhaben.ui.receivables.bank_clearing_dialogs import AssignDialog
    from sollhaben.ui.receivables.bank_page import BankFilesPage

    QStandardPaths.setTestModeEnabled(True)
    app = create_application([sys.argv[0]])
    names = []
    with tempfile.TemporaryDirectory() as tmp:
        db = open_and_upgrade(f"sqlite:///{Path(tmp) / 'screenshots.sqlite'}", backup=False)
        try:
            org, accounts, content = sample(db)
            path = Path(tmp) / "camt054_20261124.xml"
            path.write_bytes(content)
            context = AppContext(db=db, organization=org)
            page = BankFilesPage(context)
            page.resize(1300, 720)
            page.show()
            page.read_file(path, show_dialog=False)
            dialog = page.preview_dialog
            dialog.resize(1300, 560)
            dialog.show()
            settle(app)
            dialog.grab().save(str(out / "bank_preview.png"))
            names.append("bank_preview")
            dialog.close()
            page.book(dialog.preview, content)
            settle(app)
            page.grab().save(str(out / "bank_clearing.png"))
            names.append("bank_clearing")
            page.clearing.select(lambda r: r.debtor_name == "Hausverwaltung Aare AG")
            assign = AssignDialog(context, page.clearing.current_row(), page)
            assign.choose_account(accounts[2].id)
            assign.items.select(lambda r: r.due_date == date(2026, 11, 28))
            assign.show()
            settle(app)
            assign.grab().save(str(out / "bank_assign.png"))
            names.append("bank_assign")
            assign.close()
            page.tabs.setCurrentIndex(1)
            settle(app)
            page.grab().save(str(out / "bank_imports.png"))
            names.append("bank_imports")
            bad = Path(tmp) / "camt054_kaputt.xml"
            text = content.decode().replace('<Amt Ccy="CHF">275.00</Amt>', '<Amt Ccy="CHF">257.00</Amt>', 1)
            text = text.replace('<Amt Ccy="CHF">130.00</Amt>', '<Amt Ccy="CHF">130,00</Amt>', 1)
            bad.write_text(text)
            page.read_file(bad, show_dialog=False)
            page.preview_dialog.resize(1000, 360)
            page.preview_dialog.show()
            settle(app)
            page.preview_dialog.grab().save(str(out / "bank_errors.png"))
            names.append("bank_errors")
        finally:
            db.dispose()
    print("written:", ", ".join(f"{n}.png" for n in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
