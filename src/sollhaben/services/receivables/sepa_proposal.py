"""The proposal of a SEPA collection run and its error list (read only; the run recomputes it).

Proposal: per debtor account, the open items due on or before the due date (an item without a due
date is due when booked), if the account holder has a mandate valid on the due date. The error
list names what stops the run (organization data: creditor id, bank account, currency, due date)
and every account left out, with the reason: mandate expired, revoked, not yet signed, IBAN or
reference invalid, or a credit balance on the account (allocate it first: collecting the full
amount would take money the payer has already paid).

The Kita payer data has no payment method; a payer pays by direct debit exactly when a mandate
of theirs exists. Payers who never had a mandate pay by transfer and are not listed.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sollhaben.domain.collation import sort_key
from sollhaben.domain.formatting import format_money
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.mandates import MandateStatus, creditor_id_problem, expiry_date, mandate_status
from sollhaben.domain.receivables.mandates import reference_problem
from sollhaben.domain.receivables.sepa_charset import sepa_text
from sollhaben.domain.references import is_qr_iban, is_valid_iban
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account, Allocation, BankAccount, Organization, Person, Posting, SepaMandate
from sollhaben.services.receivables.sepa_dto import Proposal, ProposalLine, ProposedItem, RunProblem
from sollhaben.services.unit_of_work import read_only

ORGANIZATION = "Organisation"


def creditor_account(session: Session, organization_id: int) -> BankAccount | None:
    """The account the money goes to: the default bank account, else the first (never a QR-IBAN)."""
    accounts = session.scalars(select(BankAccount).where(BankAccount.organization_id == organization_id)
                               .order_by(BankAccount.is_default.desc(), BankAccount.id)).all()
    return next((a for a in accounts if not a.is_qr_iban and not is_qr_iban(a.iban)), None)


def _organization_problems(session: Session, org: Organization, due: date, today: date) -> list[RunProblem]:
    problems = []

    def block(message: str) -> None:
        problems.append(RunProblem(ORGANIZATION, message, blocking=True))

    if org.legal_country != "DE":
        block("Land: SEPA-Lastschriften gibt es hier nur für Organisationen in Deutschland.")
    if org.currency != "EUR":
        block(f"Währung: SEPA-Lastschriften gibt es nur in EUR, die Organisation führt {org.currency}.")
    problem = creditor_id_problem(org.sepa_creditor_id)
    if problem:
        block(problem)
    if creditor_account(session, org.id) is None:
        block("Bankkonto: Die Organisation hat kein Bankkonto (IBAN) für den Einzug. Bitte in den Einstellungen "
              "erfassen.")
    if due <= today:
        block(f"Fälligkeit: Der {due:%d.%m.%Y} liegt nicht nach heute; die Bank braucht die Datei spätestens "
              "einen Bankarbeitstag vor der Fälligkeit.")
    return problems


def _open_items(session: Session, organization_id: int, due: date, holders):
    """(posting, open minor) of the open items due by `due` on accounts of the given holders."""
    allocated = (select(func.coalesce(func.sum(Allocation.amount_minor), 0))
                 .where(Allocation.item_id == Posting.id).scalar_subquery())
    query = (select(Posting.id, Posting.account_id, func.coalesce(Posting.due_date, Posting.booking_date),
                    Posting.text, Posting.currency, Posting.amount_minor - allocated)
             .join(Account, Account.id == Posting.account_id)
             .where(Account.organization_id == organization_id, Account.holder_id.in_(holders),
                    Posting.amount_minor > 0, func.coalesce(Posting.due_date, Posting.booking_date) <= due)
             .order_by(Posting.account_id, func.coalesce(Posting.due_date, Posting.booking_date), Posting.id))
    return [row for row in session.execute(query) if row[5] > 0]


def _credits(session: Session, organization_id: int, holders) -> dict[int, int]:
    """Unallocated credit per account (of the given holders)."""
    allocated = (select(func.coalesce(func.sum(Allocation.amount_minor), 0))
                 .where(Allocation.credit_id == Posting.id).scalar_subquery())
    query = (select(Posting.account_id, -Posting.amount_minor - allocated)
             .join(Account, Account.id == Posting.account_id)
             .where(Account.organization_id == organization_id, Account.holder_id.in_(holders),
                    Posting.amount_minor < 0))
    result: dict[int, int] = defaultdict(int)
    for account_id, rest in session.execute(query):
        if rest > 0:
            result[account_id] += int(rest)
    return result


def _mandate_problem(row: SepaMandate, due: date) -> str:
    status = mandate_status(row.signed_on, row.last_used_on, row.revoked_on, due)
    if status is MandateStatus.REVOKED:
        return f"Mandat „{row.reference}“ ist seit {row.revoked_on:%d.%m.%Y} widerrufen."
    if status is MandateStatus.EXPIRED:
        since = expiry_date(row.signed_on, row.last_used_on)
        basis = (f"letzter Einzug {row.last_used_on:%d.%m.%Y}" if row.last_used_on
                 else f"unterschrieben {row.signed_on:%d.%m.%Y}, nie genutzt")
        return (f"Mandat „{row.reference}“ ist seit {since:%d.%m.%Y} abgelaufen (36 Monate ohne Einzug; {basis}). "
                "Bitte ein neues Mandat einholen.")
    if status is MandateStatus.NOT_YET_SIGNED:
        return f"Mandat „{row.reference}“ ist erst am {row.signed_on:%d.%m.%Y} unterschrieben."
    if not is_valid_iban(row.iban):
        return f"Mandat „{row.reference}“: Die IBAN „{row.iban}“ ist ungültig."
    if reference_problem(row.reference):
        return f"{reference_problem(row.reference)} (Mandat „{row.reference}“)"
    if not sepa_text(row.debtor_name, 70):
        return f"Mandat „{row.reference}“: Der Name des Kontoinhabers fehlt."
    return ""


def build_proposal(session: Session, organization_id: int, due: date, today: date) -> Proposal:
    org = session.get(Organization, organization_id)
    problems = _organization_problems(session, org, due, today)
    holders = select(SepaMandate.payer_id).where(SepaMandate.organization_id == organization_id)
    items = _open_items(session, organization_id, due, holders)
    credits = _credits(session, organization_id, holders)
    by_account: dict[int, list] = defaultdict(list)
    for row in items:
        by_account[row[1]].append(row)
    accounts = {a.id: (a, p) for a, p in session.execute(
        select(Account, Person).join(Person, Person.id == Account.holder_id)
        .where(Account.id.in_(list(by_account))))} if by_account else {}
    mandates: dict[int, list[SepaMandate]] = defaultdict(list)
    for row in session.scalars(select(SepaMandate).where(SepaMandate.organization_id == organization_id)
                               .order_by(SepaMandate.signed_on, SepaMandate.id)):
        mandates[row.payer_id].append(row)
    lines = []
    for account_id, rows in by_account.items():
        account, person = accounts[account_id]
        name = f"{person.last_name}, {person.first_name}" if person.first_name else person.last_name
        line_problem = _line_problem(mandates[person.id], due, credits.get(account_id, 0), account.currency)
        if isinstance(line_problem, str):
            problems.append(RunProblem(name, line_problem, account_id=account_id))
            continue
        mandate = line_problem
        proposed = tuple(ProposedItem(pid, day, text, Money(int(open_minor), currency))
                         for pid, _acc, day, text, currency, open_minor in rows)
        lines.append(ProposalLine(account_id, account.number, name, mandate.id, mandate.reference, mandate.iban,
                                  mandate.sequence_type, Money(sum(i.open_amount.minor for i in proposed),
                                                               account.currency), proposed))
    lines.sort(key=lambda line: (sort_key(line.holder_name), line.account_id))
    problems.sort(key=lambda p: (not p.blocking, sort_key(p.subject)))
    return Proposal(organization_id, due, tuple(lines), tuple(problems), org.currency)


def _line_problem(mandates: list[SepaMandate], due: date, credit: int, currency: str) -> SepaMandate | str:
    """The mandate to collect under, or the German reason why the account is left out."""
    usable = [m for m in mandates if mandate_status(m.signed_on, m.last_used_on, m.revoked_on, due)
              is MandateStatus.VALID]
    chosen = usable[-1] if usable else mandates[-1]
    problem = _mandate_problem(chosen, due)
    if problem:
        return problem
    if currency != "EUR":
        return f"Konto in {currency}: SEPA-Lastschriften gibt es nur in EUR."
    if credit:
        shown = format_money(Money(credit, currency), "DE", with_currency=True)
        return (f"Guthaben von {shown} auf dem Konto: bitte zuerst offenen Posten zuordnen "
                "(sonst würde zu viel eingezogen).")
    return chosen


def propose(db: Database, organization_id: int, due: date, today: date | None = None) -> Proposal:
    """What a run for `due` would collect, and the error list shown before it."""
    with read_only(db) as session:
        return build_proposal(session, organization_id, due, today or date.today())


def next_due_date(today: date, day_of_month: int = 1) -> date:
    """The next `day_of_month` after today (the usual Kita due day is the 1st)."""
    candidate = today.replace(day=day_of_month)
    if candidate <= today:
        candidate = (today.replace(day=1) + timedelta(days=32)).replace(day=day_of_month)
    return candidate
