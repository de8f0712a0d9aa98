"""The ledger invariant over random histories (ledger.md → Accounts and postings), on SQLite and
PostgreSQL: a Hypothesis state machine performs random operations on two accounts (a Kita account
and its enforcement sub-account) and after every step checks from the database that for every
account Σ postings = Σ open amounts − unallocated credit, that no allocation exceeds its item or its
payment (`domain.ledger.check_account_invariant`, and per pair), that nothing is allocated across
accounts, that the statement agrees, and that the balance is the one the operations expect.

Extending: write `def op_<name>(m: LedgerMachine, data) -> None` that performs one operation through
the public services, updates `m.expected[account_id]` by the balance change it causes, and append it
to OPERATIONS. The operations of the other parts (bank import, SEPA run and return debit, refund
order, dunning run) are in test_ledger_invariant_ops.py.
"""
from __future__ import annotations

import itertools
import shutil
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.ledger import PostingSource, check_account_invariant
from sollhaben.domain.master_data import Address, BankAccountInput, PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.domain.receivables import propose_allocation
from sollhaben.persistence.database import open_database
from sollhaben.persistence.models import Allocation, Posting
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import receipts
from sollhaben.services.unit_of_work import read_only
from tests.conftest import _truncate_pg, make_org_input
from tests.integration.test_ledger_invariant_ops import PAYER_IBAN
from tests.integration.test_ledger_invariant_ops import register as register_other_parts

CURRENCY = "EUR"
START = date(2026, 1, 1)
CATEGORIES = ("KITA_FEE", "MEALS", "KITA_EXTRA", "INTEREST", "ENFORCEMENT_COST")
_serial = itertools.count()


def eur(minor: int) -> Money:
    return Money(minor, CURRENCY)


# --- reading the ledger back ------------------------------------------------------------------------

def ledger_rows(db, account_id: int) -> tuple[dict[int, int], list[tuple[int, int, int]]]:
    with db.session() as session:
        postings = dict(session.execute(select(Posting.id, Posting.amount_minor)
                                        .where(Posting.account_id == account_id)).all())
        allocations = [tuple(r) for r in session.execute(
            select(Allocation.credit_id, Allocation.item_id, Allocation.amount_minor)
            .join(Posting, Posting.id == Allocation.item_id).where(Posting.account_id == account_id))]
        foreign = session.scalar(select(func.count()).select_from(Allocation)
                                 .join(Posting, Posting.id == Allocation.credit_id)
                                 .where(Posting.account_id == account_id, Allocation.item_id.not_in(postings)))
    assert foreign == 0, "allocation across accounts"
    return postings, allocations


def check_account(db, account_id: int, expected_balance: int) -> None:
    postings, allocations = ledger_rows(db, account_id)
    assert check_account_invariant(postings, allocations) == []
    pairs: dict[tuple[int, int], int] = {}
    to_item = {pid: 0 for pid in postings}
    from_credit = {pid: 0 for pid in postings}
    for credit, item, amount in allocations:
        pairs[credit, item] = pairs.get((credit, item), 0) + amount
        to_item[item] += amount
        from_credit[credit] += amount
    for (credit, item), net in pairs.items():  # no allocation exceeds its item or its payment
        assert 0 <= net <= min(postings[item], -postings[credit]), f"pair {credit} → {item}: {net}"
    open_amounts = {pid: a - to_item[pid] for pid, a in postings.items() if a > 0}
    unallocated = sum(-a - from_credit[pid] for pid, a in postings.items() if a < 0)
    total = sum(postings.values())
    assert total == sum(open_amounts.values()) - unallocated
    assert total == expected_balance, f"account {account_id}: balance {total}, expected {expected_balance}"
    statement = ledger.statement(db, account_id)
    assert statement.closing_balance.minor == total
    running = 0
    for line in statement.lines:
        running += line.posting.amount.minor
        assert line.balance.minor == running
    assert {p.id: p.open_amount.minor for p in statement.open_items} == {
        pid: o for pid, o in open_amounts.items() if o > 0}
    assert statement.unallocated_credit.minor == unallocated


def counts(db) -> tuple[int, int]:
    with db.session() as session:
        return (session.scalar(select(func.count()).select_from(Posting)),
                session.scalar(select(func.count()).select_from(Allocation)))


# --- the operations ---------------------------------------------------------------------------------

def draw_day(m: "LedgerMachine", data) -> date:
    """Days move forward mostly, so reversals and payments come after what they concern."""
    m.day += timedelta(days=data.draw(st.integers(0, 20), label="days later"))
    return m.day


