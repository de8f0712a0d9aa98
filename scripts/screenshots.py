"""Render screenshots of the app shell into docs/screenshots/*.png (re-run after UI changes).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Builds a temporary SQLite database with one Swiss organization, a few persons and follow-ups
through the services, then grabs the main window, the settings dialog with a validation error,
the to-do page and the print preview of a small letter.
"""
from __future__ import annotations

import argparse
import io
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


def sample_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(25 * mm, 270 * mm, "Sozialdienst Aaretal")
    pdf.setFont("Helvetica", 11)
    for i, line in enumerate(("Frau", "Anna Muster", "Dorfstrasse 1", "3000 Bern")):
        pdf.drawString(120 * mm, 240 * mm - i * 5 * mm, line)
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(25 * mm, 200 * mm, "Verfügung über die Bevorschussung von Unterhaltsbeiträgen")
    pdf.setFont("Helvetica", 11)
    text = pdf.beginText(25 * mm, 188 * mm)
    for line in ("Sehr geehrte Frau Muster", "", "Wir haben Ihr Gesuch geprüft und bevorschussen die",
                 "Unterhaltsbeiträge für Ihre Tochter ab dem 1. Dezember.", "", "Freundliche Grüsse"):
        text.textLine(line)
    pdf.drawText(text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


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
    from sollhaben.ui.print_preview import PrintPreviewDialog
    from sollhaben.ui.settings_dialog import SettingsDialog
    from sollhaben.workers.jobs import JobRunner

    QStandardPaths.setTestModeEnabled(True)
    app = create_application([sys.argv[0]])
    with tempfile.TemporaryDirectory() as tmp:
        db = open_and_upgrade(f"sqlite:///{Path(tmp) / 'screenshots.sqlite'}", backup=False)
        runner = JobRunner()
        try:
            context = AppContext(db=db, worker=runner)
            context.set_organization(sample_data(db))
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
            window.grab().save(str(out / "main_window_persons.png"))

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

            preview = PrintPreviewDialog(sample_pdf(), "Verfügung Anna Muster", "verfuegung-muster.pdf")
            preview.resize(820, 900)
            preview.show()
            settle(app, 1.5)
            preview.grab().save(str(out / "print_preview.png"))
            preview.close()
            window.close()
        finally:
            runner.shutdown()
            db.dispose()
    for path in sorted(out.glob("*.png")):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
