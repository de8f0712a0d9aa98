"""Render the statement and open-item screenshots into docs/screenshots/ (re-run after a change).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_statement.py [--out docs/screenshots]

statement_view.png: the statement view (open items by month and category, a reversal, a pending
direct debit); statement_pdf_page1.png / statement_pdf_bill.png: the CH statement letter and its
last page with the QR-bill; statement_pdf_de.png: a DE statement with the payment line;
openitems_list.png, openitems_ageing.png, openitems_collections.png: the page „Offene Posten“;
openitems_pdf.png: the last page of its printed lists.
A temporary SQLite database with two organizations (CH and DE) and a dozen payers, booked through
the services; key date 25.11.2026.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 25)
NAMES = [("Keller", "Anna"), ("Brunner", "Marco"), ("Meier", "Sandra"), ("Rossi", "Luca"), ("Huber", "Petra"),
         ("Favre", "Julien"), ("Gerber", "Nina"), ("Schmid", "Jonas"), ("Frei", "Lea"), ("Baumann", "Urs")]


def build(db):
    from sollhaben.domain.master_data import Address, PersonInput
    from sollhaben.domain.money import Money
    from sollhaben.domain.months import Month
    from sollhaben.services import ledger, organizations, persons
    from sollhaben.services.ledger import NewPosting
    from tests.conftest import make_org_input

    rng = random.Random(11)
    result = {}
    for country, currency in (("CH", "CHF"), ("DE", "EUR")):
        org = organizations.create_organization(db, make_org_input(country))
        accounts = []
        for n, (last, first) in enumerate(NAMES if country == "CH" else NAMES[:3]):
            address = (Address("Marktgasse", str(10 + n), "3011", "Bern", "CH") if country == "CH"
                       else Address("Königstraße", str(10 + n), "70173", "Stuttgart", "DE"))
            person = persons.save_person(db, org.id, PersonInput("NATURAL", last, first, address=address))
            account = ledger.open_account(db, org.id, person.id)
            accounts.append(account)
            fee = Money(rng.choice([38_000, 42_500, 51_000, 29_000]), currency)
            missed = rng.choice([0, 1, 2, 4]) if n else 3
            for m in range(14):
                month = Month(2025, 10) + m
                if month.first_day > TODAY:
                    break
                ledger.post(db, NewPosting(account.id, month.first_day, "KITA_FEE", fee, f"Kita-Beitrag {month}",
                                           value_month=month, due_date=month.first_day.replace(day=20)))
                if m % 3 == 1:
                    ledger.post(db, NewPosting(account.id, month.first_day, "MEALS", Money(6_840, currency),
                                               f"Verpflegung {month}", value_month=month,
                                               due_date=month.first_day.replace(day=20)))
                if m < 14 - missed - 1:
                    ledger.book_payment(db, account.id, month.first_day.replace(day=24), fee, "Zahlung")
            if n == 0:
                wrong = ledger.post(db, NewPosting(account.id, date(2026, 10, 2), "KITA_FEE", Money(12_000, currency),
                                                   "Zusatzbetreuung Oktober", value_month=Month(2026, 10),
                                                   due_date=date(2026, 10, 20)))
                ledger.reverse(db, wrong, date(2026, 10, 9), "doppelt erfasst")
                ledger.post(db, NewPosting(account.id, date(2026, 9, 28), "REMINDER_FEE", Money(2_000, currency),
                                           "Mahngebühr", value_month=Month(2026, 9), due_date=date(2026, 10, 28)))
                ledger.book_payment(db, account.id, date(2026, 11, 20), Money(20_000, currency), "Lastschrift",
                                    detail={"pending_until": (TODAY + timedelta(days=5)).isoformat()})
            if n == 5:
                ledger.book_payment(db, account.id, date(2026, 11, 3), Money(300_000, currency), "Vorauszahlung")
        result[country] = (org, accounts)
    return result


def grab(widget, path: Path) -> None:
    from PySide6.QtWidgets import QApplication

    widget.show()
    for _ in range(5):
        QApplication.processEvents()
    widget.grab().save(str(path))
    print(f"wrote {path}")


def pdf_pages(pdf: bytes, out: Path, names: dict[int, str]) -> None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    for index, name in names.items():
        page = document[index if index >= 0 else len(document) + index]
        page.render(scale=110 / 72).to_pil().save(out / name)
        print(f"wrote {out / name}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    from PySide6.QtWidgets import QApplication

    from sollhaben.persistence import migrate
    from sollhaben.persistence.database import open_database
    from sollhaben.services import organizations
    from sollhaben.services.receivables.statement_print import statement_pdf
    from sollhaben.ui.context import AppContext
    from sollhaben.ui.ledger.statement_view import StatementView
    from sollhaben.ui.receivables.open_items_page import OpenItemsPage

    app = QApplication.instance() or QApplication(sys.argv)
    folder = Path(tempfile.mkdtemp(prefix="screenshots-statement-"))
    db = open_database(f"sqlite:///{folder / 'shots.sqlite'}", user="screenshots")
    migrate.upgrade(db.engine, backup=False)
    data = build(db)
    ch_org, ch_accounts = data["CH"]
    context = AppContext(db, organizations.get_organization(db, ch_org.id))

    view = StatementView(context, today=lambda: TODAY)
    view.resize(1180, 760)
    view.date_from.setText("01.01.2026")
    view.show_account(ch_accounts[0].id)
    view.show()
    view.postings_view.scrollToBottom()  # the reversal and the pending direct debit
    grab(view, out / "statement_view.png")

    pdf_pages(statement_pdf(db, ch_accounts[0].id, date(2026, 1, 1), None, today=TODAY), out,
              {0: "statement_pdf_page1.png", -1: "statement_pdf_bill.png"})
    de_org, de_accounts = data["DE"]
    pdf_pages(statement_pdf(db, de_accounts[0].id, date(2026, 6, 1), None, today=TODAY), out,
              {0: "statement_pdf_de.png"})

    page = OpenItemsPage(context, today=lambda: TODAY)
    page.resize(1280, 720)
    grab(page, out / "openitems_list.png")
    page.tabs.setCurrentIndex(1)
    grab(page, out / "openitems_ageing.png")
    page.tabs.setCurrentIndex(2)
    grab(page, out / "openitems_collections.png")
    from sollhaben.ui.receivables.open_items_jobs import list_pdf

    pdf_pages(list_pdf(page.data, None), out, {-1: "openitems_pdf.png"})
    db.dispose()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
