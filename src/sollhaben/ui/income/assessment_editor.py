"""The editor of an income-scale assessment (Staffelberechnung): the layers Grunddaten,
Einkommenspositionen 1. Person, Einkommenspositionen 2. Person and Protokoll, the live figures
beside them (recomputed on every keystroke with the domain's `calculate`), record ◄ ► over the
list, the two save buttons, and the actions Kopieren, Löschen, Übertragen, Berechnungsblatt and
Wiedervorlage."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 reference-count fixes)
from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.formatting import format_date
from sollhaben.domain.income.calculation import calculate
from sollhaben.domain.income.model import AssessmentStatus, IncomeAssessment, IncomeScaleConfig
from sollhaben.domain.income.validation import validation_errors
from sollhaben.services.income import assessments
from sollhaben.services.income.dto import AssessmentDTO
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import ask
from sollhaben.ui.income.basic_layer import BasicLayer
from sollhaben.ui.income.figures_panel import FiguresPanel
from sollhaben.ui.income.person_layer import PersonLayer
from sollhaben.ui.layer_editor import LayerEditor


@dataclass(frozen=True)
class AssessmentRecord:
    """What the layer editor keeps: id and row version on top, the service's DTO inside."""

    id: int | None
    version: int
    dto: AssessmentDTO


def record_of(dto: AssessmentDTO) -> AssessmentRecord:
    return AssessmentRecord(dto.assessment.id, dto.assessment.version, dto)


