"""The calculation sheet (Berechnungsblatt) as PDF: the spec's example figure by figure in German
format, the highest tier, a Swiss sheet in CHF, print runs with progress and cancel, the page break
with the table head repeated, and a layout check that no two texts overlap or leave the text area."""
from __future__ import annotations

import io
import time
from concurrent.futures import CancelledError
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from sollhaben.domain.income.calculation import calculate
from sollhaben.domain.income.model import (
    AssessmentPerson,
    IncomeItem,
    IncomeItemType,
    IncomeScaleConfig,
    ItemSign,
)
from sollhaben.domain.money import Currency, Money
from sollhaben.reports import income_sheet as report
from sollhaben.reports import income_sheet_texts as texts
from sollhaben.reports.income_sheet_model import IncomeSheet, SheetFeeLine, sheet_from
from sollhaben.reports.kita_assessment_pdf import width
from sollhaben.reports.letter import BODY_BOTTOM
from sollhaben.reports.letter_model import Sender
from sollhaben.reports.letter_texts import recipient_lines
from tests.unit.domain.income import builders as b

SENDER_DE = Sender("Kita-Verbund Musterstadt", "Hauptstraße", "5", "70173", "Stuttgart", "DE", phone="0711 123456",
                   email="beitraege@kita-musterstadt.de")
SENDER_CH = Sender("Gemeinde Rorschach, Kinderbetreuung", "Hauptstrasse", "29", "9400", "Rorschach", "CH",
                   phone="071 844 21 21", email="kita@rorschach.ch")
NAMES = {b.MOTHER: "Laura Gerber", b.FATHER: "Reto Gerber"}
CONTACT = "Kita-Verwaltung, Frau Keller, Tel. 0711 123456-12, beitraege@kita-musterstadt.de"


def example_sheet(**overrides) -> IncomeSheet:
    """The spec's example: household of 4, person 1 annual, person 2 monthly; tier 3 = 180.00."""
    assessment = overrides.pop("assessment", b.assessment())
    config = overrides.pop("config", b.config())
    values = dict(
        country="DE", sender=SENDER_DE,
        recipient=recipient_lines("Frau Laura Gerber", "", "Gartenweg", "7", "70174", "Stuttgart", "DE", "DE"),
        person_names=NAMES, child_name="Mia Gerber", child_birth_date=date(2022, 5, 3),
        facility_name="Kita Sonnenschein", place="Stuttgart", date=date(2026, 4, 2),
        salutation="Sehr geehrte Frau Gerber,",
        fee_lines=(SheetFeeLine("Kindergarten einkommensabhängig", 3, b.eur("180.00")),), contact=CONTACT)
    values.update(overrides)
    return sheet_from(assessment, config, **values)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def right_edge(pdf: bytes, text: str, page: int) -> float:
    """Where the first occurrence of `text` on the page ends, in mm from the left."""
    textpage = pdfium.PdfDocument(pdf)[page].get_textpage()
    found = textpage.search(text, match_case=True).get_next()
    assert found is not None, text
    index, count = found
    return textpage.get_charbox(index + count - 1, loose=True)[2] / mm


def assert_clean_layout(sheet: IncomeSheet) -> None:
    """Every text inside the text area and above the page foot; texts sharing a line do not overlap."""
    for page in report.layout(sheet):
        boxes = []
        for y, item in page.items:
            for x, dy, text, font, size, right in item.texts:
                w = width(text, font, size) / mm
                x0 = x - w if right else x
                assert report.LEFT - 0.01 <= x0 and x0 + w <= report.COL_AMOUNT + 0.01, text
                assert y + dy <= BODY_BOTTOM + 0.01, text
                boxes.append((y + dy, x0, x0 + w, text))
        boxes.sort()
        for i, (y1, a0, a1, t1) in enumerate(boxes):
            for y2, b0, b1, t2 in boxes[i + 1:]:
                if y2 - y1 >= 2.5:  # 8–10 pt text: baselines 2.5 mm apart do not collide
                    break
                assert a1 <= b0 + 0.01 or b1 <= a0 + 0.01, f"{t1!r} overlaps {t2!r}"


