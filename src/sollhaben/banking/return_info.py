"""What a bank file says about returned SEPA direct debits (Rücklastschriften).

A returned collection comes back as a booked debit transaction carrying the collection's original
`Refs/EndToEndId` and, usually, the return information `RtrInf/Rsn/Cd` (ISO reason code such as
AC04, MD06, AM04; a bank's own code as `Rsn/Prtry`) with optional `RtrInf/AddtlInf`. The import
(`banking.camt`) stores debits as „Nicht gebucht“ without these two fields; this module reads them
for the debit transactions of a file, keyed by the same servicer key the import stored, so the
receivables side can offer such a line as a return debit.
"""
from __future__ import annotations

from typing import NamedTuple

from lxml import etree

from sollhaben.banking.camt import read_camt

_NO_ID = {"", "NOTPROVIDED", "NONREF"}


class ReturnDetail(NamedTuple):
    key: str  # the servicer key of the transaction (as stored in bank_entry.servicer_reference)
    end_to_end_id: str  # the original collection's EndToEndId ("" when the bank gave none)
    reason_code: str  # RtrInf/Rsn/Cd or Prtry, upper case ("" when the file gives no return info)
    reason_text: str  # RtrInf/AddtlInf, joined


def _return_infos(content: bytes) -> dict[int, tuple[str, str]]:
    """Source line of each TxDtls with RtrInf → (code, additional info)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                             dtd_validation=False, remove_comments=True, remove_pis=True)
    root = etree.fromstring(content, parser)
    found = {}
    for info in root.iter("{*}RtrInf"):
        tx = info.getparent()
        code = (info.findtext("{*}Rsn/{*}Cd") or info.findtext("{*}Rsn/{*}Prtry") or "").strip().upper()
        text = " ".join(" ".join((t.text or "").split()) for t in info.findall("{*}AddtlInf")).strip()
        found[tx.sourceline or 0] = (code, text)
    return found


def read_return_details(content: bytes) -> list[ReturnDetail]:
    """The booked debit transactions of a readable file that carry an end-to-end id or return
    information; [] for a file the import refuses (the import reports its problems)."""
    result = read_camt(content)
    if result.document is None or result.problems:
        return []
    infos = _return_infos(content)
    details = []
    for entry in result.document.entries:
        if not entry.booked or entry.reversal:
            continue
        for tx in entry.transactions:
            if tx.credit:
                continue
            code, text = infos.get(tx.line, ("", ""))
            end_to_end = "" if tx.end_to_end_id.upper() in _NO_ID else tx.end_to_end_id
            if end_to_end or code:
                details.append(ReturnDetail(tx.key, end_to_end, code, text))
    return details


def add_return_info(content: bytes, reasons: dict[str, tuple[str, str]]) -> bytes:
    """A file from `camt_writer` with `RtrInf` (reason code, additional info) added to the debit
    transactions whose EndToEndId is in `reasons` — as a bank reports a returned collection. For the
    demo and the tests (the writer itself is kept to what the import reads)."""
    root = etree.fromstring(content)
    ns = etree.QName(root).namespace
    for tx in root.iter(f"{{{ns}}}TxDtls"):
        found = reasons.get(tx.findtext(f"{{{ns}}}Refs/{{{ns}}}EndToEndId") or "")
        if found is None or tx.findtext(f"{{{ns}}}CdtDbtInd") != "DBIT":
            continue
        code, text = found
        info = etree.SubElement(tx, f"{{{ns}}}RtrInf")  # after RmtInf, as the schema orders TxDtls
        etree.SubElement(etree.SubElement(info, f"{{{ns}}}Rsn"), f"{{{ns}}}Cd").text = code
        if text:
            etree.SubElement(info, f"{{{ns}}}AddtlInf").text = text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
