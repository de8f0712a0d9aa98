"""Operations of the other receivables parts in the random histories of test_ledger_invariant.py:
bank import of a small generated camt.054 (and the same file again), assignment of a clearing line,
SEPA collection run, return debit with fee (entered, or booked from a bank file's returned debit), refund order of a credit balance and its cancellation,
dunning run confirmed. Each acts through the part's public service and states
what the postings it made must look like; their sum is the balance change the model expects.

`register(operations, setups)` adds them (an operation whose part is missing is left out)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable

from hypothesis import event
from hypothesis import strategies as st
from sqlalchemy import func, select

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.money import Money
from sollhaben.persistence.models import Posting

PAYER_IBAN = "DE02120300000000202051"
ORG_IBAN = "DE89370400440532013000"
STRANGER_IBAN = "DE75512108001245126199"
TODAY = date.today()  # SEPA runs are dated on the real clock; their returns must not lie before them


def _max_id(db) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.coalesce(func.max(Posting.id), 0))))


def _new_postings(db, after: int) -> list[Posting]:
    with db.session() as session:
        return list(session.scalars(select(Posting).where(Posting.id > after).order_by(Posting.id)))


def booked(m, action: Callable[[], object], check: Callable[[list[Posting], object], None]) -> object:
    """Run `action`, check the postings it made, and add them to the expected balances."""
    before = _max_id(m.db)
    result = action()
    made = _new_postings(m.db, before)
    check(made, result)
    for posting in made:
        m.expected[posting.account_id] += posting.amount_minor
    return result


# --- bank import ----------------------------------------------------------------------------------

def op_bank_import(m, data) -> None:
    from sollhaben.banking.camt_writer import EntrySpec, FileSpec, TxSpec, write_camt
    from sollhaben.services.receivables.bank_import import import_bank_file

    amounts = data.draw(st.lists(st.integers(1, 80_000), min_size=1, max_size=3), label="camt amounts")
    unknown = data.draw(st.sampled_from([0, 0, 4_200]), label="credit of an unknown payer")
    m.serial += 1
    txs = tuple(TxSpec(Money(a, "EUR"), f"T{m.serial}-{n}", debtor_name="Anna Becker", debtor_iban=PAYER_IBAN)
                for n, a in enumerate(amounts))
    if unknown:  # no reference, an IBAN nobody has: the line waits in the clearing list, nothing booked
        txs += (TxSpec(Money(unknown, "EUR"), f"T{m.serial}-x", debtor_name="Unbekannt", debtor_iban=STRANGER_IBAN),)
    total = Money(sum(amounts) + unknown, "EUR")
    content = write_camt(FileSpec("054", "001.04", ORG_IBAN, f"MSG-{m.serial}", datetime(2026, 11, 24, 18), (
        EntrySpec(total, m.day, f"E{m.serial}", transactions=txs, batch=len(txs) > 1),)))

    def check(made, _result):
        assert sorted(-p.amount_minor for p in made) == sorted(amounts)
        assert {p.source for p in made} == {"BANK_FILE"} and {p.account_id for p in made} <= set(m.accounts)
        m.receipts.extend(p.id for p in made)  # a wrong bank receipt may be reversed later

    booked(m, lambda: import_bank_file(m.db, m.organization_id, content, f"avis-{m.serial}.xml"), check)
    before = _max_id(m.db)
    import_bank_file(m.db, m.organization_id, content, f"avis-{m.serial}-again.xml")  # never booked twice
    assert _max_id(m.db) == before


def op_clearing_assign(m, data) -> None:
    """The clerk assigns a waiting credit of the clearing list to an account, naming some items."""
    from sollhaben.services import ledger
    from sollhaben.services.receivables import bank_clearing

    waiting = bank_clearing.list_clearing(m.db, m.organization_id)
    if not waiting:
        return
    entry = data.draw(st.sampled_from(waiting), label="clearing line")
    account_id = data.draw(st.sampled_from(m.accounts), label="account")
    items = [p.id for p in ledger.statement(m.db, account_id).open_items]
    named = data.draw(st.lists(st.sampled_from(items), max_size=2, unique=True), label="named") if items else []

    def check(made, payment_id):
        assert [(p.id, p.account_id, p.amount_minor < 0) for p in made] == [(payment_id, account_id, True)]
        m.receipts.append(payment_id)

    booked(m, lambda: bank_clearing.assign_clearing_entry(m.db, m.organization_id, entry.id, account_id, named,
                                                         booking_date=m.day), check)


# --- SEPA direct debit ---------------------------------------------------------------------------------

def setup_mandate(m) -> None:
    from sollhaben.domain.receivables.mandates import MandateInput
    from sollhaben.services.receivables import sepa_mandates

    sepa_mandates.save_mandate(m.db, m.organization_id, MandateInput(
        m.holder_id, "KITA-BECKER-1", date(2025, 12, 1), "Anna Becker", PAYER_IBAN), today=date(2025, 12, 1))


def op_sepa_run(m, data) -> None:
    """A Kita fee falls due on the holder's main account and the run collects what is due."""
    from sollhaben.services import ledger
    from sollhaben.services.ledger import NewPosting
    from sollhaben.services.receivables import sepa_proposal, sepa_run

    amount = data.draw(st.integers(1, 50_000), label="fee collected")
    ledger.post(m.db, NewPosting(m.accounts[0], m.day, "KITA_FEE", Money(amount, "EUR"), text="Beitrag",
                                 due_date=m.day))
    m.expected[m.accounts[0]] += amount
    # the file goes to the bank the day before the items' due date (the run itself is dated today)
    proposal = sepa_proposal.propose(m.db, m.organization_id, m.day, m.day - timedelta(days=1))
    if not proposal.can_run:
        event("sepa: " + "; ".join(p.message[:60] for p in proposal.problems))
        return
    collected = {i.posting_id: i.open_amount.minor for line in proposal.lines for i in line.items}

    def check(made, _result):
        assert all(p.amount_minor < 0 and p.source == "DIRECT_DEBIT" for p in made)
        assert -sum(p.amount_minor for p in made) == sum(collected.values())

    target = Path(m.folder) / f"sepa-{m.serial}-{len(collected)}.xml"
    m.serial += 1
    booked(m, lambda: sepa_run.run_collection(m.db, proposal, "08", target, today=m.day - timedelta(days=1)), check)


