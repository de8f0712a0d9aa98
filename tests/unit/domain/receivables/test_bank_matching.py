"""The matching order of bank lines (pure domain)."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sollhaben.domain.receivables.bank_matching import BankLine, LineStatus, ReferenceTarget, match_line

REFS = {"RF1": ReferenceTarget(7, (70, 71))}
IBANS = {"CH1": [8], "CH2": [8, 9]}


def match(**kw):
    line = BankLine(**{"key": "K", "booked": True, "credit": True, **kw})
    return match_line(line, REFS, IBANS, {"OLD"}, {8: "Gerber", 9: "Meier"})


def test_order_pending_duplicate_debit_reference_iban_clearing():
    assert match(booked=False, key="OLD").status is LineStatus.PENDING
    assert match(booked=False, information=True).note == "Nur zur Information (INFO) – übersprungen"
    assert match(key="OLD").status is LineStatus.DUPLICATE
    assert match(credit=False).note == "Belastung – nicht gebucht"
    assert match(reversal=True).status is LineStatus.SKIPPED
    assert match(zero_amount=True).status is LineStatus.SKIPPED
    assert match(batch_without_details=True).status is LineStatus.SKIPPED
    by_ref = match(reference="RF1", debtor_iban="CH1")
    assert (by_ref.status, by_ref.account_id, by_ref.designation, by_ref.via) == (
        LineStatus.MATCHED, 7, (70, 71), "Referenz")
    by_iban = match(reference="RF9", debtor_iban="CH1")
    assert (by_iban.account_id, by_iban.via) == (8, "IBAN") and "RF9" in by_iban.note
    several = match(debtor_iban="CH2")
    assert several.status is LineStatus.CLEARING and several.note == "IBAN gehört zu mehreren Konten: Gerber, Meier"
    assert match().note == "Weder Referenz noch IBAN"
    assert match(debtor_iban="XX").note == "IBAN gehört zu keinem Debitorenkonto"


@given(st.booleans(), st.booleans(), st.sampled_from(["", "RF1", "RF9"]), st.sampled_from(["", "CH1", "CH2", "CH3"]))
def test_only_booked_new_credits_are_ever_matched(booked, credit, reference, iban):
    result = match(booked=booked, credit=credit, reference=reference, debtor_iban=iban)
    if result.status is LineStatus.MATCHED:
        assert booked and credit and result.account_id in (7, 8)
    else:
        assert result.account_id is None
