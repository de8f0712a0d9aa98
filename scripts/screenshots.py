"""Render screenshots of the app shell into docs/screenshots/*.png (re-run after UI changes).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Builds a temporary SQLite database through the services (one Swiss organization, persons, follow-ups,
units, postings), then grabs what a new user sees: the first-start dialog, the main window, the
person list and editor (with field errors), the settings dialog with errors, units, follow-ups, an
account statement, the letter dialog and the print preview of a real letter with a QR-bill. The
printed pages themselves come from scripts/screenshots_printing.py.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]


def settle(app, seconds: float = 0.3) -> None:
    """Let queued events, worker results and asynchronous PDF rendering arrive."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def wait_for(app, condition, seconds: float) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the window did not reach the expected state")
        app.processEvents()
        time.sleep(0.01)


def sample_data(db):
    from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, PersonInput
    from sollhaben.services import followups, organizations, persons
    from sollhaben.services.followups import FollowUpInput

    org = organizations.create_organization(db, OrganizationInput(
        name="Sozialdienst Aaretal", legal_country="CH",
        address=Address("Bahnhofstrasse", "12", "3000", "Bern", "CH"), phone="031 123 45 67",
        email="info@sozialdienst-aaretal.ch", website="www.sozialdienst-aaretal.ch",
        bank_accounts=(BankAccountInput("CH44 3199 9123 0008 8901 2", label="QR-Konto"),),
        enabled_modules=("alimony", "receivables", "child_protection")))
    people = [("Muster", "Anna", "Bern"), ("Keller", "Beat", "Thun"), ("Zürcher", "Claudia", "Köniz"),
              ("Brunner", "Daniel", "Muri b. Bern"), ("Gerber", "Esther", "Ostermundigen")]
    saved = [persons.save_person(db, org.id, PersonInput("NATURAL", last, first,
                                 address=Address("Dorfstrasse", str(i + 1), "3000", town, "CH")))
             for i, (last, first, town) in enumerate(people)]
    today = date.today()
    for days, subject, person, module in ((-12, "Unterlagen zur Bevorschussung fehlen", 0, "alimony"),
                                          (-2, "Rückruf wegen Ratenvereinbarung", 1, "receivables"),
                                          (0, "Verfügung prüfen und versenden", 2, "alimony"),
                                          (3, "Abklärung Kindesschutz: Termin bestätigen", 3, "child_protection"),
                                          (6, "Zahlungseingang kontrollieren", 4, "receivables")):
        followups.create_follow_up(db, org.id, FollowUpInput(
            subject, today + timedelta(days=days), record_type="person", record_id=saved[person].id,
            module=module, assigned_to="mb"))
    return org


