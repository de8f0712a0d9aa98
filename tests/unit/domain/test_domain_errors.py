"""ValidationError, FieldError, ErrorCollector."""
from __future__ import annotations

import pytest

from sollhaben.domain.errors import ConflictError, ErrorCollector, FieldError, NotFoundError, ValidationError
from sollhaben.domain.references import normalize_iban


def test_validation_error_from_string():
    exc = ValidationError("PLZ: fehlt.", "postal_code")
    assert exc.errors == [FieldError("postal_code", "PLZ: fehlt.")]
    assert str(exc) == "PLZ: fehlt."
    assert isinstance(exc, ValueError)


def test_validation_error_from_field_error_and_list():
    one = FieldError("a", "A falsch.")
    two = FieldError("b", "B falsch.")
    assert ValidationError(one).errors == [one]
    exc = ValidationError([one, two])
    assert exc.errors == [one, two]
    assert str(exc) == "A falsch.; B falsch."
    assert str(one) == "A falsch."


def test_validation_error_copies_the_list():
    errors = [FieldError("a", "x")]
    exc = ValidationError(errors)
    errors.append(FieldError("b", "y"))
    assert len(exc.errors) == 1


def test_prefixed():
    exc = ValidationError([FieldError("postal_code", "PLZ fehlt."), FieldError("", "Adresse unvollständig.")])
    prefixed = exc.prefixed("address")
    assert prefixed.errors == [
        FieldError("address.postal_code", "PLZ fehlt."),
        FieldError("address", "Adresse unvollständig."),
    ]
    assert str(prefixed) == str(exc)
    # the original is untouched
    assert exc.errors[0].field == "postal_code"
    assert prefixed.prefixed("bank_accounts[0]").errors[0].field == "bank_accounts[0].address.postal_code"


def test_error_collector_collects_all_and_raises_once():
    collector = ErrorCollector()
    collector.raise_if_any()  # nothing yet
    assert collector.check("iban", normalize_iban, "DE89370400440532013000") == "DE89370400440532013000"
    assert collector.check("iban2", normalize_iban, "abc", field="IBAN") is None
    collector.add("name", "Name: Bitte einen Namen eingeben.")
    assert [e.field for e in collector.errors] == ["iban2", "name"]
    assert collector.errors[0].message.startswith("IBAN:")
    with pytest.raises(ValidationError) as info:
        collector.raise_if_any()
    assert len(info.value.errors) == 2
    assert "IBAN:" in str(info.value) and "Name:" in str(info.value)


def test_error_collector_records_every_error_of_a_multi_error_under_the_field():
    def validator():
        raise ValidationError([FieldError("x", "eins"), FieldError("y", "zwei")])

    collector = ErrorCollector()
    assert collector.check("address", validator) is None
    assert collector.errors == [FieldError("address", "eins"), FieldError("address", "zwei")]


def test_error_collector_lets_other_exceptions_through():
    def broken():
        raise KeyError("bug")

    with pytest.raises(KeyError):
        ErrorCollector().check("x", broken)


def test_conflict_and_not_found():
    assert "Bitte neu laden" in str(ConflictError())
    assert str(ConflictError("Konto")).startswith("Konto wurde inzwischen")
    assert issubclass(NotFoundError, LookupError)
