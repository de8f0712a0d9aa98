"""Render the screenshots of return debits from bank files into docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_bank_returns.py [--out docs/screenshots]

Builds a temporary SQLite database through the services (a German Kita-Träger with a default
return-debit fee, three payers with mandates and a collection run), imports a camt.054 in which
two collections come back (one named by its end-to-end id with reason AC04, one only by IBAN and
amount) beside a bank charge, and grabs:
bank_returns_tab.png: the tab „Rücklastschriften“ of the page Zahlungseingänge;
bank_returns_dialog.png: „Als Rücklastschrift buchen …“ filled from the bank line.
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
DUE = date(2026, 12, 1)
RETURNED = date(2026, 12, 4)
ORG_IBAN = "DE89370400440532013000"
PAYERS = (("Öztürk", "Ayşe", "DE02500105170137075030", "180.50"),
          ("Berger", "Jonas", "DE88100900001234567892", "99.99"),
          ("Weiß", "Lena", "DE02120300000000202051", "250.00"))


def settle(app, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def sample(db) -> tuple[int, bytes]:
    from sollhaben.banking.camt_writer import EntrySpec, FileSpec, TxSpec, write_camt
    from sollhaben.banking.return_info import add_return_info
    from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, PersonInput
    from sollhaben.domain.money import Money
    from sollhaben.domain.receivables.mandates import MandateInput
    from sollhaben.services import ledger, organizations, persons
    from sollhaben.services.ledger import NewPosting
    from sollhaben.services.receivables import sepa_collections, sepa_mandates, sepa_proposal, sepa_run

    def eur(text: str) -> Money:
        return Money.of(text, "EUR")

    org = organizations.create_organization(db, OrganizationInput(
        name="Kita-Verbund Musterstadt e. V.", legal_country="DE",
        address=Address("Hauptstraße", "5", "70173", "Stuttgart", "DE"),
        bank_accounts=(BankAccountInput(ORG_IBAN, label="Girokonto"),), sepa_creditor_id="DE98ZZZ09999999999",
        enabled_modules=("kita", "receivables"), options={"sepa.return_debit_fee": "3.00"}))
    for n, (last, first, iban, amount) in enumerate(PAYERS, 1):
        person = persons.save_person(db, org.id, PersonInput("NATURAL", last, first,
                                                             bank_accounts=(BankAccountInput(iban),)), today=TODAY)
        account = ledger.open_account(db, org.id, person.id, module="kita")
        sepa_mandates.save_mandate(db, org.id, MandateInput(person.id, f"KITA-{n:04d}", date(2025, 3, 1),
                                                            f"{first} {last}", iban), today=TODAY)
        ledger.post(db, NewPosting(account.id, date(2026, 12, 1), "KITA_FEE", eur(amount), "Beitrag 12.2026",
                                   due_date=DUE))
    run = sepa_run.run_collection(db, sepa_proposal.propose(db, org.id, DUE, TODAY), "08", None, today=TODAY)
    items = {i.holder_name: i for i in sepa_collections.collection_items(db, run.collection_id)}
    named = items["Öztürk, Ayşe"]

    def debit(amount, key, e2e="NOTPROVIDED", iban="", name="", text=""):
        return EntrySpec(eur(amount), RETURNED, key, credit=False, transactions=(
            TxSpec(eur(amount), f"{key}-1", e2e, text=text, debtor_name=name, debtor_iban=iban, credit=False),))

    content = write_camt(FileSpec("054", "001.08", ORG_IBAN, "AVIS-2026-12-04", datetime(2026, 12, 4, 18, 0), (
        debit("180.50", "R1", named.end_to_end_id, PAYERS[0][2], "Ayşe Öztürk", "Kita-Beitrag 12.2026"),
        debit("99.99", "R2", iban=PAYERS[1][2], name="Jonas Berger", text="RUECKLASTSCHRIFT"),
        debit("4.90", "FEE", text="Entgelt Kontoführung"))))
    return org.id, add_return_info(content, {named.end_to_end_id: ("AC04", "Konto aufgeloest")})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from PySide6.QtWidgets import QApplication

    from sollhaben.bootstrap import open_and_upgrade
    from sollhaben.services import organizations
    from sollhaben.ui.context import AppContext
    from sollhaben.ui.receivables.bank_page import BankFilesPage

    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_and_upgrade(f"sqlite:///{Path(tmp) / 'screenshots.sqlite'}", backup=False)
        try:
            org_id, content = sample(db)
            path = Path(tmp) / "avis-2026-12-04.xml"
            path.write_bytes(content)
            context = AppContext(db)
            context.set_organization(organizations.get_organization(db, org_id))
            page = BankFilesPage(context)
            page.returns.today = lambda: date(2026, 12, 5)
            page.resize(1280, 560)
            page.show()
            page.read_file(path, show_dialog=False)
            page.book(page.preview_dialog.preview, content)
            page.tabs.setCurrentIndex(page.returns.index)
            page.returns.list.select(lambda r: r.reason_code == "AC04")
            settle(app)
            page.grab().save(str(out / "bank_returns_tab.png"))
            dialog = page.returns.book()
            settle(app)
            dialog.grab().save(str(out / "bank_returns_dialog.png"))
            dialog.reject()
            page.close()
        finally:
            db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
