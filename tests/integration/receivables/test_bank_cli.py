"""`sollhaben bank import FILE [--organization] [--preview]`: German summary, problems with their
place on stderr and exit code 1; preview books nothing; a second import books nothing again."""
from __future__ import annotations

from datetime import date, datetime

from sollhaben.banking.camt_writer import EntrySpec, FileSpec, TxSpec, write_camt
from sollhaben.cli import main
from sollhaben.domain.master_data import BankAccountInput, PersonInput
from sollhaben.domain.money import Money
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from tests.conftest import make_org_input

IBAN = "CH9300762011623852957"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_bank_import_preview_book_and_refuse_a_bad_file(capsys, tmp_path, sqlite_db):
    org = organizations.create_organization(sqlite_db, make_org_input("CH"))
    payer = persons.save_person(sqlite_db, org.id, PersonInput("NATURAL", "Gerber", "Reto",
                                                               bank_accounts=(BankAccountInput(IBAN),)),
                                today=date(2026, 11, 24))
    account = ledger.open_account(sqlite_db, org.id, payer.id)
    ledger.post(sqlite_db, NewPosting(account.id, date(2026, 10, 1), "KITA_FEE", Money.of("100.00", "CHF"),
                                      due_date=date(2026, 10, 31)))
    good = tmp_path / "avis.xml"
    good.write_bytes(write_camt(FileSpec("054", "001.08", "CH4431999123000889012", "M-1", datetime(2026, 11, 24),
                                         (EntrySpec(Money.of("60.00", "CHF"), date(2026, 11, 24), "E1",
                                                    transactions=(TxSpec(Money.of("60.00", "CHF"), "T1",
                                                                         debtor_name="Reto Gerber",
                                                                         debtor_iban=IBAN),)),))))
    url = sqlite_db.url
    code, out, _ = run(capsys, "--database", url, "bank", "import", str(good), "--preview")
    assert code == 0 and "Vorschau (nichts gebucht): avis.xml (camt.054.001.08" in out
    assert "1 zugeordnet (60.00 CHF)" in out and "Gerber, Reto" in out
    assert [p.open_amount for p in ledger.statement(sqlite_db, account.id).open_items] == [Money.of("100.00", "CHF")]
    code, out, _ = run(capsys, "--database", url, "bank", "import", str(good))
    assert code == 0 and out.startswith("Eingelesen und gebucht")
    assert [p.open_amount for p in ledger.statement(sqlite_db, account.id).open_items] == [Money.of("40.00", "CHF")]
    code, out, _ = run(capsys, "--database", url, "bank", "import", str(good))
    assert code == 0 and "bereits am" in out and "1 bereits eingelesen" in out

    bad = tmp_path / "kaputt.xml"
    bad.write_text(good.read_text().replace("<Amt Ccy=\"CHF\">60.00</Amt>", "<Amt Ccy=\"CHF\">6O.00</Amt>", 1))
    code, _, err = run(capsys, "--database", url, "bank", "import", str(bad))
    assert code == 1 and "kaputt.xml wird nicht gebucht – 1 Problem(e)" in err
    assert "Zeile 21, Ntry[1]: Betrag „6O.00“ ist kein Betrag" in err
    code, _, err = run(capsys, "--database", url, "bank", "import", str(tmp_path / "fehlt.xml"))
    assert code == 1 and "kann nicht gelesen werden" in err
