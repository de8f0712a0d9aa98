"""pain.001.001.09 credit transfer files: CH (Swiss Payment Standards) and DE (SEPA), checked by the
rules of their flavour and validated against the bundled official XSD."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from sollhaben.banking.pain001 import NAMESPACE, build_credit_transfer
from sollhaben.banking.pain001_ch import swiss_problems
from sollhaben.banking.xsd_validation import schema_problems
from sollhaben.domain.errors import ValidationError
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.payouts import FileKind, Party, Transfer, TransferBatch, sepa_text

TODAY = date(2026, 11, 25)
NS = {"p": NAMESPACE}
CH_IBAN = "CH93 0076 2011 6238 5295 7"
QR_IBAN = "CH44 3199 9123 0008 8901 2"
QR_REFERENCE = "210000000003139471430009017"
DE_IBAN = "DE89 3704 0044 0532 0130 00"
BERN = Party("Müller-Schär, Zoë", "Gerechtigkeitsgasse", "7a", "3011", "Bern", "CH")


def chf(text: str) -> Money:
    return Money.of(text, "CHF")


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


def ch_batch(*transfers: Transfer, debtor_iban: str = CH_IBAN, execution: date = date(2026, 11, 26)) -> TransferBatch:
    transfers = transfers or (
        Transfer(1, chf("12.35"), BERN, QR_IBAN, reference=QR_REFERENCE, purpose="Rückzahlung Guthaben"),
        Transfer(2, chf("1000.10"), BERN, CH_IBAN, purpose="Weiterleitung Unterhalt März 2026"),
        Transfer(3, chf("0.05"), BERN, CH_IBAN, reference="RF18 5390 0754 7034"),
    )
    return TransferBatch(FileKind.CH, "SOLLHABEN-1-20261125080000", datetime(2026, 11, 25, 8, tzinfo=timezone.utc),
                         execution, Party("Sozialdienst Aaretal", "Bahnhofstrasse", "12", "3000", "Bern", "CH"),
                         debtor_iban, tuple(transfers), software_version="0.1.0")


def de_batch(*transfers: Transfer) -> TransferBatch:
    transfers = transfers or (Transfer(1, eur("25.50"), Party("Zoé Çelik"), DE_IBAN, purpose="Rückzahlung café"),)
    return TransferBatch(FileKind.DE, "SOLLHABEN-2-20261125080000", datetime(2026, 11, 25, 8, tzinfo=timezone.utc),
                         date(2026, 11, 26), Party("Kita-Verbund Musterstadt"), DE_IBAN, tuple(transfers))


def messages(exc: pytest.ExceptionInfo) -> str:
    return " | ".join(e.message for e in exc.value.errors)


def fields(exc: pytest.ExceptionInfo) -> set[str]:
    return {e.field for e in exc.value.errors}


# --- valid files ------------------------------------------------------------------------------

def test_swiss_file_is_valid_and_carries_the_swiss_remittance():
    checked, content = build_credit_transfer(ch_batch(), TODAY)
    assert schema_problems(content, "pain.001.001.09.xsd") == []
    assert swiss_problems(content) == []
    root = etree.fromstring(content)
    assert root.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=NS) == "3"
    assert root.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) == "1012.50"
    assert root.findtext(".//p:PmtInf/p:CtrlSum", namespaces=NS) == "1012.50"
    txs = root.findall(".//p:CdtTrfTxInf", NS)
    assert txs[0].findtext(".//p:CdtrRefInf/p:Tp/p:CdOrPrtry/p:Prtry", namespaces=NS) == "QRR"
    assert txs[0].findtext(".//p:CdtrRefInf/p:Ref", namespaces=NS) == QR_REFERENCE
    assert txs[0].findtext(".//p:AddtlRmtInf", namespaces=NS) == "Rückzahlung Guthaben"
    assert txs[1].findtext(".//p:RmtInf/p:Ustrd", namespaces=NS) == "Weiterleitung Unterhalt März 2026"
    assert txs[2].findtext(".//p:CdtrRefInf/p:Tp/p:CdOrPrtry/p:Cd", namespaces=NS) == "SCOR"
    assert txs[2].findtext(".//p:CdtrRefInf/p:Ref", namespaces=NS) == "RF18539007547034"
    # the debtor's bank by its IID from the IBAN; no SEPA service level in a domestic CHF file
    assert root.findtext(".//p:DbtrAgt//p:MmbId", namespaces=NS) == "00762"
    assert root.find(".//p:PmtTpInf", NS) is None
    address = txs[0].find("p:Cdtr/p:PstlAdr", NS)
    assert [etree.QName(e).localname for e in address] == ["StrtNm", "BldgNb", "PstCd", "TwnNm", "Ctry"]
    assert txs[0].findtext("p:Cdtr/p:Nm", namespaces=NS) == "Müller-Schär, Zoë"
    assert [t.iban for t in checked.transfers] == ["CH4431999123000889012", "CH9300762011623852957",
                                                    "CH9300762011623852957"]


def test_german_sepa_file_is_valid_with_service_level_and_folded_accents():
    _checked, content = build_credit_transfer(de_batch(), TODAY)
    assert schema_problems(content, "pain.001.001.09.xsd") == []
    root = etree.fromstring(content)
    assert root.findtext(".//p:PmtTpInf/p:SvcLvl/p:Cd", namespaces=NS) == "SEPA"
    assert root.findtext(".//p:ChrgBr", namespaces=NS) == "SLEV"
    assert root.findtext(".//p:DbtrAgt/p:FinInstnId/p:Othr/p:Id", namespaces=NS) == "NOTPROVIDED"
    assert root.findtext(".//p:Cdtr/p:Nm", namespaces=NS) == "Zoe Celik"  # é, Ç folded: not in the DK set
    assert root.findtext(".//p:Ustrd", namespaces=NS) == "Rückzahlung cafe"  # umlauts are (DK)
    assert root.findtext(".//p:InstdAmt", namespaces=NS) == "25.50"
    assert root.find(".//p:InstdAmt", NS).get("Ccy") == "EUR"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=99_999_999_999), min_size=1, max_size=12))
def test_control_sum_is_the_exact_sum_of_the_amounts(amounts):
    batch = ch_batch(*(Transfer(i + 1, Money(minor, "CHF"), BERN, CH_IBAN, purpose="x")
                       for i, minor in enumerate(amounts)))
    _checked, content = build_credit_transfer(batch, TODAY)
    root = etree.fromstring(content)
    expected = (Decimal(sum(amounts)) / 100).quantize(Decimal("0.01"))
    assert Decimal(root.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS)) == expected
    assert sum(Decimal(e.text) for e in root.iterfind(".//p:InstdAmt", NS)) == expected
    assert schema_problems(content, "pain.001.001.09.xsd") == []


# --- Swiss rules ------------------------------------------------------------------------------

def test_qr_iban_cannot_be_the_debtor_account():
    with pytest.raises(ValidationError) as exc:
        build_credit_transfer(ch_batch(debtor_iban=QR_IBAN), TODAY)
    assert "QR-IBAN" in messages(exc) and "debtor_iban" in fields(exc)


@pytest.mark.parametrize("transfer, field, words", [
    (Transfer(9, chf("5"), BERN, QR_IBAN), "orders[0].reference", "QR-Referenz"),
    (Transfer(9, chf("5"), BERN, CH_IBAN, reference=QR_REFERENCE), "orders[0].reference", "nur mit einer QR-IBAN"),
    (Transfer(9, chf("5"), BERN, CH_IBAN, reference="RF19539007547034"), "orders[0].reference", "Prüfziffer"),
    (Transfer(9, chf("5"), Party("Weber Hans", "Weg 1, 3000 Bern"), CH_IBAN), "orders[0].creditor.town",
     "strukturierte Adresse"),
    (Transfer(9, chf("5"), replace(BERN, name="Łukasz Ω"), CH_IBAN), "orders[0].creditor.name", "„Ω“"),
    (Transfer(9, chf("5"), BERN, CH_IBAN, purpose="Danke 😀"), "orders[0].purpose", "Swiss Payment Standards"),
    (Transfer(9, chf("5"), BERN, DE_IBAN), "orders[0].iban", "Auslandzahlung"),
    (Transfer(9, eur("5"), BERN, CH_IBAN), "orders[0].amount", "nur CHF"),
    (Transfer(9, chf("0"), BERN, CH_IBAN), "orders[0].amount", "0.01"),
    (Transfer(9, chf("5"), replace(BERN, name="x" * 71), CH_IBAN), "orders[0].creditor.name", "höchstens 70"),
    (Transfer(9, chf("5"), BERN, CH_IBAN, purpose="y" * 141), "orders[0].purpose", "höchstens 140"),
])
def test_swiss_rule_violations_are_refused_with_the_field(transfer, field, words):
    with pytest.raises(ValidationError) as exc:
        build_credit_transfer(ch_batch(transfer), TODAY)
    assert field in fields(exc), messages(exc)
    assert words in messages(exc)
    assert messages(exc).startswith("Auftrag 9:")


def test_every_problem_of_a_run_is_reported_at_once():
    batch = ch_batch(Transfer(1, chf("5"), BERN, QR_IBAN), Transfer(2, chf("5"), Party(""), CH_IBAN),
                     execution=date(2026, 11, 1))
    with pytest.raises(ValidationError) as exc:
        build_credit_transfer(batch, TODAY)
    assert {"execution_date", "orders[0].reference", "orders[1].creditor.name", "orders[1].creditor.town",
            "orders[1].creditor.country"} <= fields(exc)


def _tamper(content: bytes, change) -> bytes:
    root = etree.fromstring(content)
    change(root)
    return etree.tostring(root)


def _element(root, path):
    return root.find(path, NS)


def test_swiss_restrictions_catch_what_the_iso_schema_allows():
    _checked, good = build_credit_transfer(ch_batch(), TODAY)

    def unstructured(root):
        address = _element(root, ".//p:CdtTrfTxInf/p:Cdtr/p:PstlAdr")
        for child in list(address):
            address.remove(child)
        etree.SubElement(address, f"{{{NAMESPACE}}}AdrLine").text = "Weg 1"
        etree.SubElement(address, f"{{{NAMESPACE}}}AdrLine").text = "3000 Bern"

    def two_purposes(root):
        info = root.findall(".//p:RmtInf", NS)[1]
        etree.SubElement(info, f"{{{NAMESPACE}}}Ustrd").text = "noch einer"

    def wrong_sum(root):
        _element(root, ".//p:GrpHdr/p:CtrlSum").text = "1012.49"

    def qr_reference_on_iban(root):
        _element(root, ".//p:CdtTrfTxInf/p:CdtrAcct/p:Id/p:IBAN").text = "CH9300762011623852957"

    def bad_identifier(root):
        _element(root, ".//p:EndToEndId").text = "Rückzahlung_1"

    cases = {unstructured: "Ort (TwnNm) und Land (Ctry)", two_purposes: "höchstens ein",
             wrong_sum: "CtrlSum 1012.49", qr_reference_on_iban: "nur mit einer QR-IBAN",
             bad_identifier: "EndToEndId"}
    for change, words in cases.items():
        tampered = _tamper(good, change)
        assert schema_problems(tampered, "pain.001.001.09.xsd") == [] or change is bad_identifier
        problems = swiss_problems(tampered)
        assert any(words in p for p in problems), (change.__name__, problems)


# --- SEPA rules -------------------------------------------------------------------------------

def test_sepa_needs_a_bic_outside_the_eea_and_refuses_countries_outside_sepa():
    with pytest.raises(ValidationError) as exc:
        build_credit_transfer(de_batch(Transfer(1, eur("5"), BERN, CH_IBAN)), TODAY)
    assert "orders[0].bic" in fields(exc) and "EWR" in messages(exc)
    checked, content = build_credit_transfer(de_batch(Transfer(1, eur("5"), BERN, CH_IBAN, bic="UBSWCHZH80A")), TODAY)
    assert etree.fromstring(content).findtext(".//p:CdtrAgt//p:BICFI", namespaces=NS) == "UBSWCHZH80A"
    with pytest.raises(ValidationError) as exc:
        build_credit_transfer(de_batch(Transfer(1, eur("5"), Party("X"), "BR18 0036 0305 0000 1000 9795 493C 1")),
                              TODAY)
    assert "SEPA-Raum" in messages(exc)


def test_sepa_text_folds_accents_and_refuses_what_it_cannot_write():
    assert sepa_text("Ærø Straße – Nr. 5", "f", "Text", 70) == "AEro Straße - Nr. 5"
    with pytest.raises(ValidationError) as exc:
        sepa_text("Ωmega", "f", "Text", 70)
    assert "„Ω“" in str(exc.value)


SPS_LETTERS = st.characters(codec=None, min_codepoint=0x20, max_codepoint=0x17F,
                            blacklist_categories=("Cc", "Cs"))


@settings(max_examples=60, deadline=None)
@given(name=st.text(SPS_LETTERS, min_size=1, max_size=70).filter(lambda t: t.strip()),
       purpose=st.text(SPS_LETTERS, max_size=140))
def test_any_text_of_the_sps_set_makes_a_valid_swiss_file(name, purpose):
    transfer = Transfer(1, chf("1.00"), replace(BERN, name=name), CH_IBAN, purpose=purpose)
    _checked, content = build_credit_transfer(ch_batch(transfer), TODAY)
    assert schema_problems(content, "pain.001.001.09.xsd") == [] and swiss_problems(content) == []


@settings(max_examples=40, deadline=None)
@given(outside=st.characters(min_codepoint=0x180, max_codepoint=0x2FFF).filter(
    lambda c: c not in "ȘșȚț€" and not c.isspace()))
def test_a_character_outside_the_sps_set_is_refused(outside):
    transfer = Transfer(1, chf("1.00"), replace(BERN, name=f"Weber {outside}"), CH_IBAN)
    with pytest.raises(ValidationError) as exc:
        build_credit_transfer(ch_batch(transfer), TODAY)
    assert "orders[0].creditor.name" in fields(exc)
