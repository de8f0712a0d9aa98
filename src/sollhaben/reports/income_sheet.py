"""The calculation sheet (Berechnungsblatt) of the income scale on A4, one or many in a PDF.

Page 1 is the house letter (`reports.letter`: letterhead, address window, place and date, subject
"Berechnung des Elternbeitrags ab MM.JJJJ", fold marks for DE); then salutation and intro, the facts
(child, facility, validity, persons, household size), per person a table of the income items
(sign, "800,00 × 12 =" for monthly entries, annual amount, the person's sum), the calculation
(annual and monthly income, exemption, income after exemption, threshold, relevant amount, tier),
the monthly fee of each income-dependent fee line, the closing sentence with the office's contact,
and the closing. The flow breaks between rows (a heading stays with its table head and first row;
a person's table head repeats on the next page); every page carries "Seite x von y".

Drawn straight on the canvas like the fee letter (one text object per page, `Words`): print runs
must stay fast. Layout: docs/income-scale.md → Calculation sheet.
"""
from __future__ import annotations

import io
from concurrent.futures import CancelledError
from typing import Callable, Iterable

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from sollhaben.domain.formatting import format_date
from sollhaben.reports import income_sheet_texts as t
from sollhaben.reports import letter_texts
from sollhaben.reports.fonts import LETTER_BOLD, LETTER_REGULAR, register_fonts, wrap
from sollhaben.reports.income_sheet_model import IncomeSheet, SheetPerson
from sollhaben.reports.kita_assessment_pdf import Words
from sollhaben.reports.kita_assessment_texts import for_country
from sollhaben.reports.letter import (
    BODY_LEADING,
    DATE_LINE,
    FOOTER,
    LEFT,
    PAGE_WIDTH,
    RIGHT,
    TEXT_WIDTH,
    new_canvas,
)
from sollhaben.reports.letter_flow import FlowItem as _Item
from sollhaben.reports.letter_flow import draw_rules, put_page
from sollhaben.reports.letter_flow import Page as _Page
from sollhaben.reports.letter_flow import flow as _flow
from sollhaben.reports.letter_flow import space as _space
from sollhaben.reports.letter_model import Letter

Progress = Callable[[int, int], None]

# columns (mm from the left edge): texts by their left edge, amounts by their right edge
COL_LABEL, LABEL_WIDTH = LEFT, 84.0  # item label
COL_SIGN = 116.0  # item sign, centred
COL_CALC = 160.0  # "800,00 × 12 =", right edge
COL_AMOUNT = PAGE_WIDTH - RIGHT  # amounts, right edge (190)
COL_FACT = 72.0  # values of the facts block
COL_OPERATOR, COL_STEP, STEP_WIDTH = LEFT, LEFT + 6.0, 120.0  # calculation: operator, label
COL_TIER = 118.0  # fee table: tier
ROW_SIZE, ROW_LEADING = 9.0, 4.3  # pt, mm
NOTE_SIZE, NOTE_LEADING = 8.0, 3.6
HEAD_SIZE = 8.0
LINE_GAP = BODY_LEADING / mm  # 13 pt in mm


def _paragraph(text: str, size: float = 10.0) -> list[_Item]:
    """A paragraph and the empty line after it; up to five lines stay together, a longer one keeps
    its first two and last two lines together."""
    lines = [line for raw in text.split("\n") for line in (wrap(raw, LETTER_REGULAR, size, TEXT_WIDTH * mm) or ("",))]
    items = []
    for i, line in enumerate(lines):
        keep = i < len(lines) - 1 and (len(lines) <= 5 or i == 0 or i == len(lines) - 2)
        item = _Item(LINE_GAP, keep_with_next=keep)
        item.text(LEFT, 0, line, size=size)
        items.append(item)
    items.append(_space(LINE_GAP))
    return items


def _heading(text: str) -> list[_Item]:
    item = _Item(6.0, keep_with_next=True)
    item.text(LEFT, 0, text, LETTER_BOLD, 10.0)
    return [_space(2.0), item]


def _small(item: _Item, x: float, dy: float, text: str, width: float) -> float:
    """Small print under a row; returns the dy of its last line."""
    for part in wrap(text, LETTER_REGULAR, NOTE_SIZE, width * mm):
        dy += NOTE_LEADING
        item.text(x, dy, part, size=NOTE_SIZE)
    return dy


