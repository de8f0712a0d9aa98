"""Payment agreements and dunning together (SQLite and PostgreSQL): the automatic blocks keep the
covered items out of the proposal while the agreement is kept; the proposal's monitoring run breaks a
missed agreement, so dunning resumes for exactly those items."""
from __future__ import annotations

from datetime import date

import pytest

from sollhaben.domain.master_data import Address, PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.agreements import AgreementStatus, AgreementTerms
from sollhaben.domain.receivables.dunning import Action
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import agreements, dunning
from sollhaben.services.receivables.agreements_dto import AgreementInput
from tests.conftest import make_org_input

RUN = date(2026, 11, 24)  # not after today: the proposal's check never looks beyond today


def chf(text: str) -> Money:
    return Money.of(text, "CHF")


@pytest.fixture
def setup(db):
    org = organizations.create_organization(db, make_org_input("CH"))
    person = persons.save_person(db, org.id, PersonInput(
        "NATURAL", "Gerber", "Anna", "Frau", address=Address("Marktgasse", "3", "3011", "Bern", "CH")),
        today=date(2026, 8, 1))
    account = ledger.open_account(db, org.id, person.id, module="kita")
    items = [ledger.post(db, NewPosting(account.id, date(2026, m, 1), "FEE_MONTH", chf("300.00"),
                                        text=f"Elternbeitrag {m:02d}.2026", due_date=date(2026, m, 30)))
             for m in (6, 7)]
    later = ledger.post(db, NewPosting(account.id, date(2026, 9, 1), "FEE_MONTH", chf("300.00"),
                                       text="Elternbeitrag 09.2026", due_date=date(2026, 9, 30)))
    return db, org, account, items, later


def actions(preview, account_id: int) -> dict[int, Action]:
    line = next((a for a in preview.proposal.accounts if a.account.id == account_id), None)
    return {} if line is None else {entry.item.id: entry.action for entry in line.lines}


def agree(db, org, account, items, first_due: date) -> int:
    return agreements.create_agreement(db, org.id, AgreementInput(
        account.id, AgreementTerms(chf("600.00"), first_due, instalment_count=4, grace_days=5),
        item_ids=tuple(items)), date(2026, 8, 10))


def test_kept_agreement_blocks_its_items_and_only_those(setup):
    db, org, account, items, later = setup
    agreement_id = agree(db, org, account, items, date(2026, 8, 31))
    for month in (8, 9, 10):
        ledger.book_payment(db, account.id, date(2026, month, 31 if month != 9 else 30), chf("150.00"), "Rate",
                            allocations=[(items[0] if month < 10 else items[1], chf("150.00"))])
    shown = dunning.preview(db, org.id, RUN)
    assert agreements.get_agreement(db, agreement_id, RUN).status is AgreementStatus.ACTIVE
    # June is paid; July is covered and blocked; September is not covered: reminded as usual
    assert actions(shown, account.id) == {items[1]: Action.SKIP, later: Action.REMIND}


def test_a_missed_instalment_found_by_the_proposal_lets_dunning_resume(setup):
    db, org, account, items, later = setup
    agreement_id = agree(db, org, account, items, date(2026, 8, 31))
    ledger.book_payment(db, account.id, date(2026, 8, 31), chf("150.00"), "Rate 1",
                        allocations=[(items[0], chf("150.00"))])  # nothing for September
    shown = dunning.preview(db, org.id, RUN)
    dto = agreements.get_agreement(db, agreement_id, RUN)
    assert dto.status is AgreementStatus.BROKEN and dto.broken_on == date(2026, 10, 6)
    assert actions(shown, account.id)[items[1]] is Action.REMIND
    assert actions(shown, account.id)[later] is Action.REMIND
