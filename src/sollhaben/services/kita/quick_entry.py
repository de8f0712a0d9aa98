"""Quick entry (Schnellerfassung): the counts of PER_UNIT lines and the amounts of INDIVIDUAL lines
of every child of a facility in a month, in one grid, saved in one transaction.

A row per child with a contract active in the month and a period valid in it, plus the children who
left last month (their extra costs with reset are billed once more; only those cells); a column per line
key ("FEE:<fee group>", "EXTRA:<extra cost>", "#2" for a second line of the same entry) whose
entry is billed PER_UNIT or INDIVIDUAL. Saving is all-or-nothing: every bad cell is reported with
its row (child) and column (field `cells[<child id>][<key>]`), and nothing is stored while any
stands. Each changed period is validated again (an amount below its discounts is refused).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from sollhaben.domain.collation import name_key
from sollhaben.domain.errors import ConflictError, ErrorCollector, ValidationError
from sollhaben.domain.kita import model as m
from sollhaben.domain.kita.periods import lock_message
from sollhaben.domain.kita.pricing import line_keys, line_resets
from sollhaben.domain.kita.validation import validate_period
from sollhaben.domain.money import Money, parse_amount
from sollhaben.domain.months import Month
from sollhaben.persistence import kita_mapping as mapping
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import BillingPeriod, Child, ChildPayer, Contract, Person
from sollhaben.services.kita.catalogue import catalogue_in
from sollhaben.services.kita.dto import QuickCell, QuickChange, QuickColumn, QuickEntryDTO, QuickRow
from sollhaben.services.kita.facility import facility_unit, settings_in
from sollhaben.services.kita.family import contract_active
from sollhaben.services.unit_of_work import read_only, touch, unit_of_work

WHAT = "Die Schnellerfassung"
_GRID_MODES = (m.BillingMode.PER_UNIT, m.BillingMode.INDIVIDUAL)


@dataclass
class _Line:
    row: object  # FeeLine or ExtraLine
    index: int  # position in its layer
    kind: m.LineKind
    mode: m.BillingMode
    editable: bool


@dataclass
class _Entry:
    child_id: int
    name: str
    period_row: BillingPeriod
    period: m.BillingPeriod
    lines: dict[str, _Line] = field(default_factory=dict)


@dataclass
class _Grid:
    facility_id: int
    organization_id: int
    month: Month
    catalogue: m.Catalogue
    settings: m.FacilitySettings
    columns: dict[str, QuickColumn]
    entries: dict[int, _Entry]


def _load(session: Session, facility_id: int, month: Month) -> _Grid:
    unit = facility_unit(session, facility_id)
    catalogue = catalogue_in(session, unit.organization_id)  # all entries: a line stays even if no longer offered
    settings = settings_in(session, facility_id)
    children_of = select(Child.id, Person.last_name, Person.first_name).distinct() \
        .join(Person, Person.id == Child.person_id).join(Contract, Contract.child_id == Child.id)
    names = {cid: (last, first) for cid, last, first in session.execute(
        children_of.where(Contract.facility_id == facility_id, contract_active(Contract, month)))}
    # Children who left last month: the run bills their counted meals (extra costs with reset) once
    # more this month, so their counts are typed into this month's grid too (seed 001).
    previous = month - 1
    left = {cid: (last, first) for cid, last, first in session.execute(
        children_of.where(Contract.facility_id == facility_id, Contract.last_day >= previous.first_day,
                          Contract.last_day <= previous.last_day)) if cid not in names}
    wanted = {**names, **left}
    candidates = session.scalars(
        select(BillingPeriod).options(*mapping.period_loader())
        .where(BillingPeriod.child_id.in_(wanted), BillingPeriod.valid_from <= month,
               (BillingPeriod.valid_to.is_(None)) | (BillingPeriod.valid_to >= previous))).all() if wanted else []
    chosen: dict[int, BillingPeriod] = {}
    for row in candidates:  # the period valid in the month; for a child who left, else last month's
        valid_now = row.valid_from <= month and (row.valid_to is None or row.valid_to >= month)
        if row.child_id in names and not valid_now:
            continue
        if valid_now or row.child_id not in chosen:
            chosen[row.child_id] = row
    columns: dict[str, QuickColumn] = {}
    entries: dict[int, _Entry] = {}
    for row in chosen.values():
        period = mapping.period_to_domain(row, catalogue.currency)
        last, first = wanted[row.child_id]
        gone = row.child_id in left
        entry = _Entry(row.child_id, (f"{last}, {first}" if first else last) + (" (abgemeldet)" if gone else ""),
                       row, period)
        locked = settings.lock_billed and period.billed_through is not None
        fee_keys, extra_keys = line_keys(period)
        layers = ((m.LineKind.FEE, fee_keys, period.fee_lines, row.fee_lines, catalogue.fee_groups, "fee_group_id"),
                  (m.LineKind.EXTRA, extra_keys, period.extra_lines, row.extra_lines, catalogue.extra_costs,
                   "extra_cost_id"))
        for kind, keys, lines, line_rows, entries_by_id, id_field in layers:
            for index, (key, line, line_row) in enumerate(zip(keys, lines, line_rows)):
                entry_id = getattr(line, id_field)
                catalogue_entry = entries_by_id.get(entry_id)
                if catalogue_entry is None or catalogue_entry.mode not in _GRID_MODES:
                    continue
                if gone and (kind is m.LineKind.FEE or not line_resets(catalogue_entry.mode, line)):
                    continue  # after leaving only the extra costs with reset are billed
                name = catalogue_entry.name + (f" ({key.partition('#')[2]})" if "#" in key else "")
                columns.setdefault(key, QuickColumn(key, kind, entry_id, name, catalogue_entry.mode))
                editable = not locked or line_resets(catalogue_entry.mode, line)
                entry.lines[key] = _Line(line_row, index, kind, catalogue_entry.mode, editable)
        entries[row.child_id] = entry
    ordered = dict(sorted(columns.items(), key=lambda kv: (kv[1].kind is m.LineKind.EXTRA, name_key(kv[1].name, ""),
                                                           kv[0])))
    return _Grid(facility_id, unit.organization_id, month, catalogue, settings, ordered, entries)


def _dto(grid: _Grid) -> QuickEntryDTO:
    currency = grid.catalogue.currency
    rows = []
    for entry in sorted(grid.entries.values(), key=lambda e: (name_key(*e.name.partition(", ")[::2]), e.child_id)):
        cells = {}
        for key, line in entry.lines.items():
            value = line.row.count if line.mode is m.BillingMode.PER_UNIT else Money(line.row.amount_minor or 0, currency)
            cells[key] = QuickCell(line.row.id, value, line.editable)
        locked = grid.settings.lock_billed and entry.period.billed_through is not None
        rows.append(QuickRow(entry.child_id, entry.name, entry.period_row.id, entry.period_row.version, cells, locked))
    return QuickEntryDTO(grid.facility_id, grid.month, currency, tuple(grid.columns.values()), tuple(rows))


def quick_entry_rows(db: Database, facility_id: int, month: Month) -> QuickEntryDTO:
    with read_only(db) as session:
        return _dto(_load(session, facility_id, month))


# --- saving ---------------------------------------------------------------------------------------

def _parse(errors: ErrorCollector, where: str, label: str, mode: m.BillingMode, value, currency: str):
    """The cell's value (int count or Money amount), or None after recording an error."""
    if mode is m.BillingMode.PER_UNIT:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = "" if value is None else str(value).strip()
            if not text:
                return 0
            number = int(text) if text.isdigit() else -1
        if number < 0:
            errors.add(where, f"{label}: „{value}“ ist keine Anzahl; bitte eine ganze Zahl ab 0 eingeben.")
            return None
        return number
    if isinstance(value, Money):
        amount = value
    elif value is None or not str(value).strip():
        return Money.zero(currency)
    else:
        try:
            amount = parse_amount(str(value), currency, field=label)
        except ValidationError as exc:
            for error in exc.errors:
                errors.add(where, error.message)
            return None
    if amount.currency.value != currency:
        errors.add(where, f"{label}: Der Betrag ist in {amount.currency.value}, die Organisation rechnet in {currency}.")
        return None
    if amount.minor < 0:
        errors.add(where, f"{label}: Der Betrag darf nicht negativ sein.")
        return None
    return amount


