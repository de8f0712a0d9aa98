"""The open items of the booking window as a tree: value month → category (→ enforcement case) →
item, with the open amount and an editable „Zuordnung“ per item. A tick on an item marks it as
named by the payer (Zweckbestimmung), in the order ticked."""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemDelegate, QAbstractItemView, QHeaderView, QLineEdit, QStyledItemDelegate,
                               QTreeWidget, QTreeWidgetItem, QWidget)

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.formatting import format_date, format_money
from sollhaben.domain.ledger import category_label
from sollhaben.domain.money import Money, parse_amount
from sollhaben.services.receivables.receipts_dto import ReceiptLine, ReceiptProposal
from sollhaben.ui.field_errors import ERROR_BACKGROUND, ERROR_COLOR

COL_ITEM, COL_DUE, COL_AMOUNT, COL_OPEN, COL_ALLOCATION = range(5)
LINE_ROLE = Qt.ItemDataRole.UserRole + 1
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember")


class _AllocationDelegate(QStyledItemDelegate):
    """Only the „Zuordnung“ cell of an item row can be edited."""

    def createEditor(self, parent, option, index):  # noqa: N802 (Qt)
        if index.column() != COL_ALLOCATION or not index.flags() & Qt.ItemFlag.ItemIsEditable:
            return None
        editor = QLineEdit(parent)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return editor


