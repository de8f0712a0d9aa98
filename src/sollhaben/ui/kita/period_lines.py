"""One line of the layers Beitrag and Zusatzkosten: the catalogue entry, the tier, the fields of
its billing mode, up to four discounts (fee lines), the special discount and up to three payers.

A `LineWidget` keeps no state of its own besides its widgets: `raw()` and `set_raw()` move a
line's typed values between positions (removing a line shifts the ones below), `read()` parses
them into the domain line, and `show_preview()` shows the figures the live calculation gives.
All widgets exist from the start (ten lines per layer, hidden while unused), so the editor's
dirty tracking sees every one of them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)

from sollhaben.domain.errors import ErrorCollector, ValidationError
from sollhaben.domain.kita import model as m
from sollhaben.domain.money import Money, parse_amount

MUTED = "color: #555;"
SMALL = "color: #555; font-size: 8pt;"


@dataclass
class RawLine:
    """What the clerk typed in one line, unparsed."""

    entry_id: int | None = None
    tier: int | None = None
    count: str = ""
    amount: str = ""
    reset: bool = False
    discounts: list = field(default_factory=lambda: [None] * m.MAX_DISCOUNTS_PER_LINE)
    special: str = ""
    payers: list = field(default_factory=lambda: [(None, "", False)] * m.MAX_PAYERS_PER_LINE)


def select_data(combo: QComboBox, value, missing_label: str = "") -> None:
    """Select the item whose data is `value`; add it (with `missing_label`) when it is not offered."""
    index = combo.findData(value)
    if index < 0 and value is not None:
        combo.addItem(missing_label or f"Nr. {value}", value)
        index = combo.count() - 1
    combo.setCurrentIndex(max(index, 0))


def fill_combo(combo: QComboBox, items: list[tuple[object, str]], blank: str = "") -> None:
    """Replace the items, keeping the selected value when it is still offered."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(blank, None)
    for value, label in items:
        combo.addItem(label, value)
    combo.blockSignals(False)
    index = combo.findData(current)
    combo.setCurrentIndex(max(index, 0))


def _edit(width: int, placeholder: str = "", align_right: bool = True) -> QLineEdit:
    edit = QLineEdit()
    edit.setFixedWidth(width)
    edit.setPlaceholderText(placeholder)
    if align_right:
        edit.setAlignment(Qt.AlignmentFlag.AlignRight)
    return edit


def _label(text: str = "", style: str = MUTED, width: int | None = None) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(style)
    if width:
        label.setMinimumWidth(width)
    return label


class PayerRow:
    def __init__(self, parent: QWidget, number: int) -> None:
        self.combo = QComboBox(parent)
        self.combo.setFixedWidth(160)
        self.combo.setToolTip(f"Zahler {number} (aus der Zahlerliste des Kindes)")
        self.share = _edit(70, "Anteil")
        self.share.setToolTip("Anteil des Zahlers (bei Monatstagen je Tag, bei Anzahl je Einheit)")
        self.rest = QCheckBox("Rest", parent)
        self.rest.setToolTip("Restbeitrag: Der Zahler übernimmt, was die anderen übrig lassen")
        self.open = _label("", SMALL, 80)
        self.rest.toggled.connect(lambda on: self.share.setEnabled(not on))

    def widgets(self) -> list[QWidget]:
        return [self.combo, self.share, self.rest, self.open]


