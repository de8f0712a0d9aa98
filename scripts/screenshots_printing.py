"""Render the printing screenshots into docs/screenshots/ (re-run after a layout change).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_printing.py [--out docs/screenshots]

letter_qr_bill_ch.png and letter_de.png: page 1 of a letter from a temporary SQLite database,
rendered through the letter service (pypdfium2, 110 dpi). letter_dialog_errors.png: the
"Brief drucken …" dialog after "Vorschau" with empty fields and a malformed amount.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 25)
BODY_CH = ("Sehr geehrte Frau Muster\n\nFür die Bevorschussung der Unterhaltsbeiträge im November 2026 stellen "
           "wir Ihnen den folgenden Betrag in Rechnung. Bitte bezahlen Sie innert 30 Tagen.\n\n"
           "Für Fragen erreichen Sie uns werktags von 8 bis 12 Uhr unter 031 123 45 67.")
BODY_DE = ("Sehr geehrter Herr Mustermann,\n\nfür die Betreuung Ihres Kindes im Dezember 2026 berechnen wir den "
           "Elternbeitrag nach der Beitragssatzung.\n\nBei Fragen erreichen Sie uns unter 0711 123456.")


def letters_pngs(out: Path) -> None:
    import pypdfium2 as pdfium

    from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, PersonInput
    from sollhaben.domain.money import Money
    from sollhaben.persistence import migrate
    from sollhaben.persistence.database import open_database
    from sollhaben.services import letters, organizations, persons

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'screens.sqlite'}", user="screens")
        migrate.upgrade(db.engine, backup=False)
        ch = organizations.create_organization(db, OrganizationInput(
            "Sozialdienst Aaretal", "CH", Address("Bahnhofstrasse", "12", "3000", "Bern", "CH"),
            phone="031 123 45 67", email="info@sozialdienst-aaretal.ch",
            bank_accounts=(BankAccountInput("CH44 3199 9123 0008 8901 2", label="QR-Konto"),)))
        anna = persons.save_person(db, ch.id, PersonInput(
            "NATURAL", "Muster", "Anna", salutation="Frau", address=Address("Marktgasse", "28", "9400", "Rorschach", "CH")))
        de = organizations.create_organization(db, OrganizationInput(
            "Kita-Verbund Musterstadt", "DE", Address("Hauptstraße", "5", "70173", "Stuttgart", "DE"),
            phone="0711 123456", bank_accounts=(BankAccountInput("DE89 3704 0044 0532 0130 00", "COBADEFFXXX"),)))
        max_ = persons.save_person(db, de.id, PersonInput(
            "NATURAL", "Mustermann", "Max", salutation="Herr", address_extra="c/o Familie Meier",
            address=Address("Gartenweg", "7", "70174", "Stuttgart", "DE")))
        for name, pdf in (
            ("letter_qr_bill_ch.png", letters.render_letter(db, ch.id, anna.id, "Rechnung Alimentenbevorschussung "
                                                            "November 2026", BODY_CH, Money.of("1234.50", "CHF"),
                                                            today=TODAY)),
            ("letter_de.png", letters.render_letter(db, de.id, max_.id, "Elternbeitrag Dezember 2026", BODY_DE,
                                                    Money.of("1234.50", "EUR"), today=TODAY)),
        ):
            pdfium.PdfDocument(pdf)[0].render(scale=110 / 72).to_pil().save(out / name)
            print(out / name)
        db.dispose()


def dialog_png(out: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, PersonInput
    from sollhaben.persistence import migrate
    from sollhaben.persistence.database import open_database
    from sollhaben.services import organizations, persons
    from sollhaben.ui.context import AppContext
    from sollhaben.ui.persons.letter_dialog import LetterDialog

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'dialog.sqlite'}", user="screens")
        migrate.upgrade(db.engine, backup=False)
        org = organizations.create_organization(db, OrganizationInput(
            "Sozialdienst Aaretal", "CH", Address("Bahnhofstrasse", "12", "3000", "Bern", "CH"),
            bank_accounts=(BankAccountInput("CH44 3199 9123 0008 8901 2"),)))
        person = persons.save_person(db, org.id, PersonInput(
            "NATURAL", "Muster", "Anna", language="fr", address=Address("Marktgasse", "28", "3000", "Bern", "CH")))
        context = AppContext(db)
        context.set_organization(org)
        dialog = LetterDialog(context, person)
        dialog.show()
        dialog.ui.amountEdit.setText("12,345")
        dialog.start()
        for _ in range(20):
            app.processEvents()
        dialog.grab().save(str(out / "letter_dialog_errors.png"))
        print(out / "letter_dialog_errors.png")
        dialog.close()
        db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    letters_pngs(args.out)
    dialog_png(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
