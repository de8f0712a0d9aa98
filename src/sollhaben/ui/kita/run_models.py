"""Columns of the page "Sollstellung": the month's postings, the recalculations, the totals, the
problems and the facility's runs. Rows are the billing run's DTOs; money formats by its currency."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from PySide6.QtGui import QBrush, QColor

from sollhaben.domain.formatting import format_date
from sollhaben.services.kita.billing_run_dto import RunRowDTO
from sollhaben.ui.table_model import ALIGN_RIGHT, Column

GREY = QBrush(QColor("#777777"))
RED = QBrush(QColor("#b00020"))


def quantity_text(value: Decimal | None, country: str = "DE") -> str:
    """"18", "0,5" (DE) / "0.5" (CH); nothing for a plain monthly amount (quantity 1)."""
    if value is None or value == 1:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", ",") if country == "DE" else text


def local_stamp(moment: datetime | None) -> str:
    """A UTC timestamp in the computer's time zone: "20.04.2026 14:05"."""
    if moment is None:
        return ""
    local = moment.astimezone()
    return f"{format_date(local.date())} {local:%H:%M}"


def line_columns(country: str) -> list[Column]:
    return [
        Column("Kind", lambda r: r.child_name, width=150),
        Column("Zeile", lambda r: r.name, width=150),
        Column("Monat", lambda r: r.value_month, ALIGN_RIGHT, sort_key=lambda r: r.value_month.index, width=70),
        Column("Staffel", lambda r: r.tier, ALIGN_RIGHT, width=55),
        Column("Menge", lambda r: r.quantity, ALIGN_RIGHT, formatter=lambda v: quantity_text(v, country), width=60,
               tooltip="Tage (Tagessatz), Anzahl (nach Anzahl) oder Anteil des Monats"),
        Column("Einzelbetrag", lambda r: r.unit_amount, ALIGN_RIGHT, width=95,
               tooltip="Monatsbetrag, Tagessatz, Preis je Einheit oder individueller Betrag"),
        Column("Ermäßigung", lambda r: r.deductions if r.deductions.minor else None, ALIGN_RIGHT, width=90,
               tooltip="Was die Ermäßigungen von der ganzen Zeile abziehen"),
        Column("Zahler", lambda r: r.payer_name, width=150),
        Column("Betrag", lambda r: r.amount, ALIGN_RIGHT, width=95),
        Column("Buchungstext", lambda r: r.text, stretch=True),
    ]


def recalculation_columns() -> list[Column]:
    return [
        Column("Kind", lambda r: r.child_name, width=170),
        Column("Zeile", lambda r: r.name, width=170),
        Column("Monat", lambda r: r.value_month, ALIGN_RIGHT, sort_key=lambda r: r.value_month.index, width=70,
               tooltip="Der Monat, den die Nachberechnung betrifft"),
        Column("Zahler", lambda r: r.payer_name, width=170),
        Column("Soll jetzt", lambda r: r.share, ALIGN_RIGHT, width=95,
               tooltip="Was die Abrechnungsdaten heute für den Monat ergeben"),
        Column("bisher gebucht", lambda r: r.posted_before, ALIGN_RIGHT, width=105),
        Column("Differenz", lambda r: r.amount, ALIGN_RIGHT, width=95,
               tooltip="Wird gebucht: positiv eine Nachforderung, negativ eine Gutschrift"),
        Column("Buchungstext", lambda r: r.text, stretch=True),
    ]


def total_columns(first: str) -> list[Column]:
    return [
        Column(first, lambda r: r.name, stretch=True),
        Column("Buchungen", lambda r: r.postings, ALIGN_RIGHT, width=80),
        Column("Betrag", lambda r: r.amount, ALIGN_RIGHT, width=100),
    ]


def problem_columns(line_names: dict[str, str]) -> list[Column]:
    return [
        Column("Kind", lambda r: r.child_name, width=170),
        Column("Monat", lambda r: r.month, ALIGN_RIGHT, sort_key=lambda r: r.month.index, width=70),
        Column("Zeile", lambda r: line_names.get(r.line_key, r.line_key), width=190),
        Column("Problem", lambda r: r.message, stretch=True),
    ]


def run_kind(row: RunRowDTO) -> str:
    return "Sollstellung" if row.kind == "RUN" else "Zurücknahme"


def run_status(row: RunRowDTO) -> str:
    if row.kind == "UNDO":
        return "Storno der Sollstellung"
    if row.reversed_by_id is not None:
        return f"zurückgenommen (Nr. {row.reversed_by_id})"
    return "gebucht"


RUN_COLUMNS = [
    Column("Nr.", lambda r: r.id, ALIGN_RIGHT, width=50),
    Column("Monat", lambda r: r.month, ALIGN_RIGHT, sort_key=lambda r: r.month.index, width=70),
    Column("Art", run_kind, width=110),
    Column("Gebucht am", lambda r: r.started_at, formatter=local_stamp, width=125),
    Column("von", lambda r: r.started_by, width=110),
    Column("Kinder", lambda r: r.children if r.kind == "RUN" else None, ALIGN_RIGHT, width=60),
    Column("Buchungen", lambda r: r.postings, ALIGN_RIGHT, width=80),
    Column("Summe", lambda r: r.total, ALIGN_RIGHT, width=110),
    Column("Status", run_status, stretch=True),
]


def run_foreground(row: RunRowDTO):
    """Undone runs and their undos in grey: they cancel each other out."""
    return GREY if row.kind == "UNDO" or row.reversed_by_id is not None else None

