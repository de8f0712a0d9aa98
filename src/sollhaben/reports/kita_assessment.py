"""The fee assessment letter (Festsetzung der Elternbeiträge) on A4, one or many in a PDF.

Page 1 is the house letter (`reports.letter`: letterhead, address window, place and date,
subject, fold marks for DE); then salutation, the intro, per child a table of its fee lines
(Beitragsgruppe, Staffel, Monatsbetrag, Ermäßigungen, Ihr Anteil) and of its extra costs, the
monthly total, the notes ("offener Betrag", fee-free months), the payment paragraph, the sentence
on the statute and the closing. The flow breaks across pages between rows (a child's heading
stays with its table header and first row; the header repeats on the next page); every page
carries "Seite x von y". A CH letter carries the QR-bill for the first month at the bottom of
page 1 when everything fits above it, else on a page of its own at the end.

Drawn straight on the canvas like `reports.letter` (one text object per page): 10 000 letters
must render in seconds. Layout positions: docs/kita-billing.md → Fee assessment.
"""
from __future__ import annotations

import io
from concurrent.futures import CancelledError
from typing import Callable, Iterable, Iterator

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from sollhaben.reports import kita_assessment_texts as t
from sollhaben.reports import letter_texts
from sollhaben.reports.fonts import LETTER_BOLD, LETTER_REGULAR, register_fonts, wrap
from sollhaben.reports.kita_assessment_model import AssessmentChild, AssessmentLine, FeeAssessment
from sollhaben.reports.kita_assessment_pdf import Words
from sollhaben.reports.letter import (
    BODY_BOTTOM,
    BODY_BOTTOM_WITH_BILL,
    BODY_LEADING,
    BODY_TOP_NEXT,
    DATE_LINE,
    FOOTER,
    LEFT,
    PAGE_HEIGHT,
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
from sollhaben.reports.qr_bill import SLIP_HEIGHT, draw_bill

Progress = Callable[[int, int], None]

# columns of the tables (mm from the left edge): text columns by their left edge, amounts by their right edge
COL_NAME, NAME_WIDTH = LEFT, 53.0
COL_TIER, TIER_WIDTH = 80.0, 35.0  # tier labels of a statute can be long ("2 Kinder unter 18 im Haushalt")
COL_MONTHLY, COL_DEDUCTED, COL_SHARE = 139.0, 164.5, PAGE_WIDTH - RIGHT
TABLE_RIGHT = COL_SHARE
ROW_SIZE, ROW_LEADING = 9.0, 4.1  # pt, mm
NOTE_SIZE, NOTE_LEADING = 8.0, 3.5
HEAD_SIZE = 8.0
LINE_GAP = BODY_LEADING / mm  # 13 pt in mm


def _paragraph(text: str, country: str, size: float = 10.0, bold: bool = False) -> list[_Item]:
    """A paragraph (single line breaks kept) and the empty line after it. Up to five lines stay
    together; a longer one keeps its first two and its last two lines together."""
    font = LETTER_BOLD if bold else LETTER_REGULAR
    lines = [line for raw in t.for_country(text, country).split("\n")
             for line in (wrap(raw, font, size, TEXT_WIDTH * mm) or ("",))]
    items = []
    for i, line in enumerate(lines):
        keep = i < len(lines) - 1 and (len(lines) <= 5 or i == 0 or i == len(lines) - 2)
        item = _Item(LINE_GAP, keep_with_next=keep)
        item.text(LEFT, 0, line, font, size)
        items.append(item)
    items.append(_space(LINE_GAP))
    return items


def _cell_lines(text: str, width: float, font: str = LETTER_REGULAR, size: float = ROW_SIZE) -> tuple[str, ...]:
    return wrap(text, font, size, width * mm) or ("",)


def _header(headers: tuple[str, ...], country: str) -> list[_Item]:
    """The column heads of a table, ruled below."""
    item = _Item(4.6, keep_with_next=True)
    name, tier, monthly, deducted, share = (t.for_country(h, country) for h in headers)
    item.text(COL_NAME, 0, name, LETTER_BOLD, HEAD_SIZE)
    item.text(COL_TIER, 0, tier, LETTER_BOLD, HEAD_SIZE)
    item.text(COL_MONTHLY, 0, monthly, LETTER_BOLD, HEAD_SIZE, right=True)
    item.text(COL_DEDUCTED, 0, deducted, LETTER_BOLD, HEAD_SIZE, right=True)
    item.text(COL_SHARE, 0, share, LETTER_BOLD, HEAD_SIZE, right=True)
    item.rules.append((COL_NAME, TABLE_RIGHT, 1.3, 0.5))
    return [item]


def _money(value, country: str) -> str:
    return t.amount(value, country) if value is not None else ""


def _line_row(line: AssessmentLine, country: str, extra: bool) -> _Item:
    """One fee or extra-cost line: the main row and its small print (discounts, detail, shares)."""
    item = _Item(0.0)
    names = _cell_lines(line.name, NAME_WIDTH - 1)
    second = line.mode_label if extra else line.tier
    tiers = _cell_lines(second, TIER_WIDTH - 1) if second else ()
    for i, text in enumerate(names):
        item.text(COL_NAME, i * ROW_LEADING, text)
    for i, text in enumerate(tiers):
        item.text(COL_TIER, i * ROW_LEADING, text)
    item.text(COL_MONTHLY, 0, _money(line.monthly, country), right=True)
    item.text(COL_DEDUCTED, 0, _money(line.deducted, country), right=True)
    if line.is_open:
        item.text(COL_SHARE, 0, t.OPEN_AMOUNT, right=True)
    else:
        item.text(COL_SHARE, 0, _money(line.share, country), right=True)
    dy = max(len(names), len(tiers), 1) * ROW_LEADING - ROW_LEADING
    small: list[tuple[str, str]] = []  # (text, amount in the discount column)
    for d in line.deductions:
        small.append((t.for_country(f"Ermäßigung: {d.name}", country),
                      t.amount(d.amount, country) if len(line.deductions) > 1 else ""))
    if line.detail:
        small.append((line.detail, ""))
    if line.shared and line.net is not None and line.share is not None:
        small.append((f"Ihr Anteil am Betrag von {t.amount(line.net, country)}; den Rest tragen weitere Zahler.", ""))
    first = True
    for text, value in small:
        for k, part in enumerate(wrap(text, LETTER_REGULAR, NOTE_SIZE, (COL_MONTHLY - COL_NAME - 5) * mm)):
            dy += ROW_LEADING - 0.4 if first else NOTE_LEADING
            first = False
            item.text(COL_NAME + 3, dy, part, size=NOTE_SIZE)
            if value and k == 0:
                item.text(COL_DEDUCTED, dy, value, size=NOTE_SIZE, right=True)
    item.height = dy + ROW_LEADING + 1.2
    return item


def _child_items(a: FeeAssessment, child: AssessmentChild, several: bool) -> list[_Item]:
    country = a.country
    items: list[_Item] = [_space(2.0)]
    heading = _Item(5.6, keep_with_next=True)
    heading.text(LEFT, 0, t.child_heading(child, a.from_month), LETTER_BOLD, 10.0)
    items.append(heading)
    continued = _Item(5.0, keep_with_next=True)  # the caption of a table continued on the next page
    continued.text(LEFT, 0, f"{child.name} (Fortsetzung)", LETTER_BOLD, 9.0)
    if child.partial_days is not None:
        for part in wrap(t.partial_note(child), LETTER_REGULAR, NOTE_SIZE, TEXT_WIDTH * mm):
            note = _Item(NOTE_LEADING, keep_with_next=True)
            note.text(LEFT, 0, part, size=NOTE_SIZE)
            items.append(note)
        items[-1].height += 1.5
    for lines, headers, extra in ((child.fees, t.FEE_HEADERS, False), (child.extras, t.EXTRA_HEADERS, True)):
        if not lines:
            continue
        header = _header(headers, country)
        items.extend(_header(headers, country))
        items[-1].header = [continued]
        for line in lines:
            row = _line_row(line, country, extra)
            row.header = [continued, *header]
            items.append(row)
        items.append(_space(1.5))
    if several and child.total is not None:
        for item in items[-2:]:  # the child's sum stays with its last row
            item.keep_with_next = True
        total = _Item(ROW_LEADING + 1.5, header=[continued])
        total.text(COL_NAME, 0, t.total_label(a, child))
        total.text(COL_SHARE, 0, t.amount(child.total, country), right=True)
        total.rules.append((COL_DEDUCTED + 2, TABLE_RIGHT, -3.4, 0.4))
        items.append(total)
    return items


def _total_items(a: FeeAssessment) -> list[_Item]:
    item = _Item(LINE_GAP + 1.0)
    item.text(LEFT, 0, t.total_label(a), LETTER_BOLD, 10.0)
    item.text(COL_SHARE, 0, t.amount_with_currency(a.total, a.country), LETTER_BOLD, 10.0, right=True)
    item.rules.append((COL_NAME, TABLE_RIGHT, -4.4, 0.8))
    return [_space(2.5), item, _space(LINE_GAP / 2)]


def _items(a: FeeAssessment) -> list[_Item]:
    country = a.country
    items = _paragraph(a.salutation, country) if a.salutation else []
    items += _paragraph(t.intro(a), country)
    several = len(a.children) > 1
    for child in a.children:
        items += _child_items(a, child, several)
    items += _total_items(a)
    notes = []
    if a.has_open:
        notes.append(t.open_note())
    if a.fee_free_months:
        notes.append(t.fee_free_note(a.fee_free_months))
    for note in notes:
        items += _paragraph(note, country, size=9.0)
    for text in t.payment_paragraphs(a):
        items += _paragraph(text, country)
    for text in t.closing_paragraphs(a):
        items += _paragraph(text, country)
    items += _paragraph(letter_texts.closing(country, "de"), country)
    signature = _Item(LINE_GAP)
    signature.text(LEFT, 0, a.sender.name, size=10.0)
    items.append(signature)
    return items


def _letter(a: FeeAssessment) -> Letter:
    """The house letter's head data (the body is drawn here)."""
    return Letter(country=a.country, language="de", sender=a.sender, recipient=a.recipient, place=a.place,
                  date=a.date, subject=t.subject(a.from_month), body="", bill=a.bill)


def layout(a: FeeAssessment) -> list[_Page]:
    """The pages of one letter. A bill goes to the foot of page 1 when everything fits above it,
    else to the foot of the last page when its text ends above the slip, else on a page of its own."""
    items = _items(a)
    subject_lines = len(wrap(t.subject(a.from_month), LETTER_BOLD, 10.0, TEXT_WIDTH * mm)[:2]) or 1
    first_top = DATE_LINE + (3 + subject_lines) * LINE_GAP
    if a.bill is not None:
        pages = _flow(items, first_top, BODY_BOTTOM_WITH_BILL)
        if len(pages) == 1:
            pages[0].bill = True
            return pages
    pages = _flow(items, first_top, BODY_BOTTOM)
    if a.bill is not None:
        last = pages[-1].items
        if last and last[-1][0] + last[-1][1].extent <= BODY_BOTTOM_WITH_BILL:
            pages[-1].bill = True  # the foot of the last page is free
        else:
            pages.append(_Page(bill=True))
    return pages


def draw_assessment(c: Canvas, a: FeeAssessment) -> int:
    """Draw every page of one letter (each ended with showPage); returns the page count."""
    register_fonts()
    letter = _letter(a)
    pages = layout(a)
    for number, page in enumerate(pages, start=1):
        w = Words(c)
        rules = put_page(c, w, letter, a.sender.name, number, page)
        if page.bill and not page.items and number > 1:
            w.put(LEFT, BODY_TOP_NEXT + 10, letter_texts.BILL_PAGE["de"], LETTER_BOLD)
        footer = PAGE_HEIGHT - SLIP_HEIGHT - 4 if page.bill else FOOTER
        w.put(PAGE_WIDTH - RIGHT, footer, letter_texts.PAGE["de"].format(page=number, pages=len(pages)), size=8,
              right=True)
        w.draw()
        draw_rules(c, rules)
        if page.bill:
            draw_bill(c, a.bill)
        c.showPage()
    return len(pages)


def render_assessments(assessments: Iterable[FeeAssessment], total: int | None = None,
                       progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
                       title: str = "") -> bytes:
    """Many letters in one PDF (page numbers per letter). `progress(done, total)` after each
    letter; `cancelled()` is checked before each and stops with CancelledError."""
    buffer = io.BytesIO()
    c: Canvas | None = None
    done = 0
    for a in assessments:
        if cancelled is not None and cancelled():
            raise CancelledError("Druck abgebrochen")
        if c is None:
            c = new_canvas(buffer, title or t.subject(a.from_month))
        draw_assessment(c, a)
        done += 1
        if progress is not None:
            progress(done, total or done)
    if c is None:
        raise ValueError("no letters to render")
    c.save()
    return buffer.getvalue()


def render_assessment(a: FeeAssessment) -> bytes:
    """One letter as PDF bytes."""
    return render_assessments([a])


def render_each(assessments: Iterable[FeeAssessment], total: int | None = None, progress: Progress | None = None,
                cancelled: Callable[[], bool] | None = None) -> Iterator[tuple[FeeAssessment, bytes]]:
    """One PDF per letter (a generator); progress and cancel as in `render_assessments`."""
    done = 0
    for a in assessments:
        if cancelled is not None and cancelled():
            raise CancelledError("Druck abgebrochen")
        yield a, render_assessment(a)
        done += 1
        if progress is not None:
            progress(done, total or done)
