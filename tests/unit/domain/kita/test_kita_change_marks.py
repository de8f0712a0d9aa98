"""The summary layer's change mark: where a catalogue price changes inside a period."""
from __future__ import annotations

from decimal import Decimal

from sollhaben.domain.kita.calculation import summary_change_marks
from sollhaben.domain.kita.model import (
    BillingMode,
    Discount,
    DiscountKind,
    DiscountVersion,
    ExtraCost,
    ExtraCostVersion,
    FeeGroupVersion,
    TierSource,
)
from sollhaben.domain.months import Validity
from tests.unit.domain.kita.builders import (
    KIGA_30H,
    KRIPPE,
    LUNCH,
    PERCENT_10,
    always,
    catalogue,
    eur,
    extra,
    fee,
    fee_group,
    m,
    period,
    tiers,
)


def krippe_with(*versions):
    return fee_group(KRIPPE, "Krippe Ganztag", BillingMode.MONTHLY, versions=tuple(versions))


def test_price_change_inside_the_period_is_marked_with_its_month():
    group = krippe_with(FeeGroupVersion(always("01.2025", "08.2026"), tiers("291.20", "250.00")),
                        FeeGroupVersion(always("09.2026"), tiers("300.00", "250.00")))
    cat = catalogue(fee_groups={KRIPPE: group})
    assert summary_change_marks(period("01.2026", fee_lines=[fee(KRIPPE)]), cat) == [("FEE:1", m("09.2026"))]
    # a new version that keeps the tier's amount is no change for that line
    assert summary_change_marks(period("01.2026", fee_lines=[fee(KRIPPE, tier=2)]), cat) == []
    # outside the period: no mark; at the period's own start: no mark
    assert summary_change_marks(period("01.2026", "08.2026", fee_lines=[fee(KRIPPE)]), cat) == []
    assert summary_change_marks(period("09.2026", fee_lines=[fee(KRIPPE)]), cat) == []


def test_automatic_tiers_mark_any_change_of_the_table():
    group = fee_group(KIGA_30H, "Kindergarten 30 h", BillingMode.MONTHLY, source=TierSource.WUERTTEMBERG, versions=(
        FeeGroupVersion(always("01.2025", "12.2026"), tiers("162.00", "126.00", "85.00", "28.00")),
        FeeGroupVersion(always("01.2027"), tiers("165.00", "128.00", "86.00", "28.00"))))
    cat = catalogue(fee_groups={KIGA_30H: group})
    assert summary_change_marks(period("09.2026", fee_lines=[fee(KIGA_30H, tier=None)]), cat) == [
        ("FEE:3", m("01.2027"))]


def test_discount_and_extra_cost_changes_are_marked():
    percent = Discount("Familienpass", DiscountKind.PERCENT, (
        DiscountVersion(always("01.2020", "03.2026"), percent=Decimal("10")),
        DiscountVersion(always("04.2026"), percent=Decimal("15"))), id=PERCENT_10)
    lunch = ExtraCost("Mittagessen", BillingMode.PER_UNIT, True, (
        ExtraCostVersion(always("01.2020", "06.2026"), eur("3.80")),
        ExtraCostVersion(always("07.2026"), eur("4.00"))), id=LUNCH)
    cat = catalogue(discounts={PERCENT_10: percent}, extra_costs={LUNCH: lunch})
    p = period("01.2026", fee_lines=[fee(KRIPPE, discount_ids=(PERCENT_10,))], extra_lines=[extra(LUNCH)])
    assert summary_change_marks(p, cat) == [("FEE:1", m("04.2026")), ("EXTRA:20", m("07.2026"))]


def test_a_version_gap_is_marked_where_the_entry_ends():
    group = krippe_with(FeeGroupVersion(Validity(m("01.2025"), m("06.2026")), tiers("291.20")))
    assert summary_change_marks(period("01.2026", fee_lines=[fee(KRIPPE)]), catalogue(fee_groups={KRIPPE: group})) == [
        ("FEE:1", m("07.2026"))]
