"""Month values and validity ranges [valid_from, valid_to] (valid_to open-ended)."""
from __future__ import annotations

from datetime import date
from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.months import Month, Validity, check_no_overlap, find_overlap

MIN_INDEX = Month(1900, 1).index
MAX_INDEX = Month(2999, 12).index
indices = st.integers(MIN_INDEX, MAX_INDEX)
months = indices.map(Month.from_index)


# --- parsing ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01.2027", Month(2027, 1)),
        ("1.2027", Month(2027, 1)),
        ("12.2026", Month(2026, 12)),
        (" 03.2026 ", Month(2026, 3)),
        ("03/2026", Month(2026, 3)),
        ("3-2026", Month(2026, 3)),
        ("2027-01", Month(2027, 1)),
        ("2027-1", Month(2027, 1)),
        ("2027-12", Month(2027, 12)),
    ],
)
def test_parse(text, expected):
    assert Month.parse(text) == expected


@pytest.mark.parametrize("text", ["1.26", "", "   ", "abc", "2027", "01.2027.1", "2027-001", "1.2.2027"])
def test_parse_refuses_shape_with_format_hint(text):
    with pytest.raises(ValidationError) as info:
        Month.parse(text, "Gültig ab")
    message = str(info.value)
    assert message.startswith("Gültig ab:")
    assert "MM.JJJJ" in message
    assert info.value.errors[0].field == "Gültig ab"


def test_parse_none_is_refused_like_empty():
    with pytest.raises(ValidationError):
        Month.parse(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["13.2026", "00.2026", "0.2026", "2026-13", "2026-00"])
def test_parse_refuses_month_out_of_range_naming_the_rule(text):
    with pytest.raises(ValidationError) as info:
        Month.parse(text)
    message = str(info.value)
    assert message.startswith("Monat:")
    assert "01 bis 12" in message


@pytest.mark.parametrize("text", ["01.1899", "01.3000", "0001-01"])
def test_parse_refuses_year_out_of_range(text):
    with pytest.raises(ValidationError) as info:
        Month.parse(text)
    assert "1900 bis 2999" in str(info.value)


def test_constructor_guards():
    for year, month in [(2026, 0), (2026, 13), (1899, 5), (3000, 1)]:
        with pytest.raises(ValueError):
            Month(year, month)


# --- arithmetic and calendar ------------------------------------------------------------------

def test_str_iso_and_of():
    assert str(Month(2027, 1)) == "01.2027"
    assert Month(2027, 1).iso() == "2027-01"
    assert Month.of(date(2026, 11, 24)) == Month(2026, 11)


def test_arithmetic():
    assert Month(2026, 12) + 1 == Month(2027, 1)
    assert Month(2026, 1) + 25 == Month(2028, 2)
    assert Month(2027, 1) - 1 == Month(2026, 12)
    assert Month(2026, 3) + (-3) == Month(2025, 12)
    assert Month(2027, 1) - Month(2026, 12) == 1
    assert Month(2026, 1) - Month(2027, 1) == -12
    assert Month(2026, 5) + 0 == Month(2026, 5)


def test_ordering():
    assert Month(2026, 12) < Month(2027, 1)
    assert Month(2026, 2) > Month(2026, 1)
    assert sorted([Month(2027, 1), Month(2026, 12), Month(2026, 2)]) == [
        Month(2026, 2), Month(2026, 12), Month(2027, 1)]


@pytest.mark.parametrize(
    ("month", "last", "days"),
    [
        (Month(2024, 2), date(2024, 2, 29), 29),  # leap year
        (Month(2026, 2), date(2026, 2, 28), 28),
        (Month(2000, 2), date(2000, 2, 29), 29),  # divisible by 400
        (Month(1900, 2), date(1900, 2, 28), 28),  # divisible by 100, not 400
        (Month(2100, 2), date(2100, 2, 28), 28),
        (Month(2026, 4), date(2026, 4, 30), 30),
        (Month(2026, 12), date(2026, 12, 31), 31),
        (Month(2026, 1), date(2026, 1, 31), 31),
    ],
)
def test_first_and_last_day(month, last, days):
    assert month.first_day == date(month.year, month.month, 1)
    assert month.last_day == last
    assert month.days == days


@given(indices)
def test_index_round_trip(index):
    month = Month.from_index(index)
    assert month.index == index
    assert Month.from_index(month.index) == month
    assert Month.parse(str(month)) == month
    assert Month.parse(month.iso()) == month
    assert Month.of(month.first_day) == month == Month.of(month.last_day)


@given(months, st.integers(-200, 200))
def test_add_and_subtract_agree(month, n):
    if MIN_INDEX <= month.index + n <= MAX_INDEX:
        moved = month + n
        assert moved - month == n
        assert moved - n == month
        assert (moved > month) == (n > 0)


# --- Validity -------------------------------------------------------------------------------

def test_validity_to_before_from_refused_in_german():
    with pytest.raises(ValidationError) as info:
        Validity(Month(2026, 5), Month(2026, 4))
    message = str(info.value)
    assert "Gültig bis (04.2026) liegt vor Gültig ab (05.2026)" in message
    assert info.value.errors[0].field == "valid_to"


def test_validity_single_month_and_open():
    assert Validity(Month(2026, 5), Month(2026, 5)).contains(Month(2026, 5))
    assert str(Validity(Month(2026, 5))) == "05.2026 – offen"
    assert str(Validity(Month(2026, 5), Month(2026, 7))) == "05.2026 – 07.2026"


