"""The booking window „Zahlung buchen“, „Guthaben zuordnen“ and „Zahlung stornieren“ (pytest-qt,
real SQLite database): proposal in the tree, manual change, errors at the row, keyboard."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.references import make_document_creditor_reference
from sollhaben.domain.master_data import PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.persistence.models import Posting
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables.references import register_issued_reference
from sollhaben.services.unit_of_work import unit_of_work
from sollhaben.ui.receivables.booking_credit_dialog import CreditAllocationDialog
from sollhaben.ui.receivables.booking_dialog import BookingDialog
from sollhaben.ui.receivables.booking_reversal_dialog import ReverseReceiptDialog
from sollhaben.ui.receivables.booking_tree import COL_ALLOCATION, COL_ITEM, COL_OPEN
from tests.conftest import make_org_input

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
TODAY = date(2026, 3, 10)


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


@pytest.fixture(autouse=True)
def asked(monkeypatch) -> list:
    """The modal question „Änderungen verwerfen?“ answered with yes (and recorded)."""
    questions: list = []
    monkeypatch.setattr("sollhaben.ui.form_dialog.confirm_discard", lambda parent: questions.append(parent) or True)
    return questions


@pytest.fixture
def setup(sqlite_db):
    db = sqlite_db
    org = organizations.create_organization(db, make_org_input("DE"))
    anna = persons.save_person(db, org.id, PersonInput("NATURAL", "Becker", "Anna"))
    deniz = persons.save_person(db, org.id, PersonInput("NATURAL", "Yilmaz", "Deniz"))
    account = ledger.open_account(db, org.id, anna.id, module="kita")
    other = ledger.open_account(db, org.id, deniz.id, module="kita")
    items = {}
    for m in (1, 2):
        for category, amount in (("KITA_FEE", "300.00"), ("MEALS", "62.50")):
            items[category, m] = ledger.post(db, NewPosting(
                account.id, date(2026, m, 1), category, eur(amount), text=f"{category} {m:02d}.2026",
                value_month=Month(2026, m), due_date=date(2026, m, 5), source=PostingSource.BILLING_RUN))
    ledger.post(db, NewPosting(other.id, date(2026, 1, 1), "KITA_FEE", eur("200.00"), due_date=date(2026, 1, 5)))
    return db, org, account, other, items


def open_dialog(qtbot, setup, cls=BookingDialog, account=True) -> BookingDialog:
    db, org, acc, _other, _items = setup
    dialog = cls(db, org.id, "DE", acc.id if account else None, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def enter_amount(dialog, text: str) -> None:
    dialog.amount_edit.setText(text)
    dialog.amount_edit.editingFinished.emit()


def allocations(dialog) -> dict[int, str]:
    return {dialog.tree.line_of(n).item_id: n.text(COL_ALLOCATION) for n in dialog.tree.item_rows()}


def open_of(db, account) -> dict[int, int]:
    return {p.id: p.open_amount.minor for p in ledger.statement(db, account.id).open_items}


def test_the_proposal_is_shown_grouped_by_month_and_category(qtbot, setup):
    db, _org, account, _other, items = setup
    dialog = open_dialog(qtbot, setup)
    assert dialog.account_id() == account.id and dialog.windowTitle() == "Zahlung buchen"
    enter_amount(dialog, "400,00")
    tree = dialog.tree
    months = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    assert [m.text(COL_ITEM) for m in months] == ["Januar 2026", "Februar 2026"]
    assert [months[0].child(i).text(COL_ITEM) for i in range(months[0].childCount())] == ["Kita-Beitrag", "Verpflegung"]
    assert (months[0].text(COL_OPEN), months[0].text(COL_ALLOCATION)) == ("362,50", "362,50")
    assert (months[1].text(COL_OPEN), months[1].text(COL_ALLOCATION)) == ("362,50", "37,50")
    assert allocations(dialog) == {items["KITA_FEE", 1]: "300,00", items["MEALS", 1]: "62,50",
                                   items["KITA_FEE", 2]: "37,50", items["MEALS", 2]: "0,00"}
    assert "Nicht zugeordnet (Guthaben): <b>0,00 EUR</b>" in dialog.figures.text()
    enter_amount(dialog, "800")  # no manual change yet: a new amount re-proposes
    assert "Nicht zugeordnet (Guthaben): <b>75,00 EUR</b>" in dialog.figures.text()


def test_manual_change_then_save_books_the_clerks_allocation(qtbot, setup):
    db, _org, account, _other, items = setup
    dialog = open_dialog(qtbot, setup)
    enter_amount(dialog, "400,00")
    rows = {dialog.tree.line_of(n).item_id: n for n in dialog.tree.item_rows()}
    rows[items["KITA_FEE", 1]].setText(COL_ALLOCATION, "0")
    rows[items["KITA_FEE", 2]].setText(COL_ALLOCATION, "300")
    assert rows[items["KITA_FEE", 2]].text(COL_ALLOCATION) == "300,00"  # shown in the country's format
    assert "Nicht zugeordnet (Guthaben): <b>37,50 EUR</b>" in dialog.figures.text()
    enter_amount(dialog, "450,00")  # manual: the amount no longer re-proposes, the rest follows
    assert "Nicht zugeordnet (Guthaben): <b>87,50 EUR</b>" in dialog.figures.text()
    dialog.text_edit.setText("Überweisung Becker")
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(dialog.text_edit, Qt.Key.Key_Return)  # Enter saves
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert open_of(db, account) == {items["KITA_FEE", 1]: 30000, items["MEALS", 2]: 6250}
    assert ledger.statement(db, account.id).unallocated_credit == eur("87.50")


def test_vorschlag_re_proposes_after_a_manual_change(qtbot, setup):
    _db, _org, _account, _other, items = setup
    dialog = open_dialog(qtbot, setup)
    enter_amount(dialog, "300,00")
    first = dialog.tree.item_rows()[0]
    first.setText(COL_ALLOCATION, "1,00")
    qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    assert allocations(dialog)[items["KITA_FEE", 1]] == "300,00"


def test_over_allocation_is_marked_at_the_row_and_nothing_is_stored(qtbot, setup):
    db, _org, account, _other, items = setup
    dialog = open_dialog(qtbot, setup)
    enter_amount(dialog, "1000,00")
    rows = dialog.tree.item_rows()
    rows[1].setText(COL_ALLOCATION, "70,00")  # meals January: 62,50 open
    rows[2].setText(COL_ALLOCATION, "abc")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    assert rows[2].toolTip(COL_ALLOCATION).startswith(f"Zuordnung Zeile 3 (Nr. {items['KITA_FEE', 2]})")
    rows[2].setText(COL_ALLOCATION, "10")
    dialog.accept()
    message = (f"Zuordnung Zeile 2 (Nr. {items['MEALS', 1]}, Verpflegung 01.2026): Offen sind nur 62,50 EUR, "
               "zugeordnet 70,00 EUR.")
    assert rows[1].toolTip(COL_ALLOCATION) == message
    assert message in dialog.row_errors.text() and not dialog.row_errors.isHidden()
    assert rows[0].toolTip(COL_ALLOCATION) == ""
    assert "Nichts gespeichert" in dialog.summary.text()
    assert len(open_of(db, account)) == 4 and ledger.statement(db, account.id).unallocated_credit == eur("0.00")


def test_field_errors_for_account_date_and_amount(qtbot, setup):
    dialog = open_dialog(qtbot, setup, account=False)
    assert dialog.tree.topLevelItemCount() == 0
    dialog.date_edit.setText("31.02.2026")
    dialog.amount_edit.setText("zwölf")
    dialog.accept()
    assert dialog.account_combo.property("fieldError") and dialog.date_edit.property("fieldError")
    assert dialog.amount_edit.property("fieldError")
    assert "Konto: Bitte ein Konto wählen." in dialog.summary.text()


def test_account_chooser_finds_by_number_or_name(qtbot, setup):
    _db, _org, _account, other, _items = setup
    dialog = open_dialog(qtbot, setup, account=False)
    completer = dialog.account_combo.completer()
    completer.setCompletionPrefix("yilm")
    assert completer.currentCompletion() == f"{other.number}  Yilmaz, Deniz"
    dialog.account_combo.setCurrentIndex(dialog.account_combo.findData(other.id))
    assert [dialog.tree.line_of(n).open_amount for n in dialog.tree.item_rows()] == [eur("200.00")]


def test_designation_by_space_puts_the_named_item_first(qtbot, setup):
    _db, _org, _account, _other, items = setup
    dialog = open_dialog(qtbot, setup)
    enter_amount(dialog, "300,00")
    feb = next(n for n in dialog.tree.item_rows() if dialog.tree.line_of(n).item_id == items["KITA_FEE", 2])
    dialog.tree.setFocus()
    dialog.tree.setCurrentItem(feb, COL_ALLOCATION)
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Space)
    assert dialog.tree.designation() == [items["KITA_FEE", 2]]
    assert dialog.designation_label.text() == f"Nr. {items['KITA_FEE', 2]}"
    first = next(n for n in dialog.tree.item_rows() if dialog.tree.line_of(n).item_id == items["KITA_FEE", 1])
    first.setCheckState(0, Qt.CheckState.Checked)
    assert dialog.designation_label.text() == (f"Nr. {items['KITA_FEE', 2]}, Nr. {items['KITA_FEE', 1]} "
                                               "(in dieser Reihenfolge)")  # the tree was proposed anew
    first = next(n for n in dialog.tree.item_rows() if dialog.tree.line_of(n).item_id == items["KITA_FEE", 1])
    first.setCheckState(0, Qt.CheckState.Unchecked)
    assert allocations(dialog)[items["KITA_FEE", 2]] == "300,00"
    assert allocations(dialog)[items["KITA_FEE", 1]] == "0,00"


def test_escape_cancels_without_booking(qtbot, setup, asked):
    db, _org, account, _other, _items = setup
    dialog = open_dialog(qtbot, setup)
    qtbot.keyClick(dialog.date_edit, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible() and asked == []
    dialog = open_dialog(qtbot, setup)
    enter_amount(dialog, "10")
    qtbot.keyClick(dialog.amount_edit, Qt.Key.Key_Escape)  # typed input: asks before dropping it
    assert asked == [dialog] and not dialog.isVisible()
    assert ledger.statement(db, account.id).closing_balance == eur("725.00")


def test_credit_is_allocated_in_the_same_window(qtbot, setup):
    db, _org, account, _other, items = setup
    ledger.book_payment(db, account.id, date(2026, 1, 2), eur("100.00"), allocations=[])
    dialog = open_dialog(qtbot, setup, CreditAllocationDialog)
    assert dialog.windowTitle() == "Guthaben zuordnen" and dialog.amount_edit.text() == "100,00"
    assert dialog.amount_edit.isReadOnly() and dialog.text_edit.isHidden()
    assert allocations(dialog)[items["KITA_FEE", 1]] == "100,00"
    dialog.tree.item_rows()[0].setText(COL_ALLOCATION, "40")
    dialog.tree.item_rows()[1].setText(COL_ALLOCATION, "60")
    with qtbot.waitSignal(dialog.saved):
        dialog.accept()
    assert open_of(db, account)[items["KITA_FEE", 1]] == 26000
    assert open_of(db, account)[items["MEALS", 1]] == 250


def test_reversal_needs_a_reason_and_a_confirmation(qtbot, setup):
    db, _org, account, _other, items = setup
    payment = ledger.book_payment(db, account.id, date(2026, 3, 1), eur("300.00"))
    posting = next(l.posting for l in ledger.statement(db, account.id).lines if l.posting.id == payment)
    answers = []
    dialog = ReverseReceiptDialog(db, posting, "DE", today=TODAY, confirm=lambda text: answers.append(text) or False)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "Nr." in dialog.payment_label.text() and "300,00 EUR" in dialog.payment_label.text()
    dialog.accept()
    assert dialog.reason_edit.property("fieldError") and answers == []
    dialog.reason_edit.setText("Falsches Konto")
    dialog.accept()  # the clerk says no
    assert len(answers) == 1 and "wirklich stornieren" in answers[0]
    assert open_of(db, account).get(items["KITA_FEE", 1]) is None
    dialog._confirm = lambda text: True
    with qtbot.waitSignal(dialog.reversed):
        dialog.accept()
    assert open_of(db, account)[items["KITA_FEE", 1]] == 30000


def test_keyboard_tab_order_and_typing_an_amount_into_the_tree(qtbot, setup):
    _db, _org, _account, _other, items = setup
    dialog = open_dialog(qtbot, setup)
    chain, widget = [], dialog.account_combo
    for _ in range(7):
        chain.append(widget)
        widget = widget.nextInFocusChain()
        while (not widget.focusPolicy() & Qt.FocusPolicy.TabFocus or not widget.isVisible()
               or any(w.isAncestorOf(widget) for w in chain)):  # the combo's own line edit
            widget = widget.nextInFocusChain()
    assert chain == [dialog.account_combo, dialog.date_edit, dialog.amount_edit, dialog.text_edit,
                     dialog.reference_edit, dialog.propose_button, dialog.tree]
    enter_amount(dialog, "100,00")
    tree = dialog.tree
    tree.setFocus()
    first = tree.item_rows()[0]
    tree.setCurrentItem(first, 0)  # the cursor moves to „Zuordnung“ by itself
    assert tree.currentColumn() == COL_ALLOCATION
    qtbot.keyClick(tree, "5")  # typing opens the cell's editor with what was typed
    editor = tree.focusWidget() if tree.focusWidget() is not tree else None
    assert editor is not None and editor.text() == "5"
    qtbot.keyClicks(editor, "5")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # Enter in the cell commits (queued by Qt), it does not save
    qtbot.waitUntil(lambda: first.text(COL_ALLOCATION) == "55,00")
    assert dialog.isVisible() and dialog.posting_id is None
    assert "Nicht zugeordnet (Guthaben): <b>45,00 EUR</b>" in dialog.figures.text()


def test_saving_while_a_cell_is_still_being_edited_takes_what_it_shows(qtbot, setup):
    db, _org, account, _other, items = setup
    dialog = open_dialog(qtbot, setup)
    enter_amount(dialog, "100,00")
    tree = dialog.tree
    tree.setFocus()
    tree.setCurrentItem(tree.item_rows()[0], COL_ALLOCATION)
    qtbot.keyClick(tree, "4")
    qtbot.keyClicks(tree.focusWidget(), "0")
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert open_of(db, account)[items["KITA_FEE", 1]] == 26000
    assert ledger.statement(db, account.id).unallocated_credit == eur("60.00")


def test_the_payers_reference_chooses_the_account_and_ticks_the_items_it_names(qtbot, setup):
    db, org, account, _other, items = setup
    reference = make_document_creditor_reference(account.id, 4)
    with unit_of_work(db) as session:
        register_issued_reference(session, organization_id=org.id, account_id=account.id, reference=reference,
                                  kind="DUNNING", item_ids=[items["KITA_FEE", 2]])
    dialog = open_dialog(qtbot, setup, account=False)
    dialog.amount_edit.setText("300,00")
    dialog.reference_edit.setText("RF00 NICHTS")
    dialog.reference_edit.editingFinished.emit()
    assert dialog.reference_edit.property("fieldError") and dialog.account_id() is None
    dialog.accept()
    assert "Referenz: „RF00 NICHTS“ gehört zu keiner Rechnung" in dialog.summary.text()
    spaced = " ".join(reference[i:i + 4] for i in range(0, len(reference), 4)).lower()
    dialog.reference_edit.setText(spaced)  # as the payer wrote it
    dialog.reference_edit.editingFinished.emit()
    assert dialog.account_id() == account.id and not dialog.reference_edit.property("fieldError")
    assert dialog.tree.designation() == [items["KITA_FEE", 2]]
    assert allocations(dialog)[items["KITA_FEE", 2]] == "300,00"
    with qtbot.waitSignal(dialog.saved):
        dialog.accept()
    assert open_of(db, account)[items["KITA_FEE", 1]] == 30000 and items["KITA_FEE", 2] not in open_of(db, account)
    with db.session() as session:
        assert session.get(Posting, dialog.posting_id).reference == reference
