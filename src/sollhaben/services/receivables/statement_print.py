"""The account statement as PDF (house letter, CH with a QR-bill for the open balance) and XLSX.

The QR-bill (CH) and the payment line (DE) carry a reference of the document scheme
(`domain.references.make_document_reference`: account id + document number) which is registered
as kind STATEMENT with the open items as designation (`services.receivables.references`), so a
bank file finds account and items again. The statement's document number is 8000 followed by
the statement date (YYYYMMDD): a reprint on the same day carries the same reference.
"""
from __future__ import annotations

from datetime import date

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.formatting import format_date, format_money
from sollhaben.domain.master_data import PersonKind
from sollhaben.domain.references import format_creditor_reference, format_iban, make_document_reference
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Person
from sollhaben.reports.account_statement import render_statement
from sollhaben.reports.account_statement_model import GroupRow, StatementDocument, StatementRow
from sollhaben.reports.letter_model import Letter
from sollhaben.reports.qr_bill_data import BillAddress, BillData, permitted_text, prepare_bill
from sollhaben.services.letters import _load_org, _recipient
from sollhaben.services.receivables.references import register_issued_reference
from sollhaben.services.receivables.statement import AccountStatement, load_statement
from sollhaben.services.receivables.statement_labels import category_label, pending_mark, reversal_mark
from sollhaben.services.unit_of_work import unit_of_work

STATEMENT_DOCUMENT_BASE = 800_000_000_000  # + YYYYMMDD: the statement's document number


def statement_document_no(day: date) -> int:
    return STATEMENT_DOCUMENT_BASE + int(day.strftime("%Y%m%d"))


def end_date(statement: AccountStatement) -> date:
    """The date the closing balance stands at: the end of the period, else the later of the
    statement date and the last posting."""
    if statement.date_to is not None:
        return statement.date_to
    last = statement.lines[-1].posting.booking_date if statement.lines else statement.today
    return max(last, statement.today)


def period_text(statement: AccountStatement) -> str:
    start, end = statement.date_from, statement.date_to
    if start and end:
        return f"{format_date(start)} – {format_date(end)}"
    if start:
        return f"ab {format_date(start)}"
    if end:
        return f"bis {format_date(end)}"
    return "alle Buchungen"


def _rows(statement: AccountStatement) -> tuple[StatementRow, ...]:
    rows = []
    for line in statement.lines:
        p = line.posting
        marks = tuple(m for m in (reversal_mark(p.reverses_id, p.reversed_by_id),
                                  pending_mark(getattr(p, "pending_until", None))) if m)
        rows.append(StatementRow(p.booking_date, p.id, p.value_month, p.text or category_label(p.category),
                                 p.amount, line.balance, marks))
    return tuple(rows)


def _balance_notes(statement: AccountStatement, country: str) -> list[str]:
    notes = []
    for p in statement.pending:
        notes.append(f"Die Lastschrift Nr. {p.id} über {format_money(-p.amount, country, True)} wird am "
                     f"{format_date(p.pending_until)} eingezogen; sie ist im Saldo bereits berücksichtigt.")
    balance = statement.closing_balance
    if balance.minor < 0:
        notes.append(f"Ihr Konto weist ein Guthaben von {format_money(-balance, country, True)} aus.")
    elif balance.minor == 0:
        notes.append("Ihr Konto ist ausgeglichen; es ist kein Betrag offen.")
    return notes