def op_return_debit(m, data) -> None:
    from sollhaben.services.receivables import sepa_collections, sepa_returns

    items = [i for c in sepa_collections.list_collections(m.db, m.organization_id)
             for i in sepa_collections.collection_items(m.db, c.id) if i.returned_on is None]
    if not items:
        return
    item = data.draw(st.sampled_from(items), label="returned debit")
    fee_minor = data.draw(st.sampled_from([0, 300, 850]), label="return fee")
    fee = Money(fee_minor, "EUR") if fee_minor else None

    def check(made, _result):
        reversal = [p for p in made if p.source == "REVERSAL"]
        assert len(reversal) == 1 and reversal[0].amount_minor == item.amount.minor
        assert sum(p.amount_minor for p in made if p.source == "RETURN_DEBIT") == fee_minor

    booked(m, lambda: sepa_returns.record_return_debit(m.db, item.id, TODAY, "AM04", fee, today=TODAY), check)


def op_bank_return_debit(m, data) -> None:
    """The bank reports a collected item returned (a debit with RtrInf in a camt.054); the clerk books
    the recognised line as the return debit, with a fee."""
    from sollhaben.banking.camt_writer import EntrySpec, FileSpec, TxSpec, write_camt
    from sollhaben.banking.return_info import add_return_info
    from sollhaben.services.receivables import bank_returns, sepa_collections
    from sollhaben.services.receivables.bank_import import import_bank_file

    items = [i for c in sepa_collections.list_collections(m.db, m.organization_id)
             for i in sepa_collections.collection_items(m.db, c.id) if i.returned_on is None]
    if not items:
        return
    item = data.draw(st.sampled_from(items), label="returned by the bank")
    m.serial += 1
    tx = TxSpec(item.amount, f"R{m.serial}", end_to_end_id=item.end_to_end_id, debtor_name="Anna Becker",
                debtor_iban=PAYER_IBAN, credit=False)
    content = add_return_info(write_camt(FileSpec("054", "001.04", ORG_IBAN, f"RET-{m.serial}", datetime(
        2026, 11, 24, 18), (EntrySpec(item.amount, TODAY, f"RE{m.serial}", credit=False, transactions=(tx,)),))),
        {item.end_to_end_id: ("MD06", "Rückgabe auf Verlangen des Zahlers")})
    before = _max_id(m.db)
    import_bank_file(m.db, m.organization_id, content, f"ruecklastschrift-{m.serial}.xml")
    assert _max_id(m.db) == before  # a debit books nothing by itself
    bank_returns.note_return_details(m.db, m.organization_id, content)
    line = next(r for r in bank_returns.list_return_debits(m.db, m.organization_id) if r.item_id == item.id)
    assert line.reason_code == "MD06"
    fee = data.draw(st.sampled_from([None, Money(350, "EUR")]), label="fee")

    def check(made, _result):
        assert [p.amount_minor for p in made if p.source == "REVERSAL"] == [item.amount.minor]
        assert sum(p.amount_minor for p in made if p.source == "RETURN_DEBIT") == (fee.minor if fee else 0)

    booked(m, lambda: bank_returns.book_return_debit(m.db, m.organization_id, line.entry_id, item.id, TODAY,
                                                     line.reason_code, fee, today=TODAY), check)


