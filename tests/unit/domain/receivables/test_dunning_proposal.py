"""The pure dunning proposal: levels by history, no skipping, hand-over, blocks, exclusions,
minimum amount, fees once per letter, fees riding along; Hypothesis properties."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.receivables.dunning import (
    Action,
    AccountState,
    Blocks,
    ItemState,
    deadline,
    propose,
    reached,
    waiting_until,
)
from sollhaben.domain.receivables.dunning_policy import (
    DunningLevel,
    DunningPolicy,
    Handover,
    default_policy,
    fill_text,
    validate_policy,
)

RUN = date(2026, 11, 24)
POLICY = DunningPolicy((
    DunningLevel(1, "Zahlungserinnerung", 10, 0, 10, True, "Bitte zahlen Sie {betrag} bis {frist}."),
    DunningLevel(2, "1. Mahnung", 14, 2000, 10, True, "Mahnung {name}"),
    DunningLevel(3, "2. Mahnung", 14, 3000, 10, True, "Letzte Mahnung"),
), minimum_minor=1000, handover=Handover.ENFORCEMENT)


def item(id_: int, due: date, open_minor: int = 10_000, account: int = 1, **kw) -> ItemState:
    return ItemState(id_, account, due, kw.pop("category", "FEE_MONTH"), open_minor, f"Posten {id_}", **kw)


def one(*items: ItemState, credit: int = 0, **kw):
    proposal = propose([AccountState(1, tuple(items), credit)], POLICY, kw.pop("run", RUN), **kw)
    return proposal.accounts[0] if proposal.accounts else None


def test_level_one_only_after_its_days_past_the_due_date():
    assert one(item(1, RUN - timedelta(days=9))) is None
    line = one(item(1, RUN - timedelta(days=10)))
    assert (line.letter_level, line.reminded[0].level, line.fee_minor) == (1, 1, 0)


def test_next_level_counts_from_the_previous_reminder_and_levels_are_never_skipped():
    old = item(1, date(2026, 1, 31))  # ten months overdue, never reminded: level 1, not 3
    assert one(old).letter_level == 1
    reminded = replace(old, last_level=1, last_reminded=RUN - timedelta(days=13), last_deadline=RUN - timedelta(days=3))
    assert one(reminded) is None  # 14 days after the level-1 reminder not yet passed
    line = one(replace(reminded, last_reminded=RUN - timedelta(days=14)))
    assert (line.letter_level, line.fee_minor, line.amount_minor) == (2, 2000, 12_000)


def test_last_level_is_handed_over_after_its_deadline_and_never_reminded_again():
    at_last = item(1, date(2026, 6, 30), last_level=3, last_reminded=RUN - timedelta(days=30), last_deadline=RUN)
    assert one(at_last) is None  # the last letter's deadline is today: wait
    line = one(replace(at_last, last_deadline=RUN - timedelta(days=1)))
    assert [l.action for l in line.lines] == [Action.HANDOVER] and line.letter_level == 0 and line.fee_minor == 0
    none = replace(POLICY, handover=Handover.NONE)
    assert propose([AccountState(1, (replace(at_last, last_deadline=RUN - timedelta(days=1)),))], none, RUN).accounts == ()
    assert one(replace(at_last, handed_over=RUN - timedelta(days=5), last_deadline=RUN - timedelta(days=9))) is None


def test_one_letter_per_account_at_the_highest_level_with_the_fee_once():
    a = item(1, date(2026, 8, 31), last_level=1, last_reminded=RUN - timedelta(days=20))
    b = item(2, RUN - timedelta(days=12))
    c = item(3, RUN - timedelta(days=11), open_minor=5_000)
    line = one(a, b, c)
    assert [(l.item.id, l.level) for l in line.reminded] == [(1, 2), (2, 1), (3, 1)]
    assert (line.letter_level, line.fee_minor, line.amount_minor) == (2, 2000, 27_000)


def test_blocks_and_exclusions_are_shown_with_their_reason():
    a, b = item(1, date(2026, 9, 30)), item(2, date(2026, 10, 31))
    line = one(a, b, blocks=Blocks(items={1: "Mahnsperre: bestritten"}))
    assert [(l.item.id, l.action, l.reason) for l in line.lines] == [
        (1, Action.SKIP, "Mahnsperre: bestritten"), (2, Action.REMIND, "")]
    line = one(a, b, blocks=Blocks(accounts={1: "Mahnsperre: Vereinbarung"}))
    assert line.letter_level == 0 and line.reason == "Mahnsperre: Vereinbarung"
    assert all(l.action is Action.SKIP for l in line.lines)
    line = one(a, b, excluded_items=[2])
    assert [l.action for l in line.lines] == [Action.REMIND, Action.SKIP] and line.amount_minor == 10_000
    assert one(a, b, excluded_accounts=[1]).reason == "Vom Sachbearbeiter ausgenommen"


def test_minimum_amount_and_unallocated_credit_stop_the_letter():
    small = one(item(1, date(2026, 9, 30), open_minor=999))
    assert small.letter_level == 0 and "unter dem Mindestbetrag 10.00" in small.reason
    assert one(item(1, date(2026, 9, 30), open_minor=1000)).letter_level == 1
    credit = one(item(1, date(2026, 9, 30)), credit=500)
    assert credit.letter_level == 0 and "Guthaben 5.00" in credit.reason


def test_fees_never_start_a_letter_and_ride_along_at_the_letters_level():
    fee = item(9, RUN - timedelta(days=30), open_minor=2000, category="REMINDER_FEE")
    assert one(fee) is None
    line = one(fee, item(1, date(2026, 9, 30), open_minor=900 + 100))
    assert [(l.item.id, l.level, l.action) for l in line.lines] == [(1, 1, Action.REMIND), (9, 1, Action.REMIND)]
    assert line.amount_minor == 3000
    # fees do not count toward the minimum
    assert one(fee, item(1, date(2026, 9, 30), open_minor=999)).letter_level == 0


def test_policy_validation_names_fields_in_german():
    bad = DunningPolicy((DunningLevel(1, "", 0, -5, 0, False, "Hallo {vorname"),
                         DunningLevel(3, "B", 5, 0, 10, False, "{unbekannt}")), -1)
    with pytest.raises(ValidationError) as exc:
        validate_policy(bad)
    fields = {e.field for e in exc.value.errors}
    assert {"minimum", "levels[0].name", "levels[0].days", "levels[0].fee", "levels[0].payment_days",
            "levels[0].text", "levels[1].position", "levels[1].text"} <= fields
    assert "Stufe 1, Tage nach Fälligkeit" in str(exc.value) and "{unbekannt}" in str(exc.value)
    for country in ("CH", "DE"):
        assert validate_policy(default_policy(country)).levels[0].name == "Zahlungserinnerung"
    assert fill_text("Bitte {betrag} bis {frist}", {"betrag": "CHF 10.00", "frist": "04.12.2026"}) == \
        "Bitte CHF 10.00 bis 04.12.2026"


def test_deadline_and_waiting():
    assert deadline(POLICY, 2, RUN) == RUN + timedelta(days=10)
    reminded = item(1, date(2026, 10, 1), last_level=1, last_reminded=date(2026, 11, 1))
    assert waiting_until(reminded, POLICY) == date(2026, 11, 15)


histories = st.builds(
    lambda id_, due_ago, level, reminded_ago, open_minor, fee: ItemState(
        id_, 1, RUN - timedelta(days=due_ago), "REMINDER_FEE" if fee else "FEE_MONTH", open_minor, "",
        level, (RUN - timedelta(days=reminded_ago)) if level else None,
        (RUN - timedelta(days=reminded_ago - 10)) if level else None),
    st.integers(1, 10_000), st.integers(-30, 400), st.integers(0, 3), st.integers(0, 60), st.integers(1, 50_000),
    st.booleans())


@settings(max_examples=300, deadline=None)
@given(st.lists(histories, max_size=8, unique_by=lambda i: i.id), st.integers(0, 2000),
       st.sets(st.integers(1, 10_000), max_size=3))
def test_properties_of_the_proposal(items, credit, blocked):
    proposal = propose([AccountState(1, tuple(items), credit)], POLICY, RUN, Blocks(items={i: "gesperrt" for i in blocked}))
    for account in proposal.accounts:
        principal = [l for l in account.lines if not l.item.is_fee]
        for line in principal:
            if line.action is Action.REMIND:
                assert line.level == min(line.item.last_level, POLICY.last) + 1  # never skip a level
            if line.action is Action.HANDOVER:
                assert line.item.last_level >= POLICY.last
            if line.item.id in blocked:
                assert line.action is Action.SKIP
        if account.letter_level:
            assert account.letter_level == max(l.level for l in account.reminded)
            assert account.fee_minor == POLICY.level(account.letter_level).fee_minor  # once per letter
            assert account.amount_minor == sum(l.item.open_minor for l in account.reminded) + account.fee_minor
            assert sum(l.item.open_minor for l in principal if l.action is not Action.SKIP) >= POLICY.minimum_minor
            assert credit == 0 and any(not l.item.is_fee for l in account.reminded)
        else:
            assert account.fee_minor == 0
    # after the letters, the same day proposes no reminder again (the history moved on)
    after = []
    for it in items:
        line = next((l for a in proposal.accounts for l in a.lines if l.item.id == it.id), None)
        if line is not None and line.action is Action.REMIND:
            it = replace(it, last_level=line.level, last_reminded=RUN, last_deadline=deadline(POLICY, line.level, RUN))
        elif line is not None and line.action is Action.HANDOVER:
            it = replace(it, handed_over=RUN)
        after.append(it)
    again = propose([AccountState(1, tuple(after), credit)], POLICY, RUN, Blocks(items={i: "gesperrt" for i in blocked}))
    assert not any(l.action is not Action.SKIP and not l.item.is_fee for a in again.accounts for l in a.lines)
    assert reached(replace(items[0], handed_over=RUN), POLICY, RUN) is None if items else True
