"""Wording of the printed dunning letters (real PDFs): the total line per country, and the request to pay
the amount by the date said once — in the level text — while the lines under the table say how to pay."""
from __future__ import annotations

from sollhaben.reports.dunning_letter_texts import total_label
from sollhaben.services.receivables import dunning_history, dunning_letters
from tests.integration.receivables.test_dunning_letters import setup_run, text_of


def test_total_label_per_country():
    assert total_label("CH") == "Total zu bezahlen"
    assert total_label("DE") == "Gesamtbetrag"


def test_de_letter_asks_once_and_names_iban_and_reference_under_the_table(db):
    run_id, accounts = setup_run(db, "DE")
    [notice] = [n for n in dunning_history.account_history(db, accounts[0].id) if n.level == 2]
    pdf = dunning_letters.render_run(db, run_id, account_ids=[accounts[0].id])
    text = " ".join(text_of(pdf).split())
    assert "Gesamtbetrag" in text and "Total" not in text
    assert text.count("906,00 EUR") == 2  # the level text and the total line; not a third time below
    assert text.count("Bitte überweisen Sie den Betrag von 906,00 EUR") == 1
    assert "Unsere Bankverbindung: IBAN DE89 3704 0044 0532 0130 00" in text
    assert "Verwendungszweck: RF" in text and "(bitte bei der Überweisung angeben)" in text
    assert notice.reference in text.replace(" ", "")
    below = text.index("Gesamtbetrag")
    assert "bis spätestens" not in text[below:]  # the date is not repeated under the table


def test_ch_letter_keeps_total_and_points_to_the_qr_bill(db):
    run_id, accounts = setup_run(db, "CH")
    pdf = dunning_letters.render_run(db, run_id, account_ids=[accounts[0].id])
    text = " ".join(text_of(pdf).split())
    assert "Total zu bezahlen" in text and "Gesamtbetrag" not in text
    assert "Bitte verwenden Sie für die Zahlung den QR-Einzahlungsschein." in text
    assert text.count("Bitte überweisen Sie den Betrag von CHF 921.00") == 1
