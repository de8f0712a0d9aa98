"""The Swiss restrictions of pain.001.001.09 (SPS, schema pain.001.001.09.ch.03) checked on a document.

The official ISO schema accepts more than a Swiss bank does. SIX publishes its own restricted schema
(``pain.001.001.09.ch.03.xsd``); we do not ship a copy of it, but check the restrictions that matter
for the files we write on the finished document, after the ISO schema, so a Swiss file is refused
before it is written if it breaks one of them:

- identifiers (MsgId, PmtInfId, InstrId, EndToEndId) in the SWIFT character set, 1–35;
- every text in the SPS character set (Basic Latin, Latin-1 Supplement, Latin Extended-A, €, Ș ș Ț ț);
- the initiating party without postal address; postal addresses structured with town and country,
  without address type, and at most two address lines;
- at most one unstructured remittance line; purpose and category purpose only as codes;
- a QR reference (``QRR``, 27 digits with check digit) only with, and always with, a QR-IBAN; a
  creditor reference (``SCOR``) valid by ISO 11649; no QR-IBAN as debtor account;
- number of transactions and control sum equal to the transactions (per group and per payment).
"""
from __future__ import annotations

from decimal import Decimal

from lxml import etree

from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.receivables.payouts import PAIN_VERSION, swiss_char_allowed
from sollhaben.domain.references import is_qr_iban, is_valid_iban, normalize_creditor_reference, normalize_qr_reference

NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{PAIN_VERSION}"
_NS = {"p": NAMESPACE}
_SWIFT = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ ")


def _line(element: etree._Element) -> str:
    return f"Zeile {element.sourceline}" if element.sourceline else etree.QName(element).localname


def _identifiers(root: etree._Element) -> list[str]:
    problems = []
    for tag in ("MsgId", "PmtInfId", "InstrId", "EndToEndId"):
        for element in root.iterfind(f".//p:{tag}", _NS):
            text = element.text or ""
            if not 1 <= len(text) <= 35 or any(ch not in _SWIFT for ch in text):
                problems.append(f"{_line(element)}: {tag} „{text}“ – nur A–Z, a–z, 0–9 und / - ? : ( ) . , ' + "
                                "erlaubt (1–35 Zeichen).")
    return problems


def _charset(root: etree._Element) -> list[str]:
    problems = []
    for element in root.iter():
        bad = sorted({ch for ch in (element.text or "").strip() if not swiss_char_allowed(ch)})
        if bad:
            problems.append(f"{_line(element)}: {etree.QName(element).localname} enthält "
                            f"{' '.join(bad)} – ausserhalb des SPS-Zeichensatzes.")
    return problems


def _addresses(root: etree._Element) -> list[str]:
    problems = []
    if root.find(".//p:GrpHdr/p:InitgPty/p:PstlAdr", _NS) is not None:
        problems.append("InitgPty: Der Auftraggeber der Nachricht hat in der Schweiz keine Postadresse.")
    for address in root.iterfind(".//p:PstlAdr", _NS):
        if address.find("p:AdrTp", _NS) is not None and address.getparent().tag.endswith("Cdtr"):
            problems.append(f"{_line(address)}: Die Empfängeradresse hat keinen Adresstyp (AdrTp).")
        if len(address.findall("p:AdrLine", _NS)) > 2:
            problems.append(f"{_line(address)}: höchstens zwei Adresszeilen.")
        if address.find("p:TwnNm", _NS) is None or address.find("p:Ctry", _NS) is None:
            problems.append(f"{_line(address)}: Adresse nicht strukturiert – Ort (TwnNm) und Land (Ctry) "
                            "sind Pflicht.")
    return problems


def _first(element: etree._Element, path: str) -> etree._Element | None:
    found = element.xpath(path, namespaces=_NS)
    return found[0] if found else None


def _remittance(root: etree._Element) -> list[str]:
    problems = []
    for tx in root.iterfind(".//p:CdtTrfTxInf", _NS):
        iban = tx.findtext("p:CdtrAcct/p:Id/p:IBAN", default="", namespaces=_NS)
        info = tx.find("p:RmtInf", _NS)
        if info is not None and len(info.findall("p:Ustrd", _NS)) > 1:
            problems.append(f"{_line(info)}: höchstens ein unstrukturierter Verwendungszweck.")
        qrr = _first(tx, "p:RmtInf/p:Strd/p:CdtrRefInf[p:Tp/p:CdOrPrtry/p:Prtry='QRR']")
        scor = _first(tx, "p:RmtInf/p:Strd/p:CdtrRefInf[p:Tp/p:CdOrPrtry/p:Cd='SCOR']")
        where = _line(tx)
        if is_qr_iban(iban) and qrr is None:
            problems.append(f"{where}: Zahlung an die QR-IBAN {iban} ohne QR-Referenz.")
        if qrr is not None and not is_qr_iban(iban):
            problems.append(f"{where}: Eine QR-Referenz ist nur mit einer QR-IBAN erlaubt.")
        for reference, check in ((qrr, normalize_qr_reference), (scor, normalize_creditor_reference)):
            if reference is not None:
                try:
                    check(reference.findtext("p:Ref", default="", namespaces=_NS))
                except ValidationError as exc:
                    problems.append(f"{where}: {exc}")
    for code_parent in ("Purp", "CtgyPurp"):
        for element in root.iterfind(f".//p:{code_parent}/p:Prtry", _NS):
            problems.append(f"{_line(element)}: {code_parent} nur als Code (Cd).")
    return problems


def _totals(root: etree._Element) -> list[str]:
    problems = []
    for scope, txs in ((root.find(".//p:GrpHdr", _NS), root.iterfind(".//p:CdtTrfTxInf", _NS)),
                       *((pmt, pmt.iterfind("p:CdtTrfTxInf", _NS)) for pmt in root.iterfind(".//p:PmtInf", _NS))):
        amounts = [Decimal(tx.findtext("p:Amt/p:InstdAmt", default="0", namespaces=_NS)) for tx in txs]
        count, total = scope.findtext("p:NbOfTxs", namespaces=_NS), scope.findtext("p:CtrlSum", namespaces=_NS)
        name = etree.QName(scope).localname
        if count is not None and int(count) != len(amounts):
            problems.append(f"{name}: NbOfTxs {count}, aber {len(amounts)} Zahlungen.")
        if total is not None and Decimal(total) != sum(amounts, Decimal(0)):
            problems.append(f"{name}: CtrlSum {total}, aber Summe der Zahlungen {sum(amounts, Decimal(0))}.")
    return problems


def _debtor(root: etree._Element) -> list[str]:
    problems = []
    for element in root.iterfind(".//p:DbtrAcct/p:Id/p:IBAN", _NS):
        if not is_valid_iban(element.text or ""):
            problems.append(f"{_line(element)}: Auftraggeberkonto {element.text} ist keine gültige IBAN.")
        elif is_qr_iban(element.text or ""):
            problems.append(f"{_line(element)}: Eine QR-IBAN kann nicht Belastungskonto sein.")
    return problems


def swiss_problems(document: bytes) -> list[str]:
    """Every SPS restriction the document breaks, German, with its line; empty when it keeps all."""
    root = etree.fromstring(document)
    return [*_identifiers(root), *_charset(root), *_addresses(root), *_remittance(root), *_totals(root),
            *_debtor(root)]


def check_swiss(document: bytes, field: str = "file") -> None:
    problems = swiss_problems(document)
    if problems:
        raise ValidationError([FieldError(field, f"Swiss Payment Standards: {p}") for p in problems])