class LineWidget(QFrame):
    changed = Signal()
    remove_requested = Signal(int)

    def __init__(self, kind: m.LineKind, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind, self.index = kind, index
        self.mode: m.BillingMode | None = None
        self.setObjectName(f"{'fee' if kind is m.LineKind.FEE else 'extra'}Line{index}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        fee = kind is m.LineKind.FEE
        self.number = _label(f"{index + 1}.", "font-weight: 600;", 22)
        self.entry = QComboBox(self)
        self.entry.setFixedWidth(230)
        self.entry.setToolTip("Beitragsgruppe" if fee else "Zusatzkosten")
        self.tier = QComboBox(self)
        self.tier.setFixedWidth(160)
        self.tier.setToolTip("Staffel")
        self.tier.setVisible(fee)
        self.count = _edit(55, "Anzahl")
        self.count.setToolTip("Anzahl seit der letzten Sollstellung (die Sollstellung setzt sie auf 0)")
        self.amount = _edit(90, "Betrag")
        self.amount.setToolTip("Betrag des Monats")
        self.reset = QCheckBox("bei Sollstellung zurücksetzen", self)
        self.figure = _label("", MUTED)
        self.remove = QToolButton(self)
        self.remove.setText("✕")
        self.remove.setToolTip("Zeile entfernen")
        self.remove.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        head = QHBoxLayout()
        head.setSpacing(6)
        for widget in (self.entry, self.tier, self.count, self.amount, self.reset, self.figure):
            head.addWidget(widget)
        head.addStretch(1)
        head.addWidget(self.remove)
        grid.addWidget(self.number, 0, 0)
        grid.addLayout(head, 0, 1)
        self.discounts: list[QComboBox] = []
        self.discount_labels: list[QLabel] = []
        self.special = _edit(80, "0,00")
        self.special.setToolTip("Sonderermäßigung: freier Betrag (nicht bei Abrechnung nach Anzahl)")
        self.special_label = _label("", SMALL)
        row = 1
        if fee:
            box = QGridLayout()
            box.setHorizontalSpacing(6)
            box.setVerticalSpacing(0)
            box.addWidget(_label("Ermäßigung:"), 0, 0)
            for k in range(m.MAX_DISCOUNTS_PER_LINE):
                combo = QComboBox(self)
                combo.setFixedWidth(130)
                combo.setToolTip(f"Ermäßigung {k + 1}")
                label = _label("", SMALL)
                box.addWidget(combo, 0, k + 1)
                box.addWidget(label, 1, k + 1)
                self.discounts.append(combo)
                self.discount_labels.append(label)
            self.special_title = _label("Sonderermäßigung:")
            box.addWidget(self.special_title, 0, 5)
            box.addWidget(self.special, 0, 6)
            box.addWidget(self.special_label, 1, 6)
            box.setColumnStretch(7, 1)
            grid.addLayout(box, row, 1)
            row += 1
        else:  # extra costs know no discounts
            self.special.setParent(self)
            self.special_label.setParent(self)
            self.special.hide()
            self.special_label.hide()
        self.payer_title = _label("Zahler:")
        payer_box = QGridLayout()
        payer_box.setHorizontalSpacing(6)
        payer_box.setVerticalSpacing(2)
        payer_box.addWidget(self.payer_title, 0, 0)
        self.payers = [PayerRow(self, j + 1) for j in range(m.MAX_PAYERS_PER_LINE)]
        for j, payer in enumerate(self.payers):  # two payers a row: the line stays narrow
            for k, widget in enumerate(payer.widgets()):
                payer_box.addWidget(widget, j // 2, 1 + (j % 2) * 4 + k)
        payer_box.setColumnStretch(9, 1)
        grid.addLayout(payer_box, row, 1)
        self.result = _label("", MUTED)
        self.result.setWordWrap(True)
        grid.addWidget(self.result, row + 1, 1)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        grid.addWidget(self.message, row + 2, 1)
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self.index))
        for combo in [self.entry, self.tier, *self.discounts, *(p.combo for p in self.payers)]:
            combo.currentIndexChanged.connect(self.changed)
        for edit in [self.count, self.amount, self.special, *(p.share for p in self.payers)]:
            edit.textChanged.connect(self.changed)
        for box_ in [self.reset, *(p.rest for p in self.payers)]:
            box_.toggled.connect(self.changed)
        order = [self.entry, self.tier, self.count, self.amount, self.reset, *self.discounts, self.special,
                 *(w for p in self.payers for w in (p.combo, p.share, p.rest))]
        for before, after in pairwise(order):  # Tab goes through the line as it reads
            QWidget.setTabOrder(before, after)
        self.set_mode(None)

    # fields for the error view ------------------------------------------------------------
    def error_fields(self) -> dict[str, QWidget]:
        prefix = f"{'fee' if self.kind is m.LineKind.FEE else 'extra'}_lines[{self.index}]"
        entry = "fee_group_id" if self.kind is m.LineKind.FEE else "extra_cost_id"
        fields = {f"{prefix}.{entry}": self.entry, f"{prefix}.tier": self.tier, f"{prefix}.count": self.count,
                  f"{prefix}.amount": self.amount, f"{prefix}.reset": self.reset,
                  f"{prefix}.special_discount": self.special, f"{prefix}.payers": self.payers[0].combo}
        if self.discounts:
            fields[f"{prefix}.discount_ids"] = self.discounts[0]
        for k, combo in enumerate(self.discounts):
            fields[f"{prefix}.discount_ids[{k}]"] = combo
        for j, payer in enumerate(self.payers):
            fields.update({f"{prefix}.payers[{j}].payer_id": payer.combo, f"{prefix}.payers[{j}].share": payer.share,
                           f"{prefix}.payers[{j}].takes_remainder": payer.rest})
        return fields

    # mode and visibility --------------------------------------------------------------------
    def set_mode(self, mode: m.BillingMode | None, automatic_tier: bool = False) -> None:
        self.mode = mode
        fee = self.kind is m.LineKind.FEE
        self.tier.setVisible(fee and mode is not None and mode is not m.BillingMode.INDIVIDUAL)
        self.tier.setEnabled(not automatic_tier)
        self.count.setVisible(mode is m.BillingMode.PER_UNIT)
        self.amount.setVisible(mode is m.BillingMode.INDIVIDUAL)
        self.reset.setVisible(mode is m.BillingMode.INDIVIDUAL)
        per_unit = mode is m.BillingMode.PER_UNIT
        self.special.setVisible(fee and not per_unit)
        if fee:
            self.special_title.setVisible(not per_unit)
            self.special_label.setVisible(not per_unit)

    def set_payers_visible(self, visible: bool, note: str = "") -> None:
        """Payer rows in use and one empty (the third only once the second is chosen); none when
        the period's all-fees (all-extras) payer takes the line."""
        for j, payer in enumerate(self.payers):
            shown = visible and (j < 2 or self.payers[1].combo.currentData() is not None
                                 or payer.combo.currentData() is not None)
            for widget in payer.widgets():
                widget.setVisible(shown)
        self.payer_title.setText("Zahler:" if visible else note)

    def set_locked(self, locked: bool) -> None:
        """Read-only under the lock, except what belongs to the next run (count, reset amounts)."""
        for widget in [self.entry, self.tier, self.reset, self.special, *self.discounts,
                       *(w for p in self.payers for w in (p.combo, p.share, p.rest))]:
            widget.setEnabled(not locked)
        self.remove.setEnabled(not locked)
        self.amount.setEnabled(not locked or self.reset.isChecked())
        if not locked:
            for payer in self.payers:
                payer.share.setEnabled(not payer.rest.isChecked())
            self.tier.setEnabled(self.tier.property("automatic") is not True)

    # values ---------------------------------------------------------------------------------
    def raw(self) -> RawLine:
        return RawLine(self.entry.currentData(), self.tier.currentData(), self.count.text(), self.amount.text(),
                       self.reset.isChecked(), [c.currentData() for c in self.discounts] or RawLine().discounts,
                       self.special.text(),
                       [(p.combo.currentData(), p.share.text(), p.rest.isChecked()) for p in self.payers])

    def set_raw(self, raw: RawLine, names: dict[str, dict[int, str]] | None = None) -> None:
        names = names or {}
        select_data(self.entry, raw.entry_id, names.get("entry", {}).get(raw.entry_id, ""))
        select_data(self.tier, raw.tier, f"Staffel {raw.tier}")
        self.count.setText(raw.count)
        self.amount.setText(raw.amount)
        self.reset.setChecked(raw.reset)
        for combo, value in zip(self.discounts, raw.discounts):
            select_data(combo, value, names.get("discount", {}).get(value, ""))
        self.special.setText(raw.special)
        for payer, (payer_id, share, rest) in zip(self.payers, raw.payers):
            select_data(payer.combo, payer_id, names.get("payer", {}).get(payer_id, ""))
            payer.share.setText(share)
            payer.rest.setChecked(rest)

    def is_used(self) -> bool:
        return not self.isHidden()

    def read(self, currency: str, errors: ErrorCollector) -> m.FeeLine | m.ExtraLine:
        """The domain line; unreadable numbers are reported under the line's field names."""
        prefix = f"{'fee' if self.kind is m.LineKind.FEE else 'extra'}_lines[{self.index}]"
        label = f"{'Beitrag' if self.kind is m.LineKind.FEE else 'Zusatzkosten'}, Zeile {self.index + 1}"
        raw = self.raw()
        count = 0
        if self.mode is m.BillingMode.PER_UNIT and raw.count.strip():
            if raw.count.strip().isdigit():
                count = int(raw.count.strip())
            else:
                errors.add(f"{prefix}.count", f"{label} – Anzahl: „{raw.count.strip()}“ ist keine Anzahl; bitte "
                                              "eine ganze Zahl ab 0 eingeben.")
        amount = self._money(errors, f"{prefix}.amount", f"{label} – Betrag", raw.amount, currency) \
            if self.mode is m.BillingMode.INDIVIDUAL else None
        payers = []
        for j, (payer_id, share, rest) in enumerate(raw.payers):
            if payer_id is None:
                if share.strip():
                    errors.add(f"{prefix}.payers[{j}].payer_id", f"{label} – Zahler {j + 1}: Bitte den Zahler "
                                                                 "wählen oder den Anteil löschen.")
                continue
            value = None if rest else self._money(errors, f"{prefix}.payers[{j}].share",
                                                  f"{label} – Zahler {j + 1}, Anteil", share, currency)
            payers.append(m.PayerShare(payer_id, value, rest))
        if self.kind is m.LineKind.EXTRA:
            return m.ExtraLine(raw.entry_id, count=count, amount=amount, reset=raw.reset, payers=tuple(payers))
        special = self._money(errors, f"{prefix}.special_discount", f"{label} – Sonderermäßigung", raw.special,
                              currency) if self.mode is not m.BillingMode.PER_UNIT else None
        return m.FeeLine(raw.entry_id, tier=raw.tier, count=count, amount=amount, reset=raw.reset,
                         discount_ids=tuple(d for d in raw.discounts if d is not None),
                         special_discount=special, payers=tuple(payers))

    @staticmethod
    def _money(errors: ErrorCollector, field_: str, label: str, text: str, currency: str) -> Money | None:
        if not text.strip():
            return None
        try:
            return parse_amount(text, currency, label)
        except ValidationError as exc:
            for error in exc.errors:
                errors.add(field_, error.message)
            return None

    def discount_field_index(self, k_in_line: int) -> int:
        """Service errors count only the chosen discounts; map `discount_ids[k]` to the combo."""
        chosen = [i for i, c in enumerate(self.discounts) if c.currentData() is not None]
        return chosen[k_in_line] if k_in_line < len(chosen) else k_in_line

    def payer_field_index(self, j_in_line: int) -> int:
        chosen = [i for i, p in enumerate(self.payers) if p.combo.currentData() is not None]
        return chosen[j_in_line] if j_in_line < len(chosen) else j_in_line

    # figures --------------------------------------------------------------------------------
    def clear_figures(self) -> None:
        self.figure.clear()
        self.result.clear()
        self.special_label.clear()
        for label in self.discount_labels:
            label.clear()
        for payer in self.payers:
            payer.open.clear()