def _line_key(grid_entry: _Entry, error_field: str) -> str | None:
    """The column of a validation error's field ("fee_lines[2].amount" → that line's key)."""
    for key, line in grid_entry.lines.items():
        prefix = "fee_lines" if line.kind is m.LineKind.FEE else "extra_lines"
        if error_field.startswith(f"{prefix}[{line.index}]"):
            return key
    return None


def save_quick_entry(db: Database, facility_id: int, month: Month, changes: Sequence[QuickChange]) -> QuickEntryDTO:
    """Store the changed cells in one transaction, or none of them (ValidationError naming every
    bad cell; ConflictError when a row changed since the grid was loaded)."""
    with unit_of_work(db, WHAT) as session:
        grid = _load(session, facility_id, month)
        currency = grid.catalogue.currency
        errors = ErrorCollector()
        wanted: dict[int, dict[str, int | Money]] = {}
        for change in changes:
            where = f"cells[{change.child_id}][{change.key}]"
            entry = grid.entries.get(change.child_id)
            if entry is None:
                errors.add(where, f"Zeile {change.child_id}: Das Kind hat im Monat {month} in dieser Einrichtung "
                                  "keine Abrechnungsdaten.")
                continue
            if change.period_version is not None and change.period_version != entry.period_row.version:
                raise ConflictError(f"Die Abrechnungsdaten von „{entry.name}“")
            line = entry.lines.get(change.key)
            column = grid.columns.get(change.key)
            if line is None or column is None:
                errors.add(where, f"„{entry.name}“, Spalte {change.key}: Das Kind hat diese Position nicht.")
                continue
            label = f"„{entry.name}“, {column.name}"
            if not line.editable:
                errors.add(where, f"{label}: {lock_message(entry.period.billed_through)}")
                continue
            value = _parse(errors, where, label, line.mode, change.value, currency)
            if value is not None:
                wanted.setdefault(change.child_id, {})[change.key] = value
        payers: dict[int, set[int]] = {}
        for child_id, person_id in session.execute(select(ChildPayer.child_id, ChildPayer.person_id)
                                                   .where(ChildPayer.child_id.in_(wanted))):
            payers.setdefault(child_id, set()).add(person_id)
        for child_id, values in wanted.items():
            entry = grid.entries[child_id]
            changed = _with_values(entry, values)
            locked = entry.period.billed_through if grid.settings.lock_billed else None
            try:
                validate_period(changed, grid.catalogue, frozenset(payers.get(child_id, ())), [entry.period],
                                grid.settings, locked)
            except ValidationError as exc:
                for error in exc.errors:
                    key = _line_key(entry, error.field)
                    errors.add(f"cells[{child_id}][{key}]" if key in values else f"cells[{child_id}]",
                               f"„{entry.name}“: {error.message}")
        errors.raise_if_any()
        for child_id, values in wanted.items():
            entry = grid.entries[child_id]
            dirty = False
            for key, value in values.items():
                row = entry.lines[key].row
                if isinstance(value, Money):
                    dirty |= mapping.set_if_changed(row, amount_minor=value.minor)
                else:
                    dirty |= mapping.set_if_changed(row, count=value)
            if dirty:
                touch(entry.period_row)
        session.flush()
        return _dto(grid)


def _with_values(entry: _Entry, values: dict[str, int | Money]) -> m.BillingPeriod:
    fee_lines, extra_lines = list(entry.period.fee_lines), list(entry.period.extra_lines)
    for key, value in values.items():
        line = entry.lines[key]
        target = fee_lines if line.kind is m.LineKind.FEE else extra_lines
        change = {"amount": value} if isinstance(value, Money) else {"count": value}
        target[line.index] = replace(target[line.index], **change)
    return replace(entry.period, fee_lines=tuple(fee_lines), extra_lines=tuple(extra_lines))
