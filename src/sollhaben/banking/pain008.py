"""SEPA direct-debit initiation (pain.008, CORE) in versions 001.02 and 001.08.

`build_pain008(message, version)` returns the XML bytes after validating them against the
bundled official XSD; a document the schema refuses is never returned. One payment information
block (PmtInf) per sequence type and collection date; NbOfTxs and CtrlSum in the group header and
in each block; amounts as decimal strings from integer minor units (never a float). Texts are
transliterated into the basic SEPA character set; identifiers are checked, not changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby

from lxml import etree

from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.sepa_charset import identifier_problem, sepa_text
from sollhaben.banking.xsd_validation import validate

VERSIONS = {"02": "pain.008.001.02", "08": "pain.008.001.08"}
NOT_PROVIDED = "NOTPROVIDED"  # the agent's id when the BIC is not given (IBAN-only, allowed in SEPA)


@dataclass(frozen=True)
class Creditor:
    name: str
    iban: str
    creditor_id: str
    bic: str = ""


@dataclass(frozen=True)
class DirectDebit:
    end_to_end_id: str
    amount: Money
    collection_date: date
    sequence: str  # FRST or RCUR
    mandate_reference: str
    mandate_signed_on: date
    debtor_name: str
    debtor_iban: str
    debtor_bic: str = ""
    remittance: str = ""


@dataclass(frozen=True)
class DirectDebitMessage:
    message_id: str
    created_at: datetime
    creditor: Creditor
    transactions: tuple[DirectDebit, ...]


def amount_text(minor: int) -> str:
    """Minor units as the decimal string ISO 20022 expects: 1250 → "12.50"."""
    if minor < 0:
        raise ValueError("a direct debit amount is positive")
    return f"{minor // 100}.{minor % 100:02d}"


def _check(message: DirectDebitMessage) -> None:
    errors: list[FieldError] = []
    for field, value in (("message_id", message.message_id),):
        problem = identifier_problem(value)
        if problem:
            errors.append(FieldError(field, f"Nachrichten-ID: Die ID {problem}."))
    if not message.transactions:
        errors.append(FieldError("transactions", "Lastschriften: Eine Datei ohne Lastschrift gibt es nicht."))
    for i, tx in enumerate(message.transactions):
        for field, label, value in (("end_to_end_id", "Ende-zu-Ende-ID", tx.end_to_end_id),
                                    ("mandate_reference", "Mandatsreferenz", tx.mandate_reference)):
            problem = identifier_problem(value)
            if problem:
                errors.append(FieldError(f"transactions[{i}].{field}", f"{label} „{value}“: {problem}."))
        if tx.amount.minor <= 0 or tx.amount.currency.value != "EUR":
            errors.append(FieldError(f"transactions[{i}].amount",
                                     f"Betrag: Eine SEPA-Lastschrift ist ein positiver Betrag in EUR ({tx.amount})."))
        if tx.sequence not in ("FRST", "RCUR"):
            errors.append(FieldError(f"transactions[{i}].sequence", f"Sequenz: „{tx.sequence}“ statt FRST/RCUR."))
    if errors:
        raise ValidationError(errors)


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes) -> etree._Element:
    element = etree.SubElement(parent, tag, **attributes)
    if text is not None:
        element.text = text
    return element


def _agent(parent: etree._Element, tag: str, bic: str, version: str) -> None:
    institution = _sub(_sub(parent, tag), "FinInstnId")
    if bic:
        _sub(institution, "BIC" if version == "02" else "BICFI", bic)
    else:
        _sub(_sub(institution, "Othr"), "Id", NOT_PROVIDED)


def _account(parent: etree._Element, tag: str, iban: str) -> None:
    _sub(_sub(_sub(parent, tag), "Id"), "IBAN", iban)


def _group_key(tx: DirectDebit) -> tuple:
    return (tx.collection_date, 0 if tx.sequence == "FRST" else 1)


def build_pain008(message: DirectDebitMessage, version: str = "08") -> bytes:
    """The pain.008 document of `message`, validated against the official XSD of `version`."""
    if version not in VERSIONS:
        raise ValidationError(f"Version: pain.008 gibt es als {' oder '.join(VERSIONS)}, nicht „{version}“.",
                              "version")
    _check(message)
    name = VERSIONS[version]
    root = etree.Element("Document", nsmap={None: f"urn:iso:std:iso:20022:tech:xsd:{name}"})
    initiation = _sub(root, "CstmrDrctDbtInitn")
    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", message.message_id)
    _sub(header, "CreDtTm", message.created_at.strftime("%Y-%m-%dT%H:%M:%S"))
    _sub(header, "NbOfTxs", str(len(message.transactions)))
    _sub(header, "CtrlSum", amount_text(sum(t.amount.minor for t in message.transactions)))
    _sub(_sub(header, "InitgPty"), "Nm", sepa_text(message.creditor.name, 70))
    creditor = message.creditor
    ordered = sorted(message.transactions, key=_group_key)
    for number, (_key, group) in enumerate(groupby(ordered, key=_group_key), start=1):
        transactions = list(group)
        block = _sub(initiation, "PmtInf")
        _sub(block, "PmtInfId", f"{message.message_id}-{number}"[-35:])
        _sub(block, "PmtMtd", "DD")
        _sub(block, "NbOfTxs", str(len(transactions)))
        _sub(block, "CtrlSum", amount_text(sum(t.amount.minor for t in transactions)))
        kind = _sub(block, "PmtTpInf")
        _sub(_sub(kind, "SvcLvl"), "Cd", "SEPA")
        _sub(_sub(kind, "LclInstrm"), "Cd", "CORE")
        _sub(kind, "SeqTp", transactions[0].sequence)
        _sub(block, "ReqdColltnDt", transactions[0].collection_date.isoformat())
        _sub(_sub(block, "Cdtr"), "Nm", sepa_text(creditor.name, 70))
        _account(block, "CdtrAcct", creditor.iban)
        _agent(block, "CdtrAgt", creditor.bic, version)
        _sub(block, "ChrgBr", "SLEV")
        scheme = _sub(_sub(_sub(_sub(block, "CdtrSchmeId"), "Id"), "PrvtId"), "Othr")
        _sub(scheme, "Id", creditor.creditor_id)
        _sub(_sub(scheme, "SchmeNm"), "Prtry", "SEPA")
        for tx in transactions:
            _transaction(block, tx, version)
    document = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate(document, f"{name}.xsd", field="pain008")
    return document


def _transaction(block: etree._Element, tx: DirectDebit, version: str) -> None:
    info = _sub(block, "DrctDbtTxInf")
    _sub(_sub(info, "PmtId"), "EndToEndId", tx.end_to_end_id)
    _sub(info, "InstdAmt", amount_text(tx.amount.minor), Ccy=tx.amount.currency.value)
    mandate = _sub(_sub(info, "DrctDbtTx"), "MndtRltdInf")
    _sub(mandate, "MndtId", tx.mandate_reference)
    _sub(mandate, "DtOfSgntr", tx.mandate_signed_on.isoformat())
    _agent(info, "DbtrAgt", tx.debtor_bic, version)
    _sub(_sub(info, "Dbtr"), "Nm", sepa_text(tx.debtor_name, 70) or "Unbekannt")
    _account(info, "DbtrAcct", tx.debtor_iban)
    remittance = sepa_text(tx.remittance, 140)
    if remittance:
        _sub(_sub(info, "RmtInf"), "Ustrd", remittance)