# --- refund of a credit balance ------------------------------------------------------------------------------

def op_refund_order(m, data) -> None:
    from sollhaben.services.receivables import payout_refunds

    account_id = m.accounts[0]  # the holder's main account (the refund goes to the holder's IBAN)
    credit = ledger_credit(m, account_id)
    if credit == 0:
        return
    amount = data.draw(st.integers(1, credit), label="refund")

    def check(made, _result):
        assert [(p.amount_minor, p.source) for p in made] == [(amount, "PAYOUT")]

    booked(m, lambda: payout_refunds.create_refund_order(m.db, m.organization_id, account_id,
                                                         amount=Money(amount, "EUR"), booking_date=m.day), check)


def op_cancel_refund(m, data) -> None:
    from sollhaben.domain.receivables.payouts import OrderStatus
    from sollhaben.services.receivables import payout_orders

    orders = payout_orders.list_payout_orders(m.db, m.organization_id, OrderStatus.OPEN)
    if not orders:
        return
    order = data.draw(st.sampled_from(orders), label="order cancelled")

    def check(made, _result):
        assert [(p.source, p.amount_minor) for p in made] == [("REVERSAL", -order.amount.minor)]

    booked(m, lambda: payout_orders.cancel_payout_order(m.db, order.id, booking_date=m.day, reason="Irrtum"), check)


def ledger_credit(m, account_id: int) -> int:
    from sollhaben.services import ledger
    return ledger.statement(m.db, account_id).unallocated_credit.minor


# --- dunning run -------------------------------------------------------------------------------------------------

def setup_dunning_fees(m) -> None:
    """Every level with a fee, so that each run that reminds posts fees."""
    from dataclasses import replace

    from sollhaben.domain.receivables.dunning_policy import default_policy
    from sollhaben.services.receivables import dunning_settings

    policy = default_policy("DE")
    levels = tuple(replace(level, fee_minor=250 * level.position) for level in policy.levels)
    dunning_settings.save_policy(m.db, m.organization_id, replace(policy, levels=levels, minimum_minor=100))


def op_dunning_confirm(m, data) -> None:
    from sollhaben.services.receivables import dunning

    from sollhaben.services.receivables import receipts

    m.day += timedelta(days=data.draw(st.integers(10, 40), label="days later"))  # reminders come after the due date
    run_date = m.day
    for account_id in m.accounts:  # credit blocks reminders: the clerk allocates it first, as the run asks
        receipts.allocate_credit(m.db, account_id, value_date=run_date)
    shown = dunning.preview(m.db, m.organization_id, run_date)
    if not shown.proposal.letters and not shown.proposal.handovers:
        return

    def check(made, _result):
        assert all(p.amount_minor > 0 and p.source == "DUNNING" for p in made)

    try:
        booked(m, lambda: dunning.confirm(m.db, shown), check)
    except ValidationError as exc:  # nothing to remind after all: nothing may be stored
        assert "nichts zu mahnen" in str(exc)


# --- registration --------------------------------------------------------------------------------------------------

def _available(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


PARTS = (
    ("sollhaben.services.receivables.bank_import", [op_bank_import], []),
    ("sollhaben.services.receivables.bank_clearing", [op_clearing_assign], []),
    ("sollhaben.services.receivables.sepa_run", [op_sepa_run, op_return_debit], [setup_mandate]),
    ("sollhaben.services.receivables.bank_returns", [op_bank_return_debit], []),
    ("sollhaben.services.receivables.payout_refunds", [op_refund_order], []),
    ("sollhaben.services.receivables.payout_orders", [op_cancel_refund], []),
    ("sollhaben.services.receivables.dunning", [op_dunning_confirm], [setup_dunning_fees]),
)


def register(operations: list, setups: list) -> None:
    for module, ops, part_setups in PARTS:
        if _available(module):
            operations.extend(ops)
            setups.extend(part_setups)
