"""`sollhaben dunning preview|run` on both back ends: the proposal on stdout, the run booked once and the
letters written as one PDF or one per recipient; German errors with exit code 1."""
from __future__ import annotations

from datetime import date

from pypdf import PdfReader

from sollhaben.cli import main
from sollhaben.domain.master_data import Address, PersonInput
from sollhaben.domain.money import Money
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import dunning
from tests.conftest import make_org_input


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _data(db) -> int:
    org = organizations.create_organization(db, make_org_input("DE"))
    for last in ("Weber", "Öztürk"):
        person = persons.save_person(db, org.id, PersonInput(
            "NATURAL", last, "Jana", "Frau", address=Address("Hauptstraße", "7", "70173", "Stuttgart", "DE")),
            today=date(2026, 11, 24))
        account = ledger.open_account(db, org.id, person.id)
        ledger.post(db, NewPosting(account.id, date(2026, 10, 1), "FEE_MONTH", Money.of("212.00", "EUR"),
                                   text="Elternbeitrag 10.2026", due_date=date(2026, 10, 15)))
    return org.id


def test_preview_then_run_one_file_then_nothing_left(db, capsys, tmp_path):
    org_id = _data(db)
    code, out, err = run(capsys, "--database", db.url, "dunning", "preview", "--date", "24.11.2026")
    assert code == 0 and err == ""
    assert "Öztürk, Jana" in out and "Zahlungserinnerung, Gebühr 0,00, Betrag 212,00 EUR" in out
    assert "2 Mahnbrief(e), 0 Übergabe(n)" in out
    target = tmp_path / "m.pdf"
    code, out, err = run(capsys, "--database", db.url, "dunning", "run", "--date", "2026-11-24", "--output",
                         str(target))
    assert code == 0 and err == "" and "2 Brief(e)" in out
    reader = PdfReader(target)
    assert len(reader.pages) == 2 and "Zahlungserinnerung" in reader.pages[0].extract_text()
    code, out, err = run(capsys, "--database", db.url, "dunning", "run", "--date", "2026-11-24")
    assert code == 0 and "Nichts zu mahnen" in out
    assert len(dunning.list_runs(db, org_id)) == 1


def test_run_per_recipient_and_errors(db, capsys, tmp_path):
    org_id = _data(db)
    folder = tmp_path / "briefe"
    code, out, err = run(capsys, "--database", db.url, "dunning", "run", "--date", "24.11.2026", "--organization",
                         str(org_id), "--per-recipient", "--output", str(folder))
    assert code == 0, err
    assert sorted(p.name.split("_")[0] for p in folder.iterdir()) == ["Weber", "Öztürk"]
    assert len(dunning.list_runs(db, org_id)) == 1
    code, out, err = run(capsys, "--database", db.url, "dunning", "preview", "--date", "31.02.2026")
    assert code == 1 and "Stichtag" in err
