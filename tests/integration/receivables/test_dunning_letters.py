"""The letters of a dunning run as real PDFs: content, QR-bill (checked with shared/tools/qrbill_check.py),
DE payment lines with the creditor reference, one PDF per recipient, cancel."""
from __future__ import annotations

import io
import subprocess
import sys
from concurrent.futures import CancelledError
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from sollhaben.domain.master_data import Address, PersonInput
from sollhaben.domain.money import Money
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import dunning, dunning_history, dunning_letters
from tests.conftest import make_org_input

RUN = date(2026, 11, 24)
CHECKER = Path(__file__).resolve().parents[3].parent / "shared" / "tools" / "qrbill_check.py"


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def setup_run(db, country: str, names=("Gerber", "Huber")) -> tuple[int, list]:
    org = organizations.create_organization(db, make_org_input(country))
    currency = "CHF" if country == "CH" else "EUR"
    accounts = []
    for i, last in enumerate(names):
        address = Address("Marktgasse", "3", "3011", "Bern", "CH") if country == "CH" else \
            Address("Hauptstraße", "7", "70173", "Stuttgart", "DE")
        person = persons.save_person(db, org.id, PersonInput("NATURAL", last, "Anna", "Frau", address=address),
                                     today=RUN)
        account = ledger.open_account(db, org.id, person.id, module="kita")
        for month in (8, 9):
            ledger.post(db, NewPosting(account.id, date(2026, month, 1), "FEE_MONTH",
                                       Money.of(f"{450 + i}.50", currency), text=f"Elternbeitrag {month:02d}.2026",
                                       due_date=date(2026, month, 15)))
        accounts.append(account)
    dunning.confirm(db, dunning.preview(db, org.id, date(2026, 10, 1)))  # level 1
    result = dunning.confirm(db, dunning.preview(db, org.id, RUN))  # level 2 with fee
    return result.run_id, accounts


def test_ch_letters_carry_level_items_fee_total_and_a_valid_qr_bill(db, tmp_path):
    run_id, accounts = setup_run(db, "CH")
    progress = []
    pdf = dunning_letters.render_run(db, run_id, progress=lambda d, n, t: progress.append((d, n)))
    assert progress[-1] == (2, 2)
    text = text_of(pdf)
    for expected in ("1. Mahnung", "Sehr geehrte Frau Gerber", "Elternbeitrag 08.2026", "15.08.2026",
                     "Mahngebühr 1. Mahnung", "20.00", "Total zu bezahlen", "CHF 921.00", "CHF 923.00",
                     "04.12.2026", "Zahlteil", "Empfangsschein"):
        assert expected in text, expected
    assert text.count("Total zu bezahlen") == 2  # the run printed only its own (level-2) letters
    [notice] = [n for n in dunning_history.account_history(db, accounts[0].id) if n.level == 2]
    assert notice.reference in text.replace(" ", "")
    path = tmp_path / "mahnungen.pdf"
    path.write_bytes(pdf)
    if not CHECKER.exists():
        pytest.skip("shared/tools/qrbill_check.py is not beside the checkout")
    check = subprocess.run([sys.executable, str(CHECKER), str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_de_letters_name_iban_and_creditor_reference_one_pdf_per_recipient(db):
    run_id, accounts = setup_run(db, "DE")
    files = dunning_letters.render_run(db, run_id, per_recipient=True)
    ids = {n.account_id: n.id for n in dunning_history.run_notices(db, run_id)}
    assert [name for name, _pdf in files] == [f"Gerber_Anna_1_Mahnung_{ids[accounts[0].id]}.pdf",
                                              f"Huber_Anna_1_Mahnung_{ids[accounts[1].id]}.pdf"]
    text = text_of(files[0][1]).replace("\n", " ")
    assert "Sehr geehrte Frau Gerber," in text and "Herrn" not in text
    assert "IBAN DE89 3704 0044 0532 0130 00" in text and "Verwendungszweck: RF" in text
    assert "Mahngebühr 1. Mahnung" in text and "5,00" in text and "906,00 EUR" in text
    assert "Zahlteil" not in text


def test_cancelled_printing_raises_and_reprinting_gives_the_same_bytes(db):
    run_id, _accounts = setup_run(db, "CH")
    with pytest.raises(CancelledError):
        dunning_letters.render_run(db, run_id, cancelled=lambda: True)
    assert dunning_letters.render_run(db, run_id) == dunning_letters.render_run(db, run_id)
