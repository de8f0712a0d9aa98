"""Validation of generated and received ISO 20022 files against the bundled XSDs."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from lxml import etree

from sollhaben.domain.errors import FieldError, ValidationError


@lru_cache(maxsize=None)
def schema(file_name: str) -> etree.XMLSchema:
    """The bundled schema `banking/xsd/<file_name>` (parsed once per process)."""
    source = resources.files("sollhaben.banking").joinpath("xsd", file_name)
    with source.open("rb") as handle:
        return etree.XMLSchema(etree.parse(handle))


def schema_problems(document: bytes | etree._Element, file_name: str) -> list[str]:
    """Every XSD violation as „Zeile N: message“; empty when the document is valid."""
    tree = etree.fromstring(document) if isinstance(document, bytes) else document
    xsd = schema(file_name)
    if xsd.validate(tree):
        return []
    return [f"Zeile {e.line}: {e.message}" for e in xsd.error_log]


def validate(document: bytes, file_name: str, field: str = "file") -> None:
    """Refuse a document its schema refuses, naming every violation (German, with line)."""
    problems = schema_problems(document, file_name)
    if problems:
        raise ValidationError([FieldError(field, f"Schema {file_name}: {p}") for p in problems])