class AssessmentEditor(LayerEditor):
    """`transfer_requested(record)`, `sheet_requested(record)`, `follow_up_requested(record)` are
    handled by the page (they run on the worker or open dialogs)."""

    new_title = "Neue Staffelberechnung"
    transfer_requested = Signal(object)
    sheet_requested = Signal(object)
    follow_up_requested = Signal(object)

    def __init__(self, context: AppContext, config: IncomeScaleConfig, parent: QWidget | None = None,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.context, self.config, self.today = context, config, today
        currency, country = config.currency.value, context.country
        self.basic = BasicLayer(currency, country, self)
        self.people = [PersonLayer(i, currency, country, self) for i in range(2)]
        all_types = tuple(sorted(config.item_types, key=lambda t: (t.position, t.label)))
        for layer in self.people:
            layer.set_types(all_types)
        self.protocol = QPlainTextEdit(self)
        self.protocol.setReadOnly(True)
        self.add_layer("&Grunddaten", self.basic)
        self.add_layer("Einkommenspositionen &1. Person", self.people[0])
        self.add_layer("Einkommenspositionen &2. Person", self.people[1])
        self.add_layer("&Protokoll", self.protocol, tracked=False)
        self.figures = FiguresPanel(country, self)
        self._place_figures()
        self._add_actions()
        for field, widget in self.basic.fields().items():
            self.errors.register(field, widget)
        self.basic.changed.connect(self.recalculate)
        self.basic.child_chosen.connect(self._child_chosen)
        for layer in self.people:
            layer.changed.connect(self.recalculate)
        self._linked: list[tuple[int, str]] = []

    def _place_figures(self) -> None:
        """The figures beside the layers: the tab widget and the panel share a row."""
        layout = self.ui.mainLayout
        index = layout.indexOf(self.ui.layerTabs)
        layout.removeWidget(self.ui.layerTabs)
        row = QHBoxLayout()
        row.addWidget(self.ui.layerTabs, 1)
        row.addWidget(self.figures)
        layout.insertLayout(index, row, 1)

    def _add_actions(self) -> None:
        self.copy_button = QPushButton("K&opieren", self)
        self.copy_button.setToolTip("Neue Staffelberechnung mit allen Angaben außer der Gültigkeit")
        self.delete_button = QPushButton("L&öschen …", self)
        self.transfer_button = QPushButton("&Übertragen …", self)
        self.transfer_button.setToolTip("Die Staffel in die Abrechnungsdaten des Kindes übernehmen; die nächste "
                                        "Sollstellung berechnet abgerechnete Monate nach")
        self.sheet_button = QPushButton("Berechnungsbla&tt …", self)
        self.follow_up_button = QPushButton("&Wiedervorlage …", self)
        buttons = self.ui.buttonLayout
        for position, button in enumerate((self.copy_button, self.delete_button, self.transfer_button,
                                           self.sheet_button, self.follow_up_button), start=2):
            buttons.insertWidget(position, button)
        self.copy_button.clicked.connect(self.copy)
        self.delete_button.clicked.connect(self.delete)
        self.transfer_button.clicked.connect(lambda: self._stored_action(self.transfer_requested))
        self.sheet_button.clicked.connect(lambda: self._stored_action(self.sheet_requested))
        self.follow_up_button.clicked.connect(lambda: self._stored_action(self.follow_up_requested))

    # layer editor hooks ---------------------------------------------------------------------------
    def load(self, record_id: int) -> AssessmentRecord:
        return record_of(assessments.get_assessment(self.context.db, record_id, today=self.today()))

    def populate(self, record: AssessmentRecord | None) -> None:
        dto = record.dto if record is not None else None
        a = dto.assessment if dto is not None else IncomeAssessment(child_id=None, facility_id=self.basic.facility
                                                                    .currentData(), valid_from=None, version=0)
        siblings = ", ".join(s.name + (f" ({format_date(s.birth_date)})" if s.birth_date else "")
                             for s in dto.siblings) if dto else ""
        status = (a.status.label if a.id is not None else "neu")
        self.basic.set_assessment(a, dto.child_name if dto else "", siblings, status)
        self._set_people(dto)
        for index, layer in enumerate(self.people):
            layer.set_person(a.persons[index] if index < len(a.persons) else None)
        self.protocol.setPlainText(self._protocol_text(dto))
        stored = a.id is not None
        for button in (self.delete_button, self.transfer_button, self.sheet_button, self.follow_up_button,
                       self.copy_button):
            button.setEnabled(stored)
        self.recalculate()

    def collect(self) -> IncomeAssessment:
        assessment, errors = self._read()
        if errors:
            raise ValidationError(errors)
        return assessment

    def store(self, data: IncomeAssessment, record_id: int | None, version: int | None) -> AssessmentRecord:
        data = replace(data, id=record_id, version=version if version is not None else 0)
        dto = assessments.save_assessment(self.context.db, self.context.organization_id, data, today=self.today())
        if dto.closed_previous is not None:
            closed = dto.closed_previous
            self.notice_after_save = (f"Die vorherige Staffelberechnung ab {closed.valid_from} wurde zum "
                                      f"{closed.valid_to} beendet.")
        return record_of(dto)

    def describe(self, record: AssessmentRecord) -> str:
        a = record.dto.assessment
        return f"{record.dto.child_name} ab {a.valid_from}" if a.valid_from else record.dto.child_name

    def save(self, and_new: bool = False) -> bool:
        self.notice_after_save = ""
        done = super().save(and_new)
        if done and self.notice_after_save:
            self.notice.show(self.notice_after_save, "info")
        return done

    # reading and live figures -----------------------------------------------------------------------
    def _read(self) -> tuple[IncomeAssessment, list[FieldError]]:
        values, errors = self.basic.read()
        persons = []
        for layer in self.people:
            person, person_errors = layer.collect()
            errors += person_errors
            if person is not None:
                persons.append(person)
        record = self.record
        base = record.dto.assessment if record is not None else None
        assessment = IncomeAssessment(
            persons=tuple(persons), status=base.status if base else AssessmentStatus.NOT_TRANSFERRED,
            id=base.id if base else None, version=base.version if base else 0, **values)
        return assessment, errors

    def recalculate(self, *_args) -> None:
        """The figures as typed: the domain computes them from what parses so far."""
        assessment, _errors = self._read()
        self.figures.show_calculation(calculate(assessment, self.config))

    def live_errors(self) -> list[FieldError]:
        """The domain's errors for the form as it stands (shown on save; tests use it)."""
        assessment, errors = self._read()
        linked = frozenset(person_id for person_id, _name in self._linked)
        return errors + validation_errors(assessment, self.config, linked, ())

    # people ------------------------------------------------------------------------------------------
    def _set_people(self, dto: AssessmentDTO | None) -> None:
        self._linked = [(p.person_id, f"{p.name} ({p.relation})" if p.relation else p.name)
                        for p in (dto.linked_persons if dto else ())]
        for layer in self.people:
            layer.set_people(self._linked)

    def _child_chosen(self, child_id: int | None) -> None:
        """A new assessment: the child's guardians become the choices, the first two preselected."""
        if self._loading or child_id is None or self.record is not None:
            return
        self.basic.choose_facility_of(child_id)
        dto = assessments.new_assessment(self.context.db, child_id, self.basic.facility.currentData(),
                                         today=self.today())
        self._set_people(dto)
        for index, layer in enumerate(self.people):
            persons = dto.assessment.persons
            layer.set_person(persons[index] if index < len(persons) else None)
        self.basic.siblings.setText(", ".join(s.name for s in dto.siblings) or "keine")
        self.recalculate()

    @staticmethod
    def _protocol_text(dto: AssessmentDTO | None) -> str:
        if dto is None or not dto.transfers:
            return "Noch nicht übertragen."
        parts = []
        for t in dto.transfers:
            stamp = t.transferred_at.astimezone().strftime("%d.%m.%Y %H:%M")
            parts.append(f"Übertragen am {stamp} von {t.transferred_by}: Staffel {t.tier}, gültig {t.valid}; "
                         f"die Sollstellung {t.run_month} berechnet abgerechnete Monate nach.")
            parts += [f"  {line}" for line in t.lines]
            parts.append("")
        return "\n".join(parts).rstrip()

    # actions ----------------------------------------------------------------------------------------
    def _stored_action(self, signal) -> None:
        if self.record is None:
            return
        if self.is_dirty() and not self.save():
            return  # an action works on what is stored
        signal.emit(self.record)

    def copy(self) -> bool:
        """„Kopieren“: a new, unsaved assessment with everything but the validity."""
        if self.record is None or not self.confirm_leave():
            return False
        dto = assessments.copy_assessment(self.context.db, self.record.id, today=self.today())
        self._show(None)
        self._loading = True
        try:
            self.record = None
            a = dto.assessment
            self.basic.set_assessment(a, dto.child_name, ", ".join(s.name for s in dto.siblings), "neu (Kopie)")
            self._set_people(dto)
            for index, layer in enumerate(self.people):
                layer.set_person(a.persons[index] if index < len(a.persons) else None)
        finally:
            self._loading = False
        self._on_edit()
        self.recalculate()
        self.notice.show("Kopie: bitte „Gültig ab“ eintragen und speichern; die bisherige Staffelberechnung wird "
                         "dann zum Vormonat beendet.", "info")
        self.basic.valid_from.setFocus()
        return True

    def delete(self) -> bool:
        if self.record is None:
            return False
        try:
            question = assessments.delete_question(self.context.db, self.record.id, today=self.today())
        except ValidationError as exc:
            self.notice.show(str(exc), "error")
            return False
        if ask(self, "Staffelberechnung löschen", question, ["Löschen", "Abbrechen"]) != "Löschen":
            return False
        try:
            assessments.delete_assessment(self.context.db, self.record.id, self.record.version, confirmed=True,
                                          today=self.today())
        except ValidationError as exc:
            self.notice.show(str(exc), "error")
            return False
        deleted = self.record.id
        self._set_dirty(False)
        self._show(None)
        self.saved.emit(deleted)  # the list reloads
        return True
