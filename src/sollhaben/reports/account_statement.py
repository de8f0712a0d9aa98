"""The account statement (Kontoauszug) as a house letter on A4.

Page 1 is the house letter head (`reports.letter`: letterhead, address window, date, subject);
then the account and period, the postings table (Datum, Nr., Monat, Text, Soll, Haben, Saldo)
from the opening balance to the closing balance with reversals and pending direct debits marked
below their text, the open items by month and category with month subtotals, the open total,
the unallocated credit and the balance, and the notes (payment, why there is no QR-bill). The
flow (`reports.letter_flow`) breaks between rows and repeats the table head; a CH statement with
an open balance carries the QR-bill at the foot of the last page, or on a page of its own.
"""
from __future__ import annotations

import io

from reportlab.lib.units import mm

from sollhaben.domain.formatting import format_date, format_money
from sollhaben.domain.money import Money
from sollhaben.reports import letter_texts
from sollhaben.reports.account_statement_model import StatementDocument, StatementRow
from sollhaben.reports.fonts import LETTER_BOLD, LETTER_REGULAR, register_fonts, wrap
from sollhaben.reports.kita_assessment_pdf import Words
from sollhaben.reports.letter import (BODY_BOTTOM, BODY_BOTTOM_WITH_BILL, BODY_LEADING, BODY_TOP_NEXT, DATE_LINE,
                                      FOOTER, LEFT, PAGE_HEIGHT, PAGE_WIDTH, RIGHT, TEXT_WIDTH, new_canvas)
from sollhaben.reports.letter_flow import FlowItem, Page, draw_rules, flow, put_page, space
from sollhaben.reports.qr_bill import SLIP_HEIGHT, draw_bill

# columns (mm from the page's left edge): texts by their left edge, amounts by their right edge
COL_DATE, COL_NO, COL_MONTH, COL_TEXT = LEFT, 55.0, 58.0, 73.0
TEXT_COLUMN_WIDTH = 56.0
COL_DEBIT, COL_CREDIT, COL_BALANCE = 149.0, 169.5, PAGE_WIDTH - RIGHT
ROW, MARK_ROW, SIZE, MARK_SIZE, HEAD_SIZE = 4.1, 3.3, 8.5, 7.0, 8.0
# the open items by month and category
COL_G_MONTH, COL_G_CATEGORY, COL_G_COUNT, COL_G_AMOUNT = LEFT, 50.0, 140.0, PAGE_WIDTH - RIGHT
GAP = BODY_LEADING / mm


def _money(amount: Money, country: str) -> str:
    return format_money(amount, country)


def _line(text: str, font: str = LETTER_REGULAR, size: float = 10.0, height: float = GAP,
          keep: bool = False) -> FlowItem:
    item = FlowItem(height, keep_with_next=keep)
    item.text(LEFT, 0, text, font, size)
    return item


def _paragraph(text: str, size: float = 9.5) -> list[FlowItem]:
    lines = wrap(text, LETTER_REGULAR, size, TEXT_WIDTH * mm) or ("",)
    items = [_line(line, size=size, height=size * 1.3 / mm * 1.0 + 0.6, keep=i < len(lines) - 1)
             for i, line in enumerate(lines)]
    return items + [space(2.0)]


def _figure(label: str, amount: Money, country: str, bold: bool = False, rule: bool = False) -> FlowItem:
    font = LETTER_BOLD if bold else LETTER_REGULAR
    item = FlowItem(ROW + (1.0 if rule else 0.4))
    item.text(COL_DATE, 0, label, font, SIZE + 0.5)
    item.text(COL_BALANCE, 0, _money(amount, country), font, SIZE + 0.5, right=True)
    if rule:
        item.rules.append((COL_CREDIT + 3, COL_BALANCE, -3.3, 0.6))
    return item


