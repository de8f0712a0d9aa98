"""Reading camt.053 / camt.054 (.001.04 and .001.08): the values, and every problem with its place."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sollhaben.banking.camt import read_camt
from sollhaben.banking.camt_writer import EntrySpec, FileSpec, TxSpec, write_camt
from sollhaben.domain.money import Money

DATA = Path(__file__).parents[2] / "data" / "camt"


def chf(text: str) -> Money:
    return Money.of(text, "CHF")


def test_swiss_camt054_v04_with_qr_references_and_a_batch():
    result = read_camt((DATA / "ch_camt054_v04_qrr.xml").read_bytes())
    assert result.ok, result.problems
    doc = result.document
    assert (doc.kind, doc.version, doc.message_id) == ("054", "001.04", "20261124375204000006523")
    assert doc.statements[0].account_iban == "CH4431999123000889012"
    batch, single, pending = doc.entries
    assert batch.amount == chf("1105.50") and batch.credit and batch.booked
    assert [t.amount for t in batch.transactions] == [chf("450.00"), chf("380.50"), chf("275.00")]
    first = batch.transactions[0]
    assert first.position == "Ntry[1]/NtryDtls/TxDtls[1]" and first.line == 60
    assert first.reference == "210000000003139471430009017" and first.reference_kind == "QRR"
    assert first.debtor_name == "Reto Gerber" and first.debtor_iban == "CH9300762011623852957"
    assert first.key == "261124CH0A1B2C3D-0001"
    assert batch.transactions[1].text == "Beitrag November"  # Strd/AddtlRmtInf
    assert batch.transactions[2].debtor_name == "Unbekannt & Co."
    assert single.transactions[0].reference_kind == "SCOR" and single.transactions[0].text == "Mahngebuehr Oktober"
    assert single.transactions[0].key == "261124CH0A1B2C3E/1"  # no own AcctSvcrRef: entry's + index
    assert single.value_date == date(2026, 11, 25)
    assert pending.status == "PDNG" and not pending.booked


def test_german_camt053_v08_with_scor_text_debit_and_nonref():
    result = read_camt((DATA / "de_camt053_v08_scor.xml").read_bytes())
    assert result.ok, result.problems
    doc = result.document
    assert (doc.kind, doc.version, doc.currency) == ("053", "001.08", "EUR")
    scor, text_only, fee, info = doc.entries
    assert scor.transactions[0].reference == "RF70KITA2026110"
    assert scor.transactions[0].debtor_name == "Yilmaz, Elif"  # .08: Dbtr/Pty/Nm
    assert text_only.transactions[0].text == "Kita Beitrag Paul Schneider November 2026"
    assert not fee.credit and fee.transactions[0].text == "Kontofuehrungsentgelt November"
    assert info.status == "INFO" and info.transactions[0].key.startswith("H:")  # NONREF: digest key


@pytest.mark.parametrize("kind", ["053", "054"])
@pytest.mark.parametrize("version", ["001.04", "001.08"])
def test_written_files_of_every_supported_version_read_back(kind, version):
    spec = FileSpec(kind, version, "CH4431999123000889012", f"M-{kind}-{version}", datetime(2026, 11, 24, 8),
                    entries=(EntrySpec(chf("30.00"), date(2026, 11, 24), "E1", transactions=(
                        TxSpec(chf("10.00"), "T1", reference="210000000003139471430009017", debtor_name="A B",
                               debtor_iban="CH9300762011623852957"),
                        TxSpec(chf("20.00"), reference="RF18539007547034", text="x"))),
                             EntrySpec(chf("5.00"), date(2026, 11, 24), "E2", status="PDNG")))
    result = read_camt(write_camt(spec))
    assert result.ok, result.problems
    entries = result.document.entries
    assert (result.document.kind, result.document.version) == (kind, version)
    assert [t.key for t in entries[0].transactions] == ["T1", "E1/2"]
    assert entries[0].transactions[0].debtor_name == "A B"
    assert entries[1].status == "PDNG"


def _problems(xml: str) -> list[str]:
    return [str(p) for p in read_camt(xml.encode()).problems]


HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">\n'
        '<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-24T08:00:00</CreDtTm></GrpHdr>\n'
        '<Ntfctn><Id>N1</Id><Acct><Id><IBAN>CH4431999123000889012</IBAN></Id></Acct>\n')
TAIL = '</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>\n'


def ntry(amount: str | None, txs: list[str], ref: str = "E1") -> str:
    amt = f'<Amt Ccy="CHF">{amount}</Amt>' if amount is not None else ""
    details = f"<NtryDtls>{''.join(txs)}</NtryDtls>" if txs else ""
    return (f'<Ntry>{amt}<CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
            f'<BookgDt><Dt>2026-11-24</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef>{details}</Ntry>\n')


def tx(amount: str | None, ref: str = "") -> str:
    amt = f'<Amt Ccy="CHF">{amount}</Amt>' if amount is not None else ""
    refs = f"<Refs><AcctSvcrRef>{ref}</AcctSvcrRef></Refs>" if ref else ""
    return f"<TxDtls>{refs}{amt}</TxDtls>\n"


def test_every_problem_is_reported_with_line_and_path_not_just_the_first():
    xml = HEAD + ntry("30.00", [tx("10.00"), tx(None), tx("5.00")]) + ntry("12.00", [tx("10.00"), tx("1.00")], "E2") \
        + ntry(None, [], "E3") + TAIL
    problems = _problems(xml)
    assert "Zeile 6, Ntry[1]/NtryDtls/TxDtls[2]: Betrag fehlt." in problems
    assert any(p.startswith("Zeile 9, Ntry[2]: Die Summe der 2 Transaktionen (11.00") for p in problems)
    assert "Zeile 12, Ntry[3]: Betrag fehlt." in problems
    assert len(problems) == 3


def test_bad_amount_currency_and_status_are_problems():
    xml = HEAD + ntry("12.345", []) + ntry("1,50", [], "E2") \
        + '<Ntry><Amt Ccy="USD">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>DONE</Sts>' \
        + '<AcctSvcrRef>E3</AcctSvcrRef></Ntry>' \
        + TAIL
    problems = _problems(xml)
    assert any("Ntry[1]: Betrag 12.345 hat mehr als zwei Nachkommastellen" in p for p in problems)
    assert any("Ntry[2]: Betrag „1,50“ ist kein Betrag" in p for p in problems)
    assert any("Ntry[3]: Währung „USD“ wird nicht unterstützt" in p for p in problems)
    assert any("Ntry[3]/Sts: Status „DONE“" in p for p in problems)


def test_the_same_servicer_reference_twice_in_one_file_is_an_error():
    xml = HEAD + ntry("10.00", [tx("10.00", "T1")]) + ntry("10.00", [tx("10.00", "T1")], "E2") + TAIL
    problems = _problems(xml)
    assert len(problems) == 1
    assert ("Ntry[2]/NtryDtls/TxDtls: Die Bankreferenz „T1“ kommt in der Datei zweimal vor (zuerst Zeile 5"
            in problems[0])


def test_broken_xml_names_the_line():
    problems = _problems(HEAD + "<Ntry><Amt>1.00</Ntry>" + TAIL)
    assert len(problems) == 1 and problems[0].startswith("Zeile 5: Die Datei ist kein gültiges XML")


def test_unknown_namespace_or_version_is_refused():
    for ns in ("urn:iso:std:iso:20022:tech:xsd:camt.053.001.02", "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02",
               "http://example.com/x"):
        problems = _problems(HEAD.replace("urn:iso:std:iso:20022:tech:xsd:camt.054.001.08", ns) + TAIL)
        assert len(problems) == 1 and f"Namensraum „{ns}“ wird nicht unterstützt" in problems[0]


def test_entities_are_never_resolved_and_a_doctype_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("GEHEIM")
    xxe = (f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>\n'
           + HEAD.split("\n", 1)[1].replace("<MsgId>M1", "<MsgId>&x;") + TAIL)
    problems = _problems(xxe)
    assert problems == ["Zeile 1: Eine Bankdatei darf keine DOCTYPE-Deklaration enthalten."]


def test_missing_header_and_account_are_problems():
    xml = HEAD.replace("<MsgId>M1</MsgId>", "").replace("<IBAN>CH4431999123000889012</IBAN>", "") \
        + ntry("1.00", []) + TAIL
    problems = _problems(xml)
    assert any("Nachrichtenreferenz (MsgId) fehlt" in p for p in problems)
    assert any("Ntfctn/Acct: Das Konto (Acct/Id/IBAN) fehlt." in p for p in problems)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=10_000_000), min_size=1, max_size=8))
def test_batch_amounts_round_trip_to_the_cent(amounts):
    txs = tuple(TxSpec(Money(a, "CHF"), f"T{i}") for i, a in enumerate(amounts))
    spec = FileSpec("054", "001.04", "CH4431999123000889012", "M", datetime(2026, 11, 24),
                    entries=(EntrySpec(Money(sum(amounts), "CHF"), date(2026, 11, 24), "E", transactions=txs),))
    result = read_camt(write_camt(spec))
    assert result.ok
    assert [t.amount.minor for t in result.document.entries[0].transactions] == amounts


def test_a_batch_without_its_transactions_is_marked():
    batch = ('<Ntry><Amt Ccy="CHF">300.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
             '<BookgDt><Dt>2026-11-24</Dt></BookgDt><AcctSvcrRef>B1</AcctSvcrRef>'
             '<NtryDtls><Btch><NbOfTxs>3</NbOfTxs><TotAmt Ccy="CHF">300.00</TotAmt></Btch></NtryDtls></Ntry>\n')
    result = read_camt((HEAD + batch + ntry("5.00", []) + TAIL).encode())
    assert result.ok, result.problems
    first, second = result.document.entries
    assert first.batch_without_details and len(first.transactions) == 1
    assert first.transactions[0].key == "B1/1"
    assert not second.batch_without_details
