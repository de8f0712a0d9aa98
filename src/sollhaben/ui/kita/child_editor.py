"""The child editor: the layer editor with the layers Kind, Verträge, Sorgeberechtigte & Zahler and
Abrechnungsdaten (the billing periods with their sub-layers).

"Speichern" stores what changed, each record through its service and in this order: the child
(a new one with its person, or name, birth date and notes), guardians, the payer list, the contract
in the form, then the billing period in the form. Each of these is one unit of work that stores
nothing while an error stands; when a later one is refused the earlier ones stay stored, the
editor keeps their new versions and shows the errors of the refused one at its fields.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from PySide6.QtWidgets import QWidget

from sollhaben.domain.errors import ConflictError, ErrorCollector, FieldError, ValidationError
from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import PersonInput, UnitKind
from sollhaben.domain.months import Month
from sollhaben.services import organizations, persons
from sollhaben.services.dto import PersonRow
from sollhaben.services.kita import billing_data, children
from sollhaben.services.kita.dto import ChildDTO, GuardianInput
from sollhaben.services.unit_of_work import unit_of_work
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import ask
from sollhaben.ui.kita.child_layers import ChildBasicLayer, ContractsLayer, FamilyLayer
from sollhaben.ui.kita.period_panel import PeriodPanel
from sollhaben.ui.kita.widgets_errors import register_group
from sollhaben.ui.layer_editor import LayerEditor

_PAYER_INDEX = re.compile(r"^(payers|extra_siblings)\[(\d+)\]$")


@dataclass
class ChildForm:
    last_name: str
    first_name: str
    birth_date: date | None
    picked_person_id: int | None
    notes: str
    guardians: list[GuardianInput]
    payer_ids: list[int]
    contract: m.Contract | None
    contract_note: str
    period: m.BillingPeriod | None


class ChildEditor(LayerEditor):
    new_title = "Neues Kind"

    def __init__(self, context: AppContext, rows: Callable[[], list[PersonRow]], parent: QWidget | None = None,
                 today: Callable[[], date] = date.today, child_rows: Callable[[], list] = list) -> None:
        super().__init__(parent)
        self.context, self.today = context, today
        self._keep_contract: int | None = None
        self._keep_period: int | None = None
        self.basic = ChildBasicLayer(rows, self)
        self.contracts = ContractsLayer(self, lambda: self.today())
        self.family = FamilyLayer(rows, lambda: self.record.person_id if self.record else None, self)
        self.periods = PeriodPanel(context.db, lambda: context.country, lambda: self.today(), self, child_rows)
        for title, widget in (("&Kind", self.basic), ("&Verträge", self.contracts),
                              ("Sorgeberechtigte && &Zahler", self.family)):
            self.add_layer(title, widget)
        self.add_layer("&Abrechnungsdaten", self.periods, tracked=False)
        for part in self.periods.tracked_widgets():
            for child in part.findChildren(QWidget):
                self.track(child)
        self._register_fields()
        self.contracts.loaded.connect(lambda: self.rebaseline(self.contracts.ui.contractGroup))
        self.family.payers_changed.connect(lambda: self.periods.set_payers(self.family.payers()))
        self.periods.load_requested.connect(self.load_period)
        self.periods.delete_requested.connect(self.delete_period)
        self.periods.income.transfer_requested.connect(self.transfer_assessment)

    def _register_fields(self) -> None:
        b, c, f = self.basic.ui, self.contracts.ui, self.family.ui
        for field, widget in (("last_name", b.lastNameEdit), ("first_name", b.firstNameEdit),
                              ("birth_date", b.birthDateEdit), ("person_id", b.pickEdit), ("notes", b.notesEdit),
                              ("contract.facility_id", c.facilityCombo), ("contract.status", c.statusCombo),
                              ("contract.registered_on", c.registeredEdit), ("contract.first_day", c.firstDayEdit),
                              ("contract.last_day", c.lastDayEdit), ("contract.note", c.contractNoteEdit)):
            self.errors.register(field, widget)
        self.errors.register_table("guardians", f.guardiansTable,
                                   {"person_id": 0, "relation": 1, "valid_from": 2, "valid_to": 3},
                                   f.guardianMessageLabel)
        self.errors.register_table("payers", f.payersTable, {"person_id": 0}, f.payerMessageLabel)
        register_group(self.errors, {"payers": f.payersTable}, f.payerMessageLabel)
        self.periods.register_errors(self.errors)

    def rebaseline(self, root: QWidget) -> None:
        """The widgets under `root` were loaded with another record part: their values are the new
        unchanged state (the other layers keep theirs)."""
        baseline = list(self._baseline)
        for i, (widget, value) in enumerate(self._tracked):
            if i < len(baseline) and (widget is root or root.isAncestorOf(widget)):
                baseline[i] = value(widget)
        self._baseline = tuple(baseline)
        self._on_edit()

    def _part_changed(self, roots: list[QWidget]) -> bool:
        return any(value(widget) != self._baseline[i] for i, (widget, value) in enumerate(self._tracked)
                   if any(root.isAncestorOf(widget) for root in roots))

    # hooks ------------------------------------------------------------------------------------
    def load(self, record_id: int) -> ChildDTO:
        return children.get_child(self.context.db, record_id)

    def describe(self, record: ChildDTO) -> str:
        return f"{record.display_name} (Kind Nr. {record.id})"

    def populate(self, child: ChildDTO | None) -> None:
        org = self.context.organization
        units = organizations.list_units(self.context.db, org.id, UnitKind.FACILITY.value) if org else []
        self.contracts.set_facilities(units)
        if self.record_id != getattr(self, "_shown_id", None):
            self._keep_contract = self._keep_period = None
        self._shown_id = self.record_id
        self.basic.set_child(child)
        self.contracts.set_child(child, self._keep_contract)
        self.family.set_child(child)
        self.periods.set_child(child, self.family.payers(), self._keep_period)
        self.ui.layerTabs.setTabEnabled(3, child is not None)
        if child is None:
            self.ui.layerTabs.setCurrentIndex(0)
            self.basic.ui.pickEdit.setFocus()

    def collect(self) -> ChildForm:
        errors = ErrorCollector()
        last, first, birth = self.basic.read(errors)
        guardians, payer_ids = self.family.read(errors)
        child_id = self.record.id if self.record else 0
        contract, note = self.contracts.read(child_id, errors)
        period = self.periods.collect(errors) if self.record is not None and self._part_changed(
            self.periods.tracked_widgets()) or (self.periods.active and self.periods.current is None) else None
        errors.raise_if_any()
        picked = self.basic.picked.id if self.basic.picked and self.record is None else None
        return ChildForm(last, first, birth, picked, self.basic.ui.notesEdit.toPlainText().strip(), guardians,
                         payer_ids, contract, note, period)

    def store(self, data: ChildForm, record_id: int | None, version: int | None) -> ChildDTO:
        """Child, person, guardians, payers, contract and period in ONE transaction: a refused
        period leaves the child part unsaved too, and the form keeps what was loaded."""
        db = self.context.db
        before = self.record
        try:
            with unit_of_work(db, "Das Kind"):
                child, contract, period = self._store_all(data)
        except BaseException:
            self.record = before
            raise
        if contract is not None:
            self.contracts.stored(contract)
            self._keep_contract = contract.contract.id
        if period is not None:
            self._keep_period = period.period.id
        return children.get_child(db, child.id)

    def _store_all(self, data: ChildForm):
        db = self.context.db
        child = self.record
        if child is None:
            if data.picked_person_id is not None:
                child = children.create_child(db, self.context.organization_id, person_id=data.picked_person_id,
                                              notes=data.notes, today=self.today())
            else:
                child = children.create_child(db, self.context.organization_id, PersonInput(
                    "NATURAL", data.last_name, data.first_name, birth_date=data.birth_date), notes=data.notes,
                    today=self.today())
            self.record = child
        else:
            child = self._store_person(child, data)
        wanted = [(g.person_id, g.relation, g.valid_from, g.valid_to) for g in data.guardians]
        if wanted != [(g.person_id, g.relation, g.valid_from, g.valid_to) for g in child.guardians]:
            child = self.record = children.save_guardians(db, child.id, child.version, data.guardians)
        if data.payer_ids != [p.person_id for p in child.payers]:
            child = self.record = children.save_payers(db, child.id, child.version, data.payer_ids)
        saved = None
        if self.contracts.changed(data.contract, data.contract_note):
            contract = replace(data.contract, child_id=child.id)
            try:
                saved = children.save_contract(db, contract, data.contract_note)
            except ValidationError as exc:
                raise ValidationError([FieldError(f"contract.{e.field}" if e.field else "contract.first_day",
                                                  e.message) for e in exc.errors]) from None
        period = None
        if data.period is not None:
            period = billing_data.save_period(db, replace(data.period, child_id=child.id))
        return child, saved, period

    def _store_person(self, child: ChildDTO, data: ChildForm) -> ChildDTO:
        db = self.context.db
        if (data.last_name, data.first_name, data.birth_date) != (child.last_name, child.first_name, child.birth_date):
            person = persons.get_person(db, child.person_id)
            if (person.last_name, person.first_name, person.birth_date) != (
                    child.last_name, child.first_name, child.birth_date):
                from sollhaben.domain.errors import ConflictError
                raise ConflictError("Die Person des Kindes")
            persons.save_person(db, child.organization_id, PersonInput(
                person.kind, data.last_name, data.first_name, person.salutation, data.birth_date, person.address,
                person.address_extra, person.phone, person.email, person.language, person.note,
                person.bank_accounts, person.roles), person.id, person.version, today=self.today())
            child = self.record = children.get_child(db, child.id)
        if data.notes != child.notes:
            child = self.record = children.update_child(db, child.id, child.version, data.notes)
        return child

    # errors -----------------------------------------------------------------------------------
    def show_errors(self, errors: list[FieldError]) -> None:
        mapped = []
        for error in errors:
            field = error.field
            match = _PAYER_INDEX.match(field)
            if match:
                field = f"{match[1]}[{match[2]}].{'person_id' if match[1] == 'payers' else 'child_id'}"
            field = self.periods.map_error_field(field)
            mapped.append(replace(error, field=field))
        super().show_errors(mapped)
        widgets = [w for w in (self.errors.widget_for(e.field) for e in mapped) if w is not None]
        self.periods.mark_error_tabs(widgets)
        if widgets and self.periods.isAncestorOf(widgets[0]):
            widgets[0].setFocus()

    def clear_errors(self) -> None:
        super().clear_errors()
        self.periods.mark_error_tabs([])

    # periods --------------------------------------------------------------------------------------
    def _period_changed(self) -> bool:
        return self._part_changed(self.periods.tracked_widgets()) or (
            self.periods.active and self.periods.current is None)

    def load_period(self, target: int | Month | None) -> bool:
        """Another period (id), a new one (None) or a new one from a month, into the form."""
        if self.record is None:
            return False
        if self._period_changed() and ask(
                self, "Zeitraum geändert", "Die Änderungen am angezeigten Zeitraum verwerfen?",
                ["Verwerfen", "Abbrechen"]) != "Verwerfen":
            self.periods._select_row(self.periods.current.period.id if self.periods.current else None)
            return False
        self._loading = True
        try:
            if isinstance(target, Month):
                self.periods.load_period(None, self.family.payers(), start=target)
            else:
                self.periods.load_period(target, self.family.payers())
        finally:
            self._loading = False
        if self.periods.current is not None:
            self.rebaseline(self.periods)
        else:  # a new period is a change of its own: its widgets keep the old baseline
            self._on_edit()
            self._set_dirty(True)
            self.periods.tabs.setCurrentIndex(0)
            self.periods.basic.ui.validFromEdit.setFocus()
        return True

    def transfer_assessment(self, assessment_id: int, version: int) -> bool:
        """„Übertragen“ from the child's layer Staffelberechnung, on the worker (it reads the facility
        as the billing run does). The periods change, so unsaved input is saved first (or the clerk
        keeps it and transfers later); then the periods reload and the protocol opens."""
        from sollhaben.services.income.transfer import transfer_assessment

        if self.is_dirty():
            self.notice.show("Bitte zuerst speichern oder zurücksetzen: Das Übertragen ändert die Zeiträume der "
                             "Abrechnungsdaten.", "error")
            return False
        db, today = self.context.db, self.today()

        def work(_progress):
            return transfer_assessment(db, assessment_id, db.user, version=version, today=today)

        self.periods.income.transfer_button.setEnabled(False)
        runner = self.context.worker
        if runner is None:  # tools and tests without the app's worker
            try:
                self._transferred(work(None))
            except Exception as exc:  # noqa: BLE001 - shown like a worker failure
                self._transfer_failed(exc)
            return True
        runner.submit("Staffelberechnung übertragen", work, on_done=self._transferred,
                      on_error=self._transfer_failed, owner=self)
        return True

    def _transfer_failed(self, exc: BaseException) -> None:
        self.periods.income.transfer_button.setEnabled(True)
        message = ("Die Staffelberechnung oder die Abrechnungsdaten wurden inzwischen geändert – bitte neu laden."
                   if isinstance(exc, ConflictError) else str(exc))
        self.notice.show(message, "error")

    def _transferred(self, result) -> None:
        from sollhaben.ui.income.assessments_page import ProtocolDialog

        self._keep_period = None
        self._show(self.load(self.record.id))
        self.notice.show(f"Übertragen: Staffel {result.tier} für {result.valid}; {result.periods_changed} Zeiträume "
                         f"geändert, {result.periods_created} angelegt. Die Sollstellung {result.run_month} berechnet "
                         "abgerechnete Monate nach.", "info")
        self.protocol_dialog = ProtocolDialog(f"Protokoll – {result.heading}", result.lines, self)
        self.protocol_dialog.open()

    def delete_period(self, period_id: int) -> None:
        dto = self.periods.current
        if dto is None or ask(self, "Zeitraum löschen", f"Den Zeitraum {dto.period.valid} löschen?",
                              ["Löschen", "Abbrechen"]) != "Löschen":
            return
        try:
            billing_data.delete_period(self.context.db, period_id, dto.period.version)
        except ValidationError as exc:
            self.notice.show(exc.errors[0].message, "error")
            return
        self._keep_period = None
        self._show(self.load(self.record.id))
