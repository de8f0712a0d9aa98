"""Render the calculation sheet screenshots into docs/screenshots/ (re-run after a layout change).

    .venv/bin/python scripts/screenshots_income_sheet.py [--out docs/screenshots]

income_sheet.png: page 1 of the spec's example (docs/income-scale.md → Calculation sheet): the letter
head, the facts and the income items of both persons; income_sheet_calculation.png: page 2 with the
calculation, the monthly fee and the closing. Pure reports (no database), pypdfium2 at 110 dpi.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def example_pdf() -> bytes:
    """The spec's example: thresholds 2/3/4 → 1 800/2 100/2 400 (+300), brackets 0/250/500/750/1 000,
    person 1 annual (salary 30 000, expenses 1 200, maintenance paid 2 400), person 2 monthly salary 800."""
    from sollhaben.domain.income.model import (
        AssessmentPerson,
        IncomeAssessment,
        IncomeItem,
        IncomeItemType,
        IncomeScaleConfig,
        IncomeScaleVersion,
        IncomeThreshold,
        ItemSign,
        TierBracket,
    )
    from sollhaben.domain.money import Currency, Money
    from sollhaben.domain.months import Month, Validity
    from sollhaben.reports.income_sheet import render_sheet
    from sollhaben.reports.income_sheet_model import SheetFeeLine, sheet_from
    from sollhaben.reports.letter_model import Sender
    from sollhaben.reports.letter_texts import recipient_lines

    eur = Money.of
    types = (IncomeItemType("Lohn/Gehalt", ItemSign.PLUS, 1, 11), IncomeItemType("Rente", ItemSign.PLUS, 2, 12),
             IncomeItemType("Werbungskosten", ItemSign.MINUS, 5, 15),
             IncomeItemType("Unterhalt gezahlt", ItemSign.MINUS, 6, 16))
    version = IncomeScaleVersion(
        Validity(Month(2020, 1)),
        (IncomeThreshold(2, eur("1800.00")), IncomeThreshold(3, eur("2100.00")), IncomeThreshold(4, eur("2400.00"))),
        eur("300.00"),
        tuple(TierBracket(eur(up_to), tier) for tier, up_to in enumerate(("0.00", "250.00", "500.00", "750.00",
                                                                          "1000.00"), start=1)),
        highest_tier=6, exemption_percent=Decimal(5), exemption_fixed=eur("50.00"))
    config = IncomeScaleConfig(Currency.EUR, types, (version,))
    assessment = IncomeAssessment(
        child_id=100, facility_id=7, valid_from=Month(2026, 1), household_size=4, declaration_date=date(2026, 3, 20),
        persons=(AssessmentPerson(1, False, (IncomeItem(11, eur("30000.00")), IncomeItem(15, eur("1200.00")),
                                             IncomeItem(16, eur("2400.00")))),
                 AssessmentPerson(2, True, (IncomeItem(11, eur("800.00")),))))
    sender = Sender("Kita-Verbund Musterstadt", "Hauptstraße", "5", "70173", "Stuttgart", "DE", phone="0711 123456",
                    email="beitraege@kita-musterstadt.de")
    sheet = sheet_from(
        assessment, config, country="DE", sender=sender,
        recipient=recipient_lines("Frau Laura Gerber", "", "Gartenweg", "7", "70174", "Stuttgart", "DE", "DE"),
        person_names={1: "Laura Gerber", 2: "Reto Gerber"}, child_name="Mia Gerber", child_birth_date=date(2022, 5, 3),
        facility_name="Kita Sonnenschein", place="Stuttgart", date=date(2026, 4, 2),
        salutation="Sehr geehrte Frau Gerber,",
        fee_lines=(SheetFeeLine("Kindergarten einkommensabhängig", 3, eur("180.00")),),
        contact="Kita-Verwaltung, Frau Keller, Tel. 0711 123456-12, beitraege@kita-musterstadt.de")
    return render_sheet(sheet)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(example_pdf())
    for index, name in ((0, "income_sheet.png"), (1, "income_sheet_calculation.png")):
        document[index].render(scale=110 / 72).to_pil().save(args.out / name)
        print(args.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
