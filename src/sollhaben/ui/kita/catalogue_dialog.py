"""What the three catalogue editors share: the version list, reading the typed texts into the
domain value, errors at the fields (typing errors and the service's rules in one list), the
optimistic lock with its "neu laden" question, and the question before unsaved input is dropped."""
from __future__ import annotations

from datetime import date
from typing import Any, Callable, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QMessageBox, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import ConflictError, ErrorCollector, FieldError, NotFoundError, ValidationError
from sollhaben.domain.formatting import Country, format_money
from sollhaben.domain.money import Money
from sollhaben.persistence.database import Database
from sollhaben.ui.field_errors import ERROR_STYLE, SUMMARY_STYLE, FieldErrorView
from sollhaben.ui.form_dialog import FormDialog, show_form_errors
from sollhaben.ui.kita.catalogue_input import commit_editor, reindex_field
from sollhaben.ui.kita.catalogue_versions import VersionsWidget
from sollhaben.ui.settings_dialog import ask_reload


class CatalogueEntryDialog(FormDialog):
    """Subclasses set `title_new`, `title_edit`, and implement `_load_entry`, `_form_snapshot`,
    `_version`, `_entry`, `_validate`, `_store`, `_fetch` and, if needed, `_map_field`."""

    saved = Signal(object)  # the service's DTO after each successful save
    title_new = title_edit = ""

    def __init__(self, db: Database, organization_id: int, currency: str, country: str,
                 parent: QWidget | None = None, today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.db, self.organization_id, self.currency, self.country = db, organization_id, currency, country
        self.today = today
        self.dto: Any = None  # the DTO the form shows (None: a new entry)
        self._loaded: tuple = ()

    def _setup(self, summary: QLabel, buttons: QDialogButtonBox, versions: VersionsWidget,
               version_columns: dict[str, int]) -> None:
        self.setStyleSheet(ERROR_STYLE)
        self.summary = summary
        summary.setStyleSheet(SUMMARY_STYLE)
        summary.hide()
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("&Speichern")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.versions = versions
        self.errors = FieldErrorView(self)
        self.errors.register_table("versions", versions.ui.versionTable, version_columns,
                                   message_label=versions.ui.versionMessageLabel)
        self.errors.register("new_version", versions.ui.newVersionEdit,
                             message_label=versions.ui.newVersionMessageLabel)
        versions.new_version_error = self._new_version_error

    # formatting ---------------------------------------------------------------------------------
    def money_text(self, amount: Money | None) -> str:
        return "" if amount is None else format_money(amount, Country(self.country))

    # load / dirty -------------------------------------------------------------------------------
    def load(self, dto: Any) -> None:
        """Show `dto` (None: the defaults of a new entry); clears all errors."""
        self.dto = dto
        self._load_entry(dto)
        self.setWindowTitle(self.title_new if dto is None else f"{self.title_edit} – {self._name(dto)}")
        self._show_errors([])
        self._loaded = self.snapshot()

    def snapshot(self) -> tuple:
        return self._form_snapshot(), self.versions.snapshot()

    def is_dirty(self) -> bool:
        return self.snapshot() != self._loaded

    # reading the form ---------------------------------------------------------------------------
    def collect(self) -> tuple[Any, list[FieldError], list[int]]:
        """The entry from every version whose months could be read, the typing errors, and the rows
        the entry's versions came from."""
        problems: list[FieldError] = []
        versions, rows = [], []
        for row in range(self.versions.row_count()):
            version, errors = self._version(row)
            problems += errors
            if version is not None:
                versions.append(version)
                rows.append(row)
        entry, errors = self._entry(tuple(versions))
        return entry, errors + problems, rows

    def save(self) -> bool:
        """Validate and store; every error shows at its field and nothing is stored meanwhile."""
        commit_editor(self.versions.ui.versionTable)
        self._before_save()
        entry, problems, rows = self.collect()
        if problems:  # typing errors: report them together with what the rules say about the rest
            checked = ErrorCollector()
            self._validate(entry, checked)
            taken = {self._map_field(p.field)[0] for p in problems}
            partial = len(rows) < self.versions.row_count()
            for error in checked.errors:
                name = reindex_field(error.field, rows)
                if self._map_field(name)[0] not in taken and not (partial and name == "versions"):
                    problems.append(FieldError(name, error.message))
            self._show_errors(problems)
            return False
        try:
            dto = self._store(entry)
        except ValidationError as exc:
            self._show_errors(exc.errors)
            return False
        except ConflictError as exc:
            if ask_reload(self, str(exc)) and self.dto is not None:
                self.load(self._fetch(self._entry_id(self.dto)))
            return False
        except NotFoundError as exc:
            QMessageBox.warning(self, self.title_edit, str(exc))
            return False
        self.load(dto)
        self.saved.emit(dto)
        return True

    # errors ---------------------------------------------------------------------------------------
    def _show_errors(self, errors: Sequence[FieldError]) -> None:
        placed: list[FieldError] = []
        marks: dict[int, str] = {}
        for error in errors:
            name = error.field
            if name == "versions":
                name = f"versions[{self.versions.row_for_message(error.message)}].valid_from"
            name, row = self._map_field(name)
            if row is not None:
                marks.setdefault(row, error.message)
            placed.append(FieldError(name, error.message))
        show_form_errors(self.errors, self.summary, placed)
        self.versions.mark_rows(marks)
        if any(e.field.startswith("versions[") for e in placed):  # the selection would hide the red cells
            self.versions.ui.versionTable.clearSelection()

    def _new_version_error(self, error: FieldError | None) -> None:
        self._show_errors([error] if error is not None else [])

    def _map_field(self, name: str) -> tuple[str, int | None]:
        """The registered field an error goes to, and a version row to mark besides (or None)."""
        return name, None

    def _before_save(self) -> None:
        """Tidy the form before reading it (drop empty rows)."""

    # to implement ----------------------------------------------------------------------------------
    def _name(self, dto: Any) -> str:
        raise NotImplementedError

    def _entry_id(self, dto: Any) -> int:
        raise NotImplementedError

    def _load_entry(self, dto: Any) -> None:
        raise NotImplementedError

    def _form_snapshot(self) -> tuple:
        raise NotImplementedError

    def _version(self, row: int) -> tuple[Any, list[FieldError]]:
        raise NotImplementedError

    def _entry(self, versions: tuple) -> tuple[Any, list[FieldError]]:
        raise NotImplementedError

    def _validate(self, entry: Any, errors: ErrorCollector) -> None:
        raise NotImplementedError

    def _store(self, entry: Any) -> Any:
        raise NotImplementedError

    def _fetch(self, entry_id: int) -> Any:
        raise NotImplementedError