def _bill_or_note(session, org, person: Person, statement: AccountStatement, reference_day: date):
    """(PreparedBill or None, payment notes); registers the reference it prints."""
    balance = statement.closing_balance
    if balance.minor <= 0:
        if org.country == "CH":
            return None, ["Kein Einzahlungsschein: Es ist kein Betrag zu bezahlen."]
        return None, []
    if statement.date_to is not None and statement.date_to < statement.today:
        lead = "Kein Einzahlungsschein: " if org.country == "CH" else ""
        return None, [f"{lead}Der Auszug endet am {format_date(statement.date_to)}; den heute offenen Betrag "
                      "zeigt ein Auszug bis heute."]
    if not org.iban:
        if org.country == "CH":
            raise ValidationError("Konto: Die Organisation hat kein Bankkonto für den QR-Einzahlungsschein. "
                                  "Bitte in den Einstellungen eine QR-IBAN oder IBAN erfassen.", "bank_account")
        return None, []
    account = statement.account
    reference = make_document_reference(org.iban, account.id, statement_document_no(reference_day))
    register_issued_reference(session, organization_id=org.id, account_id=account.id, reference=reference,
                              kind="STATEMENT", item_ids=[p.id for p in statement.open_items])
    if org.country != "CH":
        bic = f", BIC {org.bic}" if org.bic else ""
        return None, [f"Bitte überweisen Sie {format_money(balance, 'DE', True)} auf das Konto IBAN "
                      f"{format_iban(org.iban)}{bic}, Verwendungszweck: {format_creditor_reference(reference)}."]
    natural = person.kind != PersonKind.INSTITUTION.value
    debtor = BillAddress(f"{person.first_name} {person.last_name}".strip() if natural else person.last_name,
                         person.street, person.house_number, person.postal_code, person.town, person.country or "CH")
    sender = org.sender
    creditor = BillAddress(sender.name, sender.street, sender.house_number, sender.postal_code, sender.town,
                           sender.country or "CH")
    data = BillData(org.iban, creditor, balance, org.currency, debtor, reference,
                    permitted_text(f"Kontoauszug {account.number}"), "de")
    try:
        bill = prepare_bill(data)
    except ValidationError as exc:
        raise exc.prefixed("bill") from None
    return bill, ["Bitte verwenden Sie für die Zahlung des offenen Betrags den QR-Einzahlungsschein."]


def build_document(db: Database, statement: AccountStatement) -> StatementDocument:
    """The statement as a letter; registers the printed reference in one unit of work."""
    account = statement.account
    country = statement.country
    with unit_of_work(db) as session:
        org = _load_org(session, statement.organization_id)
        person = session.get(Person, account.holder_id)
        if not (person.postal_code and person.town):
            raise ValidationError(f"Adresse: {account.holder_name} (Konto {account.number}) hat keine vollständige "
                                  "Postadresse (PLZ und Ort fehlen); der Kontoauszug kann nicht verschickt werden.",
                                  "person")
        recipient = _recipient(person, org, "de")
        bill, payment = _bill_or_note(session, org, person, statement, statement.today)
    end = end_date(statement)
    subject = (f"Kontoauszug {period_text(statement)}" if statement.date_from or statement.date_to
               else f"Kontoauszug per {format_date(end)}")
    letter = Letter(country=org.country, language="de", sender=org.sender, recipient=recipient,
                    place=org.sender.town, date=statement.today, subject=subject, body="", bill=bill,
                    title=f"Kontoauszug {account.number} – {account.holder_name}")
    opening_label = (f"Anfangssaldo per {format_date(statement.date_from)}" if statement.date_from
                     else "Anfangssaldo")
    groups = tuple(GroupRow(g.month, category_label(g.category), g.count, g.open_amount) for g in statement.groups)
    return StatementDocument(
        letter=letter, account_line=f"Konto {account.number} – {account.holder_name}"
                                    + (f" ({account.label})" if account.label else ""),
        period_line=f"Zeitraum: {period_text(statement)}", opening_label=opening_label,
        opening=statement.opening_balance, rows=_rows(statement), closing_label=f"Saldo per {format_date(end)}",
        closing=statement.closing_balance, groups=groups, open_total=statement.open_total,
        credit=statement.unallocated_credit, balance=statement.closing_balance,
        notes=tuple(_balance_notes(statement, country) + payment))


def statement_pdf(db: Database, account_id: int, date_from: date | None = None, date_to: date | None = None,
                  today: date | None = None) -> bytes:
    """Load, build and render: the statement as PDF bytes."""
    statement = load_statement(db, account_id, date_from, date_to, today)
    return render_statement(build_document(db, statement))

