"""Import and export of an organization's whole master data in one versioned JSON format.

The format is documented in `docs/import-format.md`. An import is all-or-nothing: the document is
validated completely first (every error is reported with its JSON path as `FieldError.field`), and
only a document without errors is stored, in one transaction, through the ORM so the audit log
records every inserted row.
"""
from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Organization
from sollhaben.services.exchange import FORMAT_NAME, FORMAT_VERSION
from sollhaben.services.exchange.reader import parse_json
from sollhaben.services.exchange.schema import parse_document
from sollhaben.services.exchange.store import ImportCancelled, ImportResult, store_document
from sollhaben.services.exchange.writer import export_document
from sollhaben.services.unit_of_work import unit_of_work

__all__ = [
    "FORMAT_NAME", "FORMAT_VERSION", "ImportCancelled", "ImportResult", "export_file", "export_organization",
    "import_file", "import_organization", "import_text", "os_reason", "read_file", "validate_document",
]

Progress = Callable[[int, int, str], None]


def export_organization(db: Database, organization_id: int) -> dict:
    """The organization's master data as a plain dict (JSON-ready); NotFoundError if unknown."""
    with unit_of_work(db) as session:
        return export_document(session, organization_id)


def validate_document(data: Any, today: date | None = None) -> list[FieldError]:
    """All errors of a document without touching the database (empty list: importable,
    unless an organization of that name exists already)."""
    try:
        parse_document(data, today or date.today())
    except ValidationError as exc:
        return exc.errors
    return []


def import_organization(db: Database, data: Any, *, today: date | None = None, progress: Progress | None = None,
                        cancelled: Callable[[], bool] | None = None) -> ImportResult:
    """Validate the whole document, then store it in one transaction; on any error store nothing.

    Raises ValidationError listing every error (field = JSON path), or ImportCancelled."""
    with unit_of_work(db) as session:
        def name_taken(name: str) -> bool:
            return session.scalar(select(Organization.id).where(Organization.name == name)) is not None

        document = parse_document(data, today or date.today(), name_taken)
        try:
            return store_document(session, document, progress, cancelled)
        except IntegrityError:  # a clerk created the same organization in the meantime
            raise ValidationError(FieldError(
                "$.organization.name",
                f"Name: Eine Organisation „{document.organization.name}“ gibt es schon.")) from None


def import_text(db: Database, text: str, **kwargs) -> ImportResult:
    return import_organization(db, parse_json(text), **kwargs)


def os_reason(exc: OSError) -> str:
    """A German reason for the common file errors."""
    if isinstance(exc, FileNotFoundError):
        return "Datei oder Ordner gibt es nicht"
    if isinstance(exc, PermissionError):
        return "keine Berechtigung"
    if isinstance(exc, IsADirectoryError):
        return "das ist ein Ordner"
    return exc.strerror or str(exc)


def read_file(path: str | Path) -> Any:
    """Read and parse an exchange file (UTF-8, with or without BOM); German errors for the user."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValidationError(FieldError("$", f"Datei: „{path}“ kann nicht gelesen werden ({os_reason(exc)}).")) \
            from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(FieldError(
            "$", f"Datei: „{path.name}“ ist nicht UTF-8-kodiert (Byte {exc.start}). Bitte als UTF-8 speichern.")) \
            from None
    return parse_json(text)


def import_file(db: Database, path: str | Path, **kwargs) -> ImportResult:
    return import_organization(db, read_file(path), **kwargs)


def export_file(db: Database, organization_id: int, path: str | Path) -> dict:
    """Write the export to `path` (UTF-8, indented); the file appears complete or not at all."""
    data = export_organization(db, organization_id)
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as out:
            json.dump(data, out, ensure_ascii=False, indent=2)
            out.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return data
