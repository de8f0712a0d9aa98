"""`sollhaben bank import FILE` with several organizations and no --organization: the organization whose
bank account the file reports on (Acct/Id/IBAN) is chosen when exactly one has it; otherwise the CLI asks
for --organization and books nothing. Debits print as negative amounts with the usual minus."""
from __future__ import annotations

from datetime import date, datetime

from sollhaben.banking.camt_writer import EntrySpec, FileSpec, TxSpec, write_camt
from sollhaben.domain.master_data import BankAccountInput, PersonInput
from sollhaben.domain.money import Money
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables.receiving_account import organizations_for_file, receiving_ibans
from tests.conftest import make_org_input
from tests.integration.receivables.test_bank_cli import IBAN, run

ORG_IBAN = "CH4431999123000889012"  # make_org_input("CH")'s QR-IBAN, written with spaces there


def chf(text: str) -> Money:
    return Money.of(text, "CHF")


def avis(tmp_path, account_iban: str = ORG_IBAN):
    path = tmp_path / "avis.xml"
    path.write_bytes(write_camt(FileSpec("054", "001.08", account_iban, "M-1", datetime(2026, 11, 24), (
        EntrySpec(chf("60.00"), date(2026, 11, 24), "E1", transactions=(
            TxSpec(chf("60.00"), "T1", debtor_name="Reto Gerber", debtor_iban=IBAN),)),
        EntrySpec(chf("4.90"), date(2026, 11, 24), "E2", credit=False, info="Entgelt Kontoführung")))))
    return path


def setup(db):
    swiss = organizations.create_organization(db, make_org_input("CH"))
    organizations.create_organization(db, make_org_input("DE"))
    payer = persons.save_person(db, swiss.id, PersonInput("NATURAL", "Gerber", "Reto",
                                                          bank_accounts=(BankAccountInput(IBAN),)),
                                today=date(2026, 11, 24))
    account = ledger.open_account(db, swiss.id, payer.id)
    ledger.post(db, NewPosting(account.id, date(2026, 10, 1), "KITA_FEE", chf("100.00"), due_date=date(2026, 10, 31)))
    return swiss, account


def test_the_file_names_its_organization_by_the_receiving_iban(capsys, tmp_path, db):
    swiss, account = setup(db)
    path = avis(tmp_path)
    assert receiving_ibans(path.read_bytes()) == (ORG_IBAN,)
    assert [o.id for o in organizations_for_file(db, path.read_bytes())] == [swiss.id]
    code, out, err = run(capsys, "--database", db.url, "bank", "import", str(path))
    assert code == 0, err
    assert "Organisation: Sozialdienst Aaretal (Konto der Datei)" in out and "1 zugeordnet (60.00 CHF)" in out
    assert "-4.90 CHF" in out and "\u2212" not in out  # the bank charge, a debit, with the usual minus
    assert [p.open_amount for p in ledger.statement(db, account.id).open_items] == [chf("40.00")]


def test_an_unknown_or_shared_account_still_needs_the_organization(capsys, tmp_path, db):
    swiss, account = setup(db)
    foreign = avis(tmp_path, "CH9300762011623852957")  # a payer's IBAN, no organization's account
    code, _out, err = run(capsys, "--database", db.url, "bank", "import", str(foreign))
    assert code == 1 and "gehört keiner Organisation" in err and "--organization" in err
    organizations.create_organization(db, make_org_input("CH", name="Sozialdienst Gürbetal"))  # same account
    code, _out, err = run(capsys, "--database", db.url, "bank", "import", str(avis(tmp_path)))
    assert code == 1 and "mehrere Organisationen" in err and "--organization" in err
    assert [p.open_amount for p in ledger.statement(db, account.id).open_items] == [chf("100.00")]
    code, out, _err = run(capsys, "--database", db.url, "bank", "import", str(avis(tmp_path)),
                          "--organization", str(swiss.id))
    assert code == 0 and "Organisation:" not in out


def test_no_readable_xml_names_no_account():
    assert receiving_ibans(b"not xml") == ()
    assert receiving_ibans(b"<Document><BkToCstmrDbtCdtNtfctn><Ntfctn><Acct><Id><Othr><Id>123</Id></Othr></Id>"
                           b"</Acct></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>") == ()