def _facts(s: IncomeSheet) -> list[_Item]:
    c = s.country
    rows = [("Kind", t.child_line(s)), ("Einrichtung", s.facility_name), ("Gültig", t.validity(s)),
            ("Personen", t.persons_line(s)), (for_country("Haushaltsgröße", c), t.household(s.household_size))]
    if s.declaration_date is not None:
        rows.append(("Einkommenserklärung vom", format_date(s.declaration_date)))
    items = []
    for label, value in rows:
        values = wrap(value, LETTER_REGULAR, ROW_SIZE, (COL_AMOUNT - COL_FACT) * mm) or ("",)
        item = _Item(len(values) * ROW_LEADING, keep_with_next=True)
        item.text(LEFT, 0, f"{label}:")
        for i, line in enumerate(values):
            item.text(COL_FACT, i * ROW_LEADING, line)
        items.append(item)
    items[-1].keep_with_next = False
    items[-1].height += 2.0
    return items


def _item_head(s: IncomeSheet, monthly_entry: bool) -> _Item:
    """The head of a person's table ("Berechnung" only above monthly entries)."""
    item = _Item(5.2, keep_with_next=True)
    label, sign, calc, annual = (for_country(h, s.country) for h in t.ITEM_HEADERS)
    item.text(COL_LABEL, 0, label, LETTER_BOLD, HEAD_SIZE)
    item.text(COL_SIGN, 0, sign, LETTER_BOLD, HEAD_SIZE, centre=True)
    if monthly_entry:
        item.text(COL_CALC, 0, calc, LETTER_BOLD, HEAD_SIZE, right=True)
    item.text(COL_AMOUNT, 0, f"{annual} {s.currency}", LETTER_BOLD, HEAD_SIZE, right=True)
    item.rules.append((COL_LABEL, COL_AMOUNT, 1.4, 0.5))
    return item


def _person_items(s: IncomeSheet, person: SheetPerson) -> list[_Item]:
    c = s.country
    heading = _Item(5.4, keep_with_next=True)
    heading.text(LEFT, 0, t.person_heading(person.name, person.monthly_entry), LETTER_BOLD, 9.5)
    continued = _Item(5.4, keep_with_next=True)
    continued.text(LEFT, 0, f"{person.name} (Fortsetzung)", LETTER_BOLD, 9.5)
    head = _item_head(s, person.monthly_entry)
    items = [_space(1.5), heading, head]
    head.header = [continued]
    for entry in person.items:
        row = _Item(0.0, header=[continued, _item_head(s, person.monthly_entry)])
        labels = wrap(entry.label, LETTER_REGULAR, ROW_SIZE, LABEL_WIDTH * mm) or ("",)
        for i, line in enumerate(labels):
            row.text(COL_LABEL, i * ROW_LEADING, line)
        row.text(COL_SIGN, 0, t.sign(entry.sign), centre=True)
        row.text(COL_CALC, 0, t.item_calculation(entry, c), right=True)
        row.text(COL_AMOUNT, 0, t.amount(entry.annual, c), right=True)
        row.height = len(labels) * ROW_LEADING
        items.append(row)
    if not person.items:
        row = _Item(ROW_LEADING)
        row.text(COL_LABEL, 0, "keine Einkünfte angegeben")
        items.append(row)
    items[-1].keep_with_next = True  # the last row stays with the sum
    total = _Item(ROW_LEADING + 1.5, header=[continued])
    total.text(COL_LABEL, 0.6, f"Summe {person.name}".strip(), LETTER_BOLD)
    total.text(COL_AMOUNT, 0.6, t.amount(person.annual_income, c), LETTER_BOLD, right=True)
    total.rules.append((COL_LABEL, COL_AMOUNT, -3.0, 0.4))
    total.extent = 0.6
    items.append(total)
    return items


