"""The history layer shows what a removed bank account or role held."""
from __future__ import annotations

from datetime import date

from sollhaben.domain.master_data import BankAccountInput, PersonInput
from sollhaben.services import audit_log, organizations, persons
from sollhaben.ui.persons.person_layers import HistoryLayer, describe_change
from tests.conftest import make_org_input

TODAY = date(2026, 11, 25)


def test_removed_bank_account_and_role_show_their_values(qtbot, sqlite_db):
    org = organizations.create_organization(sqlite_db, make_org_input("DE"))
    data = PersonInput("NATURAL", "Muster", "Anna", bank_accounts=(
        BankAccountInput("DE89 3704 0044 0532 0130 00", label="Anna Muster"),), roles=(("kita", "payer"),))
    saved = persons.save_person(sqlite_db, org.id, data, today=TODAY)
    persons.save_person(sqlite_db, org.id, PersonInput("NATURAL", "Muster", "Anna"), saved.id, saved.version,
                        today=TODAY)
    entries = audit_log.history(sqlite_db, "person", saved.id)
    deleted = [describe_change(e) for e in entries if e.action == "delete"]
    assert ("Bankverbindung gelöscht", "IBAN DE89370400440532013000, Kontoinhaber/in Anna Muster", "") in deleted
    assert ("Rolle gelöscht", "Modul Kita-Beiträge, Rolle Zahler/in", "") in deleted
    layer = HistoryLayer()
    qtbot.addWidget(layer)
    layer.show_entries(entries)
    texts = {layer.ui.historyTable.item(r, 2).text() for r in range(layer.ui.historyTable.rowCount())}
    assert {"Bankverbindung gelöscht", "Rolle gelöscht"} <= texts


def test_a_mandate_an_agreement_and_a_block_read_in_german(qtbot, sqlite_db):
    from sollhaben.domain.money import Money
    from sollhaben.domain.receivables.agreements import AgreementTerms, Interval
    from sollhaben.domain.receivables.mandates import MandateInput
    from sollhaben.services import ledger
    from sollhaben.services.ledger import NewPosting
    from sollhaben.services.receivables import agreements, blocks, sepa_mandates
    from sollhaben.services.receivables.agreements import AgreementInput

    org = organizations.create_organization(sqlite_db, make_org_input("DE"))
    anna = persons.save_person(sqlite_db, org.id, PersonInput("NATURAL", "Muster", "Anna"), today=TODAY)
    made = sepa_mandates.save_mandate(sqlite_db, org.id, MandateInput(anna.id, "KITA-0001", date(2026, 3, 1),
                                                                      "Anna Muster", "DE02120300000000202051"),
                                      today=TODAY)
    sepa_mandates.revoke_mandate(sqlite_db, made.id, made.version, date(2026, 12, 1), today=TODAY)
    account = ledger.open_account(sqlite_db, org.id, anna.id, module="kita")
    ledger.post(sqlite_db, NewPosting(account.id, date(2026, 10, 1), "KITA_FEE", Money.of("280.49", "EUR"),
                                      text="Beitrag", due_date=date(2026, 10, 1)))
    agreements.create_agreement(sqlite_db, org.id, AgreementInput(account.id, AgreementTerms(
        Money.of("280.49", "EUR"), date(2026, 12, 1), Interval.MONTHLY, instalment_count=3)), today=TODAY)
    blocks.add_block(sqlite_db, organization_id=org.id, account_id=account.id, reason="Klärung läuft")
    entries = audit_log.history(sqlite_db, "person", anna.id)
    shown = {describe_change(e) for e in entries}
    assert {("Lastschriftmandat: Mandatsreferenz", "", "KITA-0001"),
            ("Lastschriftmandat: Widerrufen am", "", "01.12.2026"),
            ("Zahlungsvereinbarung: Gesamtbetrag", "", "280.49"),
            ("Zahlungsvereinbarung: Rhythmus", "", "monatlich"),
            ("Zahlungsvereinbarung: Stand", "", "laufend"),
            ("Mahnsperre: Grund", "", "Klärung läuft")} <= shown
    layer = HistoryLayer()
    qtbot.addWidget(layer)
    layer.show_entries(entries)
    fields = {layer.ui.historyTable.item(r, 2).text() for r in range(layer.ui.historyTable.rowCount())}
    assert "Lastschriftmandat: payer_id" not in fields and "payer_id" not in fields
