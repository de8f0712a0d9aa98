"""Dunning blocks and the collection-measure log on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date

import pytest

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.master_data import PersonInput
from sollhaben.domain.money import Money
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import blocks, measures
from sollhaben.services.unit_of_work import read_only, unit_of_work
from tests.conftest import make_org_input

TODAY = date(2026, 11, 24)


@pytest.fixture
def org(db):
    return organizations.create_organization(db, make_org_input("CH"))


@pytest.fixture
def account(db, org):
    holder = persons.save_person(db, org.id, PersonInput("NATURAL", "Gerber", "Reto"), today=TODAY)
    return ledger.open_account(db, org.id, holder.id, module="alimony")


@pytest.fixture
def item(db, account):
    return ledger.post(db, NewPosting(account.id, date(2026, 10, 1), "MAINTENANCE", Money.of("450.00", "CHF"),
                                      text="Unterhalt 10.2026", due_date=date(2026, 10, 1)))


def test_account_block_is_active_until_its_end_date_inclusive(db, org, account):
    block_id = blocks.add_block(db, organization_id=org.id, account_id=account.id, reason="Klärung läuft",
                                valid_until=date(2026, 12, 31))
    with read_only(db) as session:
        assert blocks.active_blocks(session, org.id, date(2026, 12, 31)) == ({account.id}, set())
        assert blocks.active_blocks(session, org.id, date(2027, 1, 1)) == (set(), set())
    [dto] = blocks.list_blocks(db, account.id)
    assert (dto.id, dto.reason, dto.created_by, dto.item_id) == (block_id, "Klärung läuft", "test", None)
    assert dto.active_on(date(2026, 12, 31)) and not dto.active_on(date(2027, 1, 1))


def test_item_block_and_lifting_keeps_the_history(db, org, account, item):
    block_id = blocks.add_block(db, organization_id=org.id, account_id=account.id, item_id=item,
                                reason="Betrag bestritten")
    with read_only(db) as session:
        assert blocks.active_blocks(session, org.id, date(2030, 1, 1)) == (set(), {item})
        reasons = blocks.active_block_reasons(session, org.id, TODAY)
        assert reasons == ({}, {item: "Mahnsperre: Betrag bestritten"})
    blocks.lift_block(db, block_id, reason="geklärt")
    with read_only(db) as session:
        assert blocks.active_blocks(session, org.id, TODAY) == (set(), set())
    [dto] = blocks.list_blocks(db, account.id)
    assert dto.lifted_at is not None and dto.lifted_by == "test" and dto.lift_reason == "geklärt"
    assert "Unterhalt 10.2026" in dto.item_text
    with pytest.raises(ValidationError, match="bereits aufgehoben"):
        blocks.lift_block(db, block_id)


def test_block_needs_a_reason_and_an_item_of_the_account(db, org, account, item):
    with pytest.raises(ValidationError) as exc:
        blocks.add_block(db, organization_id=org.id, account_id=account.id, reason="  ", item_id=item + 999)
    assert {e.field for e in exc.value.errors} == {"reason", "item_id"}
    assert "Grund" in str(exc.value)
    other = organizations.create_organization(db, make_org_input("DE"))
    with pytest.raises(NotFoundError):
        blocks.add_block(db, organization_id=other.id, account_id=account.id, reason="x")
    assert blocks.list_blocks(db, account.id) == []


def test_agreement_blocks_join_the_callers_unit_of_work_and_are_lifted_together(db, org, account, item):
    with pytest.raises(RuntimeError):
        with unit_of_work(db) as session:
            blocks.add_block(session, organization_id=org.id, account_id=account.id, reason="Vereinbarung 7",
                             agreement_id=7)
            raise RuntimeError("the caller fails after the block")
    assert blocks.list_blocks(db, account.id) == []  # rolled back with the caller
    with unit_of_work(db) as session:
        blocks.add_block(session, organization_id=org.id, account_id=account.id, reason="Vereinbarung 7",
                         agreement_id=7)
        blocks.add_block(session, organization_id=org.id, account_id=account.id, item_id=item,
                         reason="Vereinbarung 7", agreement_id=7)
    assert blocks.lift_agreement_blocks(db, 7, reason="Vereinbarung gebrochen") == 2
    assert all(b.lift_reason == "Vereinbarung gebrochen" for b in blocks.list_blocks(db, account.id))
    assert blocks.list_organization_blocks(db, org.id, active_on=TODAY) == []
    assert len(blocks.list_organization_blocks(db, org.id)) == 2


def test_measures_are_listed_chronologically(db, org, account):
    with unit_of_work(db) as session:
        measures.log_measure(session, organization_id=org.id, account_id=account.id, occurred_on=date(2026, 11, 20),
                             kind="REMINDER", text="1. Mahnung", ref_kind="dunning_notice", ref_id=3)
        measures.log_measure(session, organization_id=org.id, account_id=account.id, occurred_on=date(2026, 10, 2),
                             kind="CALL", text="Telefonat mit Herrn Gerber")
    measures.add_measure(db, account_id=account.id, occurred_on=date(2026, 11, 20), kind="NOTE", text="Brief zurück")
    rows = measures.list_measures(db, account.id)
    assert [(m.occurred_on, m.kind) for m in rows] == [
        (date(2026, 10, 2), "CALL"), (date(2026, 11, 20), "REMINDER"), (date(2026, 11, 20), "NOTE")]
    assert rows[1].ref_kind == "dunning_notice" and rows[1].ref_id == 3 and rows[1].kind_label == "Mahnung"
    with pytest.raises(ValidationError, match="Art"):
        with unit_of_work(db) as session:
            measures.log_measure(session, organization_id=org.id, account_id=account.id, occurred_on=TODAY,
                                 kind="POSTCARD", text="")
    with pytest.raises(ValidationError, match="Notiz"):
        measures.add_measure(db, account_id=account.id, occurred_on=TODAY, kind="NOTE", text=" ")
    assert len(measures.list_measures(db, account.id)) == 3
