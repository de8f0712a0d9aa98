"""What the page „Offene Posten“ runs on the worker: plain functions of ids and values that call
the services and return DTOs, bytes or paths (nothing of Qt)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sollhaben.persistence.database import Database
from sollhaben.services.receivables.open_items import (CollectionMonth, OpenItemList, OpenItemsFilter,
                                                       collections_per_month, open_item_list)


@dataclass(frozen=True)
class Loaded:
    result: OpenItemList
    year: int
    collections: tuple[CollectionMonth, ...]


def load(db: Database, organization_id: int, flt: OpenItemsFilter, year: int, progress) -> Loaded:
    result = open_item_list(db, organization_id, flt, progress.report, progress.cancelled)
    return Loaded(result, year, collections_per_month(db, organization_id, year))


def load_collections(db: Database, organization_id: int, year: int, _progress) -> tuple[int, tuple]:
    return year, collections_per_month(db, organization_id, year)


def write_xlsx(loaded: Loaded, path: str, _progress) -> str:
    from sollhaben.reports.table_xlsx import render_table_xlsx
    from sollhaben.services.receivables.open_items_export import list_report

    Path(path).write_bytes(render_table_xlsx(list_report(loaded.result, loaded.collections, loaded.year)))
    return path


def list_pdf(loaded: Loaded, _progress) -> bytes:
    from sollhaben.reports.table_pdf import render_table_pdf
    from sollhaben.services.receivables.open_items_export import list_report

    return render_table_pdf(list_report(loaded.result, loaded.collections, loaded.year))


def write_csv(loaded: Loaded, which: str, path: str, _progress) -> str:
    from sollhaben.services.receivables import open_items_export as export

    if which == "items":
        section = export.items_section(loaded.result)
    elif which == "ageing":
        section = export.ageing_section(loaded.result)
    else:
        section = export.collections_section(loaded.collections, loaded.year)
    Path(path).write_bytes(export.section_csv(section, loaded.result.country))
    return path


def export_postings(db: Database, organization_id: int, date_from: date, date_to: date, path: str, progress):
    from sollhaben.services.receivables.gl_export import export_postings as export

    return export(db, organization_id, date_from, date_to, path, progress.report, progress.cancelled)
