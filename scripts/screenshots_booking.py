"""Render the screenshots of the booking window into docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_booking.py [--out docs/screenshots]

Builds a temporary SQLite database through the services (a German Kita organization with a payer who
owes four months of fees and meals and a reminder fee; a Swiss organization with a maintenance debtor
whose enforcement costs belong to two enforcement cases) and grabs:
booking_dialog.png: „Zahlung buchen“ with the proposal for 700,00 EUR, November named by the payer
(the reference of November's invoice typed into „Referenz“);
booking_dialog_errors.png: the same window after the clerk allocated more than is open in one row;
booking_dialog_ch.png: the Swiss account, items grouped by month, category and enforcement case;
booking_credit.png: „Guthaben zuordnen“ after an overpayment and a new month's fee;
booking_reversal.png: „Zahlung stornieren“ with its reason;
booking_page.png: the Debitoren page with the buttons and the statement showing payment and reversal.
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
TODAY = date(2026, 11, 24)


def build(db) -> dict:
    from sollhaben.domain.ledger import PostingSource
    from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, PersonInput
    from sollhaben.domain.money import Money
    from sollhaben.domain.months import Month
    from sollhaben.services import ledger, organizations, persons
    from sollhaben.services.ledger import NewPosting

    de = organizations.create_organization(db, OrganizationInput(
        name="Kita-Verbund Musterstadt", legal_country="DE",
        address=Address("Hauptstraße", "5", "70173", "Stuttgart", "DE"),
        bank_accounts=(BankAccountInput("DE89 3704 0044 0532 0130 00", label="Girokonto"),),
        sepa_creditor_id="DE98ZZZ09999999999", enabled_modules=("kita", "receivables")))
    address = Address("Lindenweg", "7", "70173", "Stuttgart", "DE")
    becker = persons.save_person(db, de.id, PersonInput("NATURAL", "Becker", "Anna", "Frau", address=address),
                                 today=TODAY)
    others = [persons.save_person(db, de.id, PersonInput("NATURAL", last, first, address=address), today=TODAY)
              for last, first in (("Albrecht", "Jonas"), ("Yilmaz", "Deniz"), ("Schäfer", "Lena"))]
    account = ledger.open_account(db, de.id, becker.id, module="kita")
    items = {}
    for month in (8, 9, 10, 11):
        for category, amount, text in (("KITA_FEE", 31_500, "Elternbeitrag Mia"), ("MEALS", 6_250, "Verpflegung Mia")):
            items[category, month] = ledger.post(db, NewPosting(
                account.id, date(2026, month, 1), category, Money(amount, "EUR"), text=f"{text} {month:02d}.2026",
                value_month=Month(2026, month), due_date=date(2026, month, 5), source=PostingSource.BILLING_RUN))
    ledger.post(db, NewPosting(account.id, date(2026, 10, 20), "REMINDER_FEE", Money(500, "EUR"),
                               text="Mahngebühr 1. Mahnung", value_month=Month(2026, 8), due_date=date(2026, 11, 3),
                               source=PostingSource.DUNNING))
    ledger.book_payment(db, account.id, date(2026, 8, 6), Money(20_000, "EUR"), "Überweisung Becker")
    for n, person in enumerate(others):
        other = ledger.open_account(db, de.id, person.id, module="kita")
        ledger.post(db, NewPosting(other.id, date(2026, 11, 1), "KITA_FEE", Money(28_000 + n * 1_500, "EUR"),
                                   text="Elternbeitrag 11.2026", value_month=Month(2026, 11),
                                   due_date=date(2026, 11, 5)))
    # an overpayment on Albrecht's account, then December's fee: credit to allocate
    credit_account = ledger.open_account(db, de.id, others[0].id, module="kita")
    ledger.book_payment(db, credit_account.id, date(2026, 11, 4), Money(60_000, "EUR"), "Dauerauftrag doppelt")
    ledger.post(db, NewPosting(credit_account.id, date(2026, 12, 1), "KITA_FEE", Money(28_000, "EUR"),
                               text="Elternbeitrag 12.2026", value_month=Month(2026, 12), due_date=date(2026, 12, 5)))

    ch = organizations.create_organization(db, OrganizationInput(
        name="Sozialdienst Aaretal", legal_country="CH", address=Address("Bahnhofstrasse", "12", "3000", "Bern", "CH"),
        bank_accounts=(BankAccountInput("CH44 3199 9123 0008 8901 2", label="QR-Konto"),),
        enabled_modules=("alimony", "receivables")))
    gerber = persons.save_person(db, ch.id, PersonInput("NATURAL", "Gerber", "Reto", "Herr", address=Address(
        "Thunstrasse", "74", "3074", "Muri", "CH")), today=TODAY)
    ch_account = ledger.open_account(db, ch.id, gerber.id, module="alimony")
    for month in (8, 9, 10):
        ledger.post(db, NewPosting(ch_account.id, date(2026, month, 1), "MAINTENANCE", Money(82_400, "CHF"),
                                   text=f"Kinderunterhalt Luca {month:02d}.2026", value_month=Month(2026, month),
                                   due_date=date(2026, month, 1)))
    for case, cost, month in (("24-1187", 7_330, 8), ("24-1187", 2_000, 9), ("24-1402", 7_330, 10)):
        ledger.post(db, NewPosting(ch_account.id, date(2026, month, 20), "ENFORCEMENT_COST", Money(cost, "CHF"),
                                   text=f"Betreibungskosten Nr. {case}", value_month=Month(2026, month),
                                   due_date=date(2026, month, 1), detail={"enforcement_case": case}))
    # the reminder for November carried a creditor reference; the payer quotes it
    from sollhaben.domain.references import make_document_creditor_reference
    from sollhaben.services.receivables.references import register_issued_reference
    from sollhaben.services.unit_of_work import unit_of_work

    reference = make_document_creditor_reference(account.id, 11)
    with unit_of_work(db) as session:
        register_issued_reference(session, organization_id=de.id, account_id=account.id, reference=reference,
                                  kind="INVOICE", item_ids=[items["KITA_FEE", 11]])
    return {"reference": reference, "de": de, "ch": ch, "account": account, "items": items,
            "credit_account": credit_account, "ch_account": ch_account}


def shoot(out: Path) -> None:
    from sollhaben.app import create_application
    from sollhaben.persistence import migrate
    from sollhaben.persistence.database import open_database
    from sollhaben.services import ledger
    from sollhaben.ui.context import AppContext
    from sollhaben.ui.ledger import AccountsPage
    from sollhaben.ui.receivables.booking_credit_dialog import CreditAllocationDialog
    from sollhaben.ui.receivables.booking_dialog import BookingDialog
    from sollhaben.ui.receivables.booking_reversal_dialog import ReverseReceiptDialog
    from sollhaben.ui.receivables.booking_tree import COL_ALLOCATION

    app = create_application()
    folder = Path(tempfile.mkdtemp())
    db = open_database(f"sqlite:///{folder / 'booking.sqlite'}", user="sachbearbeitung")
    migrate.upgrade(db.engine, backup=False)
    data = build(db)
    out.mkdir(parents=True, exist_ok=True)

    def grab(widget, name: str) -> None:
        widget.show()
        app.processEvents()
        widget.grab().save(str(out / name))
        print(out / name)

    def amount(dialog, text: str) -> None:
        dialog.amount_edit.setText(text)
        dialog.amount_edit.editingFinished.emit()

    dialog = BookingDialog(db, data["de"].id, "DE", data["account"].id, today=TODAY)
    amount(dialog, "700,00")
    dialog.text_edit.setText("Überweisung Becker, Beitrag Nov. und Rest")
    reference = data["reference"]
    dialog.reference_edit.setText(" ".join(reference[i:i + 4] for i in range(0, len(reference), 4)))
    dialog.reference_edit.editingFinished.emit()  # ticks November's fee
    november = next(n for n in dialog.tree.item_rows()
                    if dialog.tree.line_of(n).item_id == data["items"]["KITA_FEE", 11])
    dialog.tree.setCurrentItem(november, COL_ALLOCATION)
    grab(dialog, "booking_dialog.png")
    rows = dialog.tree.item_rows()
    rows[1].setText(COL_ALLOCATION, "400,00")
    dialog.accept()
    grab(dialog, "booking_dialog_errors.png")
    dialog.posting_id = -1  # close without the question
    dialog.close()

    ch_dialog = BookingDialog(db, data["ch"].id, "CH", data["ch_account"].id, today=TODAY)
    amount(ch_dialog, "1000.00")
    ch_dialog.text_edit.setText("Zahlung Gerber")
    grab(ch_dialog, "booking_dialog_ch.png")
    ch_dialog.posting_id = -1
    ch_dialog.close()

    credit = CreditAllocationDialog(db, data["de"].id, "DE", data["credit_account"].id, today=date(2026, 12, 1))
    grab(credit, "booking_credit.png")
    credit.close()

    payment = ledger.book_payment(db, data["account"].id, date(2026, 11, 20), ledger_money("350.00"),
                                  "Überweisung Becker (gehört zu Yilmaz)")
    posting = next(l.posting for l in ledger.statement(db, data["account"].id).lines if l.posting.id == payment)
    reversal = ReverseReceiptDialog(db, posting, "DE", today=TODAY)
    reversal.reason_edit.setText("Zahlung von Deniz Yilmaz, falsches Konto gewählt")
    reversal.resize(520, reversal.sizeHint().height())
    grab(reversal, "booking_reversal.png")
    reversal._confirm = lambda text: True
    reversal.accept()

    context = AppContext(db)
    context.set_organization(data["de"])
    page = AccountsPage(context)
    page.resize(1280, 720)
    page.show_account(data["account"].id)
    page.show()
    app.processEvents()
    view = page.statement.postings_view
    model = view.model()
    first_payment = next(l.posting.id for l in page.statement.statement.lines if l.posting.category == "PAYMENT")
    row = next(r for r in range(model.rowCount()) if model.index(r, 1).data() == str(first_payment))
    view.selectRow(row)
    grab(page, "booking_page.png")


def ledger_money(text: str):
    from sollhaben.domain.money import Money
    return Money.of(text, "EUR")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    shoot(Path(parser.parse_args().out))


if __name__ == "__main__":
    main()
