"""Property: after a transfer every month carries the tier it should, and nothing else moved."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sollhaben.domain.errors import ErrorCollector
from sollhaben.domain.income.transfer import income_tier_in, plan_transfer
from sollhaben.domain.kita.model import FeeLine, PayerShare
from sollhaben.domain.kita.periods import check_lock
from sollhaben.domain.months import Month
from tests.unit.domain.income.builders import (
    CHOSEN_GROUP,
    MOTHER,
    assessment,
    catalogue,
    child,
    income_line,
    next_run,
    period,
)

FIRST = Month(2025, 1)
HORIZON = 40  # months looked at from FIRST


@st.composite
def histories(draw):
    """Consecutive periods (the last one open or not), with or without an income line, random tiers."""
    starts = sorted(draw(st.sets(st.integers(0, 30), min_size=1, max_size=5)))
    last_open = draw(st.booleans())
    periods = []
    for n, offset in enumerate(starts):
        end = FIRST + (starts[n + 1] - 1) if n + 1 < len(starts) else (None if last_open else FIRST + 32)
        lines = [FeeLine(CHOSEN_GROUP, 1, payers=(PayerShare(MOTHER, None, True),))]
        if draw(st.booleans()) or n == 0:
            lines.append(income_line(draw(st.one_of(st.none(), st.integers(1, 6)))))
        periods.append(period(str(FIRST + offset), str(end) if end else None, lines, id=n + 1))
    start = draw(st.integers(0, 34))
    length = draw(st.one_of(st.none(), st.integers(0, 12)))
    locked = draw(st.one_of(st.none(), st.integers(0, 36)))
    return periods, start, length, locked, draw(st.integers(1, 6))


def covering(periods, month):
    found = [p for p in periods if p.valid.contains(month)]
    assert len(found) <= 1, f"periods overlap in {month}"
    return found[0] if found else None


@settings(max_examples=150, deadline=None)
@given(histories())
def test_every_month_gets_the_new_tier_exactly_where_it_should(history):
    periods, start, length, locked, tier = history
    valid_from = FIRST + start
    valid_to = valid_from + length if length is not None else None
    locked_through = FIRST + locked if locked is not None else None
    plan = plan_transfer(assessment(str(valid_from), str(valid_to) if valid_to else None), tier,
                         child(periods), next_run("01.2025"), locked_through=locked_through)
    cat = catalogue()
    for index in range(HORIZON):
        month = FIRST + index
        before, after = covering(periods, month), covering(plan.periods, month)
        assert (before is None) == (after is None), f"coverage changed in {month}"
        if before is None:
            continue
        assert after.fee_lines[0] == before.fee_lines[0]  # the CHOSEN line never changes
        assert len(after.fee_lines) == len(before.fee_lines)
        inside = (valid_from <= month and (valid_to is None or month <= valid_to)
                  and (locked_through is None or month > locked_through))
        has_income_line = len(before.fee_lines) == 2
        expected = tier if inside and has_income_line else income_tier_in(periods, cat, month)
        assert income_tier_in(plan.periods, cat, month) == expected, f"tier in {month}"
    errors = ErrorCollector()
    stored = {p.id: p for p in periods}
    for new in plan.changed:
        check_lock(errors, new, [stored[new.id]], cat, locked_through)
    for new in plan.created:
        check_lock(errors, new, periods, cat, locked_through)
    assert errors.errors == []
