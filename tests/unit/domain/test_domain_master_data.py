"""Master-data rules decided for the services: creditor identifier, field lengths, default bank
account, roles, duplicate key."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.master_data import (
    Address,
    BankAccountInput,
    OrganizationInput,
    PersonInput,
    duplicate_key,
    validate_organization,
    validate_person,
)
from sollhaben.domain.references import is_valid_creditor_id

DE_ORG = OrganizationInput("Kita-Verbund", "DE", Address("Hauptstraße", "5", "70173", "Stuttgart", "DE"))


@pytest.mark.parametrize("text, valid", [
    ("DE98ZZZ09999999999", True), ("de98 zzz0 9999 9999 99", True), ("DE98ABC09999999999", True),
    ("DE97ZZZ09999999999", False), ("DE98ZZZ09999999998", False), ("DE98", False), ("", False),
])
def test_creditor_id_check_digits(text, valid):
    # the business code (ZZZ/ABC) is not part of the check
    assert is_valid_creditor_id(text) is valid


def test_creditor_id_must_come_from_the_organizations_country():
    assert validate_organization(replace(DE_ORG, sepa_creditor_id="DE98ZZZ09999999999")).sepa_creditor_id == \
        "DE98ZZZ09999999999"
    with pytest.raises(ValidationError, match="Gläubiger-ID aus DE, nicht aus AT"):
        validate_organization(replace(DE_ORG, sepa_creditor_id="AT61ZZZ01234567890"))


def test_only_one_default_bank_account():
    two = (BankAccountInput("DE89370400440532013000", is_default=True),
           BankAccountInput("DE89370400440532013000", is_default=True))
    with pytest.raises(ValidationError) as caught:
        validate_organization(replace(DE_ORG, bank_accounts=two))
    assert [e.field for e in caught.value.errors] == ["bank_accounts[1].is_default"]


def test_lengths_are_checked_where_the_columns_end():
    with pytest.raises(ValidationError) as caught:
        validate_person(PersonInput("NATURAL", "Muster", salutation="x" * 21, phone="1" * 41,
                                    bank_accounts=(BankAccountInput("DE89370400440532013000", label="h" * 71),)),
                        today=date(2026, 1, 1))
    assert {e.field for e in caught.value.errors} == {"salutation", "phone", "bank_accounts[0].label"}


def test_roles_need_a_known_module_and_a_role():
    ok = validate_person(PersonInput("NATURAL", "Muster", roles=(("kita", " payer "), ("kita", "payer"))),
                         today=date(2026, 1, 1))
    assert ok.roles == (("kita", "payer"),)
    with pytest.raises(ValidationError) as caught:
        validate_person(PersonInput("NATURAL", "Muster", roles=(("golf", "payer"), ("kita", " "))),
                        today=date(2026, 1, 1))
    assert [e.field for e in caught.value.errors] == ["roles[0].module", "roles[1].role"]


def test_duplicate_key_folds_case_umlauts_and_spaces():
    assert duplicate_key(" ÖZDEMIR ", "Ümit  Can", None) == duplicate_key("Özdemir", "ümit can", None)
    assert duplicate_key("GROSS", "Anna", None) == duplicate_key("Groß", "anna", None)
    assert duplicate_key("Muster", "Anna", date(2000, 1, 1)) != duplicate_key("Muster", "Anna", None)
