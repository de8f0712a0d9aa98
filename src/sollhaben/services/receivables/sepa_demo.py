"""Demo data: SEPA mandates for the Kita parents who pay by direct debit.

The demo's Kita payments (`demo_kita_ledger`) let parents with a bank account pay by direct debit
("Lastschrift Elternbeiträge …"). Each of them gets the mandate those payments stand on: signed a
month before their first one, first and last use from their payments, sequence RCUR once used.
Two edge cases show the error list of a run: one mandate revoked, one never used and signed more
than 36 months ago (expired). Inserted in bulk on the demo's connection (all or nothing with the
demo); the references are unique per organization ("KITA-" + account number).
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select

from sollhaben.domain.ledger import PostingSource
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.models import Account, Person, PersonBankAccount, Posting, SepaMandate
from sollhaben.services.demo import DemoContext, register_demo_part


def create_mandates(ctx: DemoContext) -> None:
    org = ctx.organizations.get("kita")
    if org is None or org.legal_country != "DE":
        return
    connection = ctx.connection
    used = connection.execute(
        select(Account.id, Account.number, Account.holder_id, func.min(Posting.booking_date),
               func.max(Posting.booking_date))
        .join(Posting, Posting.account_id == Account.id)
        .where(Account.organization_id == org.id, Posting.source == PostingSource.PAYMENT.value,
               Posting.text.like("Lastschrift%"))
        .group_by(Account.id, Account.number, Account.holder_id).order_by(Account.id)).all()
    holders = {row.holder_id for row in used}
    banks: dict[int, tuple[str, str, str]] = {}
    for person_id, iban, bic, holder in connection.execute(
            select(PersonBankAccount.person_id, PersonBankAccount.iban, PersonBankAccount.bic, PersonBankAccount.holder)
            .where(PersonBankAccount.person_id.in_(holders or {0})).order_by(PersonBankAccount.id)):
        banks.setdefault(person_id, (iban, bic, holder))
    names = dict(connection.execute(select(Person.id, func.trim(Person.first_name + " " + Person.last_name))
                                    .where(Person.id.in_(holders or {0}))).all())
    now, rows, seen = utcnow(), [], set()
    for account_id, number, holder_id, first, last in used:
        if holder_id in seen or holder_id not in banks:
            continue
        seen.add(holder_id)
        iban, bic, holder = banks[holder_id]
        reference = f"KITA-{number or account_id}"[:35]
        rows.append({"organization_id": org.id, "payer_id": holder_id, "reference": reference,
                     "reference_key": reference.upper(), "signed_on": first - timedelta(days=30),
                     "debtor_name": (holder or names.get(holder_id) or "")[:70], "iban": iban, "bic": bic or "",
                     "first_used_on": first, "last_used_on": last, "sequence_type": "RCUR", "revoked_on": None,
                     "note": "", "version": 1, "created_at": now, "updated_at": now})
    if len(rows) >= 3:  # the error list's cases: one revoked, one signed long ago and never used
        rows[-1].update(revoked_on=ctx.reference_date - timedelta(days=20), note="Widerruf per Brief")
        rows[-2].update(signed_on=ctx.reference_date - timedelta(days=3 * 365 + 60), first_used_on=None,
                        last_used_on=None, sequence_type="FRST", note="Mandat nie genutzt")
    if rows:
        connection.execute(insert(SepaMandate.__table__), rows)
    ctx.counts["sepa_mandates"] += len(rows)


register_demo_part("SEPA-Mandate", create_mandates, weight=1, after="Kita: Einrichtungen, Kinder und Sollstellungen")
