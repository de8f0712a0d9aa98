"""Writing camt.053 / camt.054 files (.001.04 and .001.08) as a bank would send them.

The app only reads bank files; this writer exists for the demo, the benchmark and the tests, so
they all use files shaped like the standard (element order of the ISO schemas, the Swiss QRR
reference as proprietary type, SCOR with issuer ISO, batch entries with Btch, statement balances).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from lxml import etree

from sollhaben.banking.camt import MESSAGE, NAMESPACE, STATEMENT
from sollhaben.domain.money import Money


@dataclass(frozen=True)
class TxSpec:
    amount: Money
    servicer_reference: str = ""
    end_to_end_id: str = "NOTPROVIDED"
    reference: str = ""  # QRR digits or RF…; the type follows from the form
    text: str = ""
    debtor_name: str = ""
    debtor_iban: str = ""
    credit: bool = True


@dataclass(frozen=True)
class EntrySpec:
    amount: Money
    booking_date: date
    servicer_reference: str = ""
    credit: bool = True
    status: str = "BOOK"
    value_date: date | None = None
    transactions: tuple[TxSpec, ...] = ()
    info: str = ""
    batch: bool = False  # write Btch (NbOfTxs, TotAmt) even for details


@dataclass(frozen=True)
class FileSpec:
    kind: str  # "053" or "054"
    version: str  # "001.04" or "001.08"
    account_iban: str
    message_id: str
    created_at: datetime
    entries: tuple[EntrySpec, ...] = ()
    statement_id: str = ""
    servicer_bic: str = ""
    extra_statements: tuple[tuple[EntrySpec, ...], ...] = field(default=())


class _Builder:
    def __init__(self, spec: FileSpec) -> None:
        self.spec = spec
        self.ns = NAMESPACE.format(kind=spec.kind, version=spec.version)
        self.v8 = spec.version == "001.08"

    def el(self, parent, tag: str, text: str | None = None, **attrs):
        node = etree.SubElement(parent, f"{{{self.ns}}}{tag}", **attrs)
        if text is not None:
            node.text = text
        return node

    def path(self, parent, tags: str, text: str | None = None):
        node = parent
        for tag in tags.split("/"):
            node = self.el(node, tag)
        node.text = text
        return node

    def amount(self, parent, tag: str, money: Money) -> None:
        self.el(parent, tag, f"{money.amount:.2f}", Ccy=money.currency.value)

    def party(self, parent, tag: str, name: str) -> None:
        node = self.el(parent, tag)
        self.el(self.el(node, "Pty") if self.v8 else node, "Nm", name)

    def build(self) -> bytes:
        spec = self.spec
        root = etree.Element(f"{{{self.ns}}}Document", nsmap={None: self.ns})
        message = self.el(root, MESSAGE[spec.kind])
        header = self.el(message, "GrpHdr")
        self.el(header, "MsgId", spec.message_id)
        self.el(header, "CreDtTm", spec.created_at.strftime("%Y-%m-%dT%H:%M:%S"))
        pagination = self.el(header, "MsgPgntn")
        self.el(pagination, "PgNb", "1")
        self.el(pagination, "LastPgInd", "true")
        for number, entries in enumerate((spec.entries, *spec.extra_statements), 1):
            self.statement(message, entries, number)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def statement(self, message, entries: tuple[EntrySpec, ...], number: int) -> None:
        spec = self.spec
        node = self.el(message, STATEMENT[spec.kind])
        self.el(node, "Id", spec.statement_id or f"{spec.message_id}-{number}")
        if spec.kind == "053":
            self.el(node, "ElctrncSeqNb", str(number))
        self.el(node, "CreDtTm", spec.created_at.strftime("%Y-%m-%dT%H:%M:%S"))
        account = self.el(node, "Acct")
        self.path(account, "Id/IBAN", spec.account_iban)
        if spec.servicer_bic:
            self.path(account, "Svcr/FinInstnId/" + ("BICFI" if self.v8 else "BIC"), spec.servicer_bic)
        currency = entries[0].amount.currency if entries else None
        if spec.kind == "053" and currency is not None:
            booked = [e for e in entries if e.status == "BOOK"]
            closing = sum(e.amount.minor if e.credit else -e.amount.minor for e in booked)
            for code, minor in (("OPBD", 0), ("CLBD", closing)):
                balance = self.el(node, "Bal")
                self.path(balance, "Tp/CdOrPrtry/Cd", code)
                self.amount(balance, "Amt", Money(abs(minor), currency))
                self.el(balance, "CdtDbtInd", "CRDT" if minor >= 0 else "DBIT")
                self.path(balance, "Dt/Dt", spec.created_at.date().isoformat())
        for entry in entries:
            self.entry(node, entry)

    def entry(self, parent, entry: EntrySpec) -> None:
        node = self.el(parent, "Ntry")
        self.amount(node, "Amt", entry.amount)
        self.el(node, "CdtDbtInd", "CRDT" if entry.credit else "DBIT")
        if self.v8:
            self.path(node, "Sts/Cd", entry.status)
        else:
            self.el(node, "Sts", entry.status)
        self.path(node, "BookgDt/Dt", entry.booking_date.isoformat())
        self.path(node, "ValDt/Dt", (entry.value_date or entry.booking_date).isoformat())
        if entry.servicer_reference:
            self.el(node, "AcctSvcrRef", entry.servicer_reference)
        code = self.el(node, "BkTxCd")
        domain = self.el(code, "Domn")
        self.el(domain, "Cd", "PMNT")
        family = self.el(domain, "Fmly")
        self.el(family, "Cd", "RCDT" if entry.credit else "ICDT")
        self.el(family, "SubFmlyCd", "VCOM" if any(t.reference.isdigit() for t in entry.transactions) else "ESCT")
        if entry.transactions:
            details = self.el(node, "NtryDtls")
            if entry.batch or len(entry.transactions) > 1:
                batch = self.el(details, "Btch")
                self.el(batch, "NbOfTxs", str(len(entry.transactions)))
                self.amount(batch, "TotAmt", entry.amount)
                self.el(batch, "CdtDbtInd", "CRDT" if entry.credit else "DBIT")
            for tx in entry.transactions:
                self.transaction(details, tx)
        if entry.info:
            self.el(node, "AddtlNtryInf", entry.info)

    def transaction(self, parent, tx: TxSpec) -> None:
        node = self.el(parent, "TxDtls")
        refs = self.el(node, "Refs")
        if tx.servicer_reference:
            self.el(refs, "AcctSvcrRef", tx.servicer_reference)
        self.el(refs, "EndToEndId", tx.end_to_end_id)
        self.amount(node, "Amt", tx.amount)
        self.el(node, "CdtDbtInd", "CRDT" if tx.credit else "DBIT")
        details = self.el(node, "AmtDtls")
        self.amount(self.el(details, "TxAmt"), "Amt", tx.amount)
        if tx.debtor_name or tx.debtor_iban:
            parties = self.el(node, "RltdPties")
            if tx.debtor_name:
                self.party(parties, "Dbtr", tx.debtor_name)
            if tx.debtor_iban:
                self.path(parties, "DbtrAcct/Id/IBAN", tx.debtor_iban)
        if tx.reference or tx.text:
            remittance = self.el(node, "RmtInf")
            if tx.text:
                self.el(remittance, "Ustrd", tx.text)
            if tx.reference:
                reference = self.el(self.el(remittance, "Strd"), "CdtrRefInf")
                kind = self.el(self.el(reference, "Tp"), "CdOrPrtry")
                if tx.reference.isdigit():
                    self.el(kind, "Prtry", "QRR")
                else:
                    self.el(kind, "Cd", "SCOR")
                    self.el(reference.find(f"{{{self.ns}}}Tp"), "Issr", "ISO")
                self.el(reference, "Ref", tx.reference)


def write_camt(spec: FileSpec) -> bytes:
    """The file as bytes (UTF-8, with XML declaration)."""
    return _Builder(spec).build()