# --- the spec's example ---------------------------------------------------------------------------

def test_the_builder_takes_every_figure_from_the_calculation():
    sheet = example_sheet()
    first, second = sheet.persons
    assert (first.name, first.monthly_entry, first.annual_income) == ("Laura Gerber", False, b.eur("26400.00"))
    assert [(i.label, i.sign, i.annual) for i in first.items] == [  # items not entered are left out
        ("Lohn/Gehalt", ItemSign.PLUS, b.eur("30000.00")), ("Werbungskosten", ItemSign.MINUS, b.eur("1200.00")),
        ("Unterhalt gezahlt", ItemSign.MINUS, b.eur("2400.00"))]
    [salary] = second.items
    assert (salary.entered, salary.annual, salary.monthly_entry) == (b.eur("800.00"), b.eur("9600.00"), True)
    assert (sheet.annual_income, sheet.monthly_income) == (b.eur("36000.00"), b.eur("3000.00"))
    assert (sheet.exemption_percent, sheet.exemption_percent_amount, sheet.exemption_fixed, sheet.exemption) == (
        Decimal("5"), b.eur("150.00"), b.eur("50.00"), b.eur("200.00"))
    assert (sheet.income_after_exemption, sheet.household_size, sheet.threshold) == (
        b.eur("2800.00"), 4, b.eur("2400.00"))
    assert (sheet.relevant_amount, sheet.tier) == (b.eur("400.00"), 3)
    assert (sheet.bracket_above, sheet.bracket_up_to) == (b.eur("250.00"), b.eur("500.00"))
    assert sheet.threshold_base is None and sheet.currency == "EUR"
    assert sheet.declaration_date == date(2026, 3, 20) and sheet.valid_from == b.m("01.2026")
    every = example_sheet(show_zero_items=True)
    assert len(every.persons[0].items) == len(b.ITEM_TYPES)
    given = example_sheet(calculation=calculate(b.assessment(), b.config()))
    assert given == sheet


def test_the_example_sheet_states_every_figure_in_german_format():
    pdf = report.render_sheet(example_sheet())
    pages = page_texts(pdf)
    assert len(pages) == 2
    first, second = pages
    for text in ("Kita-Verbund Musterstadt", "Frau Laura Gerber", "Gartenweg 7", "70174 Stuttgart",
                 "Stuttgart, 02.04.2026", "Berechnung des Elternbeitrags ab 01.2026", "Sehr geehrte Frau Gerber,",
                 "Kind: Mia Gerber, geb. 03.05.2022", "Einrichtung: Kita Sonnenschein", "Gültig: ab Januar 2026",
                 "Personen: Laura Gerber, Reto Gerber", "Haushaltsgröße: 4 Personen",
                 "Einkommenserklärung vom: 20.03.2026",
                 "Laura Gerber – Jahresbeträge", "Lohn/Gehalt + 30.000,00", "Werbungskosten − 1.200,00",
                 "Unterhalt gezahlt − 2.400,00", "Summe Laura Gerber 26.400,00",
                 "Reto Gerber – monatlich erfasst (× 12)", "Lohn/Gehalt + 800,00 × 12 = 9.600,00",
                 "Summe Reto Gerber 9.600,00", "Jahresbetrag EUR", "Seite 1 von 2"):
        assert text in first, text
    for text in ("Kita-Verbund Musterstadt – Berechnung des Elternbeitrags ab 01.2026", "Betrag EUR",
                 "Jahreseinkommen Laura Gerber 26.400,00", "+ Jahreseinkommen Reto Gerber 9.600,00",
                 "= Jahreseinkommen gesamt 36.000,00", "Monatseinkommen (Jahreseinkommen ÷ 12) 3.000,00",
                 "− Befreiungsbetrag 200,00", "5 % von 3.000,00 = 150,00, zuzüglich fester Betrag 50,00",
                 "= Einkommen nach Befreiung 2.800,00",
                 "− Einkommensgrenze für einen Haushalt mit 4 Personen 2.400,00",
                 "= Maßgeblicher Betrag 400,00", "Staffel 3", "maßgeblicher Betrag über 250,00 bis 500,00",
                 "Monatlicher Elternbeitrag", "Kindergarten einkommensabhängig Staffel 3 180,00 EUR",
                 "Die Staffel gilt ab Januar 2026", "Für Fragen erreichen Sie uns: Kita-Verwaltung, Frau Keller",
                 "Mit freundlichen Grüßen", "Seite 2 von 2"):
        assert text in second.replace("Tel. 0711 123456-12,\n", "Tel. 0711 123456-12, "), text
    assert "Rente" not in first  # a type not entered is not listed