def test_validity_parse():
    assert Validity.parse("01.2026", "12.2026") == Validity(Month(2026, 1), Month(2026, 12))
    assert Validity.parse("01.2026") == Validity(Month(2026, 1), None)
    assert Validity.parse("01.2026", "  ") == Validity(Month(2026, 1), None)
    with pytest.raises(ValidationError) as info:
        Validity.parse("13.2026")
    assert str(info.value).startswith("Gültig ab:")
    with pytest.raises(ValidationError) as info:
        Validity.parse("01.2026", "x")
    assert str(info.value).startswith("Gültig bis:")
    with pytest.raises(ValidationError):
        Validity.parse("05.2026", "04.2026")


def test_contains():
    closed = Validity(Month(2026, 3), Month(2026, 6))
    assert not closed.contains(Month(2026, 2))
    assert closed.contains(Month(2026, 3))
    assert closed.contains(Month(2026, 6))
    assert not closed.contains(Month(2026, 7))
    open_ = Validity(Month(2026, 3))
    assert not open_.contains(Month(2026, 2))
    assert open_.contains(Month(2999, 12))


def test_months_iteration():
    closed = Validity(Month(2026, 11), Month(2027, 2))
    assert list(closed.months()) == [Month(2026, 11), Month(2026, 12), Month(2027, 1), Month(2027, 2)]
    assert list(closed.months(until=Month(2026, 12))) == [Month(2026, 11), Month(2026, 12)]
    assert list(closed.months(until=Month(2030, 1))) == list(closed.months())
    assert list(closed.months(until=Month(2026, 1))) == []
    open_ = Validity(Month(2026, 11))
    assert list(open_.months(until=Month(2027, 1))) == [Month(2026, 11), Month(2026, 12), Month(2027, 1)]
    with pytest.raises(ValueError):
        list(open_.months())


def test_closed_before():
    v = Validity(Month(2026, 1))
    assert v.closed_before(Month(2026, 7)) == Validity(Month(2026, 1), Month(2026, 6))
    with pytest.raises(ValidationError):
        v.closed_before(Month(2026, 1))


# --- overlaps against brute force over a bounded range --------------------------------------

LO, HI = Month(2025, 1).index, Month(2027, 12).index  # open ends reach HI within this window


@st.composite
def validities(draw):
    start = draw(st.integers(LO, HI - 1))
    open_ended = draw(st.booleans())
    if open_ended:
        return Validity(Month.from_index(start))
    end = draw(st.integers(start, HI - 1))
    return Validity(Month.from_index(start), Month.from_index(end))


def _month_set(v: Validity) -> set[int]:
    return {m.index for m in v.months(until=Month.from_index(HI))}


@given(validities(), validities())
def test_overlaps_matches_brute_force(a, b):
    expected = bool(_month_set(a) & _month_set(b))
    assert a.overlaps(b) == expected
    assert b.overlaps(a) == expected
    assert a.overlaps(a)


@given(validities(), st.integers(LO, HI).map(Month.from_index))
def test_contains_matches_months(v, month):
    assert v.contains(month) == (month.index in _month_set(v))


@given(st.lists(validities(), max_size=7))
def test_find_overlap_agrees_with_pairwise_brute_force(ranges):
    items = list(enumerate(ranges))
    any_clash = any(_month_set(a) & _month_set(b) for (_, a), (_, b) in combinations(items, 2))
    found = find_overlap(items)
    if not any_clash:
        assert found is None
        check_no_overlap(items)  # does not raise
    else:
        assert found is not None
        i, j = found
        assert i != j
        assert _month_set(ranges[i]) & _month_set(ranges[j])
        with pytest.raises(ValidationError):
            check_no_overlap(items)


def test_check_no_overlap_message_names_both_periods():
    a = Validity(Month(2026, 1), Month(2026, 6))
    b = Validity(Month(2026, 6))
    with pytest.raises(ValidationError) as info:
        check_no_overlap([("alt", a), ("neu", b)], what="Tarif")
    message = str(info.value)
    assert "Tarif 01.2026 – 06.2026" in message
    assert "Tarif 06.2026 – offen" in message
    assert "überschneidet sich" in message
    assert info.value.errors[0].field == "valid_from"


def test_check_no_overlap_adjacent_ranges_are_fine():
    check_no_overlap([
        (1, Validity(Month(2026, 7))),
        (2, Validity(Month(2026, 1), Month(2026, 6))),
    ])
    assert find_overlap([]) is None
    assert find_overlap([("x", Validity(Month(2026, 1)))]) is None


def test_check_no_overlap_with_unsaved_rows_sharing_a_key():
    # new rows have no id yet: the message must still name the two different periods
    a = Validity(Month(2026, 1), Month(2026, 6))
    b = Validity(Month(2026, 3), Month(2026, 9))
    c = Validity(Month(2027, 1))
    with pytest.raises(ValidationError) as info:
        check_no_overlap([(None, a), (None, b), (None, c)])
    message = str(info.value)
    assert "01.2026 – 06.2026" in message and "03.2026 – 09.2026" in message


def test_check_no_overlap_with_unhashable_keys():
    a = Validity(Month(2026, 1), Month(2026, 6))
    b = Validity(Month(2026, 3))
    with pytest.raises(ValidationError):
        check_no_overlap([({"row": 1}, a), ({"row": 2}, b)])
