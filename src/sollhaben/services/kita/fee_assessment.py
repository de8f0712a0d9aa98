"""Fee assessment letters (Festsetzung der Elternbeiträge): the letter data of a payer, the payers
whose letter would say something new, and the print run that records what it issued.

- `assessment_for(db, facility_id, payer_id, from_month)` → `FeeAssessmentDTO`: the letter to one
  payer (guardian or institution) for one facility from a month on — recipient, the children the
  payer pays for there, each line with group, tier, monthly amount, discounts and the payer's share
  (from the domain calculation for the child's month), "offener Betrag" for PER_UNIT lines and
  INDIVIDUAL lines with reset, the monthly total of the fixed parts, due day, payment method (SEPA
  mandate with pre-notification, transfer, or CH QR-bill for the first month).
- `payer_overview(db, facility_id, from_month)` → every payer of the facility with the status of
  its letter; `payers_with_changes(db, facility_id, since)` → those whose letter would differ from
  the last one issued (or who never got one). "Differ" compares a SHA-256 of what the letter says
  for a regular month (lines, amounts, discounts, shares, due day, fee-free months, payment method
  and mandate) with the hash recorded in `fee_assessment_letter`; the date, the from-month and the
  address are not part of it.
- `render_assessments(db, facility_id, payer_ids, from_month, user, progress, cancelled, combined)`
  → one PDF, or one PDF per recipient; records every letter (payer, facility, from month, issued
  at, user, hash) in one transaction after rendering succeeded — a cancelled run records nothing.
"""
from __future__ import annotations

import hashlib
import json
from concurrent.futures import CancelledError
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Sequence

from sqlalchemy import insert

from sollhaben.domain.collation import sort_key
from sollhaben.domain.errors import FieldError, NotFoundError, ValidationError
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import FeeAssessmentLetter
from sollhaben.reports import kita_assessment as report
from sollhaben.reports import letter_texts
from sollhaben.reports.kita_assessment_model import FeeAssessment
from sollhaben.reports.kita_assessment_texts import salutation_line, subject
from sollhaben.reports.letter_model import Sender
from sollhaben.services.kita import fee_assessment_payment as pay
from sollhaben.services.kita.fee_assessment_build import Built, PayerPart, compute
from sollhaben.services.kita.fee_assessment_load import (
    PersonInfo,
    Snapshot,
    load_persons,
    load_snapshot,
    main_accounts,
)
from sollhaben.services.unit_of_work import read_only, unit_of_work

FeeAssessmentDTO = FeeAssessment  # the letter data (frozen, in reports/kita_assessment_model.py)
Progress = Callable[..., None]
NEW, CHANGED, UNCHANGED = "NEW", "CHANGED", "UNCHANGED"
STATUS_LABELS = {NEW: "noch keine Festsetzung", CHANGED: "geändert", UNCHANGED: "unverändert"}


@dataclass(frozen=True)
class PayerRow:
    """One payer of the facility in the list of the page "Festsetzung"."""

    payer_id: int
    name: str  # "Gerber, Laura" / the institution's name
    institution: bool
    children: tuple[str, ...]
    total: Money  # the fixed monthly part
    has_open: bool
    status: str  # NEW, CHANGED or UNCHANGED
    last_issued: datetime | None
    last_from: Month | None
    problems: tuple[str, ...]
    data_hash: str

    @property
    def changed(self) -> bool:
        return self.status != UNCHANGED

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class PayerOverview:
    facility_id: int
    facility_name: str
    from_month: Month
    currency: str
    payers: tuple[PayerRow, ...]
    without_data: tuple[str, ...]  # "Mia Gerber: keine Abrechnungsdaten für 03.2026"


def _month(value: Month | None, today: date | None) -> Month:
    return value if value is not None else Month.of(today or date.today())


def _display_name(person: PersonInfo | None, payer_id: int) -> str:
    if person is None:
        return f"Zahler {payer_id}"
    if person.kind == "INSTITUTION" or not person.first_name:
        return person.last_name
    return f"{person.last_name}, {person.first_name}"


def _recipient(person: PersonInfo, country: str) -> tuple[str, ...]:
    if person.kind == "INSTITUTION":
        name = person.last_name
    else:
        salutation = "Herrn" if person.salutation == "Herr" and country == "DE" else person.salutation
        name = " ".join(p for p in (salutation, person.first_name, person.last_name) if p)
    return letter_texts.recipient_lines(name, person.address_extra, person.street, person.house_number,
                                        person.postal_code, person.town, person.country or country, country)


