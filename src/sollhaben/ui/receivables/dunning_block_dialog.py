"""„Mahnsperre …“: block reminders for an account or one of its open items, with reason and end date.
Usable from any page that knows an account (`account_id`); without one the clerk picks the account."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from sollhaben.domain.errors import FieldError, NotFoundError, ValidationError
from sollhaben.domain.formatting import parse_date
from sollhaben.services.receivables import blocks
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import ERROR_COLOR, ERROR_STYLE, FieldErrorView


class BlockDialog(QDialog):
    blocked = Signal(int)  # block id

    def __init__(self, context: AppContext, account_id: int | None = None, item_id: int | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Mahnsperre")
        self.setStyleSheet(ERROR_STYLE)
        self.resize(620, 240)
        self.account = QComboBox(self, objectName="account")
        self.account.setEditable(True)  # type to find the account among thousands
        for ident, label in blocks.account_choices(context.db, context.organization_id):
            self.account.addItem(label, ident)
        self.item = QComboBox(self, objectName="item")
        self.reason = QLineEdit(self, objectName="reason")
        self.reason.setPlaceholderText("z. B. Forderung bestritten, Klärung mit dem Sozialdienst")
        self.valid_until = QLineEdit(self, objectName="validUntil")
        self.valid_until.setPlaceholderText("TT.MM.JJJJ – leer: bis zur Aufhebung")
        form = QFormLayout()
        form.addRow("Konto", self.account)
        form.addRow("Gesperrt", self.item)
        form.addRow("Grund", self.reason)
        form.addRow("Gültig bis", self.valid_until)
        self.summary = QLabel(self, objectName="summary")
        self.summary.setStyleSheet(f"color: {ERROR_COLOR};")
        self.summary.setWordWrap(True)
        self.errors = FieldErrorView(self)
        self.errors.set_summary(self.summary)
        for field, widget in (("reason", self.reason), ("valid_until", self.valid_until), ("item_id", self.item),
                              ("account", self.account)):
            self.errors.register(field, widget)
        save = QPushButton("Sperren", self, objectName="save")
        save.setDefault(True)
        cancel = QPushButton("Abbrechen", self)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(save)
        bottom.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addLayout(bottom)
        self.account.currentIndexChanged.connect(lambda _i: self._load_items(None))
        save.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        if account_id is not None:
            self.account.setCurrentIndex(max(self.account.findData(account_id), 0))
        self._load_items(item_id)

    def _load_items(self, item_id: int | None) -> None:
        self.item.clear()
        self.item.addItem("das ganze Konto", None)
        account_id = self.account.currentData()
        if account_id is None:
            return
        for ident, label in blocks.blockable_items(self.context.db, account_id):
            self.item.addItem(label, ident)
        if item_id is not None:
            self.item.setCurrentIndex(max(self.item.findData(item_id), 0))

    def save(self) -> None:
        self.errors.clear()
        account_id = self.account.currentData()
        until = None
        errors: list[FieldError] = []
        if account_id is None or self.account.currentText() != self.account.itemText(self.account.currentIndex()):
            errors.append(FieldError("account", "Konto: Bitte ein Konto aus der Liste wählen."))
        if self.valid_until.text().strip():
            try:
                until = parse_date(self.valid_until.text(), "Gültig bis")
            except ValidationError as exc:
                errors += [FieldError("valid_until", e.message) for e in exc.errors]
        if errors:
            self.errors.show(errors)
            return
        try:
            block_id = blocks.add_block(self.context.db, organization_id=self.context.organization_id,
                                        account_id=account_id, item_id=self.item.currentData(),
                                        reason=self.reason.text(), valid_until=until)
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return
        except NotFoundError as exc:
            self.errors.show([FieldError("account", str(exc))])
            return
        self.context.signals.data_changed.emit("dunning_block")
        self.blocked.emit(block_id)
        self.accept()
