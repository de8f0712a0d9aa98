"""The posting export for the general ledger on SQLite and PostgreSQL: the documented columns, the
exact content (ISO dates, signed exact amounts, reversal links), the date range, all-or-nothing
writing, and the CLI `sollhaben ledger export-postings`."""
from __future__ import annotations

import csv
import io
import re
from concurrent.futures import CancelledError
from datetime import date

import pytest

from sollhaben import cli
from sollhaben.domain.errors import ValidationError
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.services import ledger
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables.gl_export import COLUMNS, export_postings
from tests.integration.receivables.test_statement import payer


def read(path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


@pytest.fixture
def booked(db):
    org, account = payer(db, "DE", "Öztürk", "Elif")
    fee = ledger.post(db, NewPosting(account.id, date(2026, 10, 1), "KITA_FEE", Money.of("1234.56", "EUR"),
                                     "Beitrag; Oktober", value_month=Month(2026, 10), due_date=date(2026, 10, 15)))
    payment = ledger.book_payment(db, account.id, date(2026, 10, 20), Money.of("0.05", "EUR"), "Zahlung",
                                  reference="RF18539007547034")
    reversal = ledger.reverse(db, payment, date(2026, 11, 2))
    ledger.post(db, NewPosting(account.id, date(2026, 12, 1), "KITA_FEE", Money.of("10.00", "EUR"), "Dezember"))
    return db, org, account, (fee, payment, reversal)


def test_columns_and_exact_content(booked, tmp_path):
    db, org, account, (fee, payment, reversal) = booked
    result = export_postings(db, org.id, date(2026, 10, 1), date(2026, 11, 30), tmp_path / "buchungen.csv")
    assert result.rows == 3
    rows = read(tmp_path / "buchungen.csv")
    assert tuple(rows[0]) == COLUMNS
    first, second, third = rows
    assert {k: first[k] for k in COLUMNS if k != "created_at"} == {
        "posting_id": str(fee), "booking_date": "2026-10-01", "value_month": "2026-10", "due_date": "2026-10-15",
        "account_id": str(account.id), "account_number": account.number, "holder": "Öztürk, Elif",
        "category": "KITA_FEE", "amount": "1234.56", "currency": "EUR", "source": "MANUAL", "source_id": "",
        "reverses_id": "", "reference": "", "text": "Beitrag; Oktober", "created_by": "test"}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", first["created_at"])
    assert (second["posting_id"], second["amount"], second["source"], second["reference"]) == (
        str(payment), "-0.05", "PAYMENT", "RF18539007547034")
    assert (third["posting_id"], third["amount"], third["source"], third["reverses_id"], third["booking_date"]) == (
        str(reversal), "0.05", "REVERSAL", str(payment), "2026-11-02")
    assert sum(int(r["amount"].replace(".", "")) for r in rows) == 123456


def test_wrong_range_writes_nothing_and_cancel_leaves_no_file(booked, tmp_path):
    db, org, _account, _ids = booked
    folder = tmp_path / "export"
    folder.mkdir()
    target = folder / "x.csv"
    with pytest.raises(ValidationError):
        export_postings(db, org.id, date(2026, 12, 1), date(2026, 1, 1), target)
    with pytest.raises(CancelledError):
        export_postings(db, org.id, date(2026, 1, 1), date(2026, 12, 31), target, cancelled=lambda: True)
    assert list(folder.iterdir()) == []


def test_cli_export_postings(booked, tmp_path, capsys):
    db, org, _account, _ids = booked
    target = tmp_path / "gl.csv"
    code = cli.main(["--database", db.url, "ledger", "export-postings", "--from", "01.12.2026", "--to", "2026-12-31",
                     "--organization", str(org.id), str(target)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "1 Buchungen vom 01.12.2026 bis 31.12.2026 exportiert" in out.out
    assert [r["text"] for r in read(target)] == ["Dezember"]
    code = cli.main(["--database", db.url, "ledger", "export-postings", "--from", "31.12.2026", "--to", "kein Datum",
                     str(tmp_path / "y.csv")])
    err = capsys.readouterr().err
    assert code == 1 and "Bis: „kein Datum“ ist kein Datum" in err
    assert not (tmp_path / "y.csv").exists()
