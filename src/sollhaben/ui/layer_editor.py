"""The generic "layer" editor: one record, its layers as tabs, the record ◄ ► navigation, the
save buttons, dirty tracking, field errors and the keyboard flow. Module editors subclass it and
implement five hooks: `load`, `populate`, `collect`, `store` and `describe`.
"""
from __future__ import annotations

from typing import Any, Callable, Protocol

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QTableWidget, QWidget

from sollhaben.domain.errors import ConflictError, FieldError, NotFoundError, ValidationError
from sollhaben.ui.field_errors import ERROR_STYLE, FieldErrorView, NoticeBar, ask
from sollhaben.ui.forms.ui_layer_editor import Ui_LayerEditor

def _table_text(table: QTableWidget) -> tuple:
    return tuple(table.item(r, c).text() if table.item(r, c) else ""
                 for r in range(table.rowCount()) for c in range(table.columnCount()))


_TRACKED = (  # widget type, change signals, value
    (QLineEdit, ("textChanged",), QLineEdit.text),
    (QComboBox, ("currentIndexChanged", "editTextChanged"), lambda w: (w.currentIndex(), w.currentText())),
    (QPlainTextEdit, ("textChanged",), QPlainTextEdit.toPlainText),
    (QTableWidget, ("itemChanged",), _table_text),
    (QAbstractButton, ("toggled",), QAbstractButton.isChecked),
)


class Record(Protocol):  # what services return: a frozen DTO with id and version
    id: int
    version: int


class RecordNavigator(Protocol):
    """The list's current (filtered, sorted) order of record ids."""

    def count(self) -> int: ...
    def id_at(self, position: int) -> int | None: ...
    def position_of(self, record_id: int) -> int: ...  # -1 when not in the list


