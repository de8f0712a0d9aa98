"""A payment of the file was booked by another import meanwhile (same idempotency key at the
database): the bulk writer's unique violation becomes the German BankFileError, nothing is stored.
The rows go in through COPY (PostgreSQL) or the driver's executemany (SQLite): both raise the
driver's own IntegrityError, which `bank_bulk` hands on as SQLAlchemy's."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from sollhaben.banking.camt_writer import TxSpec
from sollhaben.domain.references import make_document_qr_reference
from sollhaben.persistence.models import BankEntry, BankImport
from sollhaben.services import ledger
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables.bank_dto import BankFileError
from sollhaben.services.receivables.bank_import import import_bank_file, preview_import
from sollhaben.services.unit_of_work import unit_of_work
from tests.integration.receivables.test_bank_import import World, chf, entry, open_amounts


def test_a_payment_booked_meanwhile_by_another_import_stores_nothing(db):
    world = World(db)
    world.item(world.a, "100.00", date(2026, 10, 31))
    world.item(world.b, "80.00", date(2026, 10, 31))
    content = world.file([entry("130.00", "E1",
                                TxSpec(chf("50.00"), "T1", reference=make_document_qr_reference(world.b.id)),
                                TxSpec(chf("80.00"), "T2", reference=make_document_qr_reference(world.a.id)))])
    key = preview_import(db, world.org.id, content, "a.xml").lines[1].key
    # what the other import's payment left behind: a posting with this payment's idempotency key
    ledger.post(db, NewPosting(world.b.id, date(2026, 11, 1), "KITA_FEE", chf("1.00"), text="Zahlung",
                               idempotency_key=f"BANK:{world.org.id}:{key}"))
    with pytest.raises(BankFileError) as raised:
        import_bank_file(db, world.org.id, content, "a.xml")
    assert "soeben von jemand anderem eingelesen" in str(raised.value.problems[0].message)
    with unit_of_work(db) as session:
        assert session.scalar(select(func.count()).select_from(BankImport)) == 0
        assert session.scalar(select(func.count()).select_from(BankEntry)) == 0
    assert open_amounts(db, world.a.id) == [chf("100.00")]
