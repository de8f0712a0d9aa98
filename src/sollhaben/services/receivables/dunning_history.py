"""The reminder history: per item (every letter or hand-over that named it), per account (its
notices) and per run (what the run sent)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from sollhaben.domain.money import Money
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account, Person, Posting
from sollhaben.persistence.models.dunning import DunningNotice, DunningNoticeItem, DunningRun
from sollhaben.services.unit_of_work import read_only

KIND_LABELS = {"LETTER": "Mahnbrief", "HANDOVER": "Übergabe"}


@dataclass(frozen=True)
class ItemReminder:
    """One entry of an item's history."""

    run_id: int
    run_date: date
    notice_id: int
    kind: str  # LETTER, HANDOVER
    level: int
    level_name: str
    open_amount: Money  # the item's open amount when it was reminded
    payment_due: date | None


@dataclass(frozen=True)
class NoticeDTO:
    id: int
    run_id: int
    run_date: date
    account_id: int
    holder: str
    kind: str
    level: int
    level_name: str
    items: int
    fee: Money
    amount: Money
    payment_due: date | None
    reference: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def item_history(db: Database, item_id: int) -> list[ItemReminder]:
    """Every letter and hand-over that named the item, oldest first."""
    with read_only(db) as session:
        rows = session.execute(
            select(DunningRun.id, DunningRun.run_date, DunningNotice.id, DunningNotice.kind, DunningNoticeItem.level,
                   DunningNotice.level_name, DunningNoticeItem.open_minor, DunningRun.currency,
                   DunningNotice.payment_due)
            .join(DunningNotice, DunningNotice.id == DunningNoticeItem.notice_id)
            .join(DunningRun, DunningRun.id == DunningNotice.run_id)
            .where(DunningNoticeItem.item_id == item_id).order_by(DunningRun.run_date, DunningNotice.id)).all()
    return [ItemReminder(run_id, run_date, notice_id, kind, level, name, Money(open_minor, currency), due)
            for run_id, run_date, notice_id, kind, level, name, open_minor, currency, due in rows]


def _notices(db: Database, *clauses) -> list[NoticeDTO]:
    count = (select(DunningNoticeItem.notice_id, func.count().label("n")).group_by(DunningNoticeItem.notice_id)
             .subquery())
    with read_only(db) as session:
        rows = session.execute(
            select(DunningNotice, DunningRun.run_date, DunningRun.currency, Person.last_name, Person.first_name,
                   func.coalesce(count.c.n, 0))
            .join(DunningRun, DunningRun.id == DunningNotice.run_id)
            .join(Account, Account.id == DunningNotice.account_id)
            .join(Person, Person.id == Account.holder_id)
            .outerjoin(count, count.c.notice_id == DunningNotice.id)
            .where(*clauses).order_by(DunningRun.run_date, DunningNotice.id)).all()
        return [NoticeDTO(n.id, n.run_id, run_date, n.account_id, f"{last}, {first}" if first else last, n.kind,
                          n.level, n.level_name, int(items), Money(n.fee_minor, currency),
                          Money(n.amount_minor, currency), n.payment_due, n.reference)
                for n, run_date, currency, last, first, items in rows]


def account_history(db: Database, account_id: int) -> list[NoticeDTO]:
    """The account's letters and hand-overs, oldest first."""
    return _notices(db, DunningNotice.account_id == account_id)


def run_notices(db: Database, run_id: int) -> list[NoticeDTO]:
    """What one run sent."""
    return _notices(db, DunningNotice.run_id == run_id)


def items_of_notice(db: Database, notice_id: int) -> list[tuple[int, str, date | None, int, Money]]:
    """(item id, text, due date, level, open amount at the time) of one notice."""
    with read_only(db) as session:
        rows = session.execute(
            select(DunningNoticeItem.item_id, Posting.text, Posting.due_date, DunningNoticeItem.level,
                   DunningNoticeItem.open_minor, Posting.currency)
            .join(Posting, Posting.id == DunningNoticeItem.item_id)
            .where(DunningNoticeItem.notice_id == notice_id).order_by(Posting.due_date, Posting.id)).all()
    return [(item_id, text, due, level, Money(open_minor, currency))
            for item_id, text, due, level, open_minor, currency in rows]
