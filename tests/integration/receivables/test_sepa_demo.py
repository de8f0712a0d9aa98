"""Demo data: the Kita parents who pay by direct debit have mandates; a run over the demo works."""
from __future__ import annotations

from datetime import date

from lxml import etree

from sollhaben.banking.xsd_validation import schema_problems
from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.money import Money
from sollhaben.services import demo, ledger
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import sepa_mandates, sepa_proposal, sepa_run

TODAY = date(2026, 11, 25)
DUE = date(2026, 12, 1)


def test_demo_mandates_and_a_run_over_them(db, tmp_path):
    summary = demo.load_demo(db, size=120)
    org = summary.organization_id
    mandates = sepa_mandates.list_mandates(db, org, TODAY)
    assert summary.counts["sepa_mandates"] == len(mandates) > 3
    assert len({m.reference.upper() for m in mandates}) == len(mandates)
    assert {m.status for m in mandates} == {"VALID", "EXPIRED", "REVOKED"}
    used = [m for m in mandates if m.first_used_on]
    assert all(m.sequence_type == "RCUR" and m.signed_on < m.first_used_on <= m.last_used_on for m in used)
    # December's fee for every payer with a mandate: the valid ones are collected, the others listed
    for m in mandates:
        account = ledger.open_account(db, org, m.payer_id, module="kita")
        ledger.post(db, NewPosting(account.id, TODAY, "FEE_GROUP", Money.of("150.00", "EUR"), due_date=DUE,
                                   text="Beitrag 12.2026", source=PostingSource.BILLING_RUN))
    proposal = sepa_proposal.propose(db, org, DUE, TODAY)
    reasons = " ".join(p.message for p in proposal.problems)
    assert "abgelaufen" in reasons and "widerrufen" in reasons and not proposal.blocked
    assert len(proposal.lines) >= len([m for m in mandates if m.status == "VALID"]) - len(proposal.problems)
    target = tmp_path / "demo.xml"
    result = sepa_run.run_collection(db, proposal, "08", target, today=TODAY)
    xml = target.read_bytes()
    assert schema_problems(xml, "pain.008.001.08.xsd") == []
    root = etree.fromstring(xml)
    assert root.findtext(".//{*}GrpHdr/{*}NbOfTxs") == str(result.count) == str(len(proposal.lines))
