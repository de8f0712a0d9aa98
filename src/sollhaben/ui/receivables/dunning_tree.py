"""The proposal as a tree: account → items, with level, amount, fee and the reason for what is not
reminded. Unticking an account or an item excludes it; `exclusions_changed(accounts, items)` then
lets the page recompute the proposal (pure, instant) and refill the tree with the ticks kept."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from sollhaben.domain.formatting import format_date, format_number_minor
from sollhaben.domain.receivables.dunning import AccountLine, Action, ItemLine
from sollhaben.services.receivables.dunning import DunningPreview

COLUMNS = ("Konto / Posten", "Fällig", "Stufe", "Offen", "Gebühr", "Bisher", "Hinweis")
COLUMN_WIDTHS = (0, 85, 135, 90, 75, 140, 220)  # 0: „Konto / Posten“ stretches
NUMERIC_COLUMNS = (3, 4)  # Offen, Gebühr
ID_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
_GREY = QBrush(QColor("#777777"))
_HANDOVER = QBrush(QColor("#8a4b00"))


def _history(line: ItemLine) -> str:
    item = line.item
    if item.last_level and item.last_reminded:
        return f"Stufe {item.last_level} am {format_date(item.last_reminded)}"
    return ""


class ProposalTree(QTreeWidget):
    exclusions_changed = Signal(frozenset, frozenset, int)  # account ids, item ids, the account ticked in

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("proposalTree")
        self.setColumnCount(len(COLUMNS))
        self.setHeaderLabels(COLUMNS)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # names and item texts get the room
        header.setMinimumSectionSize(60)
        for column, width in enumerate(COLUMN_WIDTHS):
            if width:
                header.resizeSection(column, width)
        for column in NUMERIC_COLUMNS:  # headers of amounts sit above their right-aligned values
            self.headerItem().setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._filling = False
        self.excluded_accounts: frozenset[int] = frozenset()
        self.excluded_items: frozenset[int] = frozenset()
        self.itemChanged.connect(self._ticked)

    def fill(self, shown: DunningPreview) -> None:
        """Show the proposal; accounts with a letter or hand-over first, then those not reminded."""
        self._filling = True
        self.setUpdatesEnabled(False)
        try:
            self.clear()
            self.excluded_accounts, self.excluded_items = shown.excluded_accounts, shown.excluded_items
            ordered = sorted(shown.proposal.accounts, key=lambda a: not (a.letter_level or a.handed_over))
            country = shown.country
            self.addTopLevelItems([self._account_item(a, shown, country) for a in ordered])
        finally:
            self.setUpdatesEnabled(True)
            self._filling = False

    def _account_item(self, account: AccountLine, shown: DunningPreview, country: str) -> QTreeWidgetItem:
        active = bool(account.letter_level or account.handed_over)
        if account.letter_level:
            level = shown.policy.level(account.letter_level).name
        elif account.handed_over:
            level = f"Übergabe: {shown.policy.handover.label}"
        else:
            level = ""
        hint = account.reason
        if account.letter_level and account.handed_over:
            hint = f"dazu Übergabe ({shown.policy.handover.label}): {len(account.handed_over)} Posten"
        node = QTreeWidgetItem([account.account.name, "", level,
                                format_number_minor(account.amount_minor, country) if account.letter_level else "",
                                format_number_minor(account.fee_minor, country) if account.fee_minor else "", "",
                                hint])
        node.setToolTip(0, account.account.name)
        node.setToolTip(6, hint)
        node.setData(0, ID_ROLE, account.account.id)
        node.setData(0, KIND_ROLE, "account")
        node.setFlags(node.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        excluded = account.account.id in shown.excluded_accounts
        node.setCheckState(0, Qt.CheckState.Unchecked if excluded else Qt.CheckState.Checked)
        bold = QFont(node.font(0))
        bold.setBold(True)
        node.setFont(0, bold)
        for column in (3, 4):
            node.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if not active:
            for column in range(len(COLUMNS)):
                node.setForeground(column, _GREY)
        for line in account.lines:
            node.addChild(self._item_node(line, shown, country))
        return node

    def _item_node(self, line: ItemLine, shown: DunningPreview, country: str) -> QTreeWidgetItem:
        item = line.item
        status = {Action.REMIND: f"Stufe {line.level}", Action.HANDOVER: "Übergabe"}.get(line.action, "–")
        child = QTreeWidgetItem([item.text, format_date(item.due_date), status,
                                 format_number_minor(item.open_minor, country), "", _history(line), line.reason])
        child.setToolTip(0, item.text)
        child.setToolTip(6, line.reason)
        child.setData(0, ID_ROLE, item.id)
        child.setData(0, KIND_ROLE, "item")
        child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        excluded = item.id in shown.excluded_items
        child.setCheckState(0, Qt.CheckState.Unchecked if excluded else Qt.CheckState.Checked)
        child.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        child.setToolTip(5, _history(line) or "noch nie gemahnt")
        if line.action is Action.SKIP:
            for column in range(len(COLUMNS)):
                child.setForeground(column, _GREY)
        elif line.action is Action.HANDOVER:
            child.setForeground(2, _HANDOVER)
        return child

    def _ticked(self, node: QTreeWidgetItem, column: int) -> None:
        if self._filling or column != 0:
            return
        ident = node.data(0, ID_ROLE)
        off = node.checkState(0) == Qt.CheckState.Unchecked
        account_id = ident if node.data(0, KIND_ROLE) == "account" else node.parent().data(0, ID_ROLE)
        if node.data(0, KIND_ROLE) == "account":
            accounts = set(self.excluded_accounts)
            (accounts.add if off else accounts.discard)(ident)
            self.excluded_accounts = frozenset(accounts)
        else:
            items = set(self.excluded_items)
            (items.add if off else items.discard)(ident)
            self.excluded_items = frozenset(items)
        self.exclusions_changed.emit(self.excluded_accounts, self.excluded_items, account_id)

    def refresh_account(self, shown: DunningPreview, account_id: int) -> None:
        """Rebuild one account's node after its exclusions changed (the others stay as they are:
        refilling thousands of rows on every tick would freeze the window)."""
        line = next((a for a in shown.proposal.accounts if a.account.id == account_id), None)
        node = self.account_node(account_id)
        if line is None or node is None:
            self.fill(shown)
            return
        self._filling = True
        try:
            self.excluded_accounts, self.excluded_items = shown.excluded_accounts, shown.excluded_items
            index, expanded = self.indexOfTopLevelItem(node), node.isExpanded()
            current = self.currentItem()
            keep = current.data(0, ID_ROLE) if current is not None else None
            self.takeTopLevelItem(index)
            fresh = self._account_item(line, shown, shown.country)
            self.insertTopLevelItem(index, fresh)
            fresh.setExpanded(expanded)
            if keep is not None:
                for candidate in (fresh, *(fresh.child(i) for i in range(fresh.childCount()))):
                    if candidate.data(0, ID_ROLE) == keep:
                        self.setCurrentItem(candidate)
        finally:
            self._filling = False

    def account_node(self, account_id: int) -> QTreeWidgetItem | None:
        for i in range(self.topLevelItemCount()):
            node = self.topLevelItem(i)
            if node.data(0, ID_ROLE) == account_id:
                return node
        return None

    def current_account_id(self) -> int | None:
        node = self.currentItem()
        if node is None:
            return None
        if node.data(0, KIND_ROLE) == "item":
            node = node.parent()
        return node.data(0, ID_ROLE)

    def current_item_id(self) -> int | None:
        node = self.currentItem()
        return node.data(0, ID_ROLE) if node is not None and node.data(0, KIND_ROLE) == "item" else None