def draw_account(m: "LedgerMachine", data) -> int:
    return data.draw(st.sampled_from(m.accounts), label="account")


def open_items(m: "LedgerMachine", account_id: int):
    return list(ledger.statement(m.db, account_id).open_items)


def op_receivable(m: "LedgerMachine", data, category: str | None = None, source=PostingSource.BILLING_RUN) -> None:
    account_id, day = draw_account(m, data), draw_day(m, data)
    amount = data.draw(st.integers(1, 60_000), label="amount")
    due = None if data.draw(st.booleans(), label="undated") else day + timedelta(days=data.draw(st.integers(0, 40)))
    category = category or data.draw(st.sampled_from(CATEGORIES), label="category")
    detail = {"enforcement_case": "B-1"} if category == "ENFORCEMENT_COST" else None
    ledger.post(m.db, NewPosting(account_id, day, category, eur(amount), text=category, due_date=due,
                                 value_month=Month.of(due or day), source=source, detail=detail))
    m.expected[account_id] += amount


def op_reminder_fee(m: "LedgerMachine", data) -> None:
    op_receivable(m, data, "REMINDER_FEE", PostingSource.DUNNING)


def op_credit_note(m: "LedgerMachine", data) -> None:
    account_id, day = draw_account(m, data), draw_day(m, data)
    amount = data.draw(st.integers(1, 30_000), label="amount")
    ledger.post(m.db, NewPosting(account_id, day, "CREDIT_NOTE", eur(-amount), text="Gutschrift"))
    m.expected[account_id] -= amount


def op_payment_proposed(m: "LedgerMachine", data) -> None:
    """A receipt allocated by the module rule, with the payer's designation sometimes."""
    account_id, day = draw_account(m, data), draw_day(m, data)
    amount = data.draw(st.integers(1, 120_000), label="amount")
    items = open_items(m, account_id)
    designation = data.draw(st.lists(st.sampled_from([p.id for p in items] + [999_999]), max_size=2, unique=True),
                            label="designation") if items else []
    proposal = receipts.receipt_proposal(m.db, account_id, eur(amount), day, designation)
    payment = ledger.book_payment(m.db, account_id, day, eur(amount), designation=designation)
    booked = allocations_of(m.db, payment)
    assert booked == {i: a.minor for i, a in proposal.allocations()}
    assert proposal.credit.minor == amount - sum(booked.values())
    m.expected[account_id] -= amount
    m.receipts.append(payment)


def op_payment_manual(m: "LedgerMachine", data) -> None:
    """The clerk's allocation in the booking window; sometimes too much, which must be refused whole."""
    account_id, day = draw_account(m, data), draw_day(m, data)
    amount = data.draw(st.integers(1, 120_000), label="amount")
    plan, rest = [], amount
    for item in data.draw(st.permutations(open_items(m, account_id)), label="order"):
        if rest and data.draw(st.booleans(), label="take"):
            part = data.draw(st.integers(0, min(rest, item.open_amount.minor)), label="part")
            plan.append((item.id, eur(part)))
            rest -= part
    too_much = plan and data.draw(st.integers(0, 3), label="spoil") == 0
    if too_much:  # one row above its open amount: nothing may be stored
        item_id, part = plan[0]
        plan[0] = (item_id, part + eur(next(p.open_amount.minor for p in open_items(m, account_id)
                                            if p.id == item_id) - part.minor + 1))
        before = counts(m.db)
        with pytest.raises(ValidationError):
            receipts.book_receipt(m.db, account_id, day, eur(amount), "Zahlung", plan)
        assert counts(m.db) == before
        return
    payment = receipts.book_receipt(m.db, account_id, day, eur(amount), "Zahlung", plan)
    assert allocations_of(m.db, payment) == {i: p.minor for i, p in plan if p.minor}
    m.expected[account_id] -= amount
    m.receipts.append(payment)


def op_allocate_credit(m: "LedgerMachine", data) -> None:
    account_id = draw_account(m, data)
    if data.draw(st.booleans(), label="by proposal"):
        receipts.allocate_credit(m.db, account_id, value_date=m.day)
        return
    proposal = receipts.credit_proposal(m.db, account_id, m.day)
    plan, rest = [], proposal.amount.minor
    for line in proposal.lines:
        if rest:
            part = data.draw(st.integers(0, min(rest, line.open_amount.minor)), label="part")
            plan.append((line.item_id, eur(part)))
            rest -= part
    receipts.allocate_credit(m.db, account_id, plan)


