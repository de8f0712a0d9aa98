"""Render the screenshots of the page „Mahnwesen“ into docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_dunning.py [--out docs/screenshots]

Builds a temporary SQLite database through the services (a Swiss organization with a QR-IBAN, ten
payers with monthly fees, some paid, some reminded before, one account and one item blocked, one small
amount below the minimum) and grabs:
dunning_proposal.png: the page with the proposal tree (letters, a hand-over, blocked and small accounts);
dunning_levels.png: the levels dialog;
dunning_runs.png: the tab Mahnläufe after the run, with the history of one account;
dunning_blocks.png: the tab Mahnsperren;
dunning_letter.png: page 1 of a reminder letter with the QR-bill (rendered from the run's PDF).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
RUN = date(2026, 11, 24)
PAYERS = [("Gerber", "Anna", "Frau", 3), ("Keller", "Reto", "Herr", 2), ("Zürcher", "Lea", "Frau", 1),
          ("Bühler", "Marco", "Herr", 2), ("Müller", "Sophie", "Frau", 1), ("Widmer", "Urs", "Herr", 0),
          ("Frei", "Nina", "Frau", 1), ("Moser", "Beat", "Herr", 4), ("Roth", "Laura", "Frau", 1),
          ("Kälin", "Jürg", "Herr", 1)]


def build(db):
    from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, PersonInput
    from sollhaben.domain.money import Money
    from sollhaben.services import ledger, organizations, persons
    from sollhaben.services.ledger import NewPosting
    from sollhaben.services.receivables import blocks, dunning

    org = organizations.create_organization(db, OrganizationInput(
        name="Gemeinde Muri bei Bern", legal_country="CH", address=Address("Thunstrasse", "74", "3074", "Muri", "CH"),
        bank_accounts=(BankAccountInput("CH44 3199 9123 0008 8901 2", label="QR-Konto", is_default=True),),
        enabled_modules=("kita", "receivables")))
    accounts = {}
    for n, (last, first, salutation, unpaid) in enumerate(PAYERS):
        person = persons.save_person(db, org.id, PersonInput(
            "NATURAL", last, first, salutation, address=Address("Dorfstrasse", str(n + 3), "3074", "Muri", "CH")),
            today=RUN)
        account = ledger.open_account(db, org.id, person.id, module="kita")
        accounts[last] = account
        amount = 800 if last == "Zürcher" else 38_000 + n * 1_250
        for month in range(6, 11):
            item = ledger.post(db, NewPosting(account.id, date(2026, month, 1), "FEE_MONTH", Money(amount, "CHF"),
                                              text=f"Elternbeitrag {month:02d}.2026", due_date=date(2026, month, 15)))
            if month <= 10 - unpaid:
                ledger.book_payment(db, account.id, date(2026, month, 14), Money(amount, "CHF"), "Zahlung",
                                    designation=[item])
    # earlier runs: reminders on 1 September, 1 October and 27 October
    for day in (date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1), date(2026, 10, 27)):
        shown = dunning.preview(db, org.id, day)
        if shown.proposal.letters or shown.proposal.handovers:
            dunning.confirm(db, shown)
    blocks.add_block(db, organization_id=org.id, account_id=accounts["Frei"].id, reason="Klärung mit dem Sozialdienst",
                     valid_until=RUN + timedelta(days=30))
    keller_items = blocks.blockable_items(db, accounts["Keller"].id)
    blocks.add_block(db, organization_id=org.id, account_id=accounts["Keller"].id, item_id=keller_items[0][0],
                     reason="Betrag bestritten (Abwesenheit)")
    old = blocks.add_block(db, organization_id=org.id, account_id=accounts["Widmer"].id, reason="Ferienabwesenheit",
                           valid_until=date(2026, 8, 31))
    blocks.lift_block(db, old, reason="Familie zurück, Zahlung vereinbart")
    return org


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    import pypdfium2
    from PySide6.QtWidgets import QApplication

    from sollhaben.app import create_application
    from sollhaben.persistence import migrate
    from sollhaben.persistence.database import open_database
    from sollhaben.ui.context import AppContext
    from sollhaben.ui.receivables.dunning_page import DunningPage
    from sollhaben.workers.jobs import JobRunner

    app = create_application()
    folder = Path(tempfile.mkdtemp())
    db = open_database(f"sqlite:///{folder / 'dunning.sqlite'}", user="sachbearbeitung")
    migrate.upgrade(db.engine, backup=False)
    org = build(db)
    runner = JobRunner()
    context = AppContext(db=db, organization=org, worker=runner)
    page = DunningPage(context, today=RUN)
    page.resize(1280, 760)
    page.show()

    def settle(condition=lambda: True, rounds: int = 1000) -> None:
        for _ in range(rounds):
            app.processEvents()
            if condition() and not runner.is_busy():
                break
            QApplication.instance().thread().msleep(10)
        for _ in range(5):
            app.processEvents()

    settle()
    page.make_proposal()
    settle(lambda: page.shown is not None)
    page.tree.expandAll()
    settle()
    page.grab().save(str(out / "dunning_proposal.png"))
    dialog = page.open_settings()
    dialog.table.setCurrentCell(1, 0)
    settle()
    dialog.grab().save(str(out / "dunning_levels.png"))
    dialog.reject()
    page.confirm()
    settle(lambda: page.preview is not None)
    page.preview.close()
    from sollhaben.services.receivables import dunning, dunning_letters
    run = dunning.list_runs(db, org.id)[0]
    page.runs.reload()
    müller = next(n.account_id for n in page.runs.notices.model.rows() if n.holder.startswith("Müller"))
    pdf = dunning_letters.render_run(db, run.run_id, account_ids=[müller])  # one page with the QR-bill
    pypdfium2.PdfDocument(pdf)[0].render(scale=1.6).to_pil().save(str(out / "dunning_letter.png"))
    page.tabs.setCurrentIndex(1)
    page.runs.notices.select(lambda r: r.holder.startswith("Gerber"))
    settle()
    page.grab().save(str(out / "dunning_runs.png"))
    page.tabs.setCurrentIndex(2)
    page.blocks.only_active.setChecked(False)
    settle()
    page.grab().save(str(out / "dunning_blocks.png"))
    runner.shutdown()
    db.dispose()
    print(f"Screenshots in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