def _step(operator: str, label: str, value: str, detail: str = "", bold: bool = False,
          rule: bool = False) -> _Item:
    """One step of the calculation: operator, label, amount right-aligned, small print below."""
    font = LETTER_BOLD if bold else LETTER_REGULAR
    item = _Item(0.0, keep_with_next=True)
    labels = wrap(label, font, ROW_SIZE, STEP_WIDTH * mm) or ("",)
    item.text(COL_OPERATOR, 0, operator, font)
    for i, line in enumerate(labels):
        item.text(COL_STEP, i * ROW_LEADING, line, font)
    item.text(COL_AMOUNT, 0, value, font, right=True)
    dy = (len(labels) - 1) * ROW_LEADING
    if detail:
        dy = _small(item, COL_STEP + 3, dy - 0.5, detail, STEP_WIDTH)
    if rule:
        item.rules.append((COL_AMOUNT - 32, COL_AMOUNT, -3.3, 0.4))
    item.height = dy + ROW_LEADING + (0.8 if detail else 0.0)
    return item


def _calculation(s: IncomeSheet) -> list[_Item]:
    c = s.country
    amount = t.amount
    head = _Item(5.2, keep_with_next=True)
    head.text(COL_AMOUNT, 0, f"Betrag {s.currency}", LETTER_BOLD, HEAD_SIZE, right=True)
    head.rules.append((COL_LABEL, COL_AMOUNT, 1.4, 0.5))
    if s.highest_tier_option:
        items = [*_heading("Berechnung"), _step("", "Staffel", t.tier(s), t.HIGHEST_TIER, bold=True)]
        items[-1].keep_with_next = False
        return items
    items = [*_heading("Berechnung"), head]
    several = len(s.persons) > 1
    if several:
        for i, person in enumerate(s.persons):
            items.append(_step("+" if i else "", f"Jahreseinkommen {person.name}".strip(),
                               amount(person.annual_income, c)))
    items.append(_step("=" if several else "", "Jahreseinkommen gesamt", amount(s.annual_income, c), bold=True,
                       rule=several))
    items.append(_step("", "Monatseinkommen (Jahreseinkommen ÷ 12)", amount(s.monthly_income, c)))
    items.append(_step(t.MINUS, "Befreiungsbetrag", amount(s.exemption, c), t.exemption_detail(s)))
    items.append(_step("=", "Einkommen nach Befreiung", amount(s.income_after_exemption, c), rule=True))
    items.append(_step(t.MINUS, t.threshold_label(s), amount(s.threshold, c), t.threshold_detail(s)))
    items.append(_step("=", for_country("Maßgeblicher Betrag", c), amount(s.relevant_amount, c), bold=True,
                       rule=True))
    items[-1].height += 1.5
    items.append(_step("", "Staffel", t.tier(s), t.tier_detail(s), bold=True))
    items[-1].keep_with_next = False
    return items


def _fees(s: IncomeSheet) -> list[_Item]:
    c = s.country
    items = _heading("Monatlicher Elternbeitrag")
    if not s.fee_lines:
        return items + _paragraph(t.no_fee_lines(), 9.0)
    head = _Item(5.2, keep_with_next=True)
    name, tier, monthly = t.FEE_HEADERS
    head.text(COL_LABEL, 0, name, LETTER_BOLD, HEAD_SIZE)
    head.text(COL_TIER, 0, tier, LETTER_BOLD, HEAD_SIZE)
    head.text(COL_AMOUNT, 0, monthly, LETTER_BOLD, HEAD_SIZE, right=True)
    head.rules.append((COL_LABEL, COL_AMOUNT, 1.4, 0.5))
    items.append(head)
    for line in s.fee_lines:
        row = _Item(0.0)
        names = wrap(line.name, LETTER_REGULAR, ROW_SIZE, (COL_TIER - COL_LABEL - 3) * mm) or ("",)
        tiers = wrap(t.fee_tier(line.tier, line.tier_label), LETTER_REGULAR, ROW_SIZE, 40 * mm) or ("",)
        for i, text in enumerate(names):
            row.text(COL_LABEL, i * ROW_LEADING, text)
        for i, text in enumerate(tiers):
            row.text(COL_TIER, i * ROW_LEADING, text)
        row.text(COL_AMOUNT, 0, t.with_currency(line.amount, c), LETTER_BOLD, right=True)
        dy = (max(len(names), len(tiers)) - 1) * ROW_LEADING
        if line.detail:
            dy = _small(row, COL_LABEL + 3, dy - 0.5, line.detail, COL_TIER - COL_LABEL + 40)
        row.height = dy + ROW_LEADING + 0.8
        items.append(row)
    items.append(_space(LINE_GAP))
    return items