def test_amounts_are_right_aligned_and_nothing_overlaps():
    sheet = example_sheet()
    pdf = report.render_sheet(sheet)
    for text, page in (("30.000,00", 0), ("9.600,00", 0), ("26.400,00", 0), ("36.000,00", 1), ("2.800,00", 1),
                       ("400,00", 1), ("180,00 EUR", 1)):
        assert right_edge(pdf, text, page) == pytest.approx(report.COL_AMOUNT, abs=0.05), text
    assert right_edge(pdf, "800,00 × 12 =", 0) == pytest.approx(report.COL_CALC, abs=0.05)
    assert_clean_layout(sheet)


def test_the_calculation_stays_together_on_one_page():
    pages = report.layout(example_sheet())
    [page] = [p for p in pages if any(t[2] == "Berechnung" and t[4] == 10.0 for _y, i in p.items for t in i.texts)]
    words = {t[2] for _y, item in page.items for t in item.texts}
    assert {"Jahreseinkommen gesamt", "Befreiungsbetrag", "Staffel", "3"} <= words


def test_output_is_deterministic_and_the_fast_text_writer_writes_what_reportlab_writes(monkeypatch):
    from sollhaben.reports import letter

    sheets = [example_sheet(), many_items(28), example_sheet()]
    fast = report.render_sheets(sheets)
    assert report.render_sheets(sheets) == fast
    monkeypatch.setattr(report, "Words", letter._Words)
    assert report.render_sheets(sheets) == fast


# --- highest tier, CHF, other figures -------------------------------------------------------------

def test_a_highest_tier_sheet_has_no_income_figures():
    assessment = b.assessment(highest_tier=True, persons=(AssessmentPerson(b.MOTHER),), household_size=3)
    sheet = example_sheet(assessment=assessment, salutation="",
                          fee_lines=(SheetFeeLine("Kindergarten einkommensabhängig", 6, b.eur("290.00")),))
    assert sheet.highest_tier_option and sheet.tier == 6 and sheet.annual_income is None
    [text] = (page.replace("\n", " ") for page in page_texts(report.render_sheet(sheet)))
    for part in ("Sehr geehrte Damen und Herren,", "Da uns kein Einkommensnachweis vorliegt, gilt die höchste",
                 "Personen: Laura Gerber", "Haushaltsgröße: 3 Personen", "Staffel 6",
                 "höchste Staffel – kein Einkommensnachweis", "Kindergarten einkommensabhängig Staffel 6 290,00 EUR",
                 "Seite 1 von 1"):
        assert part in text, part
    for absent in ("Einkommensposition", "Jahreseinkommen", "Befreiungsbetrag", "Maßgeblicher"):
        assert absent not in text, absent
    assert_clean_layout(sheet)


def chf_config() -> IncomeScaleConfig:
    def chf(money: Money) -> Money:
        return Money(money.minor, Currency.CHF)

    v = b.version()
    version = replace(v, thresholds=tuple(replace(t, amount=chf(t.amount)) for t in v.thresholds),
                      increment_per_person=chf(v.increment_per_person), exemption_fixed=chf(v.exemption_fixed),
                      brackets=tuple(replace(x, up_to=chf(x.up_to)) for x in v.brackets))
    return IncomeScaleConfig(Currency.CHF, b.ITEM_TYPES, (version,))


