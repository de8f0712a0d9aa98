"""Collection runs after the fact: the list, their items, saving a run's file again."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from sollhaben.domain.collation import sort_key
from sollhaben.domain.errors import NotFoundError
from sollhaben.domain.money import Money
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import (
    Account,
    Person,
    Posting,
    SepaCollection,
    SepaCollectionItem,
    SepaMandate,
    SepaReturnDebit,
)
from sollhaben.services.receivables.sepa_dto import CollectionDTO, CollectionItemDTO
from sollhaben.services.receivables.sepa_run import write_atomically
from sollhaben.services.unit_of_work import read_only


def list_collections(db: Database, organization_id: int) -> list[CollectionDTO]:
    """The organization's runs, newest first, with the number of returned items."""
    returned = (select(SepaCollectionItem.collection_id, func.count(SepaReturnDebit.id).label("n"))
                .join(SepaReturnDebit, SepaReturnDebit.collection_item_id == SepaCollectionItem.id)
                .group_by(SepaCollectionItem.collection_id).subquery())
    with read_only(db) as session:
        rows = session.execute(
            select(SepaCollection.id, SepaCollection.due_date, SepaCollection.pain_version, SepaCollection.message_id,
                   SepaCollection.count, SepaCollection.total_minor, SepaCollection.currency,
                   SepaCollection.file_name, SepaCollection.created_at, SepaCollection.created_by, returned.c.n)
            .outerjoin(returned, returned.c.collection_id == SepaCollection.id)
            .where(SepaCollection.organization_id == organization_id)
            .order_by(SepaCollection.created_at.desc(), SepaCollection.id.desc())).all()
    return [CollectionDTO(cid, due, version, msg, count, Money(total, currency), file_name, created_at, by, n or 0)
            for cid, due, version, msg, count, total, currency, file_name, created_at, by, n in rows]


def collection_items(db: Database, collection_id: int) -> list[CollectionItemDTO]:
    with read_only(db) as session:
        rows = session.execute(
            select(SepaCollectionItem, Account.number, Person.last_name, Person.first_name, SepaMandate.reference,
                   SepaReturnDebit.returned_on, SepaReturnDebit.reason_code, Posting.amount_minor)
            .join(Account, Account.id == SepaCollectionItem.account_id)
            .join(Person, Person.id == Account.holder_id)
            .join(SepaMandate, SepaMandate.id == SepaCollectionItem.mandate_id)
            .outerjoin(SepaReturnDebit, SepaReturnDebit.collection_item_id == SepaCollectionItem.id)
            .outerjoin(Posting, Posting.id == SepaReturnDebit.fee_posting_id)
            .where(SepaCollectionItem.collection_id == collection_id)
            .order_by(SepaCollectionItem.id)).all()
        items = [CollectionItemDTO(item.id, item.collection_id, item.account_id, number,
                                   f"{last}, {first}" if first else last, reference,
                                   Money(item.amount_minor, item.currency), item.end_to_end_id, item.sequence_type,
                                   item.payment_posting_id, returned_on, reason or "",
                                   Money(fee, item.currency) if fee else None)
                 for item, number, last, first, reference, returned_on, reason, fee in rows]
    items.sort(key=lambda i: (sort_key(i.holder_name), i.id))  # dictionary order: Öztürk among the O
    return items


def find_item_by_end_to_end_id(db: Database, end_to_end_id: str) -> CollectionItemDTO | None:
    """The collected item a bank's return message names (for the bank-file import)."""
    with read_only(db) as session:
        collection_id = session.scalar(select(SepaCollectionItem.collection_id)
                                       .where(SepaCollectionItem.end_to_end_id == end_to_end_id))
    if collection_id is None:
        return None
    return next(i for i in collection_items(db, collection_id) if i.end_to_end_id == end_to_end_id)


def save_collection_file(db: Database, collection_id: int, path: Path | str) -> Path:
    """Write the run's stored pain.008 document again (atomically)."""
    with read_only(db) as session:
        collection = session.get(SepaCollection, collection_id)
        if collection is None:
            raise NotFoundError(f"Einzug {collection_id} gibt es nicht.")
        xml = collection.xml
    path = Path(path)
    write_atomically(path, xml)
    return path
