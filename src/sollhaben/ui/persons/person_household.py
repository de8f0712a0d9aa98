"""The "Haushalt" layer: the person's households with members and dates, and new memberships.

Memberships are stored at once through services.households (they are records of their own, not
fields of the person), so this layer does not count for the editor's dirty tracking.
"""
from __future__ import annotations

import re
from typing import Callable

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import QCompleter, QHeaderView, QTreeWidgetItem, QWidget

from sollhaben.domain.errors import ErrorCollector, FieldError, NotFoundError, ValidationError
from sollhaben.domain.formatting import format_date, parse_date, parse_optional_date
from sollhaben.persistence.database import Database
from sollhaben.services import households
from sollhaben.services.dto import HouseholdDTO, PersonDTO, PersonRow
from sollhaben.ui.field_errors import FieldErrorView
from sollhaben.ui.forms.ui_person_household import Ui_PersonHouseholdLayer

RELATIONS = (("parent", "Elternteil"), ("child", "Kind"), ("partner", "Partner/in"), ("other", "Sonstige"))
_RELATION_LABELS = dict(RELATIONS)
_NUMBER = re.compile(r"(?:Nr\.\s*)?(\d+)\)?\s*$")


class HouseholdLayer(QWidget):
    changed = Signal()  # a membership was added

    def __init__(self, db: Database, organization_id: Callable[[], int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_PersonHouseholdLayer()
        self.ui.setupUi(self)
        self.db, self._organization_id = db, organization_id
        self.person: PersonDTO | None = None
        self._households: list[HouseholdDTO] = []
        self._rows: Callable[[], list[PersonRow]] = list
        self._completer: QCompleter | None = None
        self.errors = FieldErrorView(self)
        for field, widget in (("name", self.ui.newHouseholdEdit), ("valid_from", self.ui.validFromEdit),
                              ("valid_to", self.ui.validToEdit), ("household", self.ui.householdCombo)):
            self.errors.register(field, widget)
        for code, label in RELATIONS:
            self.ui.relationCombo.addItem(label, code)
        header = self.ui.householdTree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.ui.householdCombo.currentIndexChanged.connect(self._household_chosen)
        self.ui.personLookupEdit.textEdited.connect(self._ensure_completer)
        self.ui.addMembershipButton.clicked.connect(self.add_membership)

    def set_person_source(self, rows: Callable[[], list[PersonRow]]) -> None:
        """Where the lookup finds other persons (the list's rows, already in memory)."""
        self._rows, self._completer = rows, None

    def set_person(self, person: PersonDTO | None) -> None:
        self.person = person
        self.errors.clear()
        self.ui.personLookupEdit.clear()
        self.ui.validFromEdit.clear()
        self.ui.validToEdit.clear()
        self.ui.addGroup.setEnabled(person is not None)
        self._households = [] if person is None else households.households_of_person(self.db, person.id)
        self._fill_tree()
        self._fill_combo(self._households)
        if person is None:
            self.ui.householdHintLabel.setText("Haushalte können nach dem ersten Speichern zugeordnet werden.")
        elif not self._households:
            self.ui.householdHintLabel.setText("Diese Person gehört noch zu keinem Haushalt.")
        else:
            self.ui.householdHintLabel.setText("Haushalte dieser Person mit allen Mitgliedern und Zeiträumen.")

    def _fill_tree(self) -> None:
        tree = self.ui.householdTree
        tree.clear()
        for household in self._households:
            top = QTreeWidgetItem([f"{household.name} (Nr. {household.id})", "", "", ""])
            tree.addTopLevelItem(top)
            for m in household.members:
                item = QTreeWidgetItem([m.person_name, _RELATION_LABELS.get(m.relation, m.relation),
                                        format_date(m.valid_from), format_date(m.valid_to) or "offen"])
                if self.person is not None and m.person_id == self.person.id:
                    font = QFont(item.font(0))
                    font.setBold(True)
                    item.setFont(0, font)
                top.addChild(item)
            top.setExpanded(True)

    def _fill_combo(self, offered: list[HouseholdDTO], select: int | None = None) -> None:
        combo = self.ui.householdCombo
        if select is None:
            combo.clear()
            combo.addItem("Neuer Haushalt", None)
        for household in offered:
            if combo.findData(household.id) < 0:
                combo.addItem(f"{household.name} (Nr. {household.id})", household.id)
        combo.setCurrentIndex(max(0, combo.findData(select)) if select is not None else 0)
        self._household_chosen()

    def _household_chosen(self) -> None:
        new = self.ui.householdCombo.currentData() is None
        self.ui.newHouseholdEdit.setEnabled(new)
        if self.person is not None:
            self.ui.newHouseholdEdit.setPlaceholderText(f"Haushalt {self.person.last_name}")

    # lookup of another person's households -------------------------------------------------
    def _ensure_completer(self) -> None:
        if self._completer is not None:
            return
        labels = [f"{r.last_name}, {r.first_name} (Nr. {r.id})" if r.first_name else f"{r.last_name} (Nr. {r.id})"
                  for r in self._rows()]
        self._completer = QCompleter(QStringListModel(labels, self), self)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self._completer.activated.connect(self._lookup)
        self.ui.personLookupEdit.setCompleter(self._completer)

    def _lookup(self, text: str | None = None) -> None:
        match = _NUMBER.search(text or self.ui.personLookupEdit.text())
        if match is None:
            return
        found = households.households_of_person(self.db, int(match[1]))
        if not found:
            self.ui.householdHintLabel.setText(f"Person Nr. {match[1]} gehört zu keinem Haushalt.")
            return
        self._fill_combo(found, select=found[-1].id)

    # adding a membership ----------------------------------------------------------------------
    def add_membership(self) -> bool:
        if self.person is None:
            return False
        self.errors.clear()
        try:
            valid_from, valid_to = self._period()
            household_id = self.ui.householdCombo.currentData()
            relation = self.ui.relationCombo.currentData()
            if household_id is None:
                name = self.ui.newHouseholdEdit.text().strip() or self.ui.newHouseholdEdit.placeholderText()
                household_id, _ = households.add_to_new_household(
                    self.db, self._organization_id(), name, self.person.id, valid_from, valid_to, relation)
            else:
                households.add_member(self.db, household_id, self.person.id, valid_from, valid_to, relation)
        except ValidationError as exc:
            unplaced = self.errors.show(exc.errors)
            if unplaced:
                self.ui.householdHintLabel.setText(" ".join(e.message for e in unplaced))
            return False
        except NotFoundError as exc:
            self.errors.show([FieldError("household", str(exc))])
            return False
        self.set_person(self.person)
        self.changed.emit()
        return True

    def _period(self):
        """Both dates, checked against the person's own memberships before anything is stored."""
        errors = ErrorCollector()
        valid_from = errors.check("valid_from", parse_date, self.ui.validFromEdit.text(), "Ab")
        valid_to = errors.check("valid_to", parse_optional_date, self.ui.validToEdit.text(), "Bis")
        if valid_from and valid_to and valid_to < valid_from:
            errors.add("valid_to", "Bis: Das Ende der Zugehörigkeit liegt vor ihrem Beginn.")
        for household in self._households if valid_from else ():
            for m in household.members:
                if m.person_id == self.person.id and valid_from <= (m.valid_to or valid_from.max) \
                        and m.valid_from <= (valid_to or valid_from.max):
                    errors.add("valid_from", f"Ab: Die Person gehört vom {format_date(m.valid_from)} an schon "
                               f"zu „{household.name}“; Zeiträume dürfen sich nicht überschneiden.")
        errors.raise_if_any()
        return valid_from, valid_to

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Return inside this layer adds the membership instead of saving the person.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.ui.personLookupEdit.hasFocus():
                self._lookup()
            else:
                self.add_membership()
            return
        super().keyPressEvent(event)
