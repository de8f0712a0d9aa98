"""The letters of a confirmed dunning run, from what the run stored (text, items, amounts, reference)
and the recipients' current addresses: one PDF for all, or one PDF per recipient. Rendering runs on
the worker with progress and cancel; reprinting a run gives the same letters (same references)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.formatting import format_date
from sollhaben.domain.master_data import PersonKind
from sollhaben.domain.money import Money
from sollhaben.domain.references import format_creditor_reference, format_iban, format_qr_reference
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account, BankAccount, Organization, Person, Posting
from sollhaben.persistence.models.dunning import DunningNotice, DunningNoticeItem, DunningRun
from sollhaben.reports import dunning_letter as report
from sollhaben.reports import letter_texts
from sollhaben.reports.dunning_letter import ReminderItem, ReminderLetter
from sollhaben.reports.kita_assessment_texts import salutation_line
from sollhaben.reports.letter_model import Sender
from sollhaben.reports.qr_bill_data import BillAddress, BillData, permitted_text, prepare_bill
from sollhaben.services.receivables.dunning_text import money_text
from sollhaben.services.unit_of_work import read_only

Progress = Callable[[int, int, str], None]
_CHUNK = 500


@dataclass(frozen=True)
class _Org:
    country: str
    currency: str
    sender: Sender
    iban: str
    bic: str


def _org(session: Session, organization_id: int) -> _Org:
    org = session.get(Organization, organization_id)
    if org is None:
        raise NotFoundError(f"Organisation {organization_id} gibt es nicht.")
    bank = session.execute(select(BankAccount.iban, BankAccount.bic).where(BankAccount.organization_id == org.id)
                           .order_by(BankAccount.is_default.desc(), BankAccount.id).limit(1)).first()
    sender = Sender(org.name, org.street, org.house_number, org.postal_code, org.town, org.country, org.phone,
                    org.email, org.website)
    return _Org(org.legal_country, org.currency, sender, bank[0] if bank else "", bank[1] if bank else "")


def _recipient(person: Person, org: _Org) -> tuple[tuple[str, ...], str]:
    institution = person.kind == PersonKind.INSTITUTION.value
    if institution:
        name = person.last_name
    else:
        salutation = "Herrn" if person.salutation == "Herr" and org.country == "DE" else person.salutation
        name = " ".join(p for p in (salutation, person.first_name, person.last_name) if p)
    lines = letter_texts.recipient_lines(name, person.address_extra, person.street, person.house_number,
                                         person.postal_code, person.town, person.country or org.country, org.country)
    return lines, salutation_line(person.salutation, person.first_name, person.last_name, institution, org.country)


def _payment(org: _Org, notice: DunningNotice, person: Person):
    """(payment lines, QR-bill or None). When the level text already asks for the amount by the date
    (the default texts do: „Bitte überweisen Sie {betrag} bis {frist}.“), the lines under the table
    only say how to pay — a letter does not ask twice; a text without them keeps the full sentence."""
    amount = money_text(notice.amount_minor, org.country, org.currency)
    due = format_date(notice.payment_due)
    asked = amount in (notice.body or "") and due in (notice.body or "")
    if not org.iban:
        return (() if asked else (f"Bitte überweisen Sie {amount} bis {due}.",)), None
    if notice.qr_bill and org.country == "CH":
        name = person.last_name if person.kind == PersonKind.INSTITUTION.value else \
            f"{person.first_name} {person.last_name}".strip()
        debtor = BillAddress(name, person.street, person.house_number, person.postal_code, person.town,
                             person.country or "CH")
        sender = org.sender
        creditor = BillAddress(sender.name, sender.street, sender.house_number, sender.postal_code, sender.town,
                               sender.country or "CH")
        data = BillData(org.iban, creditor, Money(notice.amount_minor, org.currency), org.currency, debtor,
                        notice.reference, permitted_text(notice.subject), "de")
        try:
            bill = prepare_bill(data)
        except ValidationError as exc:
            raise exc.prefixed("bill") from None
        if asked:
            return ("Bitte verwenden Sie für die Zahlung den QR-Einzahlungsschein.",), bill
        return (f"Bitte bezahlen Sie {amount} bis {due} mit dem QR-Einzahlungsschein.",), bill
    reference = notice.reference
    shown = format_qr_reference(reference) if reference.isdigit() else format_creditor_reference(reference)
    account = f"IBAN {format_iban(org.iban)}" + (f", BIC {org.bic}" if org.bic else "")
    label = "Verwendungszweck" if org.country == "DE" else "Referenz"
    if asked:
        return (f"Unsere Bankverbindung: {account}", f"{label}: {shown} (bitte bei der Überweisung angeben)"), None
    return (f"Bitte überweisen Sie {amount} bis {due} auf das Konto {account}.", f"{label}: {shown}"), None


def _letters(db: Database, organization_id: int, notice_ids: list[int]) -> Iterator[ReminderLetter]:
    """The letters of the notices, loaded in chunks (a generator: rendering starts while loading)."""
    with read_only(db) as session:
        org = _org(session, organization_id)
    for start in range(0, len(notice_ids), _CHUNK):
        chunk = notice_ids[start:start + _CHUNK]
        with read_only(db) as session:
            rows = session.execute(select(DunningNotice, Person, DunningRun.run_date)
                                   .join(Account, Account.id == DunningNotice.account_id)
                                   .join(Person, Person.id == Account.holder_id)
                                   .join(DunningRun, DunningRun.id == DunningNotice.run_id)
                                   .where(DunningNotice.id.in_(chunk))).all()
            items: dict[int, list[ReminderItem]] = {}
            for notice_id, level, open_minor, text, due in session.execute(
                    select(DunningNoticeItem.notice_id, DunningNoticeItem.level, DunningNoticeItem.open_minor,
                           Posting.text, Posting.due_date).join(Posting, Posting.id == DunningNoticeItem.item_id)
                    .where(DunningNoticeItem.notice_id.in_(chunk))
                    .order_by(Posting.due_date, DunningNoticeItem.item_id)):
                items.setdefault(notice_id, []).append(ReminderItem(text, due, level, open_minor))
            by_id = {notice.id: (notice, person, run_date) for notice, person, run_date in rows}
            for notice_id in chunk:
                notice, person, run_date = by_id[notice_id]
                recipient, salutation = _recipient(person, org)
                lines, bill = _payment(org, notice, person)
                yield ReminderLetter(
                    org.country, org.sender, recipient, org.sender.town, run_date, notice.subject, salutation,
                    notice.body, tuple(items.get(notice_id, ())), notice.fee_minor, f"Mahngebühr {notice.level_name}",
                    notice.amount_minor, org.currency, lines, bill,
                    f"{person.last_name} {person.first_name} {notice.level_name} {notice.id}")


def letter_notice_ids(db: Database, run_id: int, account_ids: list[int] | None = None) -> tuple[int, list[int]]:
    """(organization, letter notice ids in the order of the recipients' names) of a run."""
    with read_only(db) as session:
        organization_id = session.scalar(select(DunningRun.organization_id).where(DunningRun.id == run_id))
        if organization_id is None:
            raise NotFoundError(f"Mahnlauf {run_id} gibt es nicht.")
        query = (select(DunningNotice.id).join(Account, Account.id == DunningNotice.account_id)
                 .join(Person, Person.id == Account.holder_id)
                 .where(DunningNotice.run_id == run_id, DunningNotice.kind == "LETTER"))
        if account_ids is not None:
            query = query.where(DunningNotice.account_id.in_(account_ids))
        rows = session.execute(query.add_columns(Person.last_name, Person.first_name)).all()
    from sollhaben.domain.collation import name_key
    rows.sort(key=lambda r: (name_key(r[1], r[2]), r[0]))
    return organization_id, [r[0] for r in rows]


def render_run(db: Database, run_id: int, per_recipient: bool = False, progress: Progress | None = None,
               cancelled: Callable[[], bool] | None = None,
               account_ids: list[int] | None = None) -> bytes | list[tuple[str, bytes]]:
    """The run's letters: one PDF (bytes), or [(file name, bytes)] one per recipient."""
    organization_id, ids = letter_notice_ids(db, run_id, account_ids)
    if not ids:
        raise ValidationError("Druck: Dieser Mahnlauf hat keine Briefe.", "run")
    letters = _letters(db, organization_id, ids)

    def step(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total, f"Brief {done} von {total}")

    if per_recipient:
        return [(_file_name(letter.file_name), pdf)
                for letter, pdf in report.render_each(letters, len(ids), step, cancelled)]
    return report.render_reminders(letters, len(ids), step, cancelled)


def _file_name(text: str) -> str:
    """"Gerber Anna 1. Mahnung 17" → "Gerber_Anna_1_Mahnung_17.pdf" (unique by the notice id)."""
    safe = "".join(ch if ch.isalnum() or ch == "-" else "_" for ch in text)
    return "_".join(part for part in safe.split("_") if part) + ".pdf"
