"""The generic list: RowTableModel, FilterProxy and FilterableList."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from sollhaben.domain.money import Money
from sollhaben.ui.table_model import ALIGN_RIGHT, ROW_ROLE, Column, FilterProxy, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList, count_text

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    town: str
    born: date | None
    balance: Money


COLUMNS = [
    Column("Nr.", lambda r: r.id, ALIGN_RIGHT),
    Column("Name", lambda r: r.name),
    Column("Ort", lambda r: r.town),
    Column("Geboren", lambda r: r.born),
    Column("Saldo", lambda r: r.balance, ALIGN_RIGHT),
]


def rows(n: int) -> list[Row]:
    towns = ["Bern", "Zürich", "Thun", "Köniz"]
    return [Row(i, f"Müller {i}", towns[i % 4], date(2000 + i % 20, 1 + i % 12, 1 + i % 28) if i % 5 else None,
                Money(i * 105, "CHF")) for i in range(n)]


def oracle(model: RowTableModel, *words: str) -> list[int]:
    """Ids of rows whose displayed texts contain every word (the definition of the filter)."""
    texts = {r.id: " ".join(c.text(r) for c in model.columns).casefold() for r in model.rows()}
    return sorted(i for i, t in texts.items() if all(w in t for w in words))


def test_model_shows_formatted_values_and_roles(qapp):
    model = RowTableModel(COLUMNS, rows(6), foreground=lambda r: QColor("red") if r.id == 1 else None)
    assert model.rowCount() == 6 and model.columnCount() == 5
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Name"
    assert model.data(model.index(1, 3)) == "02.02.2001"
    assert model.data(model.index(0, 3)) == ""  # None shows empty
    assert model.data(model.index(5, 4)) == "5.25"
    assert model.data(model.index(1, 0), Qt.ItemDataRole.TextAlignmentRole) == int(ALIGN_RIGHT.value)
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ForegroundRole) == QColor("red")
    assert model.data(model.index(2, 0), ROW_ROLE).id == 2
    assert model.row_at(3).id == 3


def test_filter_is_case_insensitive_over_all_columns_and_words(qapp):
    model = RowTableModel(COLUMNS, rows(40))
    proxy = FilterProxy()
    proxy.setSourceModel(model)
    proxy.set_filter_text("zürich")
    assert proxy.rowCount() == 10
    assert {proxy.row_at(proxy.index(r, 0)).town for r in range(proxy.rowCount())} == {"Zürich"}
    proxy.set_filter_text("MÜLLER 1 thun")  # all words must occur, in any column
    assert sorted(proxy.row_at(proxy.index(r, 0)).id for r in range(proxy.rowCount())) == \
        oracle(model, "müller", "1", "thun") == [2, 10, 14, 18, 22, 30, 34, 38]
    proxy.set_filter_text("2001")  # formatted date text is searchable
    assert proxy.rowCount() == 2
    proxy.set_filter_text("")
    assert proxy.rowCount() == 40


def test_sort_happens_in_the_model_and_keeps_the_filter(qapp):
    model = RowTableModel(COLUMNS, rows(30))
    proxy = FilterProxy()
    proxy.setSourceModel(model)
    proxy.set_filter_text("bern")
    proxy.sort(0, Qt.SortOrder.DescendingOrder)
    ids = [proxy.row_at(proxy.index(r, 0)).id for r in range(proxy.rowCount())]
    assert ids == sorted((i for i in range(30) if i % 4 == 0), reverse=True)
    proxy.sort(3, Qt.SortOrder.AscendingOrder)  # dates, empty ones last
    borns = [proxy.row_at(proxy.index(r, 0)).born for r in range(proxy.rowCount())]
    assert borns[-1] is None and borns[:-2] == sorted(b for b in borns if b)


def test_model_edits_keep_the_filter_in_step(qapp):
    model = RowTableModel(COLUMNS, rows(8))
    proxy = FilterProxy()
    proxy.setSourceModel(model)
    proxy.set_filter_text("thun")
    assert proxy.rowCount() == 2
    model.append_row(Row(99, "Neu", "Thun", None, Money(0, "CHF")))
    assert proxy.rowCount() == 3
    model.replace_row(model.find(lambda r: r.id == 2), Row(2, "Umzug", "Bern", None, Money(0, "CHF")))
    assert proxy.rowCount() == 2
    model.remove_row(model.find(lambda r: r.id == 99))
    assert proxy.rowCount() == 1


def test_filterable_list_counts_filters_and_activates(qtbot):
    activated: list = []
    widget = FilterableList(RowTableModel(COLUMNS, rows(1234)))
    qtbot.addWidget(widget)
    widget.activated.connect(activated.append)
    assert widget.count_label.text() == "1 234 Einträge"
    qtbot.keyClicks(widget.search, "thun")
    assert widget.count_label.text() == "308 von 1 234 Einträgen"
    qtbot.keyClicks(widget.search, " 1230")
    assert widget.count_label.text() == "1 von 1 234 Einträgen"
    qtbot.keyClick(widget.search, Qt.Key.Key_Return)  # the only match is activated
    assert [r.id for r in activated] == [1230]
    widget.search.clear()
    widget.select(lambda r: r.id == 7)
    qtbot.keyClick(widget.table, Qt.Key.Key_Return)
    assert activated[-1].id == 7 and widget.current_row().id == 7
    widget.resize(700, 400)
    widget.show()
    qtbot.waitExposed(widget)
    index = widget.proxy.index(0, 1)
    rect = widget.table.visualRect(index)
    qtbot.mouseClick(widget.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(widget.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert activated[-1] is widget.proxy.row_at(index)


def test_count_text():
    assert count_text(1, 1) == "1 Eintrag"
    assert count_text(0, 0) == "0 Einträge"
    assert count_text(3, 1_000_000) == "3 von 1 000 000 Einträgen"


def test_filtering_100000_rows_as_you_type_narrows_step_by_step(qtbot):
    """The speed is measured by bench/bench_person_list.py; this checks the result at each keystroke."""
    widget = FilterableList(RowTableModel(COLUMNS, rows(100_000)))
    qtbot.addWidget(widget)
    for text in ("m", "mü", "müller 4", "müller 42", "müller 421"):
        widget.search.setText(text)
        assert widget.proxy.rowCount() == len(oracle(widget.model, *text.split()))
    assert widget.proxy.rowCount() > 0


def test_selection_survives_filtering_sorting_and_edits(qtbot):
    widget = FilterableList(RowTableModel(COLUMNS, rows(200)))
    qtbot.addWidget(widget)
    assert widget.select(lambda r: r.id == 42)
    widget.search.setText("bern")  # 42 % 4 == 2 (Thun): filtered out, the selection goes
    assert widget.current_row() is None
    widget.search.setText("")
    assert widget.select(lambda r: r.id == 44)  # Bern
    widget.search.setText("bern")
    assert widget.current_row().id == 44
    widget.proxy.sort(0, Qt.SortOrder.DescendingOrder)
    assert widget.current_row().id == 44
    assert [r.id for r in widget.visible_rows()][:3] == [196, 192, 188]
    model = widget.model
    model.append_row(Row(500, "Neu", "Bern", None, Money(0, "CHF")))  # appended at the end
    assert widget.current_row().id == 44 and widget.visible_rows()[-1].id == 500
    model.remove_row(model.find(lambda r: r.id == 196))
    assert widget.current_row().id == 44 and widget.visible_rows()[0].id == 192
    model.replace_row(model.find(lambda r: r.id == 192), Row(192, "Umzug", "Thun", None, Money(0, "CHF")))
    assert widget.current_row().id == 44 and widget.visible_rows()[0].id == 188  # left the filter
    assert widget.proxy.mapFromSource(model.index(model.find(lambda r: r.id == 192), 0)).isValid() is False


def test_proxy_maps_both_ways(qapp):
    model = RowTableModel(COLUMNS, rows(50))
    proxy = FilterProxy()
    proxy.setSourceModel(model)
    proxy.set_filter_text("thun")  # ids 2, 6, 10 …
    for position in range(proxy.rowCount()):
        source = proxy.mapToSource(proxy.index(position, 2))
        assert source.row() == 2 + 4 * position and source.column() == 2
        assert proxy.mapFromSource(source).row() == position
    assert proxy.data(proxy.index(0, 1)) == "Müller 2"
    assert proxy.headerData(2, Qt.Orientation.Horizontal) == "Ort"
    assert not proxy.index(proxy.rowCount(), 0).isValid()


def test_typing_on_narrows_and_deleting_widens_correctly(qapp):
    model = RowTableModel(COLUMNS, rows(3000))
    proxy = FilterProxy()
    proxy.setSourceModel(model)
    for text in ("m", "mü", "müller 1", "müller 12", "müller 12 bern", "müller 1 bern", "thun 12", "12 thun", "",
                 "2002 ", "2002 zü", "2002"):
        proxy.set_filter_text(text)
        shown = [proxy.row_at(proxy.index(r, 0)).id for r in range(proxy.rowCount())]
        assert shown == oracle(model, *text.casefold().split()), text


def test_search_texts_are_built_after_the_rows_show_and_on_demand(qtbot):
    model = RowTableModel(COLUMNS, rows(30_000))
    assert model.rowCount() == 30_000  # shown at once
    qtbot.waitUntil(model.search_ready, timeout=10_000)  # built between events
    model.set_rows(rows(20_000))
    assert not model.search_ready()
    proxy = FilterProxy()
    proxy.setSourceModel(model)
    proxy.set_filter_text("müller 19999")  # a filter before the slices are done finishes them
    assert [proxy.row_at(proxy.index(r, 0)).id for r in range(proxy.rowCount())] == [19999]


def test_sorting_by_text_follows_dictionary_order(qapp):
    names = ["Zürcher", "Öztürk", "Otto", "Paul", "ärni", "Adler"]
    model = RowTableModel(COLUMNS, [Row(i, n, "", None, Money(0, "CHF")) for i, n in enumerate(names)])
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert [r.name for r in model.rows()] == ["Adler", "ärni", "Otto", "Öztürk", "Paul", "Zürcher"]
