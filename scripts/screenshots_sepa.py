"""Render the screenshots of the page „Lastschriften“ into docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_sepa.py [--out docs/screenshots]

Builds a temporary SQLite database through the services (a German Kita organization, eight payers
with December fees, their mandates — one expired, one revoked, one account with a credit balance)
and grabs:
sepa_mandates.png: the mandates list;
sepa_mandate_errors.png: the mandate editor with errors at the fields;
sepa_run_proposal.png: the run dialog with the proposal and the error list, before the run;
sepa_collections.png: the tab Einzüge after the run, with its items (one came back);
sepa_return.png: the „Rücklastschrift …“ dialog.
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
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
TODAY = date.today()
DUE = date(TODAY.year + (TODAY.month == 12), TODAY.month % 12 + 1, 1)
PAYERS = [("Weiß", "Jürgen", "DE02120300000000202051", "BYLADEM1001", "2024-02-01"),
          ("Öztürk", "Aylin", "DE02500105170137075030", "", "2025-08-15"),
          ("Berger", "Anna", "DE88100900001234567892", "", "2026-09-01"),
          ("Schmidt", "Lukas", "DE12500105170648489890", "", "2025-01-10"),
          ("Alt", "Helga", "DE89370400440532013000", "", "2022-06-01"),  # never used: expired
          ("Krüger", "Paul", "DE75512108001245126199", "", "2024-05-01"),  # revoked
          ("Neumann", "Nina", "DE02120300000000202051", "", "2025-11-20"),  # credit balance
          ("Hoffmann", "Mia", "DE02500105170137075030", "", "2026-10-05")]


def build(db):
    from sollhaben.domain.ledger import PostingSource
    from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, PersonInput
    from sollhaben.domain.money import Money
    from sollhaben.domain.receivables.mandates import MandateInput
    from sollhaben.services import ledger, organizations, persons
    from sollhaben.services.ledger import NewPosting
    from sollhaben.services.receivables import sepa_mandates

    org = organizations.create_organization(db, OrganizationInput(
        name="Kita-Verbund Musterstadt e. V.", legal_country="DE",
        address=Address("Hauptstraße", "5", "70173", "Stuttgart", "DE"),
        bank_accounts=(BankAccountInput("DE89 3704 0044 0532 0130 00", "COBADEFFXXX", label="Girokonto"),),
        sepa_creditor_id="DE98ZZZ09999999999", enabled_modules=("kita", "receivables"),
        options={"sepa.return_debit_fee": "3.00"}))
    for n, (last, first, iban, bic, signed) in enumerate(PAYERS):
        person = persons.save_person(db, org.id, PersonInput("NATURAL", last, first, bank_accounts=(
            BankAccountInput(iban, bic),)), today=TODAY)
        account = ledger.open_account(db, org.id, person.id, module="kita")
        ledger.post(db, NewPosting(account.id, DUE.replace(day=1), "FEE_GROUP", Money(18_000 + n * 2_150, "EUR"),
                                   text=f"Elternbeitrag {DUE:%m.%Y}", due_date=DUE, source=PostingSource.BILLING_RUN))
        if n in (0, 3):
            ledger.post(db, NewPosting(account.id, DUE.replace(day=1), "MEAL", Money(6_240, "EUR"),
                                       text=f"Verpflegung {DUE:%m.%Y}", due_date=DUE, source=PostingSource.BILLING_RUN))
        if last == "Neumann":
            ledger.book_payment(db, account.id, TODAY, Money(5_000, "EUR"), "Überweisung ohne Zuordnung",
                                allocations=[])
        mandate = sepa_mandates.save_mandate(db, org.id, MandateInput(
            person.id, f"KITA-{2024 + n % 3}-{n + 101:04d}", date.fromisoformat(signed), f"{first} {last}", iban, bic),
            today=TODAY)
        if last == "Krüger":
            sepa_mandates.revoke_mandate(db, mandate.id, mandate.version, TODAY, today=TODAY)
    return org


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    from PySide6.QtWidgets import QApplication

    from sollhaben.app import create_application
    from sollhaben.persistence import migrate
    from sollhaben.persistence.database import open_database
    from sollhaben.ui.context import AppContext
    from sollhaben.ui.receivables.sepa_page import SepaPage
    from sollhaben.workers.jobs import JobRunner

    app = create_application()
    folder = Path(tempfile.mkdtemp())
    db = open_database(f"sqlite:///{folder / 'sepa.sqlite'}", user="sachbearbeitung")
    migrate.upgrade(db.engine, backup=False)
    org = build(db)
    runner = JobRunner()
    context = AppContext(db=db, organization=org, worker=runner)
    page = SepaPage(context)
    page.resize(1200, 720)
    page.show()

    def settle(condition=lambda: True, rounds: int = 400) -> None:
        for _ in range(rounds):
            app.processEvents()
            if condition() and not runner.is_busy():
                break
            QApplication.instance().thread().msleep(10)
        for _ in range(5):
            app.processEvents()

    settle()
    page.grab().save(str(out / "sepa_mandates.png"))
    page.edit_mandate(None)
    dialog = page.dialog
    dialog.payer.setCurrentIndex(dialog.payer.findText("Weiß, Jürgen"))
    dialog.reference.setText("KITA 2026/Ü1")
    dialog.signed_on.setText("31.12.2099")
    dialog.save()
    settle()
    dialog.grab().save(str(out / "sepa_mandate_errors.png"))
    dialog.reject()
    page.tabs.setCurrentIndex(1)
    page.prepare_run()
    run = page.dialog
    run.make_proposal()
    settle(lambda: run.proposal is not None)
    run.grab().save(str(out / "sepa_run_proposal.png"))
    run.choose_path = lambda suggested: str(folder / suggested)
    run.start_run()
    settle(lambda: run.result is not None)
    run.reject()
    settle()
    from sollhaben.domain.money import Money
    from sollhaben.services.receivables import sepa_collections, sepa_returns

    schmidt = next(i for i in sepa_collections.collection_items(db, run.result.collection_id)
                   if i.holder_name.startswith("Schmidt"))
    sepa_returns.record_return_debit(db, schmidt.id, TODAY, "MD06", Money(300, "EUR"), today=TODAY)
    context.signals.data_changed.emit("sepa_collection")
    page.collections.select(lambda r: True)
    page.items.select(lambda r: r.holder_name.startswith("Öztürk"))
    settle()
    page.grab().save(str(out / "sepa_collections.png"))
    page.return_debit()
    page.dialog.note.setText("Anruf der Mutter: Konto war nicht gedeckt")
    settle()
    page.dialog.grab().save(str(out / "sepa_return.png"))
    page.dialog.reject()
    runner.shutdown()
    db.dispose()
    print(f"Screenshots in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
