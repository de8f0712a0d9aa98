"""What the page "Sollstellung" runs on the worker: plain functions of ids and values that call the
billing run services and return DTOs, bytes or paths (nothing of Qt, no ORM objects)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sollhaben.domain.months import Month
from sollhaben.persistence.database import Database
from sollhaben.services.kita import billing_run
from sollhaben.services.kita.billing_run_dto import (
    RunPreviewDTO,
    RunResultDTO,
    UndoResultDTO,
)
from sollhaben.services.kita.billing_run_undo import undo_last_run
from sollhaben.services.kita.catalogue import load_catalogue


@dataclass(frozen=True)
class PreviewResult:
    preview: RunPreviewDTO
    line_names: dict[str, str]  # line key of a problem → "Beitrag „Krippe“"


def line_name(key: str, fee_groups: dict[int, str], extra_costs: dict[int, str]) -> str:
    """"FEE:12" → "Beitrag „Krippe“", "EXTRA:3#2" → "Zusatzkosten „Mittagessen“ (2)"."""
    kind, _, rest = key.partition(":")
    entry, _, number = rest.partition("#")
    if not entry.isdigit() or kind not in ("FEE", "EXTRA"):
        return key
    names, label = (fee_groups, "Beitrag") if kind == "FEE" else (extra_costs, "Zusatzkosten")
    text = f"{label} „{names.get(int(entry), entry)}“"
    return f"{text} ({number})" if number else text


def preview(db: Database, organization_id: int, facility_id: int, month: Month, progress) -> PreviewResult:
    result = billing_run.preview_run(db, facility_id, month, progress.report, progress.cancelled)
    names: dict[str, str] = {}
    if result.problems:
        catalogue = load_catalogue(db, organization_id)
        fees = {i: g.name for i, g in catalogue.fee_groups.items()}
        extras = {i: c.name for i, c in catalogue.extra_costs.items()}
        names = {p.line_key: line_name(p.line_key, fees, extras) for p in result.problems}
    return PreviewResult(result, names)


def post(db: Database, facility_id: int, month: Month, user: str, today: date, progress) -> RunResultDTO:
    return billing_run.post_run(db, facility_id, month, user, progress.report, progress.cancelled, today)


def undo(db: Database, facility_id: int, run_id: int, user: str, today: date, _progress) -> UndoResultDTO:
    return undo_last_run(db, facility_id, user, run_id=run_id, today=today)


def run_list_pdf(db: Database, run_id: int, _progress) -> bytes:
    from sollhaben.reports.table_pdf import (
        render_table_pdf,  # reportlab only on the worker
    )
    from sollhaben.services.kita.billing_run_report import run_list_report

    return render_table_pdf(run_list_report(db, run_id))


def run_list_xlsx(db: Database, run_id: int, path: str, _progress) -> str:
    from sollhaben.reports.table_xlsx import render_table_xlsx
    from sollhaben.services.kita.billing_run_report import run_list_report

    Path(path).write_bytes(render_table_xlsx(run_list_report(db, run_id)))
    return path


def subsidy_pdf(db: Database, facility_id: int, month: Month, _progress) -> bytes:
    from sollhaben.reports.table_pdf import render_table_pdf
    from sollhaben.services.kita.billing_run_report import subsidy_list_report

    return render_table_pdf(subsidy_list_report(db, facility_id, month))


def subsidy_xlsx(db: Database, facility_id: int, month: Month, path: str, _progress) -> str:
    from sollhaben.reports.table_xlsx import render_table_xlsx
    from sollhaben.services.kita.billing_run_report import subsidy_list_report

    Path(path).write_bytes(render_table_xlsx(subsidy_list_report(db, facility_id, month)))
    return path
