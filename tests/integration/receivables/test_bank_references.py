"""The registry of issued payment references (services.receivables.references), both back ends."""
from __future__ import annotations

from datetime import date

import pytest

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.master_data import PersonInput
from sollhaben.domain.references import (
    format_qr_reference,
    make_document_creditor_reference,
    make_document_qr_reference,
)
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.receivables.references import register_issued_reference, resolve_reference, resolve_references
from sollhaben.services.unit_of_work import read_only, unit_of_work
from tests.conftest import make_org_input

TODAY = date(2026, 11, 24)


@pytest.fixture
def setup(db):
    org = organizations.create_organization(db, make_org_input("CH"))
    holder = persons.save_person(db, org.id, PersonInput("NATURAL", "Gerber", "Reto"), today=TODAY)
    other = persons.save_person(db, org.id, PersonInput("NATURAL", "Meier", "Anna"), today=TODAY)
    return org, ledger.open_account(db, org.id, holder.id), ledger.open_account(db, org.id, other.id)


def test_registered_reference_resolves_to_account_and_items(db, setup):
    org, account, _other = setup
    ref = make_document_qr_reference(account.id, 4711)
    with unit_of_work(db) as session:
        first = register_issued_reference(session, organization_id=org.id, account_id=account.id,
                                          reference=format_qr_reference(ref), kind="DUNNING", document_id=9,
                                          item_ids=[31, 32])
    with unit_of_work(db) as session:  # idempotent: a reprinted letter registers it again
        again = register_issued_reference(session, organization_id=org.id, account_id=account.id,
                                          reference=ref, kind="DUNNING", document_id=9, item_ids=[31, 32])
    assert again == first
    with read_only(db) as session:
        resolved = resolve_reference(session, org.id, format_qr_reference(ref))
    assert resolved.account_id == account.id
    assert resolved.item_ids == (31, 32)
    assert resolved.kind == "DUNNING" and resolved.document_id == 9 and resolved.registered


def test_same_reference_for_another_account_is_refused(db, setup):
    org, account, other = setup
    ref = make_document_creditor_reference(account.id, 5)
    with unit_of_work(db) as session:
        register_issued_reference(session, organization_id=org.id, account_id=account.id, reference=ref,
                                  kind="STATEMENT")
    with pytest.raises(ValidationError, match="anderes Konto"):
        with unit_of_work(db) as session:
            register_issued_reference(session, organization_id=org.id, account_id=other.id, reference=ref,
                                      kind="STATEMENT")


def test_account_of_another_organization_is_refused(db, setup):
    org, account, _other = setup
    second = organizations.create_organization(db, make_org_input("DE"))
    with pytest.raises(NotFoundError):
        with unit_of_work(db) as session:
            register_issued_reference(session, organization_id=second.id, account_id=account.id,
                                      reference="RF18539007547034", kind="DUNNING")


def test_unregistered_reference_of_our_scheme_resolves_to_its_account_only(db, setup):
    org, account, other = setup
    qrr = make_document_qr_reference(other.id, 0)
    scor = make_document_creditor_reference(account.id, 12)
    foreign = make_document_qr_reference(999_999, 0)  # no such account
    with read_only(db) as session:
        assert resolve_reference(session, org.id, qrr).account_id == other.id
        resolved = resolve_reference(session, org.id, scor)
        assert resolved.account_id == account.id and resolved.item_ids == () and not resolved.registered
        assert resolve_reference(session, org.id, foreign) is None
        assert resolve_reference(session, org.id, "RF18539007547034") is None  # another scheme
        bulk = resolve_references(session, org.id, [qrr, scor, foreign, ""])
    assert set(bulk) == {qrr, scor}


def test_reference_of_another_organization_does_not_resolve(db, setup):
    _org, account, _other = setup
    second = organizations.create_organization(db, make_org_input("DE"))
    with read_only(db) as session:
        assert resolve_reference(session, second.id, make_document_qr_reference(account.id, 0)) is None


def test_bulk_registration_for_a_run(db, setup):
    from sollhaben.services.receivables.references import IssuedReferenceInput, register_issued_references

    org, account, other = setup
    first = make_document_qr_reference(account.id, 1)
    second = make_document_qr_reference(other.id, 2)
    with unit_of_work(db) as session:
        register_issued_references(session, org.id, [
            IssuedReferenceInput(account.id, first, "DUNNING", 11, (5, 6)),
            IssuedReferenceInput(other.id, format_qr_reference(second), "DUNNING", 12),
            IssuedReferenceInput(account.id, first, "DUNNING", 11, (5, 6))])  # the same twice: once
    with unit_of_work(db) as session:  # again: nothing new, no error
        register_issued_references(session, org.id, [IssuedReferenceInput(account.id, first, "DUNNING", 11)])
    with read_only(db) as session:
        assert resolve_reference(session, org.id, first).item_ids == (5, 6)
        assert resolve_reference(session, org.id, second).document_id == 12
    with pytest.raises(ValidationError) as caught:
        with unit_of_work(db) as session:
            register_issued_references(session, org.id, [
                IssuedReferenceInput(other.id, first, "DUNNING"),
                IssuedReferenceInput(999_999, make_document_qr_reference(999_999), "DUNNING"),
                IssuedReferenceInput(account.id, "", "DUNNING")])
    messages = " ".join(e.message for e in caught.value.errors)
    assert "anderes Konto" in messages and "Konto 999999 gibt es" in messages and "1 bis 35 Zeichen" in messages
