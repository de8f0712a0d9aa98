"""What the page "Staffelberechnung" runs on the worker: plain functions of ids and values that call
the services and return DTOs or bytes (nothing of Qt)."""
from __future__ import annotations

from datetime import date

from sollhaben.persistence.database import Database
from sollhaben.services.income.dto import BulkTransferDTO


def transfer_all(db: Database, organization_id: int, user: str, today: date, progress) -> BulkTransferDTO:
    from sollhaben.services.income.bulk import transfer_all_complete

    return transfer_all_complete(db, organization_id, user, today=today, progress=progress.report,
                                 cancelled=progress.cancelled)


def sheet_pdf(db: Database, assessment_id: int, today: date, _progress) -> bytes:
    from sollhaben.services.income.sheet import sheet_pdf as render  # reportlab only on the worker

    return render(db, assessment_id, today)


def sheets_pdf(db: Database, assessment_ids: list[int], today: date, progress) -> bytes:
    from sollhaben.services.income.sheet import sheets_pdf as render

    return render(db, assessment_ids, today, lambda done, total: progress.report(done, total, "Berechnungsblätter"),
                  progress.cancelled)
