"""The chronological log of collection measures per account (letters, calls, agreements,
enforcement steps, hand-overs, notes). Entries are history: never changed or deleted."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sollhaben.domain.errors import ErrorCollector, NotFoundError, ValidationError
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account
from sollhaben.persistence.models.dunning import MEASURE_KINDS, CollectionMeasure
from sollhaben.services.unit_of_work import read_only, unit_of_work

KIND_LABELS = {
    "LETTER": "Brief", "REMINDER": "Mahnung", "CALL": "Anruf", "AGREEMENT": "Zahlungsvereinbarung",
    "ENFORCEMENT": "Betreibung/Vollstreckung", "HANDOVER": "Übergabe", "NOTE": "Notiz",
}
TEXT_MAX = 2000


@dataclass(frozen=True)
class MeasureDTO:
    id: int
    account_id: int
    occurred_on: date
    kind: str
    text: str
    ref_kind: str
    ref_id: int | None
    created_at: datetime
    created_by: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def log_measure(session: Session, *, organization_id: int, account_id: int, occurred_on: date, kind: str,
                text: str, ref_kind: str = "", ref_id: int | None = None) -> int:
    """Add one entry in the caller's unit of work; returns its id."""
    errors = ErrorCollector()
    if kind not in MEASURE_KINDS:
        errors.add("kind", f"Art: „{kind}“ ist keine bekannte Massnahme.")
    if occurred_on is None:
        errors.add("occurred_on", "Datum: Bitte ein Datum eingeben.")
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        errors.add("text", f"Text: höchstens {TEXT_MAX} Zeichen erlaubt.")
    errors.raise_if_any()
    measure = CollectionMeasure(organization_id=organization_id, account_id=account_id, occurred_on=occurred_on,
                                kind=kind, text=text, ref_kind=ref_kind, ref_id=ref_id,
                                created_by=session.info.get("user", "system"))
    session.add(measure)
    session.flush()
    return measure.id


def log_measures(session: Session, rows: list[dict]) -> None:
    """Many entries at once (a dunning run logs one per letter), in the caller's unit of work. Each
    row holds organization_id, account_id, occurred_on, kind, text, ref_kind, ref_id."""
    unknown = {row["kind"] for row in rows} - set(MEASURE_KINDS)
    if unknown:
        raise ValidationError(f"Art: „{sorted(unknown)[0]}“ ist keine bekannte Massnahme.", "kind")
    if rows:
        user = session.info.get("user", "system")
        session.execute(insert(CollectionMeasure), [{**row, "text": row["text"][:TEXT_MAX], "created_by": user}
                                                    for row in rows])


def add_measure(db: Database, *, account_id: int, occurred_on: date, kind: str, text: str) -> int:
    """A measure the clerk records by hand (call, note …) in its own unit of work."""
    # A call without a note is still a call; a note without text is nothing.
    with unit_of_work(db, "Massnahme") as session:
        account = session.get(Account, account_id)
        if account is None:
            raise NotFoundError(f"Konto {account_id} gibt es nicht.")
        if kind == "NOTE" and not (text or "").strip():
            errors = ErrorCollector()
            errors.add("text", "Text: Eine Notiz braucht einen Text.")
            errors.raise_if_any()
        return log_measure(session, organization_id=account.organization_id, account_id=account_id,
                           occurred_on=occurred_on, kind=kind, text=text)


def list_measures(db: Database, account_id: int) -> list[MeasureDTO]:
    """The account's measures, oldest first (by date, then in the order recorded)."""
    with read_only(db) as session:
        rows = session.scalars(select(CollectionMeasure).where(CollectionMeasure.account_id == account_id)
                               .order_by(CollectionMeasure.occurred_on, CollectionMeasure.id)).all()
        return [MeasureDTO(m.id, m.account_id, m.occurred_on, m.kind, m.text, m.ref_kind, m.ref_id,
                           m.created_at, m.created_by) for m in rows]
