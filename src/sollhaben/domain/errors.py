"""Validation errors that carry the field and a German message for the user."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str  # dotted path of the field, e.g. "address.postal_code" or "bank_accounts[0].iban"
    message: str  # German, names the field and the rule

    def __str__(self) -> str:
        return self.message


class ValidationError(ValueError):
    """One or more field errors; nothing may be stored while any stands."""

    def __init__(self, errors: list[FieldError] | FieldError | str, field: str = "") -> None:
        if isinstance(errors, str):
            errors = [FieldError(field, errors)]
        elif isinstance(errors, FieldError):
            errors = [errors]
        self.errors: list[FieldError] = list(errors)
        super().__init__("; ".join(e.message for e in self.errors))

    def prefixed(self, prefix: str) -> "ValidationError":
        return ValidationError(
            [FieldError(f"{prefix}.{e.field}" if e.field else prefix, e.message) for e in self.errors]
        )


class ErrorCollector:
    """Collects field errors so a form reports all of them at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def check(self, field: str, func, /, *args, **kwargs):
        """Run a validator; record its error under `field` and return None on failure.

        `field` and `func` are positional-only so that `field=` reaches the validator."""
        try:
            return func(*args, **kwargs)
        except ValidationError as exc:
            for err in exc.errors:
                self.errors.append(FieldError(field, err.message))
            return None

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


class ConflictError(RuntimeError):
    """The record was changed by someone else since it was loaded (optimistic locking)."""

    def __init__(self, what: str = "Datensatz") -> None:
        super().__init__(
            f"{what} wurde inzwischen von jemand anderem geändert. Bitte neu laden und die Änderung wiederholen."
        )


class NotFoundError(LookupError):
    pass
