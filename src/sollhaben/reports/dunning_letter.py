"""The reminder letter (Zahlungserinnerung / Mahnung) on A4: one or many in a PDF.

Page 1 is the house letter (`reports.letter`: letterhead, address window, place and date, the
level's name as subject, fold marks for DE); then salutation, the level's text (placeholders
already filled), a table of the reminded items (text, due date, level, open amount), the reminder
fee, the total, the payment lines and the closing. The flow (`reports.letter_flow`) breaks between
rows and repeats the table head. A CH letter of a level with QR-bill carries the bill for the total
at the foot of page 1 when everything fits above it, else at the foot of the last page or on a page
of its own. Drawn straight on the canvas with the cached text output of the module letters
(`kita_assessment_pdf.Words`): 2 000 letters must render in seconds.
"""
from __future__ import annotations

import datetime as dt
import io
from concurrent.futures import CancelledError
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from sollhaben.domain.formatting import format_date, format_number_minor
from sollhaben.reports import letter_texts
from sollhaben.reports.dunning_letter_texts import total_label
from sollhaben.reports.fonts import LETTER_BOLD, LETTER_REGULAR, register_fonts, wrap
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
from sollhaben.reports.letter_flow import FlowItem, Page, draw_rules, flow, put_page, space
from sollhaben.reports.letter_model import Letter, Sender
from sollhaben.reports.qr_bill import SLIP_HEIGHT, draw_bill
from sollhaben.reports.qr_bill_data import PreparedBill

Progress = Callable[[int, int], None]
COL_TEXT, TEXT_COL_WIDTH = LEFT, 88.0
COL_DUE, COL_LEVEL, COL_OPEN = 117.0, 142.0, PAGE_WIDTH - RIGHT
ROW_SIZE, ROW_LEADING, HEAD_SIZE = 9.0, 4.1, 8.0
LINE_GAP = BODY_LEADING / mm


@dataclass(frozen=True)
class ReminderItem:
    text: str
    due_date: dt.date | None
    level: int
    open_minor: int


@dataclass(frozen=True)
class ReminderLetter:
    """Frozen data of one reminder letter (built by services.receivables.dunning_letters)."""

    country: str
    sender: Sender
    recipient: tuple[str, ...]
    place: str
    date: dt.date
    subject: str  # the level's name
    salutation: str
    body: str  # the level's text, placeholders filled
    items: tuple[ReminderItem, ...]
    fee_minor: int
    fee_label: str
    total_minor: int
    currency: str
    payment_lines: tuple[str, ...] = ()
    bill: PreparedBill | None = None
    file_name: str = ""  # for one PDF per recipient


def money(minor: int, country: str, currency: str = "") -> str:
    text = format_number_minor(minor, country)
    if not currency:
        return text
    return f"{currency} {text}" if country == "CH" else f"{text} {currency}"


def _swiss(text: str, country: str) -> str:
    return text.replace("ß", "ss") if country == "CH" else text


def _paragraph(text: str, country: str, size: float = 10.0, bold: bool = False) -> list[FlowItem]:
    font = LETTER_BOLD if bold else LETTER_REGULAR
    lines = [line for raw in _swiss(text, country).split("\n")
             for line in (wrap(raw, font, size, TEXT_WIDTH * mm) or ("",))]
    items = []
    for i, line in enumerate(lines):
        item = FlowItem(LINE_GAP, keep_with_next=i < len(lines) - 1 and len(lines) <= 5)
        item.text(LEFT, 0, line, font, size)
        items.append(item)
    return items + [space(LINE_GAP)]


def _paragraphs(text: str, country: str) -> list[FlowItem]:
    items: list[FlowItem] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if block.strip():
            items += _paragraph(block.strip("\n"), country)
    return items


def _head() -> FlowItem:
    item = FlowItem(4.6, keep_with_next=True)
    item.text(COL_TEXT, 0, "Posten", LETTER_BOLD, HEAD_SIZE)
    item.text(COL_DUE, 0, "Fällig am", LETTER_BOLD, HEAD_SIZE)
    item.text(COL_LEVEL, 0, "Mahnstufe", LETTER_BOLD, HEAD_SIZE)
    item.text(COL_OPEN, 0, "Offen", LETTER_BOLD, HEAD_SIZE, right=True)
    item.rules.append((COL_TEXT, COL_OPEN, 1.3, 0.5))
    return item


def _row(r: ReminderItem, country: str, head: FlowItem) -> FlowItem:
    lines = wrap(r.text, LETTER_REGULAR, ROW_SIZE, TEXT_COL_WIDTH * mm) or ("",)
    item = FlowItem(len(lines) * ROW_LEADING + 0.8, header=[head])
    for i, text in enumerate(lines):
        item.text(COL_TEXT, i * ROW_LEADING, text)
    item.text(COL_DUE, 0, format_date(r.due_date))
    item.text(COL_LEVEL, 0, str(r.level))
    item.text(COL_OPEN, 0, format_number_minor(r.open_minor, country), right=True)
    return item


