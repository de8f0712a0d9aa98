"""The editor of a version of the income scale: validity, income thresholds by household size with the
increment per further person, the tier brackets with the highest tier, and the exemption default.
Typing errors and the service's rules are shown together, each at its field or table cell; nothing
is stored while one stands; unsaved input is asked about; a record changed meanwhile can be reloaded."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import ConflictError, FieldError, NotFoundError, ValidationError
from sollhaben.domain.formatting import Country, format_money
from sollhaben.domain.income.model import IncomeScaleConfig, IncomeScaleVersion
from sollhaben.domain.income.validation import configuration_errors
from sollhaben.domain.money import Currency, Money
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence.database import Database
from sollhaben.services.income import configuration
from sollhaben.services.income.dto import ScaleVersionDTO
from sollhaben.ui.field_errors import FieldErrorView
from sollhaben.ui.form_dialog import FormDialog, show_form_errors
from sollhaben.ui.income.config_dialog_parts import (
    DIALOG_STYLE,
    HINT_STYLE,
    MAX_TIER,
    ROW_FIELD,
    dialog_buttons,
    grow_to_fit,
    month_edit,
    note_label,
    parse_month_field,
    store_failed,
    summary_label,
)
from sollhaben.ui.income.config_tables import BracketsTable, ThresholdsTable
from sollhaben.ui.kita.catalogue_input import commit_editor, format_percent, parse_money_text, parse_percent_text


def suggest_start(latest: IncomeScaleVersion | None, today: date) -> Month:
    """The first month of a new version: after a closed latest version the month after it, after an
    open one the next January (tables change with the year), without any the current January."""
    if latest is None:
        return Month(today.year, 1)
    if latest.valid.valid_to is not None:
        return latest.valid.valid_to + 1
    return Month(latest.valid.valid_from.year + 1, 1)


class ScaleVersionDialog(FormDialog):
    """Create (`dto=None`) or edit a version of the scale.

    A new version is filled with the values of `template` (the latest version: an office copies last
    year's table and changes a few amounts) and starts in `start`."""

    saved = Signal(object)  # ScaleVersionDTO

    def __init__(self, db: Database, organization_id: int, currency: str, country: str,
                 dto: ScaleVersionDTO | None = None, template: IncomeScaleVersion | None = None,
                 parent: QWidget | None = None, today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.db, self.organization_id, self.currency, self.country = db, organization_id, currency, country
        self.today, self.template = today, template
        self.dto: ScaleVersionDTO | None = None
        self.setObjectName("ScaleVersionDialog")
        self.setStyleSheet(DIALOG_STYLE)
        self._build()
        self.errors = FieldErrorView(self)
        for field, widget in (("valid_from", self.valid_from_edit), ("valid_to", self.valid_to_edit),
                              ("increment_per_person", self.increment_edit), ("highest_tier", self.highest_spin),
                              ("exemption_percent", self.percent_edit), ("exemption_fixed", self.fixed_edit)):
            self.errors.register(field, widget)
        self.errors.register_table("thresholds", self.thresholds, ThresholdsTable.COLUMNS,
                                   message_label=self.thresholds_message)
        self.errors.register_table("brackets", self.brackets, BracketsTable.COLUMNS,
                                   message_label=self.brackets_message)
        chain = (self.valid_from_edit, self.valid_to_edit, self.thresholds, self.add_threshold_button,
                 self.remove_threshold_button, self.increment_edit, self.brackets, self.add_bracket_button,
                 self.remove_bracket_button, self.highest_spin, self.percent_edit, self.fixed_edit, self.button_box)
        for first, second in zip(chain, chain[1:]):
            self.setTabOrder(first, second)
        self.load(dto)
        self.valid_from_edit.setFocus()

    # building -------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.summary = summary_label(self)
        self.note = note_label(self, "noteLabel")
        self.valid_from_edit = month_edit(self, "validFromEdit")
        self.valid_to_edit = month_edit(self, "validToEdit")
        validity = QHBoxLayout()
        from_label = QLabel("Gültig &ab:", self)
        from_label.setBuddy(self.valid_from_edit)
        to_label = QLabel("Gültig &bis:", self)
        to_label.setBuddy(self.valid_to_edit)
        validity.addWidget(self.valid_from_edit)
        validity.addSpacing(12)
        validity.addWidget(to_label)
        validity.addWidget(self.valid_to_edit)
        hint = QLabel("leer: offen", self)
        hint.setStyleSheet(HINT_STYLE)
        validity.addWidget(hint)
        validity.addStretch(1)
        top = QFormLayout()
        top.addRow(from_label, validity)

        self.thresholds = ThresholdsTable(self.currency, self.country, self)
        self.thresholds.setObjectName("thresholdsTable")
        self.thresholds.setHorizontalHeaderLabels(["Haushaltsgröße", f"Einkommensgrenze im Monat ({self.currency})"])
        self.thresholds_message = self._message_label("thresholdsMessage")
        self.add_threshold_button = QPushButton("&Grenze hinzufügen", self)
        self.add_threshold_button.setToolTip("Eine Zeile für die nächste Haushaltsgröße anfügen")
        self.remove_threshold_button = QPushButton("Grenze entfe&rnen", self)
        self.remove_threshold_button.setToolTip("Die markierte Zeile entfernen")
        self.increment_edit = self._amount_edit("incrementEdit")
        increment_form = QFormLayout()
        increment_label = QLabel("&Zuschlag je weitere Person:", self)
        increment_label.setBuddy(self.increment_edit)
        increment_form.addRow(increment_label, self._with_unit(self.increment_edit, self.currency))
        self.increment_edit.setToolTip("Wird für jede Person über der größten Haushaltsgröße der Tabelle zur "
                                       "Einkommensgrenze dieser Größe addiert.")
        increment_hint = QLabel("für jede Person über der größten Haushaltsgröße", self)
        increment_hint.setStyleSheet(HINT_STYLE)
        increment_form.addRow("", increment_hint)
        thresholds_box = self._table_box(
            "&Einkommensgrenzen je Haushaltsgröße", "thresholdsBox", self.thresholds, self.thresholds_message,
            self.add_threshold_button, self.remove_threshold_button, increment_form)

        self.brackets = BracketsTable(self.currency, self.country, self)
        self.brackets.setObjectName("bracketsTable")
        self.brackets.setHorizontalHeaderLabels([f"Maßgeblicher Betrag bis ({self.currency})", "Staffel"])
        header = self.brackets.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.brackets.setColumnWidth(1, 80)
        self.brackets_message = self._message_label("bracketsMessage")
        self.add_bracket_button = QPushButton("S&taffel hinzufügen", self)
        self.add_bracket_button.setToolTip("Eine Zeile für die nächste Staffel anfügen")
        self.remove_bracket_button = QPushButton("Staffel entfer&nen", self)
        self.remove_bracket_button.setToolTip("Die markierte Zeile entfernen")
        self.highest_spin = QSpinBox(self)
        self.highest_spin.setObjectName("highestSpin")
        self.highest_spin.setRange(1, MAX_TIER)
        self.highest_spin.setMaximumWidth(70)
        highest_form = QFormLayout()
        highest_label = QLabel("&Höchste Staffel:", self)
        highest_label.setBuddy(self.highest_spin)
        highest_form.addRow(highest_label, self.highest_spin)
        self.highest_spin.setToolTip("Die Staffel über der letzten Zeile der Tabelle, und bei der Option „höchste "
                                     "Staffel“ (kein Einkommensnachweis).")
        highest_hint = QLabel("über der letzten Zeile und bei „höchste Staffel“", self)
        highest_hint.setStyleSheet(HINT_STYLE)
        highest_form.addRow("", highest_hint)
        self.brackets.setToolTip("„bis“ schließt den Betrag ein; ein maßgeblicher Betrag ≤ 0 ergibt die Staffel der "
                                 "ersten Zeile.")
        brackets_box = self._table_box(
            "Staffe&ln: maßgeblicher Betrag bis … → Staffel", "bracketsBox", self.brackets, self.brackets_message,
            self.add_bracket_button, self.remove_bracket_button, highest_form)

        self.percent_edit = QLineEdit(self)
        self.percent_edit.setObjectName("percentEdit")
        self.percent_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.percent_edit.setMaximumWidth(70)
        self.fixed_edit = self._amount_edit("fixedEdit")
        exemption = QGroupBox("Befreiungsbetrag (Vorgabe für jede Staffelberechnung)", self)
        exemption.setObjectName("exemptionBox")
        exemption_form = QFormLayout(exemption)
        row = QHBoxLayout()
        percent_label = QLabel("&Prozent vom Monatseinkommen:", self)
        percent_label.setBuddy(self.percent_edit)
        row.addWidget(self._with_unit(self.percent_edit, "%"))
        row.addSpacing(16)
        fixed_label = QLabel("plus &fester Betrag:", self)
        fixed_label.setBuddy(self.fixed_edit)
        row.addWidget(fixed_label)
        row.addWidget(self._with_unit(self.fixed_edit, self.currency))
        row.addStretch(1)
        exemption_form.addRow(percent_label, row)
        exemption_hint = QLabel("Er wird vom Monatseinkommen abgezogen; jede Staffelberechnung kann ihn ändern.",
                                exemption)
        exemption_hint.setStyleSheet(HINT_STYLE)
        exemption_form.addRow("", exemption_hint)

        self.button_box = dialog_buttons(self)
        tables = QHBoxLayout()
        tables.addWidget(thresholds_box, 1)
        tables.addWidget(brackets_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.note)
        layout.addLayout(top)
        layout.addLayout(tables, 1)
        layout.addWidget(exemption)
        layout.addWidget(self.button_box)
        self.add_threshold_button.clicked.connect(self.add_threshold)
        self.remove_threshold_button.clicked.connect(lambda: self._remove_row(self.thresholds))
        self.add_bracket_button.clicked.connect(self.add_bracket)
        self.remove_bracket_button.clicked.connect(lambda: self._remove_row(self.brackets))
        self.resize(920, 660)

    def _message_label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        return label

    def _amount_edit(self, name: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        edit.setMaximumWidth(110)
        return edit

    def _with_unit(self, edit: QLineEdit, unit: str) -> QWidget:
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit)
        row.addWidget(QLabel(unit, box))
        row.addStretch(1)
        return box

    def _table_box(self, title: str, name: str, table: QTableWidget, message: QLabel, add: QPushButton,
                   remove: QPushButton, below: QFormLayout) -> QGroupBox:
        box = QGroupBox(title, self)
        box.setObjectName(name)
        layout = QVBoxLayout(box)
        table.setMinimumHeight(120)
        layout.addWidget(table, 1)
        layout.addWidget(message)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addLayout(below)
        return box

    # loading --------------------------------------------------------------------------------------
    def money_text(self, amount: Money | None) -> str:
        return "" if amount is None else format_money(amount, Country(self.country))

    def load(self, dto: ScaleVersionDTO | None) -> None:
        """Show `dto`, or for a new version the values of the template (empty tables without one)."""
        self.dto = dto
        scale = dto.scale if dto else self.template
        if dto is not None:
            start, end = dto.scale.valid.valid_from, dto.scale.valid.valid_to
        else:
            start, end = suggest_start(self.template, self.today()), None
        self.valid_from_edit.setText(str(start))
        self.valid_to_edit.setText(str(end) if end else "")
        if scale is not None:
            self.thresholds.set_rows(scale.thresholds)
            self.brackets.set_rows(scale.brackets)
            self.increment_edit.setText(self.money_text(scale.increment_per_person))
            self.highest_spin.setValue(scale.highest_tier)
            self.percent_edit.setText(format_percent(scale.exemption_percent) or "0")
            self.fixed_edit.setText(self.money_text(scale.exemption_fixed))
        else:
            self.thresholds.set_rows(())
            self.thresholds.add_row()
            self.brackets.set_rows(())
            self.brackets.add_row(self.money_text(Money(0, self.currency)), "1")
            self.increment_edit.setText("")
            self.highest_spin.setValue(2)
            self.percent_edit.setText("0")
            self.fixed_edit.setText("")
        self._show_note()
        self.setWindowTitle(f"Staffeltabelle ab {dto.scale.valid.valid_from}" if dto else "Neue Staffeltabelle")
        self.show_errors([])
        self._loaded = self.snapshot()

    def _show_note(self) -> None:
        text = ""
        if self.dto is not None and self.dto.assessments:
            text = (f"In den Monaten dieser Version beginnen {self.dto.assessments} Staffelberechnung(en); sie "
                    f"werden mit den geänderten Werten berechnet. Schon übertragene Staffeln ändern sich erst mit "
                    f"dem nächsten Übertragen. Für neue Werte ab einem späteren Monat bitte eine neue Version "
                    f"anlegen.")
        elif self.dto is None and self.template is not None:
            valid = self.template.valid
            text = f"Die Werte sind aus der Version ab {valid.valid_from} übernommen – bitte die geänderten eintragen."
            if valid.valid_to is None:
                text += (f" Beim Speichern endet die Version ab {valid.valid_from} mit dem Monat vor dem neuen "
                         f"„Gültig ab“.")
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def snapshot(self) -> tuple:
        def cells(table: QTableWidget) -> tuple:
            return tuple(tuple(table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount()))
                         for r in range(table.rowCount()))
        return (self.valid_from_edit.text(), self.valid_to_edit.text(), cells(self.thresholds), cells(self.brackets),
                self.increment_edit.text(), self.highest_spin.value(), self.percent_edit.text(),
                self.fixed_edit.text())

    def is_dirty(self) -> bool:
        return self.snapshot() != self._loaded

    # table rows -----------------------------------------------------------------------------------
    def add_threshold(self) -> None:
        sizes = [int(t) for t in (self._cell(self.thresholds, r, 0) for r in range(self.thresholds.rowCount()))
                 if t.isdigit()]
        self.thresholds.add_row(str(max(sizes) + 1) if sizes else "", "")
        self._edit_new_row(self.thresholds, 1 if sizes else 0)

    def add_bracket(self) -> None:
        tiers = [int(t) for t in (self._cell(self.brackets, r, 1) for r in range(self.brackets.rowCount()))
                 if t.isdigit()]
        self.brackets.add_row("", str(max(tiers) + 1) if tiers else "1")
        if tiers and self.highest_spin.value() <= max(tiers) + 1:
            self.highest_spin.setValue(min(max(tiers) + 2, MAX_TIER))
        self._edit_new_row(self.brackets, 0)

    @staticmethod
    def _cell(table: QTableWidget, row: int, column: int) -> str:
        item = table.item(row, column)
        return item.text().strip() if item else ""

    def _edit_new_row(self, table: QTableWidget, column: int) -> None:
        row = table.rowCount() - 1
        table.setFocus()
        table.setCurrentCell(row, column)
        table.editItem(table.item(row, column))

    def _remove_row(self, table: QTableWidget) -> None:
        commit_editor(table)
        row = table.currentRow()
        if 0 <= row < table.rowCount():
            self.errors.clear()
            table.removeRow(row)
            table.setFocus()

    # reading and storing --------------------------------------------------------------------------
    def collect(self) -> tuple[IncomeScaleVersion, list[FieldError]]:
        """The version from what could be read (unreadable parts are left out or defaulted) and the
        typing errors, at their fields and table cells."""
        for table in (self.thresholds, self.brackets):
            commit_editor(table)
        problems: list[FieldError] = []
        start = parse_month_field(self.valid_from_edit.text(), "valid_from", "Gültig ab", problems, required=True)
        end = parse_month_field(self.valid_to_edit.text(), "valid_to", "Gültig bis", problems)
        if start is not None and end is not None and end < start:
            problems.append(FieldError("valid_to", f"Gültig bis: {end} liegt vor „Gültig ab“ {start}."))
            end = None
        thresholds, errors = self.thresholds.collect()
        problems += errors
        if not thresholds and not errors:
            problems.append(FieldError(f"thresholds[{self.thresholds.rowCount()}].household_size",
                                       "Einkommensgrenzen: Bitte mindestens eine Haushaltsgröße mit ihrer "
                                       "Einkommensgrenze eingeben."))
        brackets, errors = self.brackets.collect()
        problems += errors
        if not brackets and not errors:
            problems.append(FieldError(f"brackets[{self.brackets.rowCount()}].up_to",
                                       "Staffeln: Bitte mindestens eine Zeile „Betrag bis → Staffel“ eingeben."))
        increment, errors = parse_money_text(self.increment_edit.text(), self.currency, "increment_per_person",
                                             "Zuschlag je weitere Person")
        problems += errors
        if not self.increment_edit.text().strip():
            problems.append(FieldError("increment_per_person", "Zuschlag je weitere Person: Bitte einen Betrag "
                                                               "eingeben (0,00, wenn es keinen Zuschlag gibt)."))
        percent, errors = parse_percent_text(self.percent_edit.text(), "exemption_percent", "Befreiungsbetrag in %")
        problems += errors
        fixed, errors = parse_money_text(self.fixed_edit.text(), self.currency, "exemption_fixed",
                                         "Befreiungsbetrag, fester Betrag")
        problems += errors
        valid = Validity(start if start is not None else Month(2000, 1), end)
        version = IncomeScaleVersion(
            valid, thresholds, increment if increment is not None else Money(0, self.currency), brackets,
            self.highest_spin.value(), percent if percent is not None else Decimal(0), fixed,
            self.dto.scale.id if self.dto else None)
        return version, problems

    def save(self) -> bool:
        """Validate and store; every error shows at its field and nothing is stored meanwhile."""
        version, problems = self.collect()
        if problems:  # typing errors: report them together with what the rules say about the rest
            taken = {p.field for p in problems}
            config = IncomeScaleConfig(Currency(self.currency))
            rules = [e for e in self._placed(configuration_errors(version, config)) if e.field not in taken]
            self.show_errors(problems + rules, placed=True)
            return False
        try:
            dto = configuration.save_version(self.db, self.organization_id, version,
                                             self.dto.version if self.dto else None)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return False
        except (ConflictError, NotFoundError) as exc:
            store_failed(self, exc, "Staffeltabelle", self._reload)
            return False
        self.template = None
        self.load(dto)
        self.saved.emit(dto)
        return True

    def _reload(self) -> None:
        if self.dto is None:
            return
        fresh = configuration.get_configuration(self.db, self.organization_id)
        self.load(next((v for v in fresh.versions if v.scale.id == self.dto.scale.id), None))

    # errors -----------------------------------------------------------------------------------------
    def show_errors(self, errors: Sequence[FieldError], placed: bool = False) -> None:
        """Show `errors`; the domain's names (`thresholds[k]` of the collected rows, whole tables) are
        first turned into the cells they concern, unless `placed`."""
        show_form_errors(self.errors, self.summary, list(errors) if placed else self._placed(errors))
        for table in (self.thresholds, self.brackets):
            if table.property("fieldError"):
                table.clearSelection()  # the selection would hide the red cells
        if errors:
            grow_to_fit(self)

    def _placed(self, errors: Sequence[FieldError]) -> list[FieldError]:
        placed: list[FieldError] = []
        for error in errors:
            placed += [FieldError(field, error.message) for field in self._cells_for(error)]
        return placed

    def _cells_for(self, error: FieldError) -> list[str]:
        """The registered fields (table cells) an error of the domain or the service goes to."""
        field = error.field
        if field == "thresholds":  # sizes with gaps, or negative amounts: mark the rows concerned
            thresholds, _ = self.thresholds.collect()
            rows = self.thresholds.source_rows
            sizes = sorted(t.household_size for t in thresholds)
            gaps = sizes != list(range(sizes[0], sizes[0] + len(sizes))) if sizes else False
            if gaps or (sizes and sizes[0] < 1):
                return [f"thresholds[{r}].household_size" for r in rows]
            negative = [f"thresholds[{r}].amount" for r, t in zip(rows, thresholds) if t.amount.is_negative()]
            return negative or [f"thresholds[{self.thresholds.rowCount()}].household_size"]
        if field == "brackets":  # a tier below 1
            brackets, _ = self.brackets.collect()
            low = [f"brackets[{r}].tier" for r, b in zip(self.brackets.source_rows, brackets) if b.tier < 1]
            return low or [f"brackets[{self.brackets.rowCount()}].up_to"]
        match = ROW_FIELD.match(field)
        if match is None:
            return [field]
        table = self.thresholds if match["table"] == "thresholds" else self.brackets
        if not table.source_rows:
            table.collect()
        index = int(match["index"])
        row = table.source_rows[index] if index < len(table.source_rows) else table.rowCount()
        if match["column"] is not None:
            return [f"{match['table']}[{row}].{match['column']}"]
        return [f"{match['table']}[{row}].{column}" for column in table.COLUMNS]  # the whole row
