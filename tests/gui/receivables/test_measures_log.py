"""„Inkassoprotokoll“: the measures in order, „Eintrag hinzufügen …“, the agreements with their
instalments, cancelling one; and the Debitoren page's buttons that open both dialogs."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QDialog

from sollhaben.domain.master_data import PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.agreements import AgreementStatus, AgreementTerms
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import agreements, measures
from sollhaben.services.receivables.agreements_dto import AgreementInput
from sollhaben.ui.context import AppContext
from sollhaben.ui.ledger import AccountsPage
from sollhaben.ui.receivables.agreement_dialog import AgreementDialog
from sollhaben.ui.receivables.measures_entry_dialog import MeasuresEntryDialog
from sollhaben.ui.receivables.measures_log import MeasuresLog
from tests.conftest import make_org_input

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
TODAY = date(2026, 12, 10)


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


@pytest.fixture
def story(sqlite_db):
    """An agreement of 12.10.2026 broken on 07.12.2026 (second instalment missed), calls around it."""
    db = sqlite_db
    org = organizations.create_organization(db, make_org_input("DE"))
    holder = persons.save_person(db, org.id, PersonInput("NATURAL", "Yilmaz", "Aylin"), today=date(2026, 8, 1))
    account = ledger.open_account(db, org.id, holder.id)
    for month in (8, 9):
        ledger.post(db, NewPosting(account.id, date(2026, month, 1), "KITA_FEE", eur("150.00"), f"Beitrag {month}",
                                   due_date=date(2026, month, 15)))
    measures.add_measure(db, account_id=account.id, occurred_on=date(2026, 10, 5), kind="CALL", text="bittet um Raten")
    agreement = agreements.create_agreement(db, org.id, AgreementInput(
        account.id, AgreementTerms(eur("300.00"), date(2026, 11, 1), instalment_count=3, grace_days=5)),
        date(2026, 10, 12))
    ledger.book_payment(db, account.id, date(2026, 11, 2), eur("100.00"), "Rate 1")
    agreements.check_agreements(db, org.id, TODAY)
    return db, org, account, agreement


def open_log(qtbot, story) -> MeasuresLog:
    db, org, account, _agreement = story
    log = MeasuresLog(db, org.id, account, "DE", TODAY)
    qtbot.addWidget(log)
    log.show()
    return log


def column(model, c: int) -> list[str]:
    return [model.index(r, c).data() for r in range(model.rowCount())]


def test_measures_in_order_and_the_agreement_with_its_instalments(qtbot, story):
    log = open_log(qtbot, story)
    assert column(log.log_model, 0) == ["05.10.2026", "12.10.2026", "10.12.2026"]
    assert column(log.log_model, 1) == ["Anruf", "Zahlungsvereinbarung", "Zahlungsvereinbarung"]
    assert column(log.log_model, 2)[2].startswith("Zahlungsvereinbarung Nr. 1 gebrochen: Rate 2 über 100,00 EUR")
    assert column(log.agreement_model, 6) == ["gebrochen"]
    assert column(log.instalment_model, 0) == ["Rate 1", "Rate 2", "Rate 3"]
    assert column(log.instalment_model, 4) == ["bezahlt", "versäumt", "offen"]
    assert not log.ui.cancelAgreementButton.isEnabled()  # only a running agreement can be cancelled


def test_add_an_entry_refuses_a_future_date_and_then_shows_it_last(qtbot, story):
    db, _org, account, _agreement = story
    log = open_log(qtbot, story)
    dialog: MeasuresEntryDialog = log.add_entry()
    assert dialog.ui.kindCombo.currentText() == "Anruf" and dialog.ui.dateEdit.text() == "10.12.2026"
    dialog.ui.dateEdit.setText("11.12.2026")
    dialog.ui.textEdit.setPlainText("Rückruf vereinbart")
    dialog.ui.buttonBox.accepted.emit()
    assert dialog.isVisible() and "Datum: Eine Massnahme kann nicht in der Zukunft liegen." in \
        dialog.ui.summaryLabel.text()
    dialog.ui.dateEdit.setText("10.12.2026")
    with qtbot.waitSignal(log.changed, timeout=2000):
        dialog.ui.buttonBox.accepted.emit()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert column(log.log_model, 2)[-1] == "Rückruf vereinbart"
    assert [m.kind for m in measures.list_measures(db, account.id)][-1] == "CALL"


def test_a_note_needs_a_text(qtbot, story):
    log = open_log(qtbot, story)
    dialog = log.add_entry("NOTE")
    dialog.ui.buttonBox.accepted.emit()
    assert "Text: Eine Notiz braucht einen Text." in dialog.ui.summaryLabel.text()
    assert dialog.ui.textEdit.property("fieldError") is True
    dialog.ui.textEdit.clear()
    dialog.reject()


def test_a_new_agreement_from_the_log_and_cancelling_it(qtbot, story):
    db, _org, account, _agreement = story
    log = open_log(qtbot, story)
    dialog: AgreementDialog = log.new_agreement()
    assert dialog.ui.totalEdit.text() == "200,00"  # the items are free again since the first one broke
    dialog.ui.firstDueEdit.setText("15.12.2026")
    dialog.ui.countSpin.setValue(2)
    with qtbot.waitSignal(log.changed, timeout=2000):
        dialog.ui.buttonBox.accepted.emit()
    assert column(log.agreement_model, 0) == ["2", "1"] and column(log.agreement_model, 6) == ["laufend", "gebrochen"]
    assert column(log.agreement_model, 5)[0] == "15.12.2026: 100,00"
    assert log.ui.cancelAgreementButton.isEnabled()
    assert log.cancel_agreement("Neue Vereinbarung folgt")
    assert column(log.agreement_model, 6)[0] == "aufgehoben"
    assert agreements.get_agreement(db, 2, TODAY).status is AgreementStatus.CANCELLED
    assert column(log.log_model, 2)[-1] == "Zahlungsvereinbarung Nr. 2 aufgehoben: Neue Vereinbarung folgt"


def test_the_debitoren_page_opens_both_for_the_chosen_account(qtbot, story):
    db, org, account, _agreement = story
    context = AppContext(db)
    context.set_organization(org)
    page = AccountsPage(context)
    qtbot.addWidget(page)
    page.agreements.today = lambda: TODAY
    page.show()
    page.list.select(lambda r: False)
    assert page.show_account(account.id)
    assert page.agreements.agreement_button.isEnabled() and page.agreements.log_button.isEnabled()
    log = page.agreements.show_log()
    assert isinstance(log, MeasuresLog) and log.windowTitle() == "Inkassoprotokoll – Yilmaz, Aylin"
    log.reject()
    dialog = page.agreements.new_agreement()
    assert isinstance(dialog, AgreementDialog) and dialog.ui.totalEdit.text() == "200,00"
    dialog._dirty = False
    dialog.reject()
