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
