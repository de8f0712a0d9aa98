"""The debtor accounts page and the read-only account statement."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import Qt

from sollhaben.domain.master_data import Address, PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.dto import StatementDTO, StatementLine
from sollhaben.services.ledger import NewPosting
from sollhaben.ui.context import AppContext
from sollhaben.ui.ledger import AccountsPage
from tests.conftest import make_org_input

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


@pytest.fixture
def booked(sqlite_db):
    db = sqlite_db
    org = organizations.create_organization(db, make_org_input("DE"))
    address = Address("Hauptstraße", "1", "70173", "Stuttgart", "DE")
    muster = persons.save_person(db, org.id, PersonInput("NATURAL", "Muster", "Max", address=address))
    berger = persons.save_person(db, org.id, PersonInput("NATURAL", "Berger", "Bernd", address=address))
    account = ledger.open_account(db, org.id, muster.id)
    fee = ledger.post(db, NewPosting(account.id, date(2026, 10, 1), "KITA_FEE", eur("120.00"), "Kita-Beitrag Oktober",
                                     value_month=Month(2026, 10), due_date=date(2026, 10, 15)))
    payment = ledger.book_payment(db, account.id, date(2026, 10, 20), eur("50.00"), "Zahlung Muster")
    wrong = ledger.post(db, NewPosting(account.id, date(2026, 11, 1), "KITA_FEE", eur("80.00"), "Kita-Beitrag November",
                                       value_month=Month(2026, 11), due_date=date(2026, 11, 15)))
    other = ledger.open_account(db, org.id, berger.id)
    ledger.post(db, NewPosting(other.id, date(2026, 10, 1), "KITA_FEE", eur("40.00"), "Kita-Beitrag Oktober",
                               due_date=date(2026, 10, 15)))
    ledger.book_payment(db, other.id, date(2026, 10, 10), eur("60.00"), "Überzahlung")
    context = AppContext(db)
    context.set_organization(org)
    return context, account, {"fee": fee, "payment": payment, "wrong": wrong}


def with_reversal(statement: StatementDTO, original_id: int, reversal_id: int, day: date) -> StatementDTO:
    """The statement as it reads once `original_id` is reversed (see test_reversal_through_the_service)."""
    lines, balance = [], statement.opening_balance
    for line in statement.lines:
        p = line.posting
        if p.id == original_id:
            p = replace(p, reversed_by_id=reversal_id, open_amount=Money(0, p.amount.currency))
        balance = balance + p.amount
        lines.append(StatementLine(p, balance))
    original = next(line.posting for line in statement.lines if line.posting.id == original_id)
    reversal = replace(original, id=reversal_id, booking_date=day, amount=-original.amount, source="REVERSAL",
                       text=f"Storno: {original.text}", reverses_id=original_id, reversed_by_id=None,
                       open_amount=Money(0, original.amount.currency))
    balance = balance + reversal.amount
    lines.append(StatementLine(reversal, balance))
    return replace(statement, lines=tuple(lines), closing_balance=balance,
                   open_items=tuple(p for p in statement.open_items if p.id != original_id))


def texts(view, column: int) -> list[str]:
    model = view.model()
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_statement_with_running_balance_open_items_and_reversal(qtbot, booked):
    context, account, ids = booked
    page = AccountsPage(context)
    qtbot.addWidget(page)
    page.resize(1400, 700)
    page.show()
    qtbot.waitExposed(page)
    assert texts(page.list.table, 1) == ["Berger, Bernd", "Muster, Max"]
    assert texts(page.list.table, 2) == ["-20,00", "150,00"]

    page.list.search.setFocus()
    qtbot.keyClicks(page.list.search, "muster")
    qtbot.waitUntil(lambda: page.list.proxy.rowCount() == 1)
    qtbot.keyClick(page.list.search, Qt.Key.Key_Down)  # selects the first row: statement follows
    qtbot.waitUntil(lambda: page.statement.statement is not None)
    view = page.statement
    assert view.title.text() == f"Kontoauszug {account.number} – Muster, Max"
    postings = view.postings_view
    assert texts(postings, 1) == [str(ids[k]) for k in ("fee", "payment", "wrong")]
    assert texts(postings, 7) == ["120,00", "70,00", "150,00"]  # running balance
    assert texts(view.open_items_view, 6) == ["70,00", "80,00"]
    assert view.figures["closing"].text() == "150,00 EUR"

    view.show_statement(with_reversal(view.statement, ids["wrong"], ids["wrong"] + 100, date(2026, 11, 5)))
    ids["reversal"] = ids["wrong"] + 100
    assert texts(postings, 1) == [str(ids[k]) for k in ("fee", "payment", "wrong", "reversal")]
    assert texts(postings, 5) == ["120,00", "", "80,00", ""]
    assert texts(postings, 6) == ["", "50,00", "", "80,00"]
    assert texts(postings, 7) == ["120,00", "70,00", "150,00", "70,00"]  # running balance
    assert texts(postings, 8) == ["", "", f"storniert durch Nr. {ids['reversal']}", f"Storno zu Nr. {ids['wrong']}"]
    assert postings.model().index(2, 4).data(Qt.ItemDataRole.FontRole).strikeOut()
    assert postings.model().index(0, 4).data(Qt.ItemDataRole.FontRole) is None
    assert texts(view.open_items_view, 1) == [str(ids["fee"])]
    assert texts(view.open_items_view, 6) == ["70,00"]
    assert view.figures["closing"].text() == "70,00 EUR"
    assert view.figures["open"].text() == "70,00 EUR"
    assert view.figures["credit"].text() == "0,00 EUR"

    # a period: the opening balance carries what came before
    qtbot.keyClicks(view.date_from, "01.11.2026")
    qtbot.keyClick(view.date_from, Qt.Key.Key_Return)
    assert view.figures["opening"].text() == "70,00 EUR"
    assert texts(postings, 7) == ["150,00"]
    view.date_to.setText("31.10.2026")
    assert not view.refresh()
    assert view.date_to.property("fieldError") is True
    assert view.date_to.toolTip() == "Bis: Das Ende liegt vor dem Beginn des Zeitraums."


def test_unallocated_credit_of_an_overpaid_account(qtbot, booked):
    context, _account, _ids = booked
    page = AccountsPage(context)
    qtbot.addWidget(page)
    other = next(r[0] for r in ledger.list_accounts(context.db, context.organization_id)
                 if r[0].holder_name == "Berger, Bernd")
    assert page.show_account(other.id)
    assert page.list.current_row()[0].id == other.id
    view = page.statement
    assert view.figures["credit"].text() == "20,00 EUR"
    assert view.figures["closing"].text() == "-20,00 EUR"
    assert view.open_items.rowCount() == 0


def test_reversal_through_the_service_is_marked(qtbot, booked):
    context, account, ids = booked
    reversal = ledger.reverse(context.db, ids["wrong"], date(2026, 11, 5))
    page = AccountsPage(context)
    qtbot.addWidget(page)
    page.show_account(account.id)
    postings = page.statement.postings_view
    assert texts(postings, 7) == ["120,00", "70,00", "150,00", "70,00"]
    assert texts(postings, 8) == ["", "", f"storniert durch Nr. {reversal}", f"Storno zu Nr. {ids['wrong']}"]
    assert texts(page.statement.open_items_view, 6) == ["70,00"]
    page.resize(1400, 700)
