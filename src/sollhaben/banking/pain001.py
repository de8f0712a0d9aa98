"""Credit transfer files (pain.001.001.09): Swiss Payment Standards (CH) and SEPA (DE).

`build_credit_transfer(batch, today)` checks the batch against the rules of its flavour
(`domain.receivables.payouts.check_batch`), writes the XML with lxml and validates it against the
bundled official ISO schema — a Swiss file also against the SPS restrictions (`pain001_ch`) —
before returning the bytes; nothing invalid ever leaves this function.

Layout (one payment information block per file: one debtor account, one execution date):

    GrpHdr   MsgId, CreDtTm, NbOfTxs, CtrlSum, InitgPty (name; CH: software name and version)
    PmtInf   PmtInfId, PmtMtd TRF, BtchBookg, NbOfTxs, CtrlSum, [DE: PmtTpInf/SvcLvl SEPA],
             ReqdExctnDt/Dt, Dbtr, DbtrAcct/IBAN, DbtrAgt, [DE: ChrgBr SLEV]
    CdtTrfTxInf  PmtId (InstrId, EndToEndId), Amt/InstdAmt, [CdtrAgt BICFI], Cdtr, CdtrAcct/IBAN, RmtInf

Remittance: CH QR-IBAN → Strd/CdtrRefInf Prtry ``QRR``; creditor reference → Cd ``SCOR`` (CH also
carries the purpose text in AddtlRmtInf); otherwise Ustrd. SEPA allows Ustrd *or* Strd, so a DE
transfer with a creditor reference carries the reference only.
"""
from __future__ import annotations

from datetime import date

from lxml import etree

from sollhaben.banking.pain001_ch import NAMESPACE, check_swiss
from sollhaben.banking.xsd_validation import validate
from sollhaben.domain.receivables.payouts import (
    SOFTWARE_NAME, XSD_FILE, FileKind, Party, Transfer, TransferBatch, check_batch, minor_to_decimal,
)
from sollhaben.domain.references import is_qr_iban


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _path(parent: etree._Element, tags: str, text: str) -> etree._Element:
    """`_path(p, "Id/IBAN", iban)`: nested elements, the last one with the text."""
    *outer, last = tags.split("/")
    for tag in outer:
        parent = _sub(parent, tag)
    return _sub(parent, last, text)


def _party(parent: etree._Element, tag: str, party: Party) -> None:
    element = _sub(parent, tag)
    _sub(element, "Nm", party.name)
    if not party.has_address:
        return
    address = _sub(element, "PstlAdr")
    for name, value in (("StrtNm", party.street), ("BldgNb", party.house_number), ("PstCd", party.postal_code),
                        ("TwnNm", party.town), ("Ctry", party.country)):
        if value:
            _sub(address, name, value)


def _debtor_agent(parent: etree._Element, batch: TransferBatch) -> None:
    institution = _sub(_sub(parent, "DbtrAgt"), "FinInstnId")
    if batch.debtor_bic:
        _sub(institution, "BICFI", batch.debtor_bic)
    elif batch.kind is FileKind.CH:
        # SPS: the debtor's bank by BIC or by its IID, which a Swiss IBAN carries in digits 5–9.
        member = _sub(institution, "ClrSysMmbId")
        _path(member, "ClrSysId/Cd", "CHBCC")
        _sub(member, "MmbId", batch.debtor_iban[4:9])
    else:
        _path(institution, "Othr/Id", "NOTPROVIDED")  # EPC: IBAN-only, the bank derives the BIC


def _remittance(parent: etree._Element, kind: FileKind, transfer: Transfer) -> None:
    if not transfer.reference and not transfer.purpose:
        return
    info = _sub(parent, "RmtInf")
    if not transfer.reference:
        _sub(info, "Ustrd", transfer.purpose)
        return
    structured = _sub(info, "Strd")
    reference = _sub(structured, "CdtrRefInf")
    kind_of_reference = _sub(_sub(reference, "Tp"), "CdOrPrtry")
    if is_qr_iban(transfer.iban):
        _sub(kind_of_reference, "Prtry", "QRR")
    else:
        _sub(kind_of_reference, "Cd", "SCOR")
    _sub(reference, "Ref", transfer.reference)
    if kind is FileKind.CH and transfer.purpose:
        _sub(structured, "AddtlRmtInf", transfer.purpose)


def _transaction(parent: etree._Element, kind: FileKind, transfer: Transfer) -> None:
    tx = _sub(parent, "CdtTrfTxInf")
    ids = _sub(tx, "PmtId")
    _sub(ids, "InstrId", transfer.instruction_id)
    _sub(ids, "EndToEndId", transfer.end_to_end_id)
    _sub(_sub(tx, "Amt"), "InstdAmt", str(minor_to_decimal(transfer.amount.minor)),
         Ccy=transfer.amount.currency.value)
    if transfer.bic:
        _path(_sub(tx, "CdtrAgt"), "FinInstnId/BICFI", transfer.bic)
    _party(tx, "Cdtr", transfer.creditor)
    _path(_sub(tx, "CdtrAcct"), "Id/IBAN", transfer.iban)
    _remittance(tx, kind, transfer)


def _document(batch: TransferBatch) -> etree._Element:
    root = etree.Element(f"{{{NAMESPACE}}}Document", nsmap={None: NAMESPACE})
    initiation = _sub(root, "CstmrCdtTrfInitn")
    count, control_sum = str(len(batch.transfers)), str(batch.control_sum)
    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", batch.message_id)
    _sub(header, "CreDtTm", batch.created_at.replace(microsecond=0).isoformat())
    _sub(header, "NbOfTxs", count)
    _sub(header, "CtrlSum", control_sum)
    initiating = _sub(header, "InitgPty")
    _sub(initiating, "Nm", batch.debtor.name)
    if batch.kind is FileKind.CH:  # SPS: the software that wrote the file, for the bank's support
        contact = _sub(initiating, "CtctDtls")
        for channel, value in (("NAME", SOFTWARE_NAME), ("VRSN", batch.software_version)):
            if value:
                other = _sub(contact, "Othr")
                _sub(other, "ChanlTp", channel)
                _sub(other, "Id", value)
    payment = _sub(initiation, "PmtInf")
    _sub(payment, "PmtInfId", f"{batch.message_id[:33]}-1")
    _sub(payment, "PmtMtd", "TRF")
    _sub(payment, "BtchBookg", "true")
    _sub(payment, "NbOfTxs", count)
    _sub(payment, "CtrlSum", control_sum)
    if batch.kind is FileKind.DE:
        _path(_sub(payment, "PmtTpInf"), "SvcLvl/Cd", "SEPA")
    _path(payment, "ReqdExctnDt/Dt", batch.execution_date.isoformat())
    _party(payment, "Dbtr", batch.debtor)
    _path(_sub(payment, "DbtrAcct"), "Id/IBAN", batch.debtor_iban)
    _debtor_agent(payment, batch)
    if batch.kind is FileKind.DE:
        _sub(payment, "ChrgBr", "SLEV")
    for transfer in batch.transfers:
        _transaction(payment, batch.kind, transfer)
    return root


def build_credit_transfer(batch: TransferBatch, today: date) -> tuple[TransferBatch, bytes]:
    """The checked batch and its file (UTF-8 XML), valid against the official pain.001.001.09 XSD.
    Raises ValidationError (German, by field) for a rule of the flavour or of the schema."""
    checked = check_batch(batch, today)
    content = etree.tostring(_document(checked), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate(content, XSD_FILE[checked.kind])
    if checked.kind is FileKind.CH:
        check_swiss(content)
    return checked, content
