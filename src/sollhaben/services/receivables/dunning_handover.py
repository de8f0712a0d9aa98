"""The hand-over list of a dunning run: the items handed over to enforcement (CH: Betreibung) or a
collection agency (DE: Inkasso), per debtor with address, the item, its reminders and the open amount
at the hand-over — the document the clerk takes to the office or agency (PDF or XLSX)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.money import Money
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account, Organization, Person, Posting
from sollhaben.persistence.models.dunning import DunningNotice, DunningNoticeItem, DunningRun
from sollhaben.reports.table_model import ReportColumn, ReportSection, TableReport
from sollhaben.reports.table_pdf import render_table_pdf
from sollhaben.reports.table_xlsx import render_table_xlsx
from sollhaben.services.receivables.dunning_load import item_history
from sollhaben.services.unit_of_work import read_only

COLUMNS = (ReportColumn("Schuldner/in", 30), ReportColumn("Adresse", 34), ReportColumn("Konto", 10),
           ReportColumn("Posten", 30), ReportColumn("Fällig", 11), ReportColumn("Letzte Mahnung", 14),
           ReportColumn("Offen", 13, numeric=True))


def handover_report(db: Database, run_id: int) -> TableReport:
    """The run's hand-overs as a table report; refused when the run handed nothing over."""
    with read_only(db) as session:
        run = session.get(DunningRun, run_id)
        if run is None:
            raise NotFoundError(f"Mahnlauf {run_id} gibt es nicht.")
        org = session.get(Organization, run.organization_id)
        rows = session.execute(
            select(DunningNotice.level_name, Person.last_name, Person.first_name, Person.street, Person.house_number,
                   Person.postal_code, Person.town, Account.number, DunningNoticeItem.item_id, Posting.text,
                   Posting.due_date, DunningNoticeItem.open_minor)
            .join(DunningNoticeItem, DunningNoticeItem.notice_id == DunningNotice.id)
            .join(Posting, Posting.id == DunningNoticeItem.item_id)
            .join(Account, Account.id == DunningNotice.account_id)
            .join(Person, Person.id == Account.holder_id)
            .where(DunningNotice.run_id == run_id, DunningNotice.kind == "HANDOVER")
            .order_by(Person.last_name, Person.first_name, Posting.due_date, Posting.id)).all()
        if not rows:
            raise ValidationError("Übergabeliste: Dieser Mahnlauf hat nichts übergeben.", "run")
        history = item_history(session, run.organization_id)
        run_date, currency, country, org_name = run.run_date, run.currency, org.legal_country, org.name
    body = []
    total = 0
    for (_label, last, first, street, number, postal_code, town, account, item_id, text, due,
         open_minor) in rows:
        reminded: date | None = history.get(item_id, (0, None, None, None))[1]
        body.append((f"{last}, {first}" if first else last,
                     ", ".join(p for p in (f"{street} {number}".strip(), f"{postal_code} {town}".strip()) if p),
                     account, text, due, reminded, Money(open_minor, currency)))
        total += open_minor
    label = rows[0][0]
    section = ReportSection(f"Übergabe an: {label}", COLUMNS, body,
                            totals=(("Total", "", "", f"{len(body)} Posten", None, None, Money(total, currency)),))
    return TableReport(f"Übergabeliste Mahnlauf vom {run_date:%d.%m.%Y}", org_name, country, (section,),
                       subtitle=f"Mahnlauf {run_id}", landscape=True)


def handover_pdf(db: Database, run_id: int) -> bytes:
    return render_table_pdf(handover_report(db, run_id))


def handover_xlsx(db: Database, run_id: int) -> bytes:
    return render_table_xlsx(handover_report(db, run_id))