def _data_hash(part: PayerPart, snapshot: Snapshot, payment_print: list) -> str:
    content = [sorted(part.fingerprint, key=lambda c: c[0]), snapshot.settings.due_day,
               sorted(snapshot.settings.fee_free_months), payment_print]
    text = json.dumps(content, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class _Run:
    snapshot: Snapshot
    built: Built
    mandates: dict


def _load(db: Database, facility_id: int, from_month: Month, payer_ids: Sequence[int] | None = None) -> _Run:
    with read_only(db) as session:
        snapshot = load_snapshot(session, facility_id, from_month, payer_ids)
        load_persons(session, snapshot, [])
        built = compute(snapshot)
        wanted = list(payer_ids) if payer_ids is not None else list(built.parts)
        load_persons(session, snapshot, wanted)
        first = pay.first_due_month(from_month, snapshot.settings.fee_free_months)
        mandates = pay.mandates(session, snapshot.org, wanted, first)
    return _Run(snapshot, built, mandates)


def _assessment(run: _Run, payer_id: int, today: date, account_id: int | None) -> FeeAssessment:
    snapshot, org = run.snapshot, run.snapshot.org
    part = run.built.parts[payer_id]
    person = snapshot.persons.get(payer_id)
    children = tuple(sorted(part.children, key=lambda c: (sort_key(c.name), c.child_id)))
    currency = org.currency
    total = Money(sum(c.total.minor for c in children if c.total is not None), currency)
    first = pay.first_due_month(snapshot.from_month, snapshot.settings.fee_free_months)
    first_amount = Money(sum(c.total.minor for c in children if c.total is not None and c.month <= first), currency)
    mandate = run.mandates.get(payer_id)
    payment = pay.payment(org, snapshot.settings.due_day, first, first_amount, mandate, account_id)
    problems = list(part.problems)
    if person is None:
        problems.append(f"Zahler {payer_id} gibt es nicht.")
        person = PersonInfo(payer_id, "NATURAL", f"Zahler {payer_id}", "", "", None, "", "", "", "", "", "")
    elif not (person.postal_code and person.town):
        problems.append(f"Adresse: {_display_name(person, payer_id)} hat keine vollständige Postadresse "
                        "(PLZ und Ort fehlen).")
    account_problem = pay.check_account(org) if mandate is None else ""
    if account_problem:
        problems.append(account_problem)
    bill = None
    if org.country == "CH" and account_id is not None and not problems:
        try:
            bill = pay.qr_bill(org, person, first_amount, account_id, subject(snapshot.from_month))
        except ValidationError as exc:
            problems.extend(e.message for e in exc.errors)
    institution = person.kind == "INSTITUTION"
    sender = Sender(org.name, org.street, org.house_number, org.postal_code, org.town, org.address_country,
                    org.phone, org.email, org.website)
    return FeeAssessment(
        organization_id=org.id, facility_id=snapshot.facility_id, facility_name=snapshot.facility_name,
        payer_id=payer_id, country=org.country, currency=currency, sender=sender,
        recipient=_recipient(person, org.country),
        salutation=salutation_line(person.salutation, person.first_name, person.last_name, institution, org.country),
        institution=institution, place=org.town, date=today, from_month=snapshot.from_month, children=children,
        total=total, payment=payment, fee_free_months=tuple(sorted(snapshot.settings.fee_free_months)),
        legal_text=pay.legal_text(org), bill=bill, problems=tuple(dict.fromkeys(problems)),
        data_hash=_data_hash(part, snapshot, pay.fingerprint(payment.method, mandate)))


def _not_found(run: _Run, payer_id: int) -> NotFoundError:
    name = _display_name(run.snapshot.persons.get(payer_id), payer_id)
    return NotFoundError(f"{name} zahlt in der Einrichtung {run.snapshot.facility_name} ab "
                         f"{run.snapshot.from_month} für kein Kind Beiträge.")


def assessment_for(db: Database, facility_id: int, payer_id: int, from_month: Month,
                   today: date | None = None) -> FeeAssessmentDTO:
    """The letter to `payer_id` for the facility from `from_month` on. The payer's main ledger
    account (the account in the payment reference) is created on first use."""
    run = _load(db, facility_id, from_month, payer_ids=[payer_id])
    if payer_id not in run.built.parts:
        raise _not_found(run, payer_id)
    accounts = _accounts(db, run, [payer_id])
    return _assessment(run, payer_id, today or date.today(), accounts.get(payer_id))


def _accounts(db: Database, run: _Run, payer_ids: Sequence[int]) -> dict[int, int]:
    org = run.snapshot.org
    wanted = [pid for pid in payer_ids if pid not in run.mandates and pid in run.snapshot.persons]
    if not wanted or not org.iban:
        return {}
    with unit_of_work(db) as session:
        return main_accounts(session, org.id, org.currency, wanted)


def payer_overview(db: Database, facility_id: int, from_month: Month | None = None,
                   today: date | None = None) -> PayerOverview:
    """Every payer with a line in the facility from the month on (default: this month), with the
    status of its letter and its problems, sorted by name. Reads only."""
    month = _month(from_month, today)
    run = _load(db, facility_id, month)
    snapshot = run.snapshot
    rows = []
    for payer_id, part in run.built.parts.items():
        a = _assessment(run, payer_id, today or date.today(), None)
        last = snapshot.last_letters.get(payer_id)
        status = NEW if last is None else (UNCHANGED if last.data_hash == a.data_hash else CHANGED)
        person = snapshot.persons.get(payer_id)
        rows.append(PayerRow(payer_id, _display_name(person, payer_id), a.institution,
                             tuple(c.name for c in a.children), a.total, a.has_open, status,
                             last.issued_at if last else None, last.from_month if last else None, a.problems,
                             a.data_hash))
    rows.sort(key=lambda r: (sort_key(r.name), r.payer_id))
    without = []
    for child_id, child_month in run.built.without_data:
        person = snapshot.persons.get(snapshot.child_person.get(child_id, -1))
        name = f"{person.first_name} {person.last_name}".strip() if person else f"Kind {child_id}"
        without.append(f"{name}: keine Abrechnungsdaten für {child_month}")
    return PayerOverview(facility_id, snapshot.facility_name, month, snapshot.org.currency, tuple(rows),
                         tuple(without))


def payers_with_changes(db: Database, facility_id: int, since: Month | None = None,
                        today: date | None = None) -> list[PayerRow]:
    """The payers whose letter from `since` on (default: this month) would differ from the last
    one issued to them for the facility, or who never got one."""
    return [row for row in payer_overview(db, facility_id, since, today).payers if row.changed]


def build_assessments(db: Database, facility_id: int, payer_ids: Sequence[int], from_month: Month,
                      today: date | None = None) -> list[FeeAssessmentDTO]:
    """The letters of the payers (in the given order), each checked: a payer without lines in the
    facility, a line that cannot be computed or an incomplete address stops the run with every
    problem named (ValidationError, one entry per payer problem)."""
    ids = list(dict.fromkeys(payer_ids))
    if not ids:
        raise ValidationError("Druck: Es sind keine Zahler ausgewählt.", "payer_ids")
    run = _load(db, facility_id, from_month, payer_ids=ids)
    missing = [pid for pid in ids if pid not in run.built.parts]
    if missing:
        raise _not_found(run, missing[0])
    accounts = _accounts(db, run, ids)
    day = today or date.today()
    letters = [_assessment(run, pid, day, accounts.get(pid)) for pid in ids]
    errors = [FieldError(f"payers[{a.payer_id}]", f"{a.recipient_name}: {problem}")
              for a in letters for problem in a.problems]
    if errors:
        raise ValidationError(errors)
    return letters


def preview_assessment(db: Database, facility_id: int, payer_id: int, from_month: Month,
                       today: date | None = None) -> bytes:
    """One letter as PDF for the preview; nothing is recorded."""
    [letter] = build_assessments(db, facility_id, [payer_id], from_month, today)
    return report.render_assessment(letter)


def render_assessments(db: Database, facility_id: int, payer_ids: Sequence[int], from_month: Month,
                       user: str | None = None, progress: Progress | None = None,
                       cancelled: Callable[[], bool] | None = None, combined: bool = True,
                       today: date | None = None) -> bytes | list[tuple[int, bytes]]:
    """The letters of the payers in one PDF (`combined`) or one PDF per recipient
    ([(payer id, bytes)]), then each letter recorded as issued by `user` (default: the database
    user) in one transaction. `progress(done, total)` after each letter; `cancelled()` is checked
    before each and stops with concurrent.futures.CancelledError — then nothing is recorded."""
    letters = build_assessments(db, facility_id, payer_ids, from_month, today)
    total = len(letters)
    if progress is not None:
        progress(0, total)
    if combined:
        result: bytes | list[tuple[int, bytes]] = report.render_assessments(letters, total, progress, cancelled)
    else:
        result = [(a.payer_id, pdf) for a, pdf in report.render_each(letters, total, progress, cancelled)]
    if cancelled is not None and cancelled():
        raise CancelledError("Druck abgebrochen")
    _record(db, letters, user or db.user)
    return result


def _record(db: Database, letters: Sequence[FeeAssessment], user: str) -> None:
    now = utcnow()
    rows = [{"organization_id": a.organization_id, "payer_id": a.payer_id, "facility_id": a.facility_id,
             "from_month": a.from_month, "issued_at": now, "issued_by": user[:60], "data_hash": a.data_hash}
            for a in letters]
    with unit_of_work(db, "Die Festsetzungen") as session:
        session.execute(insert(FeeAssessmentLetter), rows)
