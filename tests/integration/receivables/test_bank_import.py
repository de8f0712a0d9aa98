"""Bank-file import on SQLite and PostgreSQL: matching by QR reference, SCOR, IBAN; clearing;
batch entries; pending and debit lines; duplicates; all-or-nothing on a bad file; clearing list."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sollhaben.banking.camt_writer import EntrySpec, FileSpec, TxSpec, write_camt
from sollhaben.domain.errors import ValidationError
from sollhaben.domain.ledger import PostingSource, check_account_invariant
from sollhaben.domain.master_data import BankAccountInput, PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.bank_matching import LineStatus
from sollhaben.domain.references import make_document_creditor_reference, make_document_qr_reference
from sollhaben.persistence.models import Allocation, BankEntry, BankImport, Posting
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables.bank_clearing import (
    assign_clearing_entry,
    list_clearing,
    list_entries,
    list_imports,
    mark_unassignable,
)
from sollhaben.services.receivables.bank_dto import BankFileError
from sollhaben.services.receivables.bank_import import BankImportCancelled, import_bank_file, preview_import
from sollhaben.services.receivables.references import register_issued_reference
from sollhaben.services.unit_of_work import unit_of_work
from tests.conftest import make_org_input

DATA = Path(__file__).parents[2] / "data" / "camt"
TODAY = date(2026, 11, 24)
QR_IBAN = "CH4431999123000889012"
GERBER_IBAN = "CH9300762011623852957"
MEIER_IBAN = "CH5604835012345678009"


def chf(text: str) -> Money:
    return Money.of(text, "CHF")


class World:
    def __init__(self, db):
        self.db = db
        self.org = organizations.create_organization(db, make_org_input("CH"))
        self.gerber = persons.save_person(db, self.org.id, PersonInput(
            "NATURAL", "Gerber", "Reto", bank_accounts=(BankAccountInput(GERBER_IBAN),)), today=TODAY)
        self.meier = persons.save_person(db, self.org.id, PersonInput(
            "NATURAL", "Meier", "Anna", bank_accounts=(BankAccountInput(MEIER_IBAN),)), today=TODAY)
        self.a = ledger.open_account(db, self.org.id, self.gerber.id, module="kita")
        self.b = ledger.open_account(db, self.org.id, self.meier.id, module="kita")

    def item(self, account, amount: str, due: date, category: str = "KITA_FEE") -> int:
        return ledger.post(self.db, NewPosting(account.id, date(due.year, due.month, 1), category, chf(amount),
                                               text=f"Beitrag {due:%m.%Y}", due_date=due))

    def file(self, entries, kind="054", version="001.04", message_id="MSG-1") -> bytes:
        return write_camt(FileSpec(kind, version, QR_IBAN, message_id, datetime(2026, 11, 24, 18), tuple(entries)))


@pytest.fixture
def world(db):
    return World(db)


def entry(amount: str, ref: str, *txs: TxSpec, **kw) -> EntrySpec:
    return EntrySpec(chf(amount), TODAY, ref, transactions=txs, **kw)


def open_amounts(db, account_id: int) -> list[Money]:
    return [p.open_amount for p in ledger.statement(db, account_id).open_items]


def invariant_holds(db) -> None:
    with unit_of_work(db) as session:
        postings = dict(session.execute(select(Posting.id, Posting.amount_minor)).all())
        allocations = [tuple(r) for r in session.execute(
            select(Allocation.credit_id, Allocation.item_id, Allocation.amount_minor)).all()]
    assert check_account_invariant(postings, allocations) == []


def test_qr_reference_batch_scor_iban_clearing_and_pending_in_one_file(db, world):
    old = world.item(world.a, "200.00", date(2026, 9, 30))
    new = world.item(world.a, "300.00", date(2026, 10, 31))
    world.item(world.b, "330.50", date(2026, 10, 31))
    # the dunning letter named the newer item: the payer designated it
    qrr = make_document_qr_reference(world.a.id, 7)
    with unit_of_work(db) as session:
        register_issued_reference(session, organization_id=world.org.id, account_id=world.a.id, reference=qrr,
                                  kind="DUNNING", item_ids=[new])
    content = world.file([
        entry("630.50", "B1",
              TxSpec(chf("300.00"), "B1-1", reference=qrr, debtor_name="Reto Gerber"),
              TxSpec(chf("250.00"), "B1-2", reference=make_document_creditor_reference(world.b.id)),
              TxSpec(chf("80.50"), "B1-3", debtor_name="Anna Meier", debtor_iban=MEIER_IBAN)),
        entry("99.00", "S1", TxSpec(chf("99.00"), debtor_name="Niemand", text="Spende")),
        entry("60.00", "P1", status="PDNG"),
        entry("5.00", "D1", credit=False, info="Gebühr"),
    ])
    preview = preview_import(db, world.org.id, content, "avis.xml")
    assert preview.ok and preview.label == "camt.054.001.04"
    assert [line.status for line in preview.lines] == [
        LineStatus.MATCHED, LineStatus.MATCHED, LineStatus.MATCHED, LineStatus.CLEARING, LineStatus.PENDING,
        LineStatus.SKIPPED]
    assert [line.via for line in preview.lines[:3]] == ["Referenz", "Referenz", "IBAN"]
    assert preview.lines[5].note == "Belastung – nicht gebucht"
    assert preview.total(LineStatus.MATCHED) == chf("630.50")
    assert preview.lines[0].account_label.startswith("Gerber, Reto")
    with unit_of_work(db) as session:  # the preview wrote nothing
        assert session.scalar(select(func.count()).select_from(BankEntry)) == 0

    result = import_bank_file(db, world.org.id, content, "avis.xml")
    assert result.import_id is not None
    # designation first: the newer item is paid although the older one is due first
    statement = ledger.statement(db, world.a.id)
    open_by_id = {p.id: p.open_amount for p in statement.open_items}
    assert new not in open_by_id and open_by_id[old] == chf("200.00")
    # B: 250.00 + 80.50 against 330.50 → settled
    assert open_amounts(db, world.b.id) == []
    payments = [line.posting for line in ledger.statement(db, world.b.id).lines if line.posting.amount.minor < 0]
    assert {p.source for p in payments} == {PostingSource.BANK_FILE.value}
    stored = list_entries(db, result.import_id)
    assert [e.status for e in stored] == ["MATCHED", "MATCHED", "MATCHED", "CLEARING", "SKIPPED"]
    assert stored[0].payment_id is not None and stored[3].payment_id is None
    imports = list_imports(db, world.org.id)
    assert imports[0].matched == chf("630.50") and imports[0].clearing_count == 1 and imports[0].open_clearing == 1
    invariant_holds(db)


def test_second_import_of_the_same_file_books_nothing(db, world):
    world.item(world.a, "100.00", date(2026, 10, 31))
    content = world.file([entry("40.00", "E1", TxSpec(chf("40.00"), "T1", debtor_iban=GERBER_IBAN))])
    first = import_bank_file(db, world.org.id, content, "a.xml")
    again = preview_import(db, world.org.id, content, "a.xml")
    assert [line.status for line in again.lines] == [LineStatus.DUPLICATE]
    assert len(again.imported_before) == 1
    second = import_bank_file(db, world.org.id, content, "a.xml")
    assert first.import_id is not None and second.import_id is None
    assert open_amounts(db, world.a.id) == [chf("60.00")]
    # the same transaction in another file (a camt.053 after the camt.054) is a duplicate too
    other = world.file([entry("40.00", "E1", TxSpec(chf("40.00"), "T1", debtor_iban=GERBER_IBAN)),
                        entry("10.00", "E2", TxSpec(chf("10.00"), "T2", debtor_iban=GERBER_IBAN))],
                       kind="053", version="001.08", message_id="MSG-2")
    third = import_bank_file(db, world.org.id, other, "b.xml")
    assert [line.status for line in third.preview.lines] == [LineStatus.DUPLICATE, LineStatus.MATCHED]
    assert open_amounts(db, world.a.id) == [chf("50.00")]
    with unit_of_work(db) as session:
        assert session.scalar(select(func.count()).select_from(Posting).where(
            Posting.source == PostingSource.BANK_FILE.value)) == 2


def test_a_bad_file_stores_nothing_and_reports_every_problem(db, world):
    world.item(world.a, "100.00", date(2026, 10, 31))
    good = world.file([entry("40.00", "E1", TxSpec(chf("40.00"), "T1", debtor_iban=GERBER_IBAN))]).decode()
    # a second entry with a wrong batch sum and a missing amount, after a good one
    bad_entry = ('<Ntry><Amt Ccy="CHF">50.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
                 '<BookgDt><Dt>2026-11-24</Dt></BookgDt><AcctSvcrRef>E9</AcctSvcrRef><NtryDtls>'
                 '<TxDtls><Amt Ccy="CHF">20.00</Amt></TxDtls>\n<TxDtls><Amt Ccy="CHF">20.00</Amt></TxDtls>'
                 '</NtryDtls></Ntry>\n<Ntry><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><AcctSvcrRef>E10</AcctSvcrRef>'
                 '<BookgDt><Dt>2026-11-24</Dt></BookgDt></Ntry>\n')
    content = good.replace("</Ntfctn>", bad_entry + "</Ntfctn>").encode()
    preview = preview_import(db, world.org.id, content, "bad.xml")
    assert len(preview.problems) == 2 and preview.lines == ()
    with pytest.raises(BankFileError) as caught:
        import_bank_file(db, world.org.id, content, "bad.xml")
    messages = [str(p) for p in caught.value.problems]
    assert any("Ntry[2]: Die Summe der 2 Transaktionen (40.00 CHF)" in m for m in messages)
    assert any("Ntry[3]: Betrag fehlt." in m for m in messages)
    assert all(m.startswith("Zeile ") for m in messages)
    with unit_of_work(db) as session:
        assert session.scalar(select(func.count()).select_from(BankImport)) == 0
        assert session.scalar(select(func.count()).select_from(BankEntry)) == 0
        assert session.scalar(select(func.count()).select_from(Posting).where(
            Posting.source == PostingSource.BANK_FILE.value)) == 0


def test_broken_xml_and_foreign_account_and_currency_are_refused(db, world):
    with pytest.raises(BankFileError, match="kein gültiges XML"):
        import_bank_file(db, world.org.id, b"<Document><oops></Document>", "x.xml")
    foreign = write_camt(FileSpec("053", "001.04", "DE89370400440532013000", "M", datetime(2026, 11, 24),
                                  (EntrySpec(Money.of("1.00", "EUR"), TODAY, "E1"),)))
    problems = [str(p) for p in preview_import(db, world.org.id, foreign, "de.xml").problems]
    assert any("DE89 3704 0044 0532 0130 00 ist kein Bankkonto dieser Organisation" in p for p in problems)
    assert any("Währung EUR: Die Organisation führt ihre Konten in CHF." in p for p in problems)


def test_ambiguous_iban_and_unknown_reference_go_to_clearing_with_a_note(db, world):
    second = persons.save_person(db, world.org.id, PersonInput(
        "NATURAL", "Gerber", "Sandra", bank_accounts=(BankAccountInput(GERBER_IBAN),)), today=TODAY)
    ledger.open_account(db, world.org.id, second.id, module="kita")
    content = world.file([entry("30.00", "E1", TxSpec(chf("30.00"), debtor_iban=GERBER_IBAN)),
                          entry("20.00", "E2", TxSpec(chf("20.00"), reference="RF18539007547034"))])
    lines = preview_import(db, world.org.id, content, "a.xml").lines
    assert [line.status for line in lines] == [LineStatus.CLEARING, LineStatus.CLEARING]
    assert "IBAN gehört zu mehreren Konten: Gerber, Reto" in lines[0].note and "Gerber, Sandra" in lines[0].note
    assert lines[1].note.startswith("Referenz RF18 5390 0754 7034 ist keinem Konto zugeordnet")


def test_clearing_assign_to_account_and_items_or_mark_unassignable(db, world):
    first = world.item(world.a, "100.00", date(2026, 9, 30))
    second = world.item(world.a, "100.00", date(2026, 10, 31))
    content = world.file([entry("70.00", "E1", TxSpec(chf("70.00"), text="Zahlung Oktober")),
                          entry("15.00", "E2", TxSpec(chf("15.00"), text="???"))])
    import_bank_file(db, world.org.id, content, "a.xml")
    waiting = list_clearing(db, world.org.id)
    assert [w.amount for w in waiting] == [chf("70.00"), chf("15.00")]
    payment = assign_clearing_entry(db, world.org.id, waiting[0].id, world.a.id, item_ids=[second])
    open_by_id = {p.id: p.open_amount for p in ledger.statement(db, world.a.id).open_items}
    assert open_by_id == {first: chf("100.00"), second: chf("30.00")}
    with pytest.raises(ValidationError, match="bereits erledigt"):
        assign_clearing_entry(db, world.org.id, waiting[0].id, world.b.id)
    with pytest.raises(ValidationError, match="Notiz"):
        mark_unassignable(db, world.org.id, waiting[1].id, "  ")
    mark_unassignable(db, world.org.id, waiting[1].id, "An Absender zurücküberwiesen")
    assert list_clearing(db, world.org.id) == []
    done = {e.id: e for e in list_clearing(db, world.org.id, include_done=True)}
    assert done[waiting[0].id].status == "CLEARED" and done[waiting[0].id].payment_id == payment
    assert done[waiting[1].id].status == "UNASSIGNABLE"
    assert done[waiting[1].id].note.endswith("Nicht zuordenbar: An Absender zurücküberwiesen")
    invariant_holds(db)


def test_two_payments_for_one_account_in_one_file_never_over_allocate(db, world):
    item = world.item(world.a, "100.00", date(2026, 10, 31))
    content = world.file([entry("150.00", "E1",
                                TxSpec(chf("80.00"), "T1", debtor_iban=GERBER_IBAN),
                                TxSpec(chf("70.00"), "T2", debtor_iban=GERBER_IBAN))])
    result = import_bank_file(db, world.org.id, content, "a.xml")
    assert [line.allocated for line in result.preview.lines] == [chf("80.00"), chf("20.00")]
    statement = ledger.statement(db, world.a.id)
    assert statement.open_items == () and statement.unallocated_credit == chf("50.00")
    assert item not in {p.id for p in statement.open_items}
    invariant_holds(db)


def test_static_swiss_and_german_files_import(db, world):
    qrr = "210000000003139471430009017"
    with unit_of_work(db) as session:
        register_issued_reference(session, organization_id=world.org.id, account_id=world.a.id, reference=qrr,
                                  kind="STATEMENT")
    world.item(world.a, "500.00", date(2026, 10, 31))
    result = import_bank_file(db, world.org.id, (DATA / "ch_camt054_v04_qrr.xml").read_bytes(), "ch.xml")
    statuses = [(line.position, line.status, line.via) for line in result.preview.lines]
    assert statuses == [
        ("Ntry[1]/NtryDtls/TxDtls[1]", LineStatus.MATCHED, "Referenz"),
        ("Ntry[1]/NtryDtls/TxDtls[2]", LineStatus.MATCHED, "IBAN"),  # QRR of another scheme → IBAN of Meier
        ("Ntry[1]/NtryDtls/TxDtls[3]", LineStatus.CLEARING, ""),
        ("Ntry[2]/NtryDtls/TxDtls", LineStatus.MATCHED, "IBAN"),
        ("Ntry[3]", LineStatus.PENDING, ""),
    ]
    de = organizations.create_organization(db, make_org_input("DE"))
    german = preview_import(db, de.id, (DATA / "de_camt053_v08_scor.xml").read_bytes(), "de.xml")
    assert german.ok and german.label == "camt.053.001.08"
    assert [line.status for line in german.lines] == [LineStatus.CLEARING, LineStatus.CLEARING, LineStatus.SKIPPED,
                                                      LineStatus.PENDING]


def test_cancel_stores_nothing(db, world):
    world.item(world.a, "100.00", date(2026, 10, 31))
    content = world.file([entry("40.00", "E1", TxSpec(chf("40.00"), "T1", debtor_iban=GERBER_IBAN))])
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(BankImportCancelled):
        import_bank_file(db, world.org.id, content, "a.xml", cancelled=cancelled)
    with unit_of_work(db) as session:
        assert session.scalar(select(func.count()).select_from(BankImport)) == 0
    assert open_amounts(db, world.a.id) == [chf("100.00")]


@pytest.mark.parametrize("kind,version", [("053", "001.04"), ("053", "001.08"), ("054", "001.04"), ("054", "001.08")])
def test_every_supported_version_books_by_reference_and_iban(db, world, kind, version):
    world.item(world.a, "100.00", date(2026, 10, 31))
    world.item(world.b, "100.00", date(2026, 10, 31))
    content = world.file([entry("150.00", "E1",
                                TxSpec(chf("100.00"), "T1", reference=make_document_qr_reference(world.a.id)),
                                TxSpec(chf("50.00"), "T2", debtor_name="Anna Meier", debtor_iban=MEIER_IBAN))],
                         kind=kind, version=version, message_id=f"M-{kind}-{version}")
    result = import_bank_file(db, world.org.id, content, f"{kind}-{version}.xml")
    assert result.preview.label == f"camt.{kind}.{version}"
    assert [(line.status, line.via) for line in result.preview.lines] == [
        (LineStatus.MATCHED, "Referenz"), (LineStatus.MATCHED, "IBAN")]
    assert open_amounts(db, world.a.id) == [] and open_amounts(db, world.b.id) == [chf("50.00")]


@pytest.mark.parametrize("seed", range(3))
def test_random_files_keep_the_ledger_invariant_and_never_book_twice(sqlite_db, seed):
    """Random files (amounts, targets, batches, a repeated file) against random open items: the
    invariant holds, nothing is over-allocated, and the second import of each file books nothing."""
    import random

    db = sqlite_db
    rnd = random.Random(seed)
    world = World(db)
    accounts = [world.a, world.b]
    for _ in range(rnd.randint(2, 8)):
        world.item(rnd.choice(accounts), f"{rnd.randint(1, 400)}.{rnd.randint(0, 99):02d}",
                   date(2026, rnd.randint(1, 11), 28))
    for n in range(3):
        txs = []
        for i in range(rnd.randint(1, 6)):
            target = rnd.choice(accounts + [None])
            amount = Money(rnd.randint(1, 30000), "CHF")
            if target is None:
                txs.append(TxSpec(amount, f"F{n}-T{i}", text="?"))
            elif rnd.random() < 0.5:
                txs.append(TxSpec(amount, f"F{n}-T{i}", reference=make_document_qr_reference(target.id)))
            else:
                iban = GERBER_IBAN if target is world.a else MEIER_IBAN
                txs.append(TxSpec(amount, f"F{n}-T{i}", debtor_iban=iban))
        total = Money(sum(t.amount.minor for t in txs), "CHF")
        content = world.file([EntrySpec(total, TODAY, f"F{n}", transactions=tuple(txs))], message_id=f"M{n}")
        first = import_bank_file(db, world.org.id, content, f"f{n}.xml")
        assert first.import_id is not None
        again = import_bank_file(db, world.org.id, content, f"f{n}.xml")
        assert again.import_id is None
        assert {line.status for line in again.preview.lines} == {LineStatus.DUPLICATE}
    invariant_holds(db)
    with unit_of_work(db) as session:
        keys = session.scalars(select(Posting.idempotency_key).where(
            Posting.source == PostingSource.BANK_FILE.value)).all()
        assert len(keys) == len(set(keys))
        for credit_id, allocated in session.execute(select(Allocation.credit_id, func.sum(Allocation.amount_minor))
                                                    .group_by(Allocation.credit_id)).all():
            assert allocated <= -session.get(Posting, credit_id).amount_minor


def test_a_statement_batch_without_details_is_listed_not_booked(db, world):
    from tests.unit.banking.test_bank_camt import HEAD, TAIL

    batch = ('<Ntry><Amt Ccy="CHF">300.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
             '<BookgDt><Dt>2026-11-24</Dt></BookgDt><AcctSvcrRef>B1</AcctSvcrRef>'
             '<NtryDtls><Btch><NbOfTxs>3</NbOfTxs></Btch></NtryDtls></Ntry>\n')
    result = import_bank_file(db, world.org.id, (HEAD + batch + TAIL).encode(), "stmt.xml")
    line, = result.preview.lines
    assert line.status is LineStatus.SKIPPED and "camt.054" in line.note
    assert [e.status for e in list_entries(db, result.import_id)] == ["SKIPPED"]
