"""fast.build makes the same objects as the dataclass constructors it replaces on the hot path."""
from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from sollhaben.domain.kita.fast import build
from sollhaben.domain.kita.model import BillingMode, ComputedLine, LineDeduction, LineKind, PayerAmount
from sollhaben.domain.kita.run_types import PlannedPosting, PostingKind
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month

LINE = dict(key="FEE:1", kind=LineKind.FEE, catalogue_id=1, version_id=2, name="Krippe", mode=BillingMode.MONTHLY,
            tier=1, quantity=Decimal(1), unit_amount=Money(100), gross=Money(100),
            deductions=(LineDeduction("E", Money(10), 3),), net=Money(90), payers=(PayerAmount(5, Money(90)),),
            is_meal=False, resets=False)


def posting_fields(line):
    return dict(idempotency_key="k", kind=PostingKind.REGULAR, facility_id=1, child_id=2, payer_id=5,
                run_month=Month(2026, 1), value_month=Month(2026, 1), due_date=date(2026, 1, 15), line_key="FEE:1",
                line_kind=LineKind.FEE, catalogue_id=1, name="Krippe", amount=Money(90), share=Money(90),
                posted_before=Money(0), line=line, quantity=Decimal(1), unit_amount=Money(100), is_meal=False)


@pytest.mark.parametrize("cls, fields", [(ComputedLine, LINE), (PlannedPosting, posting_fields(ComputedLine(**LINE)))])
def test_build_equals_the_constructor(cls, fields):
    assert {f.name for f in dataclasses.fields(cls)} == set(fields)  # every field is given
    assert not hasattr(cls, "__post_init__") and not hasattr(cls, "__slots__")
    built, constructed = build(cls, **fields), cls(**fields)
    assert built == constructed and hash(built) == hash(constructed) and repr(built) == repr(constructed)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.name = "x"