class AllocationTree(QTreeWidget):
    """`allocation_changed()` after the clerk edits an amount or ticks an item."""

    allocation_changed = Signal()
    designation_changed = Signal()

    def __init__(self, country: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.country = country
        self.currency = "EUR"
        self._items: list[QTreeWidgetItem] = []  # item rows in the proposal's line order
        self._groups: list[tuple[QTreeWidgetItem, list[QTreeWidgetItem]]] = []
        self._designation: list[int] = []
        self._filling = False
        self.setColumnCount(5)
        self.setHeaderLabels(["Offener Posten", "Fällig", "Betrag", "Offen", "Zuordnung"])
        self.headerItem().setToolTip(COL_ITEM, "Haken: vom Zahler im Verwendungszweck genannt (Zweckbestimmung)")
        self.headerItem().setToolTip(COL_ALLOCATION, "Betrag, den diese Zahlung dem Posten zuordnet (F2 ändert)")
        for column in (COL_AMOUNT, COL_OPEN, COL_ALLOCATION):
            self.headerItem().setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setItemDelegate(_AllocationDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_ITEM, QHeaderView.ResizeMode.Stretch)
        for column, width in ((COL_DUE, 86), (COL_AMOUNT, 96), (COL_OPEN, 96), (COL_ALLOCATION, 104)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.setColumnWidth(column, width)
        self.itemChanged.connect(self._item_changed)
        self.currentItemChanged.connect(self._keep_allocation_column)

    # filling ------------------------------------------------------------------------------------
    def show_proposal(self, proposal: ReceiptProposal) -> None:
        self._filling = True
        self.clear()
        self._items, self._groups = [], []
        self.currency = proposal.account.currency
        self._designation = list(proposal.designation)  # in the order the payer named them
        month_node = category_node = None
        last_month = last_category = None
        for group in proposal.groups:
            if group.value_month != last_month:
                month_node = self._group_node(self, f"{MONTHS[group.value_month.month - 1]} {group.value_month.year}")
                last_month, last_category = group.value_month, None
            if group.category != last_category:
                category_node = self._group_node(month_node, category_label(group.category))
                last_category = group.category
            parent = category_node
            if group.enforcement_case is not None:
                parent = self._group_node(category_node, f"Betreibung {group.enforcement_case}")
            for line in group.lines:
                self._items.append(self._item_node(parent, line))
        self.expandAll()
        self._filling = False
        self._update_sums()

    def _group_node(self, parent, text: str) -> QTreeWidgetItem:
        node = QTreeWidgetItem(parent, [text])
        font = QFont(self.font())
        font.setBold(True)
        node.setFont(COL_ITEM, font)
        node.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        for column in (COL_OPEN, COL_ALLOCATION):
            node.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            node.setFont(column, font)
        return node

    def _item_node(self, parent: QTreeWidgetItem, line: ReceiptLine) -> QTreeWidgetItem:
        money = self._money
        text = f"Nr. {line.item_id}  {line.text or category_label(line.category)}"
        node = QTreeWidgetItem(parent, [text, format_date(line.due_date), money(line.amount), money(line.open_amount),
                                        money(line.proposed)])
        node.setData(COL_ITEM, LINE_ROLE, line)
        node.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable
                      | Qt.ItemFlag.ItemIsUserCheckable)
        node.setCheckState(COL_ITEM, Qt.CheckState.Checked if line.designated else Qt.CheckState.Unchecked)
        for column in (COL_AMOUNT, COL_OPEN, COL_ALLOCATION):
            node.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return node

    def _money(self, amount: Money) -> str:
        return format_money(amount, self.country)

    # reading -----------------------------------------------------------------------------------
    def item_rows(self) -> list[QTreeWidgetItem]:
        return list(self._items)

    def line_of(self, node: QTreeWidgetItem) -> ReceiptLine:
        return node.data(COL_ITEM, LINE_ROLE)

    def designation(self) -> list[int]:
        """The ticked items in the order the clerk ticked them."""
        return list(self._designation)

    def allocation_of(self, node: QTreeWidgetItem) -> Money:
        """The amount typed in the row; raises ValidationError for what is not an amount."""
        text = node.text(COL_ALLOCATION).strip()
        if not text:
            return Money.zero(self.currency)
        return parse_amount(text, self.currency, "Zuordnung")

    def allocations(self) -> tuple[list[tuple[int, Money]], dict[int, str]]:
        """(item id, amount) per item row in order, and the rows (index → message) that hold no amount."""
        result, bad = [], {}
        for index, node in enumerate(self._items):
            try:
                amount = self.allocation_of(node)
            except ValidationError as exc:
                bad[index] = f"Zuordnung Zeile {index + 1} (Nr. {self.line_of(node).item_id}): " \
                             + exc.errors[0].message.removeprefix("Zuordnung: ")
                amount = Money.zero(self.currency)
            result.append((self.line_of(node).item_id, amount))
        return result, bad

    def set_allocation(self, index: int, amount: Money) -> None:
        self._items[index].setText(COL_ALLOCATION, self._money(amount))

    def commit_open_editor(self) -> None:
        """A cell still being edited (Speichern clicked without leaving it) counts with what it shows."""
        editor = self.indexWidget(self.currentIndex()) if self.state() == QAbstractItemView.State.EditingState else None
        if editor is not None:
            self.commitData(editor)
            self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    # row errors -------------------------------------------------------------------------------------
    def mark_rows(self, messages: dict[int, str]) -> None:
        self._filling = True
        for index, node in enumerate(self._items):
            if index in messages:
                node.setBackground(COL_ALLOCATION, QBrush(QColor(ERROR_BACKGROUND)))
                node.setForeground(COL_ALLOCATION, QBrush(QColor(ERROR_COLOR)))
                node.setToolTip(COL_ALLOCATION, messages[index])
            else:
                node.setData(COL_ALLOCATION, Qt.ItemDataRole.BackgroundRole, None)
                node.setData(COL_ALLOCATION, Qt.ItemDataRole.ForegroundRole, None)
                node.setToolTip(COL_ALLOCATION, "")
        self._filling = False
        self._update_sums()
        if messages:  # the cursor goes to the first wrong row, unselected, so its red cell shows
            first = self._items[min(messages)]
            self.selectionModel().setCurrentIndex(self.indexFromItem(first, COL_ALLOCATION),
                                                  QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.clearSelection()
            self.scrollToItem(first)

    # reactions --------------------------------------------------------------------------------------
    def _item_changed(self, node: QTreeWidgetItem, column: int) -> None:
        if self._filling or node.data(COL_ITEM, LINE_ROLE) is None:
            return
        if column == COL_ITEM:
            item_id = self.line_of(node).item_id
            ticked = node.checkState(COL_ITEM) == Qt.CheckState.Checked
            if ticked and item_id not in self._designation:
                self._designation.append(item_id)
            elif not ticked and item_id in self._designation:
                self._designation.remove(item_id)
            self.designation_changed.emit()
            return
        if column == COL_ALLOCATION:
            self._filling = True
            try:  # show what was typed in the country's format
                node.setText(COL_ALLOCATION, self._money(self.allocation_of(node)))
            except ValidationError:
                pass
            self._filling = False
            self._update_sums()
            self.allocation_changed.emit()

    def _update_sums(self) -> None:
        """Each group row shows the open amount and the allocation of its items."""
        self._filling = True
        for node in self._all_group_nodes():
            open_minor = allocated = 0
            for leaf in self._leaves(node):
                open_minor += self.line_of(leaf).open_amount.minor
                try:
                    allocated += self.allocation_of(leaf).minor
                except ValidationError:
                    pass
            node.setText(COL_OPEN, self._money(Money(open_minor, self.currency)))
            node.setText(COL_ALLOCATION, self._money(Money(allocated, self.currency)))
        for leaf in self._items:  # nothing allocated: grey, so the allocated rows stand out
            zero = leaf.text(COL_ALLOCATION).strip() in ("", self._money(Money.zero(self.currency)))
            if leaf.toolTip(COL_ALLOCATION) == "":
                grey = QBrush(QColor("#9a9a9a")) if zero else None
                leaf.setData(COL_ALLOCATION, Qt.ItemDataRole.ForegroundRole, grey)
        self._filling = False

    def _all_group_nodes(self) -> list[QTreeWidgetItem]:
        found, stack = [], [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        while stack:
            node = stack.pop()
            if node.data(COL_ITEM, LINE_ROLE) is None:
                found.append(node)
                stack.extend(node.child(i) for i in range(node.childCount()))
        return found

    def _leaves(self, node: QTreeWidgetItem) -> list[QTreeWidgetItem]:
        if node.data(COL_ITEM, LINE_ROLE) is not None:
            return [node]
        return [leaf for i in range(node.childCount()) for leaf in self._leaves(node.child(i))]

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt)
        """Space ticks or unticks the current item as named by the payer; other keys edit the amount."""
        node = self.currentItem()
        if event.key() == Qt.Key.Key_Space and node is not None and node.data(COL_ITEM, LINE_ROLE) is not None \
                and self.state() != QAbstractItemView.State.EditingState:
            ticked = node.checkState(COL_ITEM) == Qt.CheckState.Checked
            node.setCheckState(COL_ITEM, Qt.CheckState.Unchecked if ticked else Qt.CheckState.Checked)
            return
        super().keyPressEvent(event)

    def _keep_allocation_column(self, current: QTreeWidgetItem | None, _previous) -> None:
        """Moving with the arrow keys stays in „Zuordnung“, so typing an amount edits it at once."""
        if current is not None and current.data(COL_ITEM, LINE_ROLE) is not None \
                and self.currentColumn() != COL_ALLOCATION:
            self.setCurrentItem(current, COL_ALLOCATION)
