"""The layers Beitrag and Zusatzkosten: up to ten lines in a scroll area, "Zeile hinzufügen"
(Ctrl+Plus), removing a line shifts the ones below, and the live figures of every line."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from sollhaben.domain.errors import ErrorCollector
from sollhaben.domain.formatting import format_money
from sollhaben.domain.kita import model as m
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.ui.field_errors import ERROR_COLOR, FieldErrorView
from sollhaben.ui.kita.period_context import PeriodContext
from sollhaben.ui.kita.period_lines import LineWidget, RawLine, fill_combo, select_data
from sollhaben.ui.kita.period_live import LinePreview
from sollhaben.ui.kita.widgets_errors import register_group


def _amount_text(amount: Money | None, country: str) -> str:
    return "" if amount is None else format_money(amount, country)


class LinesLayer(QWidget):
    changed = Signal()

    def __init__(self, kind: m.LineKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        fee = kind is m.LineKind.FEE
        self.limit = m.MAX_FEE_LINES if fee else m.MAX_EXTRA_LINES
        self.noun = "Beitragsgruppe" if fee else "Zusatzkosten-Position"
        self.ctx: PeriodContext | None = None
        self.month: Month | None = None
        self._names: dict[str, dict[int, str]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget(self.scroll)
        self.body_layout = QVBoxLayout(body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        self.body_layout.setSpacing(4)
        self.lines = [LineWidget(kind, i, body) for i in range(self.limit)]
        for line in self.lines:
            self.body_layout.addWidget(line)
            line.hide()
            line.changed.connect(self.changed)
            line.entry.currentIndexChanged.connect(lambda _i, ln=line: self._entry_changed(ln))
            line.remove_requested.connect(self.remove_line)
        self.empty_label = QLabel("", body)
        self.empty_label.setStyleSheet("color: #555;")
        self.body_layout.addWidget(self.empty_label)
        self.body_layout.addStretch(1)
        self.scroll.setWidget(body)
        layout.addWidget(self.scroll, 1)
        bottom = QHBoxLayout()
        self.add_button = QPushButton(f"+ {self.noun} hinzufügen", self)
        self.add_button.setToolTip(f"Weitere Zeile (Strg++), höchstens {self.limit}")
        self.add_button.clicked.connect(lambda: self.add_line())
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ERROR_COLOR};")
        bottom.addWidget(self.add_button)
        bottom.addWidget(self.message, 1)
        bottom.addStretch(0)
        self.add_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        layout.addLayout(bottom)
        for keys in ("Ctrl++", "Ctrl+="):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.add_line)

    def register_errors(self, view: FieldErrorView) -> None:
        prefix = "fee_lines" if self.kind is m.LineKind.FEE else "extra_lines"
        view.register(prefix, self.add_button, self.message)
        for line in self.lines:
            register_group(view, line.error_fields(), line.message)

    # choices ------------------------------------------------------------------------------------
    def set_context(self, ctx: PeriodContext, month: Month) -> None:
        """Offer the catalogue entries the facility offers that are valid in `month` (the period's start)."""
        self.ctx, self.month = ctx, month
        cat = ctx.catalogue
        entries = cat.fee_groups if self.kind is m.LineKind.FEE else cat.extra_costs
        offered = [(eid, e.name) for eid, e in sorted(entries.items(), key=lambda kv: kv[1].name.casefold())
                   if e.version_for(month) is not None]
        discounts = [(did, d.name) for did, d in sorted(cat.discounts.items(), key=lambda kv: kv[1].name.casefold())
                     if d.version_for(month) is not None]
        self._names = {"entry": {eid: f"{e.name} (im {month} nicht gültig)" for eid, e in entries.items()},
                       "discount": {did: f"{d.name} (im {month} nicht gültig)" for did, d in cat.discounts.items()},
                       "payer": {}}
        for line in self.lines:  # a chosen entry no longer valid stays, marked (the service names the error)
            chosen = [line.entry.currentData(), *(c.currentData() for c in line.discounts)]
            fill_combo(line.entry, offered, "– wählen –")
            select_data(line.entry, chosen[0], self._names["entry"].get(chosen[0], ""))
            for combo, value in zip(line.discounts, chosen[1:]):
                fill_combo(combo, discounts)
                select_data(combo, value, self._names["discount"].get(value, ""))
            self._entry_changed(line)

    def set_payers(self, payers: list[tuple[int, str]]) -> None:
        self._names["payer"] = {pid: f"{name} (nicht in der Zahlerliste)" for pid, name in payers}
        for line in self.lines:
            for payer in line.payers:
                fill_combo(payer.combo, payers)

    def _entry_changed(self, line: LineWidget) -> None:
        """The tier choices and the mode fields follow the chosen entry."""
        entry_id = line.entry.currentData()
        if self.ctx is None or entry_id is None:
            line.set_mode(None)
            return
        if self.kind is m.LineKind.EXTRA:
            extra = self.ctx.catalogue.extra_costs.get(entry_id)
            line.set_mode(extra.mode if extra else None)
            return
        group = self.ctx.catalogue.fee_groups.get(entry_id)
        version = group.version_for(self.month) if group else None
        automatic = group is not None and group.tier_source is not m.TierSource.CHOSEN
        # an income-dependent line shows the tier its income-scale calculation transferred, read-only:
        # the form hands it back unchanged, so saving the period keeps it
        from_income = group is not None and group.tier_source is m.TierSource.INCOME
        tiers = [(t.number, (t.label or f"Staffel {t.number}") + (f" ({_amount_text(t.amount, self.ctx.country)})"
                                                                  if t.amount else ""))
                 for t in (version.tiers if version else ())]
        fill_combo(line.tier, [] if automatic and not from_income else tiers,
                   "– aus Staffelberechnung –" if from_income else "– Staffel –")
        line.tier.setProperty("automatic", automatic)
        line.tier.setToolTip("Staffel aus der Staffelberechnung (wird dort übertragen)" if from_income else "Staffel")
        line.set_mode(group.mode if group else None, automatic)
        if automatic and not from_income:
            line.tier.hide()

    # lines --------------------------------------------------------------------------------------
    def used(self) -> list[LineWidget]:
        return [line for line in self.lines if line.is_used()]

    def set_raw_lines(self, raws: list[RawLine]) -> None:
        for i, line in enumerate(self.lines):
            line.set_raw(raws[i] if i < len(raws) else RawLine(), self._names)
            line.setVisible(i < len(raws))
            line.clear_figures()
        self._update_buttons()

    def set_lines(self, lines, country: str) -> None:
        self.set_raw_lines([self._raw_of(line, country) for line in lines])

    def _raw_of(self, line, country: str) -> RawLine:
        fee = isinstance(line, m.FeeLine)
        discounts = list(line.discount_ids if fee else ())
        payers = [(p.payer_id, _amount_text(p.share, country), p.takes_remainder) for p in line.payers]
        return RawLine(line.fee_group_id if fee else line.extra_cost_id, line.tier if fee else None,
                       str(line.count) if line.count else "", _amount_text(line.amount, country), line.reset,
                       (discounts + [None] * m.MAX_DISCOUNTS_PER_LINE)[:m.MAX_DISCOUNTS_PER_LINE],
                       _amount_text(line.special_discount if fee else None, country),
                       (payers + [(None, "", False)] * m.MAX_PAYERS_PER_LINE)[:m.MAX_PAYERS_PER_LINE])

    def add_line(self) -> LineWidget | None:
        used = len(self.used())
        if used >= self.limit:
            self.message.setText(f"Höchstens {self.limit} {'Beitragsgruppen' if self.kind is m.LineKind.FEE else 'Zusatzkosten'} "
                                 "je Zeitraum.")
            return None
        line = self.lines[used]
        line.set_raw(RawLine(), self._names)
        line.clear_figures()
        line.show()
        self._update_buttons()
        self.changed.emit()
        line.entry.setFocus()
        self.scroll.ensureWidgetVisible(line)
        return line

    def remove_line(self, index: int) -> None:
        raws = [line.raw() for line in self.used()]
        if 0 <= index < len(raws):
            del raws[index]
            self.set_raw_lines(raws)
            self.changed.emit()

    def _update_buttons(self) -> None:
        count = len(self.used())
        self.add_button.setEnabled(count < self.limit)
        self.empty_label.setText("" if count else f"Noch keine {self.noun}. „+ {self.noun} hinzufügen“ legt eine an.")
        if count < self.limit:
            self.message.clear()

    def read(self, currency: str, errors: ErrorCollector, strict: bool = True) -> tuple[list, list[int]]:
        """The domain lines and their form positions. Strict: a line without an entry is an error;
        otherwise (live figures) it is left out."""
        lines, positions = [], []
        for line in self.used():
            if line.entry.currentData() is None:
                if strict:
                    what = "eine Beitragsgruppe" if self.kind is m.LineKind.FEE else "die Zusatzkosten"
                    field = "fee_group_id" if self.kind is m.LineKind.FEE else "extra_cost_id"
                    prefix = "fee_lines" if self.kind is m.LineKind.FEE else "extra_lines"
                    errors.add(f"{prefix}[{line.index}].{field}", f"Zeile {line.index + 1}: Bitte {what} wählen "
                                                                  "oder die Zeile entfernen (✕).")
                continue
            lines.append(line.read(currency, errors))
            positions.append(line.index)
        return lines, positions

    # figures ------------------------------------------------------------------------------------
    def show_preview(self, previews: dict[int, LinePreview]) -> None:
        for line in self.lines:
            line.set_payers_visible(line.payer_title.text() == "Zahler:", line.payer_title.text())
            p = previews.get(line.index)
            line.clear_figures()
            if p is None or not line.is_used():
                continue
            line.figure.setText(p.figure)
            chosen = [i for i, c in enumerate(line.discounts) if c.currentData() is not None]
            for k, text in p.discounts.items():
                if k < len(chosen):
                    line.discount_labels[chosen[k]].setText(text)
            line.special_label.setText(p.special)
            payers = [i for i, pr in enumerate(line.payers) if pr.combo.currentData() is not None]
            for j, text in p.opens.items():
                if j < len(payers):
                    line.payers[payers[j]].open.setText(text)
            line.result.setText(p.result)
            line.result.setStyleSheet(f"color: {ERROR_COLOR};" if p.problem else "color: #555;")

    def set_payers_visible(self, visible: bool, note: str) -> None:
        for line in self.lines:
            line.set_payers_visible(visible, note)

    def set_locked(self, locked: bool) -> None:
        for line in self.lines:
            line.set_locked(locked)
        self.add_button.setEnabled(not locked and len(self.used()) < self.limit)