def test_a_swiss_sheet_in_chf():
    chf = lambda text: Money.of(text, "CHF")  # noqa: E731
    assessment = b.assessment(household_size=6, persons=(AssessmentPerson(b.MOTHER, False, (
        IncomeItem(b.SALARY, chf("84000.00")), IncomeItem(b.EXPENSES, chf("1200.00")))),))
    sheet = example_sheet(
        assessment=assessment, config=chf_config(), country="CH", sender=SENDER_CH,
        recipient=("Frau Laura Gerber", "Marktgasse 28", "9400 Rorschach"), place="Rorschach",
        salutation="Sehr geehrte Frau Gerber", contact="",
        fee_lines=(SheetFeeLine("Krippe Ganztag", 6, chf("1234.50")),
                   SheetFeeLine("Mittagstisch", None, None, detail="Staffel in der Beitragsgruppe nicht erfasst")))
    pdf = report.render_sheet(sheet)
    text = "\n".join(page_texts(pdf))
    for part in ("Rorschach, 2. April 2026", "Sehr geehrte Frau Gerber\nNachfolgend", "Jahresbetrag CHF",
                 "Lohn/Gehalt + 84'000.00", "Werbungskosten − 1'200.00", "Summe Laura Gerber 82'800.00",
                 "Jahreseinkommen gesamt 82'800.00", "6'900.00", "5 % von 6'900.00 = 345.00, zuzüglich fester Betrag "
                 "50.00", "Befreiungsbetrag 395.00", "Einkommen nach Befreiung 6'505.00",
                 "Einkommensgrenze für einen Haushalt mit 6 Personen 3'000.00",
                 "2'400.00 für 4 Personen + 2 × 300.00 je weitere Person", "Massgeblicher Betrag 3'505.00",
                 "Haushaltsgrösse: 6 Personen", "massgeblicher Betrag über 1'000.00", "Staffel 6",
                 "Krippe Ganztag Staffel 6 CHF 1'234.50", "Mittagstisch – –", "Betrag CHF",
                 "Für Fragen erreichen Sie uns: Tel. 071 844 21 21 · kita@rorschach.ch", "Freundliche Grüsse"):
        assert part in text, part
    assert "ß" not in text and "EUR" not in text
    assert "Jahreseinkommen Laura Gerber" not in text  # one person: no per-person line in the calculation
    textpage = pdfium.PdfDocument(pdf)[0].get_textpage()  # the window on the right (SN 010 130)
    index, _count = textpage.search("Frau Laura Gerber", match_case=True).get_next()
    assert textpage.get_charbox(index, loose=True)[0] / mm == pytest.approx(118.0, abs=0.5)
    assert_clean_layout(sheet)


def test_texts_for_other_figures():
    sheet = example_sheet()
    assert texts.percent(Decimal("2.50"), "DE") == "2,5 %" and texts.percent(Decimal("2.50"), "CH") == "2.5 %"
    assert texts.percent(Decimal("5"), "DE") == "5 %"
    low = example_sheet(assessment=b.assessment(household_size=7))  # 2 800 − 3 300 = −500 → lowest tier
    assert (low.relevant_amount, low.tier, low.bracket_above, low.bracket_up_to) == (
        b.eur("-500.00"), 1, None, b.eur("0.00"))
    assert texts.tier_detail(low) == "maßgeblicher Betrag bis 0,00"
    assert texts.threshold_detail(low) == "2.400,00 für 4 Personen + 3 × 300,00 je weitere Person"
    high = example_sheet(assessment=b.assessment(household_size=2))  # 2 800 − 1 800 = 1 000.00 → tier 5
    assert (high.tier, texts.tier_detail(high)) == (5, "maßgeblicher Betrag über 750,00 bis 1.000,00")
    no_percent = example_sheet(assessment=b.assessment(exemption_percent=Decimal(0)))
    assert texts.exemption_detail(no_percent) == "fester Betrag 50,00"
    assert texts.exemption_detail(replace(sheet, exemption_fixed=b.eur("0.00"))) == "5 % von 3.000,00 = 150,00"
    missing = example_sheet(assessment=b.assessment(household_size=None))
    assert (missing.threshold, missing.relevant_amount, missing.tier) == (None, None, None)
    text = "\n".join(page_texts(report.render_sheet(missing)))
    assert "Einkommensgrenze (Haushaltsgröße fehlt) –" in text and "Staffel –" in text
    assert "Für das Kind sind zurzeit keine einkommensabhängigen" in "\n".join(
        page_texts(report.render_sheet(replace(sheet, fee_lines=())))).replace("\n", " ")
    with pytest.raises(ValueError):
        example_sheet(assessment=b.assessment(start=None))


