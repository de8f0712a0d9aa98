"""Random histories with SEPA runs and return debits (Hypothesis, SQLite and PostgreSQL): after every
step the ledger invariant holds on every account, a run collects exactly the open due items of the
accounts with a valid mandate and no credit, the file's control sum is the booked sum, and the
mandate's sequence follows FRST → RCUR (back to FRST when its only collections came back)."""
from __future__ import annotations

import itertools
import shutil
from contextlib import contextmanager
from datetime import date, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import select

from sollhaben.domain.ledger import PostingSource, check_account_invariant
from sollhaben.domain.master_data import PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.mandates import MandateInput
from sollhaben.persistence.database import open_database
from sollhaben.persistence.models import Allocation, Posting, SepaMandate
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import sepa_collections, sepa_mandates, sepa_proposal, sepa_returns, sepa_run
from tests.conftest import _truncate_pg, make_org_input

START = date.today()  # the runs are created on the real clock; return debits come after them
STEP = st.one_of(
    st.tuples(st.just("fee"), st.integers(0, 2), st.integers(1, 50_000), st.integers(0, 60)),
    st.tuples(st.just("pay"), st.integers(0, 2), st.integers(1, 30_000), st.just(0)),
    st.tuples(st.just("run"), st.just(0), st.integers(1, 40), st.just(0)),
    st.tuples(st.just("return"), st.integers(0, 5), st.integers(0, 500), st.just(0)),
)
HISTORY = st.lists(STEP, min_size=3, max_size=14)
_serial = itertools.count()


@contextmanager
def fresh_database(kind: str, template, folder, pg_url: str = ""):
    if kind == "sqlite":
        path = folder / f"s{next(_serial)}.sqlite"
        shutil.copy(template, path)
        database = open_database(f"sqlite:///{path}", user="hypothesis")
    else:
        database = open_database(pg_url, user="hypothesis")
        _truncate_pg(database)
    try:
        yield database
    finally:
        database.dispose()


def ledger_rows(db, account_id: int):
    with db.session() as session:
        postings = dict(session.execute(select(Posting.id, Posting.amount_minor)
                                        .where(Posting.account_id == account_id)).all())
        allocations = [tuple(row) for row in session.execute(
            select(Allocation.credit_id, Allocation.item_id, Allocation.amount_minor)
            .join(Posting, Posting.id == Allocation.item_id).where(Posting.account_id == account_id))]
    return postings, allocations


def _setup(db):
    org = organizations.create_organization(db, make_org_input("DE"))
    accounts = []
    for n in range(3):
        person = persons.save_person(db, org.id, PersonInput("NATURAL", f"Zahler{n}", "Eva"), today=START)
        accounts.append(ledger.open_account(db, org.id, person.id, module="kita"))
        if n < 2:  # the third pays by transfer
            sepa_mandates.save_mandate(db, org.id, MandateInput(person.id, f"KITA-{n}", START, f"Eva Zahler{n}",
                                                                "DE02120300000000202051"), today=START)
    return org, accounts


def run_history(db, steps, folder) -> None:
    org, accounts = _setup(db)
    today = START
    for kind, who, amount, days in steps:
        today += timedelta(days=3)
        if kind == "fee":
            ledger.post(db, NewPosting(accounts[who].id, today, "FEE_GROUP", Money(amount, "EUR"),
                                       due_date=today + timedelta(days=days), source=PostingSource.BILLING_RUN))
        elif kind == "pay":
            ledger.book_payment(db, accounts[who].id, today, Money(amount, "EUR"))
        elif kind == "run":
            _run(db, org, today, today + timedelta(days=amount), folder)
        else:
            _return(db, org, who, Money(amount, "EUR") if amount else None, today)
        for account in accounts:
            assert check_account_invariant(*ledger_rows(db, account.id)) == []
    _check_sequences(db)


def _run(db, org, today, due, folder) -> None:
    proposal = sepa_proposal.propose(db, org.id, due, today)
    for line in proposal.lines:  # exactly the open due items of the account
        statement = ledger.statement(db, line.account_id)
        due_items = {p.id: p.open_amount.minor for p in statement.open_items
                     if (p.due_date or p.booking_date) <= due}
        assert {i.posting_id: i.open_amount.minor for i in line.items} == due_items
        assert statement.unallocated_credit.minor == 0
    if not proposal.can_run:
        return
    target = folder / f"run-{due}-{len(list(folder.iterdir()))}.xml"
    result = sepa_run.run_collection(db, proposal, "08", target, today=today)
    event("a run collected")
    root = etree.fromstring(target.read_bytes())
    assert root.findtext(".//{*}GrpHdr/{*}CtrlSum") == f"{result.total.minor // 100}.{result.total.minor % 100:02d}"
    assert result.total == proposal.total
    for line in proposal.lines:
        assert all((p.due_date or p.booking_date) > due for p in ledger.statement(db, line.account_id).open_items)


def _return(db, org, pick, fee, today) -> None:
    items = [i for c in sepa_collections.list_collections(db, org.id)
             for i in sepa_collections.collection_items(db, c.id) if i.returned_on is None]
    if items:
        item = items[pick % len(items)]
        before = sum(p.open_amount.minor for p in ledger.statement(db, item.account_id).open_items)
        sepa_returns.record_return_debit(db, item.id, today, "AM04", fee, today=today)
        event("a debit came back")
        after = sum(p.open_amount.minor for p in ledger.statement(db, item.account_id).open_items)
        assert after == before + item.amount.minor + (fee.minor if fee else 0)


def _check_sequences(db) -> None:
    with db.session() as session:
        for mandate in session.scalars(select(SepaMandate)):
            items = [i for c in sepa_collections.list_collections(db, mandate.organization_id)
                     for i in sepa_collections.collection_items(db, c.id) if i.mandate_reference == mandate.reference]
            standing = [i for i in items if i.returned_on is None]
            assert mandate.sequence_type == ("RCUR" if standing else "FRST")
            if items:
                assert items[0].sequence_type == "FRST" or any(i.returned_on is None for i in items)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=HISTORY)
def test_sepa_histories_sqlite(sqlite_template, tmp_path_factory, steps):
    folder = tmp_path_factory.mktemp("sepa")
    with fresh_database("sqlite", sqlite_template, folder) as db:
        run_history(db, steps, _files(folder))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=HISTORY)
def test_sepa_histories_postgresql(pg_migrated, sqlite_template, tmp_path_factory, steps):
    folder = tmp_path_factory.mktemp("sepa")
    with fresh_database("postgresql", sqlite_template, folder, pg_migrated) as db:
        run_history(db, steps, _files(folder))


def _files(folder):
    files = folder / "files"
    files.mkdir()
    return files