def op_reverse_receivable(m: "LedgerMachine", data) -> None:
    with read_only(m.db) as session:
        candidates = session.execute(select(Posting.id, Posting.account_id, Posting.amount_minor).where(
            Posting.amount_minor > 0, Posting.reverses_id.is_(None),
            ~Posting.id.in_(select(Posting.reverses_id).where(Posting.reverses_id.is_not(None))))).all()
    if not candidates:
        return
    posting_id, account_id, amount = data.draw(st.sampled_from(sorted(candidates)), label="receivable")
    ledger.reverse(m.db, posting_id, draw_day(m, data), "Storno")
    m.expected[account_id] -= amount


def op_reverse_receipt(m: "LedgerMachine", data) -> None:
    if not m.receipts:
        return
    payment = data.draw(st.sampled_from(m.receipts), label="receipt")
    m.receipts.remove(payment)
    with read_only(m.db) as session:
        original = session.get(Posting, payment)
        account_id, amount, booked = original.account_id, original.amount_minor, original.booking_date
    receipts.reverse_receipt(m.db, payment, max(draw_day(m, data), booked), "Fehlbuchung")
    m.expected[account_id] -= amount
    with pytest.raises(ValidationError):  # never twice
        receipts.reverse_receipt(m.db, payment, m.day, "noch einmal")


def allocations_of(db, credit_id: int) -> dict[int, int]:
    with db.session() as session:
        rows = session.execute(select(Allocation.item_id, func.sum(Allocation.amount_minor))
                               .where(Allocation.credit_id == credit_id).group_by(Allocation.item_id)).all()
    return {item: int(total) for item, total in rows if total}


OPERATIONS = [op_receivable, op_receivable, op_reminder_fee, op_credit_note, op_payment_proposed,
              op_payment_manual, op_allocate_credit, op_reverse_receivable, op_reverse_receipt]
SETUPS: list = []  # (machine) -> None, run once per history after the accounts exist
register_other_parts(OPERATIONS, SETUPS)


# --- the state machine ------------------------------------------------------------------------------

class LedgerMachine(RuleBasedStateMachine):
    make_database = None  # set per back end by the test: () -> Database
    folder = None  # where a SEPA run writes its file

    def __init__(self) -> None:
        super().__init__()
        self.db = type(self).make_database()
        org = organizations.create_organization(self.db, make_org_input("DE"))
        holder = persons.save_person(self.db, org.id, PersonInput(
            "NATURAL", "Becker", "Anna", address=Address("Lindenweg", "7", "70173", "Stuttgart", "DE"),
            bank_accounts=(BankAccountInput(PAYER_IBAN),)), today=START)
        main = ledger.open_account(self.db, org.id, holder.id, module="kita")
        case = ledger.open_account(self.db, org.id, holder.id, key="enforcement:B-1", parent_id=main.id)
        self.organization_id, self.holder_id = org.id, holder.id
        self.accounts = [main.id, case.id]
        self.expected = {a: 0 for a in self.accounts}
        self.receipts: list[int] = []  # receipts not reversed yet
        self.day = START
        self.serial = 0
        for setup in SETUPS:
            setup(self)

    @rule(data=st.data())
    def step(self, data) -> None:
        operation = data.draw(st.sampled_from(OPERATIONS), label="operation")
        before = sum(counts(self.db))
        operation(self, data)
        event(f"{operation.__name__}: {'stored' if sum(counts(self.db)) != before else 'nothing stored'}")

    @invariant()
    def ledger_invariant_holds(self) -> None:
        for account_id in self.accounts:
            check_account(self.db, account_id, self.expected[account_id])

    def teardown(self) -> None:
        self.db.dispose()


def _sqlite_factory(template, folder):
    def make():
        path = folder / f"inv{next(_serial)}.sqlite"
        shutil.copy(template, path)
        return open_database(f"sqlite:///{path}", user="hypothesis")
    return make


def _pg_factory(url):
    def make():
        database = open_database(url, user="hypothesis")
        _truncate_pg(database)
        return database
    return make


def _run(make_database, folder, examples: int, steps: int) -> None:
    machine = type("LedgerMachineRun", (LedgerMachine,), {"make_database": staticmethod(make_database),
                                                          "folder": folder})
    run_state_machine_as_test(machine, settings=settings(
        max_examples=examples, stateful_step_count=steps, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))


def test_ledger_invariant_over_random_histories_sqlite(sqlite_template, tmp_path):
    _run(_sqlite_factory(sqlite_template, tmp_path), tmp_path, examples=16, steps=12)


def test_ledger_invariant_over_random_histories_postgresql(pg_migrated, tmp_path):
    _run(_pg_factory(pg_migrated), tmp_path, examples=5, steps=10)
