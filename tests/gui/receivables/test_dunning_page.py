"""The page „Mahnwesen“: proposal on the worker shown as a tree, exclusions by unticking, the run booked
and the letters printed on the worker (preview / one PDF per recipient), runs with history, blocks, and
the levels dialog with errors at the fields. Real SQLite database and the real worker."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from sollhaben.domain.master_data import Address, PersonInput
from sollhaben.domain.money import Money
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import blocks, dunning, dunning_settings
from sollhaben.ui.context import AppContext
from sollhaben.ui.receivables.dunning_page import DunningPage
from sollhaben.workers.jobs import JobRunner
from tests.conftest import make_org_input

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

TODAY = date(2026, 11, 24)


@pytest.fixture
def context(qapp, sqlite_db):
    org = organizations.create_organization(sqlite_db, make_org_input("CH"))
    runner = JobRunner()
    yield AppContext(db=sqlite_db, organization=org, worker=runner)
    runner.shutdown()


@pytest.fixture
def accounts(context):
    db, org = context.db, context.organization
    made = {}
    for last, amount in (("Gerber", "450.00"), ("Keller", "380.00"), ("Zürcher", "5.00")):
        person = persons.save_person(db, org.id, PersonInput(
            "NATURAL", last, "Anna", "Frau", address=Address("Marktgasse", "3", "3011", "Bern", "CH")), today=TODAY)
        account = ledger.open_account(db, org.id, person.id, module="kita")
        ledger.post(db, NewPosting(account.id, date(2026, 10, 1), "FEE_MONTH", Money.of(amount, "CHF"),
                                   text="Elternbeitrag 10.2026", due_date=date(2026, 10, 15)))
        made[last] = account
    return made


@pytest.fixture
def page(qtbot, context, accounts):
    widget = DunningPage(context, today=TODAY)
    qtbot.addWidget(widget)
    widget.resize(1200, 720)
    return widget


def propose(qtbot, page, context) -> None:
    with qtbot.waitSignal(context.worker.finished, timeout=10_000):
        page.make_proposal()


def test_proposal_tree_exclusion_and_run_with_preview(qtbot, page, context, accounts):
    assert page.run_date.text() == "24.11.2026"
    propose(qtbot, page, context)
    tree = page.tree
    names = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert names[:2] == ["Gerber, Anna (000001)", "Keller, Anna (000002)"] and names[2].startswith("Zürcher")
    assert tree.topLevelItem(0).text(2) == "Zahlungserinnerung"
    assert "Mindestbetrag" in tree.topLevelItem(2).text(6)
    assert page.summary.text().startswith("2 Mahnbrief(e) über 830.00 CHF")
    # untick Keller: the proposal is recomputed without him
    keller = tree.topLevelItem(1)
    keller.setCheckState(0, Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: page.summary.text().startswith("1 Mahnbrief(e)"), timeout=3000)
    assert page.shown.excluded_accounts == {accounts["Keller"].id}
    assert page.tree.account_node(accounts["Keller"].id).checkState(0) == Qt.CheckState.Unchecked
    # an item unticked and ticked again: only that account's node is rebuilt, the tick and the node stay
    gerber = page.tree.account_node(accounts["Gerber"].id)
    gerber.setExpanded(True)
    gerber.child(0).setCheckState(0, Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: page.summary.text().startswith("0 Mahnbrief(e)"), timeout=3000)
    node = page.tree.account_node(accounts["Gerber"].id)
    assert node.text(6) == "Alle Posten gesperrt oder ausgenommen" and node.isExpanded()
    assert node.child(0).checkState(0) == Qt.CheckState.Unchecked and node.child(0).text(6) == \
        "Vom Sachbearbeiter ausgenommen"
    node.child(0).setCheckState(0, Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: page.summary.text().startswith("1 Mahnbrief(e)"), timeout=3000)
    with qtbot.waitSignal(context.worker.finished, timeout=20_000):  # booked
        page.confirm()
    qtbot.waitUntil(lambda: page.preview is not None, timeout=20_000)
    assert page.preview.page_count() == 1
    [run] = dunning.list_runs(context.db, context.organization_id)
    assert run.letters == 1
    assert [n.holder for n in page.runs.notices.model.rows()] == ["Gerber, Anna"]
    assert page.runs.history_title.text() == "Mahnhistorie: Gerber, Anna"
    assert [r[1] for r in page.runs.items.model.rows()] == ["Elternbeitrag 10.2026"]
    page.preview.close()


def test_per_recipient_files_then_nothing_left(qtbot, page, context, tmp_path):
    propose(qtbot, page, context)
    page.output.setCurrentIndex(page.output.findData("each"))
    folder = tmp_path / "briefe"
    folder.mkdir()
    page.choose_folder = lambda: str(folder)
    with qtbot.waitSignal(context.worker.finished, timeout=20_000):
        page.confirm()
    qtbot.waitUntil(lambda: len(page.written) == 2, timeout=20_000)
    assert sorted(p.name.split("_")[0] for p in folder.iterdir()) == ["Gerber", "Keller"]
    assert "2 PDF-Datei(en) gespeichert" in page.summary.text()
    # a new proposal the same day has nothing to remind
    propose(qtbot, page, context)
    assert not page.confirm_button.isEnabled()


def test_blocks_from_the_tree_and_lifting(qtbot, page, context, accounts):
    propose(qtbot, page, context)
    page.tree.setCurrentItem(page.tree.topLevelItem(0).child(0))
    dialog = page.block_from_tree()
    assert dialog.account.currentData() == accounts["Gerber"].id and dialog.item.currentData() is not None
    dialog.save()
    assert dialog.reason.property("fieldError") is True
    dialog.reason.setText("Betrag bestritten")
    dialog.valid_until.setText("31.12.2026")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.save()
    assert "neu berechnen" in page.summary.text() and not page.confirm_button.isEnabled()
    [row] = page.blocks.list.model.rows()
    assert (row.reason, row.valid_until, row.account_label) == ("Betrag bestritten", date(2026, 12, 31),
                                                               "Gerber, Anna (000001)")
    propose(qtbot, page, context)
    assert page.tree.topLevelItem(0).text(0).startswith("Keller")  # Gerber's only item is blocked
    page.blocks.list.select(lambda r: True)
    page.blocks.ask_reason = lambda: ("geklärt", True)
    page.blocks.lift()
    assert page.blocks.list.model.rows() == []  # only active ones shown
    assert blocks.list_blocks(context.db, accounts["Gerber"].id)[0].lift_reason == "geklärt"


def test_levels_dialog_marks_errors_and_saves(qtbot, page, context):
    dialog = page.open_settings()
    assert dialog.table.rowCount() == 3 and dialog.table.item(1, 0).text() == "1. Mahnung"
    dialog.table.item(0, 1).setText("0")
    dialog.table.item(1, 2).setText("abc")
    dialog.minimum.setText("-5")
    dialog.table.setCurrentCell(2, 0)
    dialog.text.setPlainText("Zahlen Sie {summe}")
    dialog.save()
    assert dialog.isVisible() and not dialog.summary.isHidden()
    assert "Stufe 2, Gebühr" in dialog.table.item(1, 2).toolTip()
    dialog.table.item(1, 2).setText("25.00")
    dialog.save()
    assert "Tage nach Fälligkeit" in dialog.table.item(0, 1).toolTip()
    assert dialog.minimum.property("fieldError") is True
    dialog.table.item(0, 1).setText("7")
    dialog.minimum.setText("20.00")
    dialog.text.setPlainText("Bitte zahlen Sie {betrag} bis {frist}.")
    dialog.add_level()
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.save()
    saved = dunning_settings.load_policy(context.db, context.organization_id).policy
    assert (saved.minimum_minor, saved.levels[0].days, saved.levels[1].fee_minor, len(saved.levels)) == (
        2000, 7, 2500, 4)
    assert saved.levels[2].text == "Bitte zahlen Sie {betrag} bis {frist}."


def test_cancelling_the_run_books_nothing_or_reports_the_booked_run(qtbot, page, context):
    propose(qtbot, page, context)
    done = []
    context.worker.cancelled.connect(lambda job: done.append("cancelled"))
    context.worker.finished.connect(lambda job, _result: done.append("finished"))
    page.confirm()
    page._cancel()
    qtbot.waitUntil(lambda: bool(done), timeout=20_000)
    runs = dunning.list_runs(context.db, context.organization_id)
    if done[0] == "cancelled" and not runs:
        assert page.summary.text() == "Abgebrochen – es wurde nichts gebucht."
        assert page.confirm_button.isEnabled()  # the proposal stands; the clerk may book it after all
    else:  # the cancel came after the commit: the page says so and goes on
        assert len(runs) == 1 and "gebucht" in page.summary.text()


def test_handover_list_of_a_run_in_the_preview(qtbot, page, context, accounts):
    db, org_id = context.db, context.organization_id
    for day in (date(2026, 10, 25), date(2026, 11, 8), date(2026, 11, 22), date(2026, 12, 3)):
        shown = dunning.preview(db, org_id, day)
        if shown.proposal.letters or shown.proposal.handovers:
            dunning.confirm(db, shown)
    page.runs.reload(newest=True)
    latest = max(page.runs.runs.model.rows(), key=lambda r: r.run_id)
    assert latest.handovers == 2 and page.runs.handover_button.isEnabled()
    assert not page.runs.print_run_button.isEnabled()  # that run wrote no letters
    with qtbot.waitSignal(context.worker.finished, timeout=10_000):
        page.runs.handover_button.click()
    qtbot.waitUntil(lambda: page.preview is not None, timeout=5000)
    assert page.preview.page_count() == 1 and "Übergabeliste" in page.preview.windowTitle()
    page.preview.close()


def test_account_dialog_shows_history_per_account_and_item_and_blocks(qtbot, page, context, accounts):
    db, org_id = context.db, context.organization_id
    for day in (date(2026, 10, 25), date(2026, 11, 8)):
        dunning.confirm(db, dunning.preview(db, org_id, day))
    dialog = page.open_account(accounts["Gerber"].id, "Gerber, Anna (000001)")
    assert [(n.run_date, n.level_name) for n in dialog.notices.model.rows()] == [
        (date(2026, 10, 25), "Zahlungserinnerung"), (date(2026, 11, 8), "1. Mahnung")]
    assert dialog.notices.current_row().level_name == "1. Mahnung"
    assert [r[1] for r in dialog.items.model.rows()] == ["Elternbeitrag 10.2026"]
    assert [(h.level, h.run_date) for h in dialog.item_history.model.rows()] == [
        (1, date(2026, 10, 25)), (2, date(2026, 11, 8))]
    block = dialog.new_block()
    block.reason.setText("Vereinbarung in Vorbereitung")
    with qtbot.waitSignal(block.finished, timeout=5000):
        block.save()
    [row] = dialog.blocks.model.rows()
    assert row.reason == "Vereinbarung in Vorbereitung" and row.item_id is None
    dialog.blocks.select(lambda r: True)
    dialog.ask_reason = lambda: ("erledigt", True)
    dialog.lift()
    assert dialog.blocks.model.rows()[0].lift_reason == "erledigt"
    dialog.accept()