def _items(s: IncomeSheet) -> list[_Item]:
    items = _paragraph(t.salutation(s)) + _paragraph(t.intro(s))
    items += _facts(s)
    if not s.highest_tier_option:
        items += _heading("Einkommen")
        for person in s.persons:
            items += _person_items(s, person)
    items += _calculation(s)
    items.append(_space(2.0))
    items += _fees(s)
    for text in t.closing_paragraphs(s):
        items += _paragraph(text)
    items += _paragraph(letter_texts.closing(s.country, "de"))
    signature = _Item(LINE_GAP)
    signature.text(LEFT, 0, s.sender.name, size=10.0)
    items.append(signature)
    return items


def _letter(s: IncomeSheet) -> Letter:
    """The house letter's head data (the body is drawn here)."""
    return Letter(country=s.country, language="de", sender=s.sender, recipient=s.recipient, place=s.place,
                  date=s.date, subject=t.subject(s.valid_from), body="")


def layout(s: IncomeSheet) -> list[_Page]:
    """The pages of one sheet."""
    subject_lines = len(wrap(t.subject(s.valid_from), LETTER_BOLD, 10.0, TEXT_WIDTH * mm)[:2]) or 1
    return _flow(_items(s), DATE_LINE + (3 + subject_lines) * LINE_GAP)


def draw_sheet(c: Canvas, s: IncomeSheet) -> int:
    """Draw every page of one sheet (each ended with showPage); returns the page count."""
    register_fonts()
    letter = _letter(s)
    pages = layout(s)
    for number, page in enumerate(pages, start=1):
        w = Words(c)
        rules = put_page(c, w, letter, s.sender.name, number, page)
        w.put(PAGE_WIDTH - RIGHT, FOOTER, letter_texts.PAGE["de"].format(page=number, pages=len(pages)), size=8,
              right=True)
        w.draw()
        draw_rules(c, rules)
        c.showPage()
    return len(pages)


def _draw_all(sheets: Iterable[IncomeSheet], total: int | None, progress: Progress | None,
              cancelled: Callable[[], bool] | None, draw: Callable[[IncomeSheet], None]) -> None:
    done = 0
    for sheet in sheets:
        if cancelled is not None and cancelled():
            raise CancelledError("Druck abgebrochen")
        draw(sheet)
        done += 1
        if progress is not None:
            progress(done, total or done)


def render_sheets(sheets: Iterable[IncomeSheet], progress: Progress | None = None,
                  cancelled: Callable[[], bool] | None = None, combined: bool = True, *,
                  total: int | None = None, title: str = "") -> bytes | list[tuple[IncomeSheet, bytes]]:
    """A print run. `combined`: every sheet in one PDF (page numbers per sheet), else one PDF per
    sheet as a list of (sheet, bytes). `progress(done, total)` after each sheet (`total` defaults to
    the length of a sequence); `cancelled()` is checked before each and stops the run with
    `concurrent.futures.CancelledError` (nothing is returned)."""
    if total is None and hasattr(sheets, "__len__"):
        total = len(sheets)  # type: ignore[arg-type]
    if not combined:
        out: list[tuple[IncomeSheet, bytes]] = []
        _draw_all(sheets, total, progress, cancelled, lambda s: out.append((s, render_sheet(s))))
        return out
    buffer = io.BytesIO()
    canvas: list[Canvas] = []

    def draw(sheet: IncomeSheet) -> None:
        if not canvas:
            canvas.append(new_canvas(buffer, title or t.subject(sheet.valid_from)))
        draw_sheet(canvas[0], sheet)

    _draw_all(sheets, total, progress, cancelled, draw)
    if not canvas:
        raise ValueError("no sheets to render")
    canvas[0].save()
    return buffer.getvalue()


def render_sheet(sheet: IncomeSheet) -> bytes:
    """One sheet as PDF bytes."""
    buffer = io.BytesIO()
    c = new_canvas(buffer, f"{t.subject(sheet.valid_from)} – {sheet.child_name}")
    draw_sheet(c, sheet)
    c.save()
    return buffer.getvalue()
