"""Structural reading of exchange JSON: types, required and unknown keys, each error with its path.

`Reader` collects every error as a `FieldError` whose field is a JSON path (`$.persons[3].birth_date`).
Domain validation errors of a record are added under the record's path, except for fields that
already failed the structural check (one error per cause, not two).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.formatting import parse_date

_JSON_MESSAGES = {
    "Expecting value": "Wert erwartet",
    "Expecting ',' delimiter": "Komma erwartet",
    "Expecting ':' delimiter": "Doppelpunkt erwartet",
    "Expecting property name enclosed in double quotes": "Feldname in doppelten Anführungszeichen erwartet",
    "Unterminated string starting at": "Text ohne schliessendes Anführungszeichen",
    "Invalid control character at": "Steuerzeichen im Text nicht erlaubt",
    "Invalid \\escape": "ungültige Escape-Sequenz",
    "Extra data": "weitere Daten nach dem Ende des JSON-Objekts",
}


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "Zahl"
    if isinstance(value, str):
        return "Text"
    if isinstance(value, list):
        return "Liste"
    return "Objekt"


_EXPECTED = {"text": "Text", "date": "Text (Datum JJJJ-MM-TT)", "bool": "true oder false", "int": "Zahl",
             "list": "Liste", "object": "Objekt"}


class JsonObject(dict):
    """A parsed JSON object that remembers keys it contained more than once (JSON allows it,
    Python keeps only the last value; the import reports it instead)."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> JsonObject:
    obj = JsonObject(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        obj.duplicates = tuple(dict.fromkeys(k for k, _ in pairs if k in seen or seen.add(k)))
    return obj


def parse_json(text: str) -> Any:
    """`json.loads` with a German error that names line and column."""
    try:
        return json.loads(text, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        reason = _JSON_MESSAGES.get(exc.msg, exc.msg)
        raise ValidationError(FieldError(
            "$", f"JSON: Die Datei ist kein gültiges JSON – Zeile {exc.lineno}, Spalte {exc.colno}: {reason}.")
        ) from None


@dataclass(frozen=True)
class Field:
    kind: str  # text, date, bool, int, list, object
    label: str
    required: bool = False
    default: Any = None
    max_len: int | None = None


def text(label: str, required: bool = False, max_len: int | None = None) -> Field:
    return Field("text", label, required, "", max_len)


class Reader:
    """Collects errors of one document; `record` checks one JSON object against a field spec."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []
        self._bad: set[str] = set()

    def add(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))
        self._bad.add(path)

    def is_bad(self, path: str) -> bool:
        """Whether this path or one of its parents already has an error (O(length of path))."""
        if path in self._bad:
            return True
        return any(ch in ".[" and path[:i] in self._bad for i, ch in enumerate(path))

    def domain(self, prefix: str, exc: ValidationError) -> None:
        """Add a domain validator's errors (fields like `address.town`) under the record's path."""
        for error in exc.errors:
            path = f"{prefix}.{error.field}" if error.field else prefix
            if not self.is_bad(path):
                self.add(path, error.message)

    def check(self, prefix: str, validator, *args):
        try:
            return validator(*args)
        except ValidationError as exc:
            self.domain(prefix, exc)
            return None

    def items(self, value: Any, path: str, label: str) -> list[tuple[str, Any]]:
        """The elements of a list with their paths; a non-list is an error and yields nothing."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path, f"{label}: Liste erwartet, gefunden {type_name(value)}.")
            return []
        return [(f"{path}[{i}]", item) for i, item in enumerate(value)]

    def record(self, value: Any, path: str, spec: dict[str, Field], label: str) -> dict | None:
        """Check an object: unknown keys, missing required keys, value types. Returns the values
        (defaults for missing or wrong ones), or None when `value` is not an object at all."""
        if not isinstance(value, dict):
            self.add(path, f"{label}: Objekt erwartet, gefunden {type_name(value)}.")
            return None
        for key in value:
            if key not in spec:
                self.add(f"{path}.{key}", f"Unbekanntes Feld „{key}“.")
        for key in getattr(value, "duplicates", ()):
            self.add(f"{path}.{key}", f"Feld „{key}“ kommt im Objekt mehrfach vor.")
        result: dict[str, Any] = {}
        for key, field in spec.items():
            result[key] = self._value(value.get(key), f"{path}.{key}", key, field)
        return result

    def _value(self, value: Any, path: str, key: str, field: Field) -> Any:
        if value is None:
            if field.required:
                self.add(path, f"{field.label}: Pflichtfeld „{key}“ fehlt.")
            return field.default
        ok = {"text": isinstance(value, str), "date": isinstance(value, str),
              "bool": isinstance(value, bool), "int": isinstance(value, int) and not isinstance(value, bool),
              "list": isinstance(value, list), "object": isinstance(value, dict)}[field.kind]
        if not ok:
            self.add(path, f"{field.label}: {_EXPECTED[field.kind]} erwartet, gefunden {type_name(value)}.")
            return field.default
        if field.kind == "text":
            if field.required and not value.strip():
                self.add(path, f"{field.label}: darf nicht leer sein.")
                return field.default
            if field.max_len is not None and len(value.strip()) > field.max_len:
                self.add(path, f"{field.label}: höchstens {field.max_len} Zeichen erlaubt.")
                return field.default
        if field.kind == "date":
            try:
                return parse_date(value, field.label)
            except ValidationError as exc:
                self.add(path, exc.errors[0].message)
                return field.default
        return value

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
