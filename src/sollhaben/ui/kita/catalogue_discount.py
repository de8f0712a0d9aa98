"""The editor of a discount (Ermäßigung): name, kind, and per version its value — a fixed amount,
a percentage, or the sibling ladder (percent for the 2nd, 3rd and 4th and later child)."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Callable

from PySide6.QtWidgets import QWidget

from sollhaben.domain.errors import ErrorCollector, FieldError
from sollhaben.domain.kita.model import Discount, DiscountKind, DiscountVersion
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence.database import Database
from sollhaben.services.kita import catalogue
from sollhaben.services.kita import catalogue_rules as rules
from sollhaben.services.kita.dto import DiscountDTO
from sollhaben.ui.forms.ui_kita_catalogue_discount import Ui_DiscountDialog
from sollhaben.ui.kita.catalogue_dialog import CatalogueEntryDialog
from sollhaben.ui.kita.catalogue_input import format_percent, parse_money_text, parse_percent_text
from sollhaben.ui.kita.catalogue_versions import VersionsWidget

LADDER = ("second", "third", "fourth")  # the ladder's columns: 2nd, 3rd, 4th and later child
VALUE_COLUMNS = (("fixed", "Betrag", 110), ("percent", "Prozent", 90), ("second", "2. Kind %", 85),
                 ("third", "3. Kind %", 85), ("fourth", "ab 4. Kind %", 95))
SHOWN = {DiscountKind.FIXED: {"fixed"}, DiscountKind.PERCENT: {"percent"}, DiscountKind.SIBLING_LADDER: set(LADDER)}
HINTS = {
    DiscountKind.FIXED: "Fester Betrag je Monat (bei Monatstagen je Tag, bei Einzelbeträgen je Einheit).",
    DiscountKind.PERCENT: "Prozent des unermäßigten Beitrags; mehrere Prozente werden nicht aufeinander gerechnet.",
    DiscountKind.SIBLING_LADDER: "Prozent nach Stellung unter den betreuten Geschwistern (das älteste ist das "
                                 "1. Kind).",
}
_LADDER_FIELD = re.compile(r"^(versions\[\d+\])\.ladder(?:\[(\d+)\])?$")


class DiscountDialog(CatalogueEntryDialog):
    """Create (`dto=None`) or edit a discount with its versions."""

    title_new, title_edit = "Neue Ermäßigung", "Ermäßigung"

    def __init__(self, db: Database, organization_id: int, currency: str, country: str,
                 dto: DiscountDTO | None = None, parent: QWidget | None = None,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(db, organization_id, currency, country, parent, today)
        self.ui = Ui_DiscountDialog()
        self.ui.setupUi(self)
        versions = VersionsWidget(VALUE_COLUMNS, self, today)
        self.ui.versionsBoxLayout.addWidget(versions)
        self._setup(self.ui.summaryLabel, self.ui.buttonBox, versions, dict(versions.columns))
        ui = self.ui
        for kind in DiscountKind:
            ui.kindCombo.addItem(kind.label, kind.value)
        self.errors.register("name", ui.nameEdit)
        self.errors.register("kind", ui.kindCombo)
        ui.kindCombo.currentIndexChanged.connect(lambda _i: self._kind_changed())
        v = versions.ui
        chain = (ui.nameEdit, ui.kindCombo, v.versionTable, v.newVersionButton, v.newVersionEdit,
                 v.removeVersionButton, ui.buttonBox)
        for first, second in zip(chain, chain[1:]):
            self.setTabOrder(first, second)
        self.load(dto)
        ui.nameEdit.setFocus()

    def _name(self, dto: DiscountDTO) -> str:
        return dto.discount.name

    def _entry_id(self, dto: DiscountDTO) -> int:
        return dto.discount.id

    def kind(self) -> DiscountKind:
        return DiscountKind(self.ui.kindCombo.currentData())

    def _load_entry(self, dto: DiscountDTO | None) -> None:
        ui = self.ui
        if dto is None:
            name, kind = "", DiscountKind.PERCENT
            rows = [(None, Validity(Month.of(self.today())), None, {}, [])]
        else:
            name, kind = dto.discount.name, dto.discount.kind
            rows = [(v.id, v.valid, dto.billed_through.get(v.id), self._texts(v), []) for v in dto.discount.versions]
        ui.nameEdit.setText(name)
        ui.kindCombo.setCurrentIndex(ui.kindCombo.findData(kind.value))
        billed = bool(dto and dto.billed_through)
        ui.kindCombo.setEnabled(not billed)
        ui.kindCombo.setToolTip("Schon abgerechnet: die Art kann nicht mehr geändert werden." if billed else "")
        self.versions.load(rows)
        self._kind_changed()

    def _texts(self, version: DiscountVersion) -> dict[str, str]:
        texts = {"fixed": self.money_text(version.fixed), "percent": format_percent(version.percent)}
        texts.update({name: format_percent(value) for name, value in zip(LADDER, version.ladder)})
        return texts

    def _kind_changed(self) -> None:
        self.versions.show_columns(SHOWN[self.kind()])
        self.ui.modeHintLabel.setText(HINTS[self.kind()])

    def _form_snapshot(self) -> tuple:
        return self.ui.nameEdit.text(), self.ui.kindCombo.currentData()

    # reading and storing ---------------------------------------------------------------------------
    def _version(self, row: int) -> tuple[DiscountVersion | None, list[FieldError]]:
        valid, problems = self.versions.validity(row)
        kind, field, text = self.kind(), f"versions[{row}]", lambda name: self.versions.text(row, name)
        fixed, percent, ladder = None, None, []
        if kind is DiscountKind.FIXED:
            fixed, errors = parse_money_text(text("fixed"), self.currency, f"{field}.fixed", "Betrag")
            problems += errors
        elif kind is DiscountKind.PERCENT:
            percent, errors = parse_percent_text(text("percent"), f"{field}.percent", "Prozent")
            problems += errors
        else:
            gap = None
            for position, name in enumerate(LADDER, start=2):
                value, errors = parse_percent_text(text(name), f"{field}.{name}",
                                                   f"Geschwisterstaffel {position}. Kind")
                problems += errors
                if not text(name):
                    gap = gap or position
                elif gap is not None:
                    problems.append(FieldError(f"{field}.{name}", f"Geschwisterstaffel: Bitte zuerst den "
                                                                  f"Prozentsatz für das {gap}. Kind eingeben."))
                else:
                    ladder.append(value if value is not None else Decimal("0"))
        if valid is None:
            return None, problems
        state = self.versions.state(row)
        return DiscountVersion(valid, fixed=fixed, percent=percent, ladder=tuple(ladder), id=state.id), problems

    def _entry(self, versions: tuple) -> tuple[Discount, list[FieldError]]:
        discount_id = self.dto.discount.id if self.dto is not None else None
        return Discount(self.ui.nameEdit.text(), self.kind(), versions, id=discount_id), []

    def _validate(self, entry: Discount, errors: ErrorCollector) -> None:
        rules.validate_discount(entry, errors)

    def _store(self, entry: Discount) -> DiscountDTO:
        return catalogue.save_discount(self.db, self.organization_id, entry,
                                       self.dto.version if self.dto is not None else None)

    def _fetch(self, entry_id: int) -> DiscountDTO:
        return catalogue.get_discount(self.db, entry_id)

    def _map_field(self, name: str) -> tuple[str, int | None]:
        """`versions[1].ladder[0]` → the cell of the 2nd child; `versions[1].ladder` → that column too."""
        match = _LADDER_FIELD.match(name)
        if match is None:
            return name, None
        index = int(match[2]) if match[2] is not None else 0
        return f"{match[1]}.{LADDER[min(index, len(LADDER) - 1)]}", None