# --- page breaks ----------------------------------------------------------------------------------

def many_items(count: int) -> IncomeSheet:
    types = tuple(IncomeItemType(f"Einkunftsart {i:02d}" + (" aus einer Tätigkeit mit einem langen Namen, der "
                                                            "umbricht" if i % 9 == 4 else ""),
                                 ItemSign.MINUS if i % 4 == 3 else ItemSign.PLUS, i, 100 + i) for i in range(count))
    config = IncomeScaleConfig(Currency.EUR, types, (b.version(),))
    persons = (AssessmentPerson(b.MOTHER, False, tuple(IncomeItem(100 + i, b.eur(f"{1000 + i}.00"))
                                                       for i in range(count))),)
    return example_sheet(assessment=b.assessment(persons=persons), config=config)


def test_many_items_break_onto_a_second_page_with_the_table_head_repeated():
    sheet = many_items(28)
    pdf = report.render_sheet(sheet)
    first, second = page_texts(pdf)
    assert "Seite 1 von 2" in first and "Seite 2 von 2" in second
    assert "Einkunftsart 00 + 1.000,00" in first
    assert "Kita-Verbund Musterstadt – Berechnung des Elternbeitrags ab 01.2026" in second
    assert "Laura Gerber (Fortsetzung)\nEinkommensposition +/− Jahresbetrag EUR" in second
    assert "Einkunftsart 27 − 1.027,00" in second and "Summe Laura Gerber" in second
    assert "Maßgeblicher Betrag" in second and "Mit freundlichen Grüßen" in second
    joined = first + second
    assert all(f"Einkunftsart {i:02d}" in joined for i in range(28))
    assert "Einkunftsart 04 aus einer Tätigkeit mit einem langen\nNamen, der umbricht\n+ 1.004,00" in joined
    assert_clean_layout(sheet)
    for page in report.layout(sheet):  # a page never ends with an item that must stay with the next
        assert not page.items[-1][1].keep_with_next


# --- print runs -----------------------------------------------------------------------------------

def test_a_print_run_of_200_sheets_in_one_pdf_with_progress():
    sheets = [example_sheet(child_name=f"Kind {i:03d} Gerber") for i in range(200)]
    done: list[tuple[int, int]] = []
    start = time.perf_counter()
    pdf = report.render_sheets(sheets, progress=lambda d, t: done.append((d, t)))
    seconds = time.perf_counter() - start
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 400
    assert done == [(i, 200) for i in range(1, 201)]
    assert "Kind 199 Gerber" in reader.pages[398].extract_text()
    assert "Seite 2 von 2" in reader.pages[399].extract_text()
    assert seconds < 10, seconds  # about 1 ms a sheet on the 2-core machine


def test_a_print_run_stops_when_cancelled_and_can_give_one_pdf_per_sheet():
    sheets = [example_sheet(child_name=f"Kind {i}") for i in range(200)]
    done: list[int] = []
    with pytest.raises(CancelledError):
        report.render_sheets(sheets, progress=lambda d, _t: done.append(d), cancelled=lambda: len(done) >= 50)
    assert done == list(range(1, 51))
    each = report.render_sheets(sheets[:3], combined=False, progress=lambda d, t: done.append(d))
    assert [sheet for sheet, _pdf in each] == sheets[:3]
    assert [len(page_texts(pdf)) for _s, pdf in each] == [2, 2, 2]
    assert "Kind 2" in page_texts(each[2][1])[0]
    with pytest.raises(CancelledError):
        report.render_sheets(sheets, combined=False, cancelled=lambda: True)
    with pytest.raises(ValueError):
        report.render_sheets([])
    assert report.render_sheets(iter(sheets[:2]), total=2).startswith(b"%PDF")
