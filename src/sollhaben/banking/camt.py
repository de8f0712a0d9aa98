"""Reading ISO 20022 camt.053 (BkToCstmrStmt) and camt.054 (BkToCstmrDbtCdtNtfctn), versions
.001.04 and .001.08.

`read_camt(content)` never raises for a bad file: it returns the document it could read and every
problem found, each with its line and element path („Zeile 57, Ntry[3]/NtryDtls/TxDtls[2]: Betrag
fehlt“). The caller refuses the whole file while any problem stands (all-or-nothing).

Safe XML: no DTD, no entity resolution (XXE), no network, no huge trees; a DOCTYPE is refused.
There is no bundled camt XSD (no faithful official copy was at hand): these structural checks are
the validation — required elements, amounts, currencies, dates, the sum of a batch.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from lxml import etree

from sollhaben.banking.camt_extract import TxFields, transaction_fields
from sollhaben.banking.camt_keys import digest_key, has_reference, transaction_key
from sollhaben.banking.camt_model import (
    CamtDocument,
    CamtEntry,
    CamtProblem,
    CamtReadResult,
    CamtStatement,
    CamtTransaction,
)
from sollhaben.domain.formatting import format_money
from sollhaben.domain.money import Currency, Money
from sollhaben.domain.references import compact

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.{kind}.{version}"
SUPPORTED = {(kind, version) for kind in ("053", "054") for version in ("001.04", "001.08")}
MESSAGE = {"053": "BkToCstmrStmt", "054": "BkToCstmrDbtCdtNtfctn"}
STATEMENT = {"053": "Stmt", "054": "Ntfctn"}
STATUSES = ("BOOK", "PDNG", "INFO")
_AMOUNT = re.compile(r"[0-9]{1,18}(\.[0-9]{1,5})?")
_CENTS = re.compile(r"[0-9]{1,16}\.[0-9]{2}")
_CURRENCIES = {c.value: c for c in Currency}
_NS = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.(05[34])\.(001\.[0-9]{2})")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           dtd_validation=False, remove_comments=True, remove_pis=True)


@lru_cache(maxsize=512)
def _path(ns: str, path: str) -> str:
    return "/".join(f"{{{ns}}}{step}" for step in path.split("/"))


class _Reader:
    def __init__(self, ns: str, kind: str, version: str) -> None:
        self.ns, self.kind, self.version = ns, kind, version
        self.problems: list[CamtProblem] = []
        self.digests: dict[tuple[str, ...], int] = {}
        self.fields: dict = {}  # TxDtls element → its fields (camt_extract)

    # small helpers ---------------------------------------------------------------------
    def problem(self, element, path: str, message: str) -> None:
        self.problems.append(CamtProblem(getattr(element, "sourceline", 0) or 0, path, message))

    def find(self, element, path: str):
        return element.find(_path(self.ns, path))

    def findall(self, element, path: str) -> list:
        return element.findall(_path(self.ns, path))

    def text(self, element, path: str) -> str:
        found = element.find(_path(self.ns, path))
        return (found.text or "").strip() if found is not None else ""

    def amount(self, element, path: str, where: str, what: str = "Betrag") -> Money | None:
        """The amount at `path` (Ccy attribute, Decimal text) or None with a problem."""
        node = self.find(element, path)
        if node is None:
            return None
        return self.money((node.text or "").strip(), node.get("Ccy", ""), node, where, what)

    def money(self, value: str, currency: str, element, where: str, what: str = "Betrag") -> Money | None:
        if _CENTS.fullmatch(value) and currency in _CURRENCIES:  # the usual "123.45": no Decimal needed
            return Money(int(value.replace(".", "")), _CURRENCIES[currency])
        if not _AMOUNT.fullmatch(value):
            self.problem(element, where, f"{what} „{value}“ ist kein Betrag (Ziffern, Dezimalpunkt).")
            return None
        if currency not in Currency._value2member_map_:
            self.problem(element, where, f"Währung „{currency}“ wird nicht unterstützt (CHF oder EUR).")
            return None
        try:
            minor = Decimal(value) * 100
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            self.problem(element, where, f"{what} „{value}“ ist kein Betrag.")
            return None
        if minor != minor.to_integral_value():
            self.problem(element, where, f"{what} {value} hat mehr als zwei Nachkommastellen.")
            return None
        return Money(int(minor), Currency(currency))

    def day(self, element, path: str, where: str, what: str) -> date | None:
        """Dt (ISODate) or DtTm (ISODateTime) under `path`."""
        node = self.find(element, path)
        if node is None:
            return None
        dt_node = self.find(node, "Dt")
        tm_node = self.find(node, "DtTm")
        raw = ((dt_node if dt_node is not None else tm_node).text or "").strip() if (
            dt_node is not None or tm_node is not None) else ""
        try:
            if dt_node is not None:
                return date.fromisoformat(raw)
            if tm_node is not None:
                return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
        except ValueError:
            pass
        self.problem(node, where, f"{what} „{raw}“ ist kein Datum (JJJJ-MM-TT).")
        return None

    # the document ----------------------------------------------------------------------
    def document(self, root) -> CamtDocument | None:
        message = self.find(root, MESSAGE[self.kind])
        if message is None:
            self.problem(root, "Document", f"Das Element {MESSAGE[self.kind]} fehlt.")
            return None
        message_id = self.text(message, "GrpHdr/MsgId")
        if not message_id:
            self.problem(message, f"{MESSAGE[self.kind]}/GrpHdr", "Die Nachrichtenreferenz (MsgId) fehlt.")
        created = None
        raw_created = self.text(message, "GrpHdr/CreDtTm")
        if raw_created:
            try:
                created = datetime.fromisoformat(raw_created.replace("Z", "+00:00"))
            except ValueError:
                self.problem(self.find(message, "GrpHdr/CreDtTm"), "GrpHdr/CreDtTm",
                             f"Erstellungszeit „{raw_created}“ ist kein Zeitpunkt.")
        nodes = self.findall(message, STATEMENT[self.kind])
        if not nodes:
            self.problem(message, MESSAGE[self.kind], f"Die Datei enthält keine {STATEMENT[self.kind]}-Abschnitte.")
        several = len(nodes) > 1
        statements = tuple(self.statement(node, f"{STATEMENT[self.kind]}[{i}]/" if several else "", message_id)
                           for i, node in enumerate(nodes, 1))
        self.duplicates(statements)
        return CamtDocument(self.kind, self.version, message_id, created, statements)

    def statement(self, node, prefix: str, message_id: str) -> CamtStatement:
        where = prefix.rstrip("/") or STATEMENT[self.kind]
        account = self.find(node, "Acct")
        iban = compact(self.text(node, "Acct/Id/IBAN") or self.text(node, "Acct/Id/Othr/Id"))
        if account is None or not iban:
            self.problem(account if account is not None else node, f"{where}/Acct",
                         "Das Konto (Acct/Id/IBAN) fehlt.")
        entries = tuple(self.entry(ntry, f"{prefix}Ntry[{i}]", iban)
                        for i, ntry in enumerate(self.findall(node, "Ntry"), 1))
        return CamtStatement(where, node.sourceline or 0, self.text(node, "Id"), iban, entries)

    def entry(self, ntry, where: str, account_iban: str) -> CamtEntry:
        amount = self.amount(ntry, "Amt", where)
        if amount is None and self.find(ntry, "Amt") is None:
            self.problem(ntry, where, "Betrag fehlt.")
        indicator = self.text(ntry, "CdtDbtInd")
        if indicator not in ("CRDT", "DBIT"):
            self.problem(ntry, where, f"Soll/Haben (CdtDbtInd) „{indicator}“ ist weder CRDT noch DBIT.")
        status_node = self.find(ntry, "Sts")
        # .04: <Sts>BOOK</Sts>; .08: <Sts><Cd>BOOK</Cd></Sts> (either form is read in both)
        status = self.text(ntry, "Sts/Cd") or (status_node.text or "").strip() if status_node is not None else ""
        if status not in STATUSES:
            self.problem(status_node if status_node is not None else ntry, f"{where}/Sts",
                         f"Status „{status}“ ist keiner von BOOK, PDNG, INFO.")
        booking = self.day(ntry, "BookgDt", f"{where}/BookgDt", "Buchungsdatum")
        value = self.day(ntry, "ValDt", f"{where}/ValDt", "Valuta")
        if status == "BOOK" and booking is None and value is None and self.find(ntry, "BookgDt") is None:
            self.problem(ntry, where, "Buchungsdatum (BookgDt) fehlt.")
        reference = self.text(ntry, "AcctSvcrRef")
        reversal = self.text(ntry, "RvslInd").lower() in ("true", "1")
        entry_amount = amount or Money(0)
        credit = indicator == "CRDT"
        details = self.findall(ntry, "NtryDtls")
        batch_count = 0
        for dtls in details:
            raw = self.text(dtls, "Btch/NbOfTxs")
            batch_count += int(raw) if raw.isdigit() else 0
        tx_nodes = [(d, tx) for d in details for tx in self.findall(d, "TxDtls")]
        info = self.text(ntry, "AddtlNtryInf")
        if tx_nodes:
            before = len(self.problems)
            transactions = tuple(self.transaction(tx, self._tx_path(where, details, d, i, len(tx_nodes)), i,
                                                  entry_amount, credit, reference, booking, value, account_iban,
                                                  info, single=len(tx_nodes) == 1)
                                 for i, (d, tx) in enumerate(tx_nodes, 1))
            if amount is not None and len(self.problems) == before:  # no sum over missing amounts
                self.check_sum(ntry, where, entry_amount, credit, transactions)
        else:
            key = self.key(reference, "", 1, account_iban, booking, value, entry_amount, credit, "", "", "", info)
            transactions = (CamtTransaction(where, ntry.sourceline or 0, 1, entry_amount, credit, key,
                                            text=info),)
        return CamtEntry(where, ntry.sourceline or 0, entry_amount, credit, status, booking, value, reference,
                         reversal, batch_count > 1 and not tx_nodes, transactions)

    @staticmethod
    def _tx_path(where: str, details: list, dtls, index: int, count: int) -> str:
        dtls_part = "NtryDtls" if len(details) == 1 else f"NtryDtls[{details.index(dtls) + 1}]"
        return f"{where}/{dtls_part}/TxDtls[{index}]" if count > 1 else f"{where}/{dtls_part}/TxDtls"

    def transaction(self, tx, where: str, index: int, entry_amount: Money, entry_credit: bool, entry_ref: str,
                    booking, value, account_iban: str, entry_info: str, single: bool) -> CamtTransaction:
        f: TxFields = self.fields[tx]
        amount = None
        if f.amt_present != "0":
            amount = self.money(f.amt, f.amt_ccy, tx, where)
        elif f.tx_amt_present != "0":
            amount = self.money(f.tx_amt, f.tx_amt_ccy, tx, where)
        elif single:
            amount = entry_amount  # one transaction: the entry's amount is its amount
        else:
            self.problem(tx, where, "Betrag fehlt.")
        if amount is not None and amount.currency != entry_amount.currency and entry_amount.minor:
            self.problem(tx, where, f"Währung {amount.currency.value} weicht von der Buchung "
                                    f"({entry_amount.currency.value}) ab.")
        credit = entry_credit if f.indicator not in ("CRDT", "DBIT") else f.indicator == "CRDT"
        reference = f.ref.replace(" ", "").upper()  # normalize-space left single spaces at most
        kind = f.ref_prtry or f.ref_cd
        if reference and not kind:
            kind = "SCOR" if reference.startswith("RF") else "QRR" if re.fullmatch(r"[0-9]{27}", reference) else ""
        text = f.ustrd or f.additional_remittance or f.additional_tx or entry_info
        debtor = f.debtor or f.debtor_pty or f.ultimate or f.ultimate_pty
        iban = f.iban.replace(" ", "").upper()
        money = amount or Money(0, entry_amount.currency)
        key = self.key(entry_ref, f.tx_ref, index, account_iban, booking, value, money, credit, f.end_to_end, iban,
                       reference, text)
        return CamtTransaction(where, tx.sourceline or 0, index, money, credit, key, f.tx_ref, f.end_to_end,
                               reference, kind.upper() if reference else "", text, debtor, iban)

    def key(self, entry_ref, tx_ref, index, account_iban, booking, value, amount: Money, credit, end_to_end, iban,
            reference, text) -> str:
        key = transaction_key(tx_ref, entry_ref, index)
        if key is not None:
            return key
        parts = (account_iban, str(booking or ""), str(value or ""), str(amount.minor), amount.currency.value,
                 "C" if credit else "D", end_to_end if has_reference(end_to_end) else "", iban, reference, text)
        occurrence = self.digests.get(parts, 0) + 1
        self.digests[parts] = occurrence
        return digest_key(parts, occurrence)

    def check_sum(self, ntry, where: str, entry_amount: Money, credit: bool, transactions) -> None:
        total = sum(t.amount.minor if t.credit == credit else -t.amount.minor for t in transactions)
        if total != entry_amount.minor:
            country = "CH" if entry_amount.currency is Currency.CHF else "DE"
            self.problem(ntry, where, f"Die Summe der {len(transactions)} Transaktionen "
                                      f"({format_money(Money(total, entry_amount.currency), country, True)}) ist "
                                      f"nicht der Betrag der Buchung ({format_money(entry_amount, country, True)}).")

    def duplicates(self, statements) -> None:
        """The same servicer key twice in one file would book one payment twice: an error."""
        seen: dict[str, CamtTransaction] = {}
        for statement in statements:
            for entry in statement.entries:
                if not entry.booked:
                    continue
                for tx in entry.transactions:
                    first = seen.setdefault(tx.key, tx)
                    if first is not tx:
                        self.problems.append(CamtProblem(
                            tx.line, tx.position, f"Die Bankreferenz „{tx.key}“ kommt in der Datei zweimal vor "
                                                  f"(zuerst Zeile {first.line}, {first.position})."))


def detect(root) -> tuple[str, str, str] | None:
    """(namespace, kind, version) of a supported camt document, else None."""
    ns = etree.QName(root).namespace or ""
    match = _NS.fullmatch(ns)
    if match is None or (match.group(1)[-3:], match.group(2)) not in SUPPORTED:
        return None
    return ns, match.group(1), match.group(2)


def read_camt(content: bytes) -> CamtReadResult:
    """Read a camt.053/.054 file; see the module docstring."""
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        return CamtReadResult(None, (CamtProblem(line, "", f"Die Datei ist kein gültiges XML: {exc.msg}"),))
    tree = root.getroottree()
    if tree.docinfo.doctype:
        return CamtReadResult(None, (CamtProblem(1, "", "Eine Bankdatei darf keine DOCTYPE-Deklaration enthalten."),))
    found = detect(root)
    if found is None or etree.QName(root).localname != "Document":
        ns = etree.QName(root).namespace or "(keiner)"
        return CamtReadResult(None, (CamtProblem(
            root.sourceline or 0, etree.QName(root).localname,
            f"Namensraum „{ns}“ wird nicht unterstützt: erwartet camt.053 oder camt.054 in den Versionen "
            f".001.04 oder .001.08."),))
    ns, kind, version = found
    reader = _Reader(ns, kind, version)
    reader.fields = transaction_fields(root, ns)
    document = reader.document(root)
    return CamtReadResult(document, tuple(reader.problems))