def _postings_head() -> FlowItem:
    item = FlowItem(4.8, keep_with_next=True)
    for x, title, right in ((COL_DATE, "Datum", False), (COL_NO, "Nr.", True), (COL_MONTH, "Monat", False),
                            (COL_TEXT, "Text", False), (COL_DEBIT, "Soll", True), (COL_CREDIT, "Haben", True),
                            (COL_BALANCE, "Saldo", True)):
        item.text(x, 0, title, LETTER_BOLD, HEAD_SIZE, right=right)
    item.rules.append((COL_DATE, COL_BALANCE, 1.3, 0.5))
    return item


def _posting_row(row: StatementRow, country: str) -> FlowItem:
    item = FlowItem(ROW)
    item.text(COL_DATE, 0, format_date(row.booking_date), size=SIZE)
    item.text(COL_NO, 0, str(row.number), size=SIZE, right=True)
    item.text(COL_MONTH, 0, str(row.month) if row.month else "", size=SIZE)
    texts = wrap(row.text or "", LETTER_REGULAR, SIZE, TEXT_COLUMN_WIDTH * mm)[:2] or ("",)
    for i, text in enumerate(texts):
        item.text(COL_TEXT, i * ROW, text, size=SIZE)
    column = COL_DEBIT if row.amount.minor > 0 else COL_CREDIT
    item.text(column, 0, _money(abs(row.amount), country), size=SIZE, right=True)
    item.text(COL_BALANCE, 0, _money(row.balance, country), size=SIZE, right=True)
    dy = (len(texts) - 1) * ROW
    for mark in row.marks:
        dy += MARK_ROW
        item.text(COL_TEXT, dy, mark, size=MARK_SIZE)
    item.height = dy + ROW
    return item


def _postings(doc: StatementDocument, country: str) -> list[FlowItem]:
    heading = _line("Buchungen", LETTER_BOLD, 10.0, 5.6, keep=True)
    continued = _line("Buchungen (Fortsetzung)", LETTER_BOLD, 9.0, 5.0, keep=True)
    head = _postings_head()
    items = [heading, head, _figure(doc.opening_label, doc.opening, country)]
    items[-1].header = [continued, _postings_head()]
    for row in doc.rows:
        item = _posting_row(row, country)
        item.header = [continued, _postings_head()]
        items.append(item)
    items[-1].keep_with_next = True  # the closing balance never stands alone on a page
    closing = _figure(doc.closing_label, doc.closing, country, bold=True, rule=True)
    closing.header = [continued, _postings_head()]
    return items + [closing, space(4.0)]


def _groups_head() -> FlowItem:
    item = FlowItem(4.8, keep_with_next=True)
    for x, title, right in ((COL_G_MONTH, "Monat", False), (COL_G_CATEGORY, "Kategorie", False),
                            (COL_G_COUNT, "Posten", True), (COL_G_AMOUNT, "offen", True)):
        item.text(x, 0, title, LETTER_BOLD, HEAD_SIZE, right=right)
    item.rules.append((COL_G_MONTH, COL_G_AMOUNT, 1.3, 0.5))
    return item