def _table(letter: ReminderLetter) -> list[FlowItem]:
    country = letter.country
    head = _head()
    items = [head] + [_row(r, country, head) for r in letter.items]
    if letter.fee_minor:
        fee = FlowItem(ROW_LEADING + 0.8)
        fee.text(COL_TEXT, 0, _swiss(letter.fee_label, country))
        fee.text(COL_OPEN, 0, format_number_minor(letter.fee_minor, country), right=True)
        items.append(fee)
    items[-1].keep_with_next = True  # the total stays with the last row
    total = FlowItem(LINE_GAP + 1.0)
    total.text(COL_TEXT, 1.2, total_label(country), LETTER_BOLD, 10.0)
    total.text(COL_OPEN, 1.2, money(letter.total_minor, country, letter.currency), LETTER_BOLD, 10.0, right=True)
    total.rules.append((COL_TEXT, COL_OPEN, -2.6, 0.8))
    return items + [total, space(1.0)]


def _items(letter: ReminderLetter) -> list[FlowItem]:
    country = letter.country
    items = _paragraph(letter.salutation, country) if letter.salutation else []
    items += _paragraphs(letter.body, country)
    items += _table(letter)
    for line in letter.payment_lines:
        items += _paragraph(line, country)[:-1]
    if letter.payment_lines:
        items.append(space(LINE_GAP / 2))
    # closing and sender on consecutive lines: a letter with two or three items and the QR-bill then
    # fits on one page (the slip takes the bottom 105 mm)
    items += _paragraph(letter_texts.closing(country, "de"), country)[:-1]
    signature = FlowItem(LINE_GAP)
    signature.text(LEFT, 0, letter.sender.name, size=10.0)
    return items + [signature]


def _house(letter: ReminderLetter) -> Letter:
    return Letter(country=letter.country, language="de", sender=letter.sender, recipient=letter.recipient,
                  place=letter.place, date=letter.date, subject=letter.subject, body="", bill=letter.bill)


def layout(letter: ReminderLetter) -> list[Page]:
    items = _items(letter)
    subject_lines = len(wrap(letter.subject, LETTER_BOLD, 10.0, TEXT_WIDTH * mm)[:2]) or 1
    first_top = DATE_LINE + (3 + subject_lines) * LINE_GAP
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


def draw_reminder(c: Canvas, letter: ReminderLetter) -> int:
    """Draw every page of one letter (each ended with showPage); returns the page count."""
    register_fonts()
    house = _house(letter)
    pages = layout(letter)
    for number, page in enumerate(pages, start=1):
        w = Words(c)
        rules = put_page(c, w, house, letter.sender.name, number, page)
        if page.bill and not page.items and number > 1:
            w.put(LEFT, BODY_TOP_NEXT + 10, letter_texts.BILL_PAGE["de"], LETTER_BOLD)
        footer = PAGE_HEIGHT - SLIP_HEIGHT - 4 if page.bill else FOOTER
        w.put(PAGE_WIDTH - RIGHT, footer, letter_texts.PAGE["de"].format(page=number, pages=len(pages)), size=8,
              right=True)
        w.draw()
        draw_rules(c, rules)
        if page.bill:
            draw_bill(c, letter.bill)
        c.showPage()
    return len(pages)


def render_reminders(letters: Iterable[ReminderLetter], total: int | None = None, progress: Progress | None = None,
                     cancelled: Callable[[], bool] | None = None, title: str = "Mahnungen") -> bytes:
    """Many letters in one PDF (page numbers per letter); progress after each, cancel before each."""
    buffer = io.BytesIO()
    c: Canvas | None = None
    done = 0
    for letter in letters:
        if cancelled is not None and cancelled():
            raise CancelledError("Druck abgebrochen")
        if c is None:
            c = new_canvas(buffer, title)
        draw_reminder(c, letter)
        done += 1
        if progress is not None:
            progress(done, total or done)
    if c is None:
        raise ValueError("no letters to render")
    c.save()
    return buffer.getvalue()


def render_each(letters: Iterable[ReminderLetter], total: int | None = None, progress: Progress | None = None,
                cancelled: Callable[[], bool] | None = None) -> Iterator[tuple[ReminderLetter, bytes]]:
    """One PDF per letter (a generator); progress and cancel as in `render_reminders`."""
    done = 0
    for letter in letters:
        if cancelled is not None and cancelled():
            raise CancelledError("Druck abgebrochen")
        yield letter, render_reminders([letter], title=letter.subject)
        done += 1
        if progress is not None:
            progress(done, total or done)
