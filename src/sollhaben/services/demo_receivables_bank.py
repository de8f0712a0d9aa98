"""A realistic camt.054 for an organization's current open items, to try the page Zahlungseingänge
(`scripts/demo_bank_file.py`). Reads the database only; nothing is booked.

Per account with open items, in a fixed order drawn from a seeded random generator:

- most pay their oldest open item with the reference of their letters — a reference registered for
  the account (fee assessment, dunning letter, statement) when there is one, else the document
  reference of our scheme (`domain.references.make_document_reference`: QRR for a QR-IBAN, else
  SCOR) — all in ONE batch entry, as the banks deliver QR-bill and SCOR credits;
- some pay by transfer with their IBAN only (holder's bank account; no reference), one entry each;
- some pay half; one pays 20.00 too much (credit balance for the page Auszahlungen); some do not pay;
- unmatched: an unknown reference of another scheme from an unknown IBAN, a payment of an unknown
  person without reference; both land in the clearing list;
- one pending entry (PDNG: listed, not booked), one bank charge (debit: not booked), and — when the
  organization has collected direct debits — one of them returned (AM04), for the tab
  „Rücklastschriften“.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select

from sollhaben.banking.camt_writer import EntrySpec, FileSpec, TxSpec, write_camt
from sollhaben.banking.return_info import add_return_info
from sollhaben.domain.money import Money
from sollhaben.domain.references import is_qr_iban, make_creditor_reference, make_document_reference, make_qr_reference
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import IssuedReference, PersonBankAccount, SepaCollection, SepaCollectionItem, \
    SepaReturnDebit
from sollhaben.services import ledger, organizations
from sollhaben.services.dto import OrganizationDTO
from sollhaben.services.unit_of_work import read_only

UNKNOWN_IBAN = "DE75512108001245126199"
UNKNOWN_IBAN_CH = "CH5800791123000889012"


@dataclass(frozen=True)
class DemoBankFile:
    content: bytes
    organization: str
    account_iban: str
    counts: dict[str, int]

    def summary(self) -> str:
        c = self.counts
        return (f"{self.organization}: {c['reference']} mit Referenz (Sammelbuchung), {c['iban']} nur mit IBAN, "
                f"{c['partial']} Teilzahlung(en), {c['overpaid']} Überzahlung, {c['unmatched']} ohne Zuordnung, "
                f"{c['pending']} vorgemerkt, {c['debits']} Belastung(en), davon {c['returns']} Rücklastschrift(en).")


def choose_organization(db: Database, name: str | None) -> OrganizationDTO:
    found = organizations.list_organizations(db)
    if name:
        found = [o for o in found if o.name == name or name.lower() in o.name.lower() or str(o.id) == name]
    if not found:
        raise LookupError(f"Organisation „{name}“ gibt es nicht." if name else "Es gibt keine Organisation.")
    return found[0]


def _receiving_iban(org: OrganizationDTO) -> str:
    accounts = sorted(org.bank_accounts, key=lambda b: not b.is_default)
    if not accounts:
        raise LookupError(f"{org.name}: Die Organisation hat kein Bankkonto (Einstellungen → Bankkonten).")
    return accounts[0].iban


def _lookups(db: Database, organization_id: int, holder_ids: list[int]):
    with read_only(db) as session:
        registered: dict[int, str] = {}
        for account_id, reference in session.execute(
                select(IssuedReference.account_id, IssuedReference.reference)
                .where(IssuedReference.organization_id == organization_id).order_by(IssuedReference.id)):
            registered[account_id] = reference  # the latest letter's reference
        ibans: dict[int, str] = {}
        for person_id, iban in session.execute(select(PersonBankAccount.person_id, PersonBankAccount.iban)
                                               .where(PersonBankAccount.person_id.in_(holder_ids or [0]))
                                               .order_by(PersonBankAccount.id)):
            ibans.setdefault(person_id, iban)
        collected = session.execute(
            select(SepaCollectionItem.end_to_end_id, SepaCollectionItem.amount_minor, SepaCollectionItem.currency)
            .join(SepaCollection, SepaCollection.id == SepaCollectionItem.collection_id)
            .outerjoin(SepaReturnDebit, SepaReturnDebit.collection_item_id == SepaCollectionItem.id)
            .where(SepaCollection.organization_id == organization_id, SepaReturnDebit.id.is_(None))
            .order_by(SepaCollectionItem.id.desc()).limit(1)).first()
    return registered, ibans, collected


def build_demo_bank_file(db: Database, organization: OrganizationDTO, on: date, seed: int = 20261124) -> DemoBankFile:
    iban = _receiving_iban(organization)
    qr = is_qr_iban(iban)
    rng = random.Random(f"{seed}:{organization.id}:{on.isoformat()}")
    accounts = [(a, balance) for a, balance in ledger.list_accounts(db, organization.id) if balance.minor > 0]
    registered, ibans, collected = _lookups(db, organization.id, [a.holder_id for a, _b in accounts])
    counts = dict.fromkeys(("reference", "iban", "partial", "overpaid", "unmatched", "pending", "debits", "returns"), 0)
    batch: list[TxSpec] = []
    singles: list[EntrySpec] = []
    serial = iter(range(1, 100_000))

    def key() -> str:
        return f"DEMO-{on:%Y%m%d}-{organization.id}-{next(serial):05d}"

    rng.shuffle(accounts)
    overpaid = False
    for n, (account, _balance) in enumerate(accounts):
        items = ledger.statement(db, account.id).open_items
        if not items:
            continue
        oldest = min(items, key=lambda p: (p.due_date or p.booking_date, p.id))
        amount = oldest.open_amount
        reference = registered.get(account.id) or make_document_reference(iban, account.id)
        payer_iban = ibans.get(account.holder_id, "")
        name = " ".join(reversed(account.holder_name.split(", ")))
        kind = n % 10
        if kind == 9:
            continue  # does not pay: stays for the dunning run
        if kind in (6, 7) and payer_iban:
            singles.append(EntrySpec(amount, on, key(), transactions=(TxSpec(
                amount, key(), text=f"{oldest.text or 'Beitrag'} Konto {account.number}", debtor_name=name,
                debtor_iban=payer_iban),)))
            counts["iban"] += 1
            continue
        if kind == 8:
            amount = Money(amount.minor // 2, amount.currency)
            counts["partial"] += 1
        elif not overpaid:
            amount, overpaid = amount + Money(2000, amount.currency), True
            counts["overpaid"] += 1
        else:
            counts["reference"] += 1
        batch.append(TxSpec(amount, key(), reference=reference, debtor_name=name, debtor_iban=payer_iban))
    currency = organization.currency

    def money(text: str) -> Money:
        return Money.of(text, currency)

    foreign = make_qr_reference("9" * 26) if qr else make_creditor_reference("DEMO4711")
    singles.append(EntrySpec(money("84.00"), on, key(), transactions=(TxSpec(
        money("84.00"), key(), reference=foreign, debtor_name="Hausverwaltung Sonnenhof",
        debtor_iban=UNKNOWN_IBAN_CH if qr else UNKNOWN_IBAN),)))
    singles.append(EntrySpec(money("37.50"), on, key(), transactions=(TxSpec(
        money("37.50"), key(), text="Spende Sommerfest", debtor_name="M. Unbekannt",
        debtor_iban=UNKNOWN_IBAN if qr else UNKNOWN_IBAN_CH),)))
    counts["unmatched"] += 2
    singles.append(EntrySpec(money("120.00"), on, key(), status="PDNG", transactions=(TxSpec(
        money("120.00"), key(), text="Vorgemerkte Gutschrift", debtor_name="Avis der Bank"),)))
    counts["pending"] += 1
    singles.append(EntrySpec(money("4.90"), on, key(), credit=False, info="Entgelt Kontoführung", transactions=(
        TxSpec(money("4.90"), key(), text="Entgelt Kontoführung", credit=False),)))
    counts["debits"] += 1
    returns: dict[str, tuple[str, str]] = {}
    if collected is not None:
        e2e, minor, item_currency = collected
        singles.append(EntrySpec(Money(minor, item_currency), on, key(), credit=False, transactions=(
            TxSpec(Money(minor, item_currency), key(), e2e, text="RUECKLASTSCHRIFT", credit=False),)))
        returns[e2e] = ("AM04", "Deckung unzureichend")
        counts["debits"] += 1
        counts["returns"] += 1
    entries = []
    if batch:
        total = Money(sum(t.amount.minor for t in batch), currency)
        entries.append(EntrySpec(total, on, key(), transactions=tuple(batch), batch=True,
                                 info="Sammelgutschrift QR-Rechnungen" if qr else "Sammelgutschrift SEPA"))
    entries.extend(singles)
    content = write_camt(FileSpec("054", "001.08", iban, f"DEMO-{on:%Y%m%d}-{organization.id}",
                                  datetime.combine(on, time(18, 0)), tuple(entries)))
    if returns:
        content = add_return_info(content, returns)
    return DemoBankFile(content, organization.name, iban, counts)