def _open_items(doc: StatementDocument, country: str) -> list[FlowItem]:
    heading = _line("Offene Posten nach Monat und Kategorie", LETTER_BOLD, 10.0, 5.6, keep=True)
    if not doc.groups:
        items = [heading, _line("Es sind keine Posten offen.", size=9.5, height=ROW + 1.0)]
    else:
        continued = _line("Offene Posten (Fortsetzung)", LETTER_BOLD, 9.0, 5.0, keep=True)
        items = [heading, _groups_head()]
        by_month: dict = {}
        for group in doc.groups:
            by_month.setdefault(group.month, []).append(group)
        for month, groups in by_month.items():
            for i, group in enumerate(groups):
                item = FlowItem(ROW, header=[continued, _groups_head()])
                item.text(COL_G_MONTH, 0, str(month) if i == 0 else "", size=SIZE)
                item.text(COL_G_CATEGORY, 0, group.category, size=SIZE)
                item.text(COL_G_COUNT, 0, str(group.count), size=SIZE, right=True)
                item.text(COL_G_AMOUNT, 0, _money(group.amount, country), size=SIZE, right=True)
                items.append(item)
            if len(groups) > 1:
                items[-1].keep_with_next = True
                total = FlowItem(ROW + 0.8, header=[continued, _groups_head()])
                total.text(COL_G_CATEGORY, 0, f"Summe {month}", LETTER_BOLD, SIZE)
                total.text(COL_G_AMOUNT, 0, _money(sum((g.amount for g in groups), Money(0, doc.balance.currency)),
                                                   country), LETTER_BOLD, SIZE, right=True)
                total.rules.append((COL_CREDIT + 3, COL_G_AMOUNT, -3.1, 0.4))
                items.append(total)
        items[-1].keep_with_next = True
    items += [space(1.5), _figure("Summe offene Posten", doc.open_total, country, rule=True)]
    items[-1].keep_with_next = True
    items.append(_figure("abzüglich unzugeordnetes Guthaben", -doc.credit, country))
    items[-1].keep_with_next = True
    items.append(_figure(doc.closing_label if doc.balance == doc.closing else "Saldo", doc.balance, country,
                         bold=True, rule=True))
    return items + [space(4.0)]


def _items(doc: StatementDocument) -> list[FlowItem]:
    country = doc.letter.country
    items = [_line(doc.account_line, LETTER_BOLD, 9.5, ROW + 0.6), _line(doc.period_line, size=9.5, height=ROW + 3)]
    items += _postings(doc, country)
    items += _open_items(doc, country)
    for note in doc.notes:
        items += _paragraph(note)
    items += [space(2.0), _line(letter_texts.closing(country, doc.letter.language), size=10.0)]
    items += [space(GAP), _line(doc.letter.signature or doc.letter.sender.name, size=10.0)]
    return items


def layout(doc: StatementDocument) -> list[Page]:
    """The pages; the bill at the foot of the last page when its text ends above the slip, else
    on a page of its own."""
    letter = doc.letter
    subject_lines = len(wrap(letter.subject, LETTER_BOLD, 10.0, TEXT_WIDTH * mm)[:2]) or 1
    first_top = DATE_LINE + (3 + subject_lines) * GAP
    items = _items(doc)
    if letter.bill is not None:
        pages = flow(items, first_top, BODY_BOTTOM_WITH_BILL)
        if len(pages) == 1:
            pages[0].bill = True
            return pages
    pages = flow(items, first_top, BODY_BOTTOM)
    if letter.bill is not None:
        last = pages[-1].items
        if last and last[-1][0] + last[-1][1].extent <= BODY_BOTTOM_WITH_BILL:
            pages[-1].bill = True
        else:
            pages.append(Page(bill=True))
    return pages


def render_statement(doc: StatementDocument) -> bytes:
    """The statement as PDF bytes (deterministic: invariant output)."""
    register_fonts()
    letter = doc.letter
    buffer = io.BytesIO()
    c = new_canvas(buffer, letter.title or letter.subject)
    pages = layout(doc)
    language = letter_texts.language_of(letter.language)
    for number, page in enumerate(pages, start=1):
        words = Words(c)
        rules = put_page(c, words, letter, letter.sender.name, number, page)
        if page.bill and not page.items and number > 1:
            words.put(LEFT, BODY_TOP_NEXT + 10, letter_texts.BILL_PAGE[language], LETTER_BOLD)
        footer = PAGE_HEIGHT - SLIP_HEIGHT - 4 if page.bill else FOOTER
        words.put(PAGE_WIDTH - RIGHT, footer, letter_texts.PAGE[language].format(page=number, pages=len(pages)),
                  size=8, right=True)
        words.draw()
        draw_rules(c, rules)
        if page.bill:
            draw_bill(c, letter.bill)
        c.showPage()
    c.save()
    return buffer.getvalue()