def sample_postings(db, org) -> int:
    """A debtor account with a fee, a partial payment, a second fee and its reversal."""
    from sollhaben.domain.master_data import Address, PersonInput
    from sollhaben.domain.money import Money
    from sollhaben.domain.months import Month
    from sollhaben.services import ledger, persons
    from sollhaben.services.ledger import NewPosting

    chf = lambda text: Money.of(text, "CHF")  # noqa: E731
    debtor = persons.save_person(db, org.id, PersonInput("NATURAL", "Huber", "Markus", salutation="Herr",
                                                         address=Address("Aarestrasse", "3", "3600", "Thun", "CH")))
    account = ledger.open_account(db, org.id, debtor.id)
    for month in (8, 9, 10):
        ledger.post(db, NewPosting(account.id, date(2026, month, 1), "MAINTENANCE", chf("650.00"),
                                   f"Unterhalt {Month(2026, month)}", value_month=Month(2026, month),
                                   due_date=date(2026, month, 1)))
    ledger.book_payment(db, account.id, date(2026, 9, 12), chf("800.00"), "Zahlung Huber")
    wrong = ledger.post(db, NewPosting(account.id, date(2026, 10, 5), "REMINDER_FEE", chf("20.00"), "Mahngebühr",
                                       due_date=date(2026, 10, 5)))
    ledger.reverse(db, wrong, date(2026, 10, 6), "Mahngebühr irrtümlich")
    return account.id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QStandardPaths
    from PySide6.QtWidgets import QTableWidgetItem

    from sollhaben.app import create_application
    from sollhaben.bootstrap import open_and_upgrade
    from sollhaben.ui.context import AppContext
    from sollhaben.ui.main_window import MainWindow
    from sollhaben.domain.master_data import Address, UnitInput
    from sollhaben.services import organizations
    from sollhaben.ui.organization_wizard import OrganizationWizard
    from sollhaben.ui.settings_dialog import SettingsDialog
    from sollhaben.workers.jobs import JobRunner

    QStandardPaths.setTestModeEnabled(True)
    app = create_application([sys.argv[0]])
    with tempfile.TemporaryDirectory() as tmp:
        db = open_and_upgrade(f"sqlite:///{Path(tmp) / 'screenshots.sqlite'}", backup=False)
        runner = JobRunner()
        try:
            wizard = OrganizationWizard(db, runner)
            wizard.show()
            settle(app)
            wizard.grab().save(str(out / "first_start.png"))
            wizard.close()

            context = AppContext(db=db, worker=runner)
            org = sample_data(db)
            context.set_organization(org)
            account_id = sample_postings(db, org)
            for name, kind, town in (("Gemeinde Belp", "MUNICIPALITY", "Belp"), ("Gemeinde Toffen", "MUNICIPALITY",
                                     "Toffen"), ("Geschäftsstelle Belp", "OFFICE", "Belp")):
                organizations.save_unit(db, org.id, UnitInput(name, kind, Address("", "", "3123", town, "CH")))
            window = MainWindow(context)
            window.resize(1200, 720)
            window.show()
            settle(app)
            window.grab().save(str(out / "main_window.png"))
            window.show_page(window.page_index("Wiedervorlagen"))
            settle(app)
            page = window.page("Wiedervorlagen")
            page.resize(1000, 420)
            page.grab().save(str(out / "todo_page.png"))

            window.show_page(window.page_index("Personen"))
            settle(app)
            window.grab().save(str(out / "person_list.png"))
            persons_page = window.page("Personen")
            anna = next(r for r in persons_page.list.visible_rows() if r.last_name == "Muster")
            persons_page.open_person(anna.id)
            settle(app)
            window.grab().save(str(out / "person_editor.png"))
            editor = persons_page.editor
            editor.new_record()
            editor.basic.lastNameEdit.setText("Meier")
            editor.basic.birthDateEdit.setText("31.02.1985")
            editor.ui.layerTabs.setCurrentIndex(1)
            editor.address.postalCodeEdit.setText("312")
            editor.address.townEdit.setText("Belp")
            editor.save()
            settle(app)
            window.grab().save(str(out / "person_editor_errors.png"))
            editor.populate(None)  # discard without the question
            editor._set_dirty(False)
            persons_page.show_list()

            persons_page.list.select(lambda r: r.id == anna.id)
            dialog = persons_page.print_letter()
            dialog.ui.subjectEdit.setText("Rückforderung bevorschusster Unterhaltsbeiträge")
            dialog.ui.bodyEdit.setPlainText(
                "Sehr geehrte Frau Muster\n\nGemäss unserer Verfügung vom 3. November 2026 fordern wir die zu "
                "viel bevorschussten Unterhaltsbeiträge für Oktober 2026 zurück. Bitte überweisen Sie den Betrag "
                "innert 30 Tagen mit dem beiliegenden QR-Einzahlungsschein.")
            dialog.ui.amountEdit.setText("1'234.50")
            settle(app, 0.1)
            dialog.grab().save(str(out / "letter_dialog.png"))
            dialog.start()
            wait_for(app, lambda: dialog.preview is not None, 20)
            preview = dialog.preview
            preview.resize(820, 900)
            settle(app, 1.5)
            preview.grab().save(str(out / "print_preview.png"))
            preview.close()

            window.show_page(window.page_index("Einheiten"))
            settle(app)
            window.grab().save(str(out / "units_page.png"))

            window.show_page(window.page_index("Debitoren"))
            accounts = window.page("Debitoren")
            accounts.show_account(account_id)
            settle(app)
            window.grab().save(str(out / "account_statement.png"))

            dialog = SettingsDialog(db, context.organization)
            dialog.ui.bankTable.setItem(0, 0, QTableWidgetItem("CH44 3199 9123 0008 8901 3"))
            dialog.ui.emailEdit.setText("info@")
            dialog.show()
            dialog.save()
            settle(app)
            dialog.grab().save(str(out / "settings_dialog_error.png"))
            dialog.ui.tabs.setCurrentIndex(2)
            settle(app, 0.1)
            dialog.grab().save(str(out / "settings_dialog_bank_error.png"))
            dialog.hide()  # close() would ask whether to discard the changes
            window.close()
        finally:
            runner.shutdown()
            db.dispose()
    for path in sorted(out.glob("*.png")):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
