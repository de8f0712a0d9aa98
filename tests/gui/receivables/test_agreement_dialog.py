"""„Zahlungsvereinbarung …“: items with checkboxes, the live schedule, errors at the fields, saving."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from sollhaben.domain.master_data import PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.agreements import AgreementStatus
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.dto import AccountDTO
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import agreements, blocks, measures
from sollhaben.services.unit_of_work import read_only
from sollhaben.ui.receivables.agreement_dialog import AgreementDialog
from tests.conftest import make_org_input

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
TODAY = date(2026, 11, 24)


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


@pytest.fixture
def account(sqlite_db):
    db = sqlite_db
    org = organizations.create_organization(db, make_org_input("DE"))
    holder = persons.save_person(db, org.id, PersonInput("NATURAL", "Muster", "Max"), today=TODAY)
    dto = ledger.open_account(db, org.id, holder.id)
    items = [ledger.post(db, NewPosting(dto.id, date(2026, m, 1), "KITA_FEE", eur(a), f"Beitrag {m:02d}/2026",
                                        due_date=date(2026, m, 15))) for m, a in ((8, "120.00"), (9, "120.00"),
                                                                                  (10, "60.01"))]
    return db, org, dto, items


def forget_input(dialog) -> None:
    """Closing at the end of a test must not ask whether to drop the input (a modal box)."""
    dialog._dirty = False


def open_dialog(qtbot, account) -> AgreementDialog:
    db, org, dto, _items = account
    dialog = AgreementDialog(db, org.id, dto, "DE", TODAY)
    qtbot.addWidget(dialog, before_close_func=forget_input)
    dialog.show()
    return dialog


def schedule(dialog: AgreementDialog) -> list[tuple[str, str, str]]:
    model = dialog.schedule_model
    return [tuple(model.index(r, c).data() for c in range(3)) for r in range(model.rowCount())]


def test_all_free_items_are_chosen_and_the_preview_follows_every_change(qtbot, account):
    dialog = open_dialog(qtbot, account)
    assert dialog.ui.itemsTable.rowCount() == 3 and len(dialog.checked_ids()) == 3
    assert dialog.ui.totalEdit.text() == "300,01"
    assert dialog.ui.firstDueEdit.text() == "01.12.2026"
    assert len(schedule(dialog)) == 6  # the default count
    dialog.ui.countSpin.setValue(3)
    qtbot.waitUntil(lambda: len(schedule(dialog)) == 3, timeout=2000)  # the preview follows by itself
    assert schedule(dialog) == [("Rate 1", "01.12.2026", "100,01"), ("Rate 2", "01.01.2027", "100,00"),
                                ("Rate 3", "01.02.2027", "100,00")]
    assert dialog.ui.scheduleSumLabel.text() == "3 Fälligkeiten, Summe 300,01 EUR = Gesamtbetrag"
    dialog.ui.itemsTable.item(2, 0).setCheckState(Qt.CheckState.Unchecked)  # without the 60.01
    assert dialog.ui.totalEdit.text() == "240,00"
    dialog.ui.downPaymentEdit.setText("40,00")
    dialog.ui.intervalCombo.setCurrentIndex(2)  # vierteljährlich
    dialog.refresh_preview()
    assert schedule(dialog) == [("Anzahlung", "01.12.2026", "40,00"), ("Rate 1", "01.03.2027", "66,67"),
                                ("Rate 2", "01.06.2027", "66,67"), ("Rate 3", "01.09.2027", "66,66")]
    assert "bis 06.09.2027 nicht gemahnt" in dialog.ui.blockHintLabel.text()  # 5 grace days by default


def test_an_instalment_amount_gives_full_instalments_and_the_rest_last(qtbot, account):
    dialog = open_dialog(qtbot, account)
    dialog.ui.amountRadio.setChecked(True)
    assert dialog.ui.amountEdit.isEnabled() and not dialog.ui.countSpin.isEnabled()
    dialog.ui.amountEdit.setText("100,00")
    dialog.refresh_preview()
    assert [row[2] for row in schedule(dialog)] == ["100,00", "100,00", "100,00", "0,01"]


def test_refused_entries_are_marked_at_their_fields_and_nothing_is_stored(qtbot, account):
    db, _org, dto, _items = account
    dialog = open_dialog(qtbot, account)
    dialog.ui.totalEdit.setText("abc")
    dialog.ui.firstDueEdit.setText("01.11.2026")
    dialog.ui.amountRadio.setChecked(True)
    dialog.ui.amountEdit.setText("0,00")
    dialog.ui.buttonBox.accepted.emit()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    summary = dialog.ui.summaryLabel.text()
    assert "Gesamtbetrag: „abc“ ist kein gültiger Betrag." in summary
    assert "Erste Fälligkeit: darf nicht in der Vergangenheit liegen." in summary
    assert "Ratenbetrag: muss mindestens 0.01 betragen." in summary
    for widget in (dialog.ui.totalEdit, dialog.ui.firstDueEdit, dialog.ui.amountEdit):
        assert widget.property("fieldError") is True
    assert dialog.ui.downPaymentEdit.property("fieldError") in (None, False)
    assert schedule(dialog) == [] and dialog.ui.scheduleSumLabel.text().startswith("Kein Ratenplan")
    dialog.set_checked(set())
    dialog.ui.totalEdit.setText("10,00")
    dialog.ui.buttonBox.accepted.emit()
    assert "Posten: Bitte mindestens einen offenen Posten wählen." in dialog.ui.itemsMessageLabel.text()
    assert agreements.list_agreements(db, dto.id, TODAY) == []


def test_saving_stores_the_agreement_blocks_the_items_and_logs_it(qtbot, account):
    db, org, dto, items = account
    dialog = open_dialog(qtbot, account)
    dialog.ui.countSpin.setValue(2)
    dialog.ui.noteEdit.setPlainText("am Schalter vereinbart")
    with qtbot.waitSignal(dialog.saved, timeout=2000) as saved:
        dialog.ui.buttonBox.accepted.emit()
    assert dialog.result() == QDialog.DialogCode.Accepted
    [agreement] = agreements.list_agreements(db, dto.id, TODAY)
    assert agreement.id == saved.args[0] and agreement.status is AgreementStatus.ACTIVE
    assert [i.amount for i in agreement.instalments] == [eur("150.01"), eur("150.00")]
    assert agreement.note == "am Schalter vereinbart"
    with read_only(db) as session:
        assert blocks.active_blocks(session, org.id, TODAY) == (set(), set(items))
    assert [m.kind for m in measures.list_measures(db, dto.id)] == ["AGREEMENT"]
    again = AgreementDialog(db, org.id, AccountDTO(dto.id, dto.holder_id, dto.holder_name, dto.key, dto.number,
                                                   dto.label, dto.currency), "DE", TODAY)
    qtbot.addWidget(again)
    assert again.checked_ids() == () and again.ui.totalEdit.text() == "0,00"
    cell = again.ui.itemsTable.item(0, 0)
    assert not cell.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert again.ui.itemsTable.item(0, 4).text() == f"Vereinbarung Nr. {agreement.id}"