class LayerEditor(QWidget):
    saved = Signal(int)  # record id after a successful save
    recordChanged = Signal(object)  # id of the record now shown, None for a new one
    dirtyChanged = Signal(bool)
    titleChanged = Signal(str)
    closed = Signal()

    new_title = "Neuer Datensatz"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_LayerEditor()
        self.ui.setupUi(self)
        self.setStyleSheet(ERROR_STYLE)
        self.errors = FieldErrorView(self)
        self.errors.set_summary(self.ui.errorSummaryLabel, self.ui.layerTabs)
        self.notice = NoticeBar(self.ui.noticeFrame, self.ui.noticeLabel, self.ui.noticeActions)
        self.record: Any = None
        self._navigator: RecordNavigator | None = None
        self._position = -1
        self._tracked: list[tuple[QWidget, Callable[[QWidget], Any]]] = []
        self._baseline: tuple = ()
        self._dirty = False
        self._loading = False
        self._connect_buttons()

    # hooks for module editors -----------------------------------------------------------
    def load(self, record_id: int) -> Record:
        raise NotImplementedError

    def populate(self, record: Record | None) -> None:
        """Fill the widgets from the record, or with defaults for a new one."""
        raise NotImplementedError

    def collect(self) -> Any:
        """Read the widgets into the service's input; raise ValidationError for unreadable input."""
        raise NotImplementedError

    def store(self, data: Any, record_id: int | None, version: int | None) -> Record:
        raise NotImplementedError

    def describe(self, record: Record) -> str:
        return f"Datensatz {record.id}"

    def before_save(self, data: Any) -> bool:
        """Last check before storing (e.g. a confirmed duplicate); False cancels quietly."""
        return True

    # layers and tracking ----------------------------------------------------------------
    def add_layer(self, title: str, widget: QWidget, tracked: bool = True) -> int:
        """Add a tab; the inputs of a tracked layer count for dirty tracking."""
        index = self.ui.layerTabs.addTab(widget, title)
        if tracked:
            for child in widget.findChildren(QWidget):
                self.track(child)
        return index

    def track(self, widget: QWidget) -> None:
        """Count the widget's value for dirty tracking (line edits, combos, texts, tables, checks)."""
        if isinstance(widget, QLineEdit) and isinstance(widget.parent(), QComboBox):
            return  # the line edit inside an editable combo box: the combo box is tracked
        for kind, signals, _value in _TRACKED:
            if isinstance(widget, kind) and (kind is not QAbstractButton or widget.isCheckable()):
                for name in signals:
                    getattr(widget, name).connect(self._on_edit)
                if isinstance(widget, QTableWidget):
                    widget.model().rowsInserted.connect(self._on_edit)
                    widget.model().rowsRemoved.connect(self._on_edit)
                widget.installEventFilter(self)
                self._tracked.append((widget, _value))
                return

    def _state(self) -> tuple:
        return tuple(value(widget) for widget, value in self._tracked)

    def _on_edit(self, *_args) -> None:
        if not self._loading:
            self._set_dirty(self._state() != self._baseline)

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self._update_title()
            self.dirtyChanged.emit(dirty)

    def is_dirty(self) -> bool:
        return self._dirty
    @property
    def record_id(self) -> int | None:
        return None if self.record is None else self.record.id

    # showing records ----------------------------------------------------------------------
    def _show(self, record: Record | None) -> None:
        self._loading = True
        try:
            self.record = record
            self.clear_errors()
            self.notice.clear()
            self.populate(record)
        finally:
            self._loading = False
        self._baseline = self._state()
        self._dirty = True  # force the signal
        self._set_dirty(False)
        self.refresh_position()
        self.recordChanged.emit(self.record_id)

    def open_record(self, record_id: int) -> bool:
        if not self.confirm_leave():
            return False
        try:
            self._show(self.load(record_id))
        except NotFoundError as exc:
            self.notice.show(str(exc), "error")
            return False
        return True

    def new_record(self) -> bool:
        if self.confirm_leave():
            self._show(None)
        return self.record is None and not self._dirty

    def reload(self) -> None:
        """Show the stored state of the current record, dropping unsaved changes."""
        self._set_dirty(False)
        self.open_record(self.record.id) if self.record is not None else self._show(None)

    def reset(self) -> bool:
        if not self._dirty:
            return True
        if ask(self, "Zurücksetzen", "Alle ungespeicherten Änderungen verwerfen?",
               ["Zurücksetzen", "Abbrechen"]) != "Zurücksetzen":
            return False
        self._show(self.record)
        return True

    # saving ---------------------------------------------------------------------------------
    def save(self, and_new: bool = False) -> bool:
        self.clear_errors()
        try:
            data = self.collect()
            if not self.before_save(data):
                return False
            record = self.store(data, self.record_id, None if self.record is None else self.record.version)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return False
        except ConflictError:
            self.notice.show(f"„{self.describe(self.record)}“ wurde inzwischen geändert – neu laden, "
                             "dann die Änderung wiederholen.", "error", [("Neu laden", self.reload)])
            return False
        except NotFoundError as exc:  # deleted meanwhile
            self.notice.show(str(exc), "error")
            return False
        self._show(record)
        self.saved.emit(record.id)
        if and_new:
            self._show(None)
        return True

    def show_errors(self, errors: list[FieldError]) -> None:
        self.errors.show(errors)

    def clear_errors(self) -> None:
        self.errors.clear()

    # navigation -------------------------------------------------------------------------------
    def set_navigator(self, navigator: RecordNavigator | None) -> None:
        self._navigator = navigator
        self.refresh_position()

    def go(self, step: int) -> bool:
        nav = self._navigator
        if nav is None or nav.count() == 0:
            return False
        target = self._position + step if self._position >= 0 else (0 if step > 0 else nav.count() - 1)
        record_id = nav.id_at(target) if 0 <= target < nav.count() else None
        return record_id is not None and self.open_record(record_id)

    def refresh_position(self) -> None:
        """Show where the record stands in the list; call it when the list changed."""
        nav = self._navigator
        count = nav.count() if nav is not None else 0
        self._position = nav.position_of(self.record_id) if nav is not None and self.record_id else -1
        if self._position >= 0:
            self.ui.positionLabel.setText(f"{self._position + 1} von {count}")
        else:
            self.ui.positionLabel.setText("neu" if self.record is None else "–")
        self.ui.previousButton.setEnabled(count > 0 and self._position != 0)
        self.ui.nextButton.setEnabled(count > 0 and self._position < count - 1)
        self._update_title()

    def _update_title(self) -> None:
        text = self.new_title if self.record is None else self.describe(self.record)
        text += " *" if self._dirty else ""
        self.ui.titleLabel.setText(text)
        self.setWindowTitle(text)
        self.titleChanged.emit(text)

    # leaving ------------------------------------------------------------------------------------
    def confirm_leave(self) -> bool:
        """Ask Speichern / Verwerfen / Abbrechen while dirty; True when it is fine to leave."""
        if not self._dirty:
            return True
        answer = ask(self, "Ungespeicherte Änderungen",
                     f"„{self.ui.titleLabel.text().rstrip(' *')}“ wurde geändert. Änderungen speichern?",
                     ["Speichern", "Verwerfen", "Abbrechen"])
        if answer == "Speichern":
            return self.save()
        return answer == "Verwerfen"

    def request_close(self) -> bool:
        if not self.confirm_leave():
            return False
        self._set_dirty(False)
        self.closed.emit()
        if self.isWindow():
            self.close()
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        event.setAccepted(self.confirm_leave())

    # keyboard -------------------------------------------------------------------------------------
    def _connect_buttons(self) -> None:
        ui = self.ui
        ui.saveButton.clicked.connect(lambda: self.save())
        ui.saveNewButton.clicked.connect(lambda: self.save(and_new=True))
        ui.newButton.clicked.connect(self.new_record)
        ui.resetButton.clicked.connect(self.reset)
        ui.closeButton.clicked.connect(self.request_close)
        ui.previousButton.clicked.connect(lambda: self.go(-1))
        ui.nextButton.clicked.connect(lambda: self.go(1))
        for keys, slot in (("Ctrl+S", lambda: self.save()), ("Ctrl+Shift+S", lambda: self.save(and_new=True)),
                           ("Ctrl+N", self.new_record), ("Alt+Left", lambda: self.go(-1)),
                           ("Alt+Right", lambda: self.go(1)), ("Ctrl+Z", self.reset),
                           ("Esc", self.request_close)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Ctrl+Z belongs to "Zurücksetzen", not to the undo of a single input field.
        if event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and isinstance(event, QKeyEvent) \
                and event.keyCombination() == QKeySequence("Ctrl+Z")[0]:
            if event.type() == QEvent.Type.KeyPress:
                self.reset()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.save()
            return
        super().keyPressEvent(event)
