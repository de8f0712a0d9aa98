"""The audit log covers the receivables master data (SQLite and PostgreSQL): a payer's SEPA
mandates, an account's payment agreements and dunning blocks show in the holder's history; the
dunning policy in the organization's."""
from __future__ import annotations

from datetime import date

import pytest

from sollhaben.domain.master_data import PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.agreements import AgreementTerms, Interval
from sollhaben.domain.receivables.dunning_policy import default_policy
from sollhaben.domain.receivables.mandates import MandateInput
from sollhaben.services import audit_log, ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import agreements, blocks, dunning_settings, sepa_mandates, sepa_returns
from sollhaben.services.receivables.agreements import AgreementInput
from tests.conftest import make_org_input

TODAY = date(2026, 11, 24)
IBAN = "DE02120300000000202051"


@pytest.fixture
def org(db):
    return organizations.create_organization(db, make_org_input("DE"))


@pytest.fixture
def payer(db, org):
    return persons.save_person(db, org.id, PersonInput("NATURAL", "Keller", "Anna"), today=TODAY)


def changes(entries) -> set[tuple]:
    return {(e.action, e.table_name, e.field, e.old_value, e.new_value) for e in entries}


def test_editing_and_revoking_a_mandate_shows_in_the_payers_history(db, org, payer):
    db.user = "mbe"
    made = sepa_mandates.save_mandate(db, org.id, MandateInput(payer.id, "KITA-0001", date(2026, 3, 1),
                                                               "Anna Keller", IBAN), today=TODAY)
    changed = sepa_mandates.save_mandate(db, org.id, MandateInput(payer.id, "KITA-0001", date(2026, 3, 1),
                                                                  "Anna Keller-Graf", IBAN, note="Name geändert"),
                                         mandate_id=made.id, version=made.version, today=TODAY)
    sepa_mandates.revoke_mandate(db, made.id, changed.version, date(2026, 12, 1), today=TODAY)

    entries = audit_log.history(db, "person", payer.id)
    mandate_rows = changes(e for e in entries if e.table_name == "sepa_mandate")
    assert {("insert", "sepa_mandate", "reference", None, "KITA-0001"),
            ("insert", "sepa_mandate", "iban", None, IBAN),
            ("update", "sepa_mandate", "debtor_name", "Anna Keller", "Anna Keller-Graf"),
            ("update", "sepa_mandate", "note", "", "Name geändert"),
            ("update", "sepa_mandate", "revoked_on", None, "2026-12-01")} <= mandate_rows
    assert {e.changed_by for e in entries if e.table_name == "sepa_mandate"} == {"mbe"}


def test_agreement_and_block_show_in_the_account_holders_history(db, org, payer):
    account = ledger.open_account(db, org.id, payer.id, module="kita")
    item = ledger.post(db, NewPosting(account.id, date(2026, 10, 1), "FEE_GROUP", Money.of("280.49", "EUR"),
                                      text="Beitrag 10.2026", due_date=date(2026, 10, 1)))
    block_id = blocks.add_block(db, organization_id=org.id, account_id=account.id, item_id=item,
                                reason="Klärung läuft")
    blocks.lift_block(db, block_id, reason="geklärt")
    agreement_id = agreements.create_agreement(db, org.id, AgreementInput(
        account.id, AgreementTerms(Money.of("280.49", "EUR"), date(2026, 12, 1), Interval.MONTHLY,
                                   instalment_count=3)), today=TODAY)

    found = changes(audit_log.history(db, "person", payer.id))
    assert ("insert", "dunning_block", "reason", None, "Klärung läuft") in found
    assert ("update", "dunning_block", "lift_reason", "", "geklärt") in found
    assert ("insert", "payment_agreement", "total_minor", None, "28049") in found
    assert ("insert", "dunning_block", "agreement_id", None, str(agreement_id)) in found  # its block too


def test_dunning_policy_shows_in_the_organizations_history(db, org):
    dunning_settings.save_policy(db, org.id, default_policy("DE"))
    found = changes(audit_log.history(db, "organization", org.id))
    assert ("insert", "dunning_settings", "handover", None, default_policy("DE").handover.value) in found
    assert {row[3:] for row in found if row[1] == "dunning_level" and row[2] == "position"} >= {(None, "1")}


def test_a_collection_run_keeps_the_mandates_use_out_of_the_log_a_return_note_is_in(db, org, payer):
    from tests.integration.receivables.test_sepa_collection import DUE, _collected, fee

    account = ledger.open_account(db, org.id, payer.id, module="kita")
    sepa_mandates.save_mandate(db, org.id, MandateInput(payer.id, "KITA-0001", date(2026, 3, 1), "Anna Keller",
                                                        IBAN), today=TODAY)
    fee(db, account, "120.00", DUE)
    before = len(audit_log.history(db, "person", payer.id))
    [item] = _collected(db, org).values()
    assert len(audit_log.history(db, "person", payer.id)) == before  # first/last use, sequence: the run's own
    sepa_returns.record_return_debit(db, item.id, date(2026, 12, 5), "AM04", today=date(2026, 12, 5))
    [note] = [e for e in audit_log.history(db, "person", payer.id) if e.field == "note"]
    assert note.action == "update" and "AM04" in note.new_value
