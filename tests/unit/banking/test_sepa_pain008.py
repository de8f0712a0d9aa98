"""pain.008 (.001.02 and .001.08) written by us and checked against the official XSDs."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from sollhaben.banking.pain008 import (
    VERSIONS,
    Creditor,
    DirectDebit,
    DirectDebitMessage,
    amount_text,
    build_pain008,
)
from sollhaben.banking.xsd_validation import schema_problems, validate
from sollhaben.domain.errors import ValidationError
from sollhaben.domain.money import Money

CREDITOR = Creditor("Kita-Verbund Musterstadt e. V.", "DE89370400440532013000", "DE98ZZZ09999999999", "COBADEFFXXX")
DUE = date(2026, 12, 1)


def debit(n: int, amount: str = "123.45", sequence: str = "RCUR", bic: str = "", day: date = DUE) -> DirectDebit:
    return DirectDebit(f"SH1-{n}", Money.of(amount, "EUR"), day, sequence, f"KITA-{n:04d}", date(2025, 1, 5),
                       "Jürgen Weiß", "DE02120300000000202051", bic, "Elternbeiträge Dezember 2026")


def message(*transactions: DirectDebit) -> DirectDebitMessage:
    return DirectDebitMessage("SH1-7-20261124101500", datetime(2026, 11, 24, 10, 15), CREDITOR, transactions)


def parse(xml: bytes, version: str):
    ns = {"p": f"urn:iso:std:iso:20022:tech:xsd:{VERSIONS[version]}"}
    return etree.fromstring(xml), ns


@pytest.mark.parametrize("version", ["02", "08"])
def test_document_is_valid_against_the_official_schema(version):
    xml = build_pain008(message(debit(1, sequence="FRST"), debit(2, "10.05", bic="BYLADEMM001"), debit(3, "0.01")),
                        version)
    assert schema_problems(xml, f"{VERSIONS[version]}.xsd") == []
    root, ns = parse(xml, version)
    assert root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:NbOfTxs", namespaces=ns) == "3"
    assert root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", namespaces=ns) == "133.51"
    blocks = root.findall("p:CstmrDrctDbtInitn/p:PmtInf", ns)
    assert [b.findtext("p:PmtTpInf/p:SeqTp", namespaces=ns) for b in blocks] == ["FRST", "RCUR"]
    assert [b.findtext("p:CtrlSum", namespaces=ns) for b in blocks] == ["123.45", "10.06"]
    assert blocks[0].findtext("p:PmtTpInf/p:LclInstrm/p:Cd", namespaces=ns) == "CORE"
    assert blocks[0].findtext("p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id", namespaces=ns) == "DE98ZZZ09999999999"
    bic_tag = "BIC" if version == "02" else "BICFI"
    assert blocks[0].findtext(f"p:CdtrAgt/p:FinInstnId/p:{bic_tag}", namespaces=ns) == "COBADEFFXXX"
    first = blocks[0].find("p:DrctDbtTxInf", ns)
    assert first.findtext("p:DbtrAgt/p:FinInstnId/p:Othr/p:Id", namespaces=ns) == "NOTPROVIDED"
    assert first.findtext("p:Dbtr/p:Nm", namespaces=ns) == "Juergen Weiss"
    assert first.findtext("p:DrctDbtTx/p:MndtRltdInf/p:MndtId", namespaces=ns) == "KITA-0001"
    assert blocks[1].findtext(f"p:DrctDbtTxInf/p:DbtrAgt/p:FinInstnId/p:{bic_tag}", namespaces=ns) == "BYLADEMM001"


@pytest.mark.parametrize("version", ["02", "08"])
def test_one_block_per_sequence_and_collection_date(version):
    later = date(2026, 12, 15)
    xml = build_pain008(message(debit(1, day=later), debit(2), debit(3, sequence="FRST"), debit(4, day=later)),
                        version)
    root, ns = parse(xml, version)
    blocks = [(b.findtext("p:ReqdColltnDt", namespaces=ns), b.findtext("p:PmtTpInf/p:SeqTp", namespaces=ns),
               b.findtext("p:NbOfTxs", namespaces=ns), b.findtext("p:PmtInfId", namespaces=ns))
              for b in root.findall("p:CstmrDrctDbtInitn/p:PmtInf", ns)]
    assert [b[:3] for b in blocks] == [("2026-12-01", "FRST", "1"), ("2026-12-01", "RCUR", "1"),
                                       ("2026-12-15", "RCUR", "2")]
    assert len({b[3] for b in blocks}) == 3


def test_a_document_the_schema_refuses_is_refused_with_its_line():
    xml = build_pain008(message(debit(1)), "08")
    broken = xml.replace(b"<CtrlSum>123.45</CtrlSum>", b"<CtrlSum>12,3</CtrlSum>", 1)
    with pytest.raises(ValidationError) as caught:
        validate(broken, "pain.008.001.08.xsd")
    assert "Zeile" in str(caught.value) and "CtrlSum" in str(caught.value)
    # a version-08 document is not a version-02 document
    assert schema_problems(xml, "pain.008.001.02.xsd")


def test_bad_identifiers_and_amounts_are_refused_before_any_xml():
    bad = DirectDebit("SH 1", Money.of("0.00", "EUR"), DUE, "OOFF", "KITA Ü", date(2025, 1, 5), "A",
                      "DE02120300000000202051")
    with pytest.raises(ValidationError) as caught:
        build_pain008(message(bad), "02")
    fields = {e.field for e in caught.value.errors}
    assert fields == {"transactions[0].end_to_end_id", "transactions[0].mandate_reference",
                      "transactions[0].amount", "transactions[0].sequence"}
    with pytest.raises(ValidationError):
        build_pain008(message(), "08")
    with pytest.raises(ValidationError):
        build_pain008(message(debit(1)), "03")
    with pytest.raises(ValidationError):
        build_pain008(message(DirectDebit("SH1-1", Money.of("5.00", "CHF"), DUE, "RCUR", "K-1", DUE, "A",
                                          "DE02120300000000202051")), "08")


def test_amount_text_is_a_decimal_string():
    assert [amount_text(m) for m in (1, 10, 100, 123456789)] == ["0.01", "0.10", "1.00", "1234567.89"]
    with pytest.raises(ValueError):
        amount_text(-1)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=99_999_999), min_size=1, max_size=12),
       st.sampled_from(["02", "08"]))
def test_control_sums_add_up_to_the_cent(amounts, version):
    transactions = [DirectDebit(f"E{n}", Money(minor, "EUR"), DUE, "FRST" if n % 3 == 0 else "RCUR", f"M{n}",
                                date(2025, 1, 5), "Name", "DE02120300000000202051") for n, minor in enumerate(amounts)]
    xml = build_pain008(message(*transactions), version)
    root, ns = parse(xml, version)
    instructed = [Decimal(e.text) for e in root.iter(f"{{{ns['p']}}}InstdAmt")]
    assert sum(instructed) == Decimal(root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", namespaces=ns))
    assert sum(instructed) * 100 == sum(amounts)
    block_sums = [Decimal(b.findtext("p:CtrlSum", namespaces=ns))
                  for b in root.findall("p:CstmrDrctDbtInitn/p:PmtInf", ns)]
    assert sum(block_sums) == sum(instructed)
