"""Letters on A4: letterhead, address in the envelope window, place and date, subject, body that
flows onto further pages, closing, "Seite x von y" per letter, and optionally the Swiss QR-bill.

Many letters go into one PDF (a print run); page numbers count within each letter. The text is
laid out first (lines per page), then drawn directly on the canvas: a print run of 2 000 letters
must take seconds, which rules out a flowable document per letter. Positions: docs/printing.md.
"""
from __future__ import annotations

import io
from concurrent.futures import CancelledError
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from sollhaben.reports import letter_texts as texts
from sollhaben.reports.fonts import LETTER_BOLD, LETTER_REGULAR, register_fonts, wrap
from sollhaben.reports.letter_model import Letter
from sollhaben.reports.qr_bill import SLIP_HEIGHT, draw_bill

PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0  # mm
LEFT, RIGHT = 25.0, 20.0  # text margins (DIN 5008: 25 mm left, at least 20 mm right)
TEXT_WIDTH = PAGE_WIDTH - LEFT - RIGHT
BODY_SIZE, BODY_LEADING = 10.0, 13.0  # pt
# Envelope windows: top-left corner of the address field and its first address baseline (mm)
WINDOWS = {
    "DE": {"x": 20.0, "top": 45.0, "return": 60.2, "first": 66.5, "width": 85.0},  # DIN 5008 form B
    "CH": {"x": 118.0, "top": 50.0, "return": 54.0, "first": 60.0, "width": 80.0},  # SN 010 130, right
}
DATE_LINE = 98.5  # baseline of place and date on page 1 (mm from the top)
BODY_TOP_NEXT = 25.0  # first body baseline on following pages
BODY_BOTTOM = 272.0  # last body baseline on a page without the bill
BODY_BOTTOM_WITH_BILL = PAGE_HEIGHT - SLIP_HEIGHT - 9.0  # keep clear of the slip and the page number
FOOTER = 287.0  # page number baseline without the bill
FOLD_MARKS_DE = (105.0, 210.0)  # DIN 5008 form B fold marks, hole mark at 148.5 mm

Progress = Callable[[int, int], None]


@dataclass
class _Page:
    lines: list[tuple[float, str, bool]]  # (baseline mm from top, text, bold)
    bill: bool = False


def y_from_top(mm_from_top: float) -> float:
    """The reportlab y coordinate (points from the bottom) of a position given in mm from the top."""
    return (PAGE_HEIGHT - mm_from_top) * mm


def _body_lines(letter: Letter) -> list[tuple[str, bool]]:
    """(text, bold) lines of the flowing part: body, payment lines, closing and signature;
    "" is an empty line."""
    width = TEXT_WIDTH * mm
    out: list[tuple[str, bool]] = []
    paragraphs = [p.strip("\n") for p in letter.body.replace("\r\n", "\n").split("\n\n")]
    for paragraph in paragraphs:
        if not paragraph.strip():
            continue
        for raw in paragraph.split("\n"):
            out.extend((line, False) for line in wrap(raw, LETTER_REGULAR, BODY_SIZE, width) or ("",))
        out.append(("", False))
    if letter.payment_lines:
        for raw in letter.payment_lines:
            out.extend((line, False) for line in wrap(raw, LETTER_REGULAR, BODY_SIZE, width))
        out.append(("", False))
    out.append((letter.closing or texts.closing(letter.country, letter.language), False))
    out.append(("", False))
    out.append((letter.signature or letter.sender.name, False))
    return out


def _flow(lines: list[tuple[str, bool]], first_top: float, first_bottom: float) -> list[_Page]:
    pages = [_Page([])]
    y, bottom = first_top, first_bottom
    for text, bold in lines:
        if y > bottom:
            pages.append(_Page([]))
            y, bottom = BODY_TOP_NEXT, BODY_BOTTOM
            if not text:  # no empty line at the top of a page
                continue
        pages[-1].lines.append((y, text, bold))
        y += BODY_LEADING / mm
    return pages


def layout(letter: Letter) -> list[_Page]:
    """The pages of one letter. With a bill: on page 1 when everything fits above the slip,
    else on a page of its own after the text."""
    lines = _body_lines(letter)
    subject_lines = len(wrap(letter.subject, LETTER_BOLD, BODY_SIZE, TEXT_WIDTH * mm)[:2]) or 1
    first_top = DATE_LINE + (3 + subject_lines) * BODY_LEADING / mm  # date, empty, subject, empty
    if letter.bill is not None:
        pages = _flow(lines, first_top, BODY_BOTTOM_WITH_BILL)
        if len(pages) == 1:
            pages[0].bill = True
            return pages
    pages = _flow(lines, first_top, BODY_BOTTOM)
    if letter.bill is not None:
        pages.append(_Page([], bill=True))
    return pages


class _Words:
    """All texts of one page in one PDF text object (much faster than one per string)."""

    def __init__(self, c: Canvas) -> None:
        self.c, self.t, self.font = c, c.beginText(), None

    def put(self, x_mm: float, y_mm: float, text: str, font: str = LETTER_REGULAR, size: float = BODY_SIZE,
            right: bool = False) -> None:
        if self.font != (font, size):
            self.t.setFont(font, size)
            self.font = (font, size)
        x = x_mm * mm - (self.c.stringWidth(text, font, size) if right else 0)
        self.t.setTextOrigin(x, y_from_top(y_mm))
        self.t.textOut(text)

    def draw(self) -> None:
        self.c.drawText(self.t)


def _letterhead(w: _Words, letter: Letter) -> None:
    sender = letter.sender
    w.put(LEFT, 20, sender.name, LETTER_BOLD, 14)
    w.put(LEFT, 25, sender.address_line(), size=9)
    contact = sender.contact_line()
    if contact:
        w.put(LEFT, 29.5, contact, size=9)


def _window(c: Canvas, w: _Words, letter: Letter) -> None:
    window = WINDOWS.get(letter.country, WINDOWS["CH"])
    x, width = window["x"], window["width"] * mm
    back = f"{letter.sender.name}, {letter.sender.address_line()}"
    size = 7.0
    while size > 5 and c.stringWidth(back, LETTER_REGULAR, size) > width:
        size -= 0.5
    w.put(x, window["return"], back, size=size)
    c.setLineWidth(0.3)
    c.line(x * mm, y_from_top(window["return"] + 1.0), x * mm + min(c.stringWidth(back, LETTER_REGULAR, size), width),
           y_from_top(window["return"] + 1.0))
    for i, line in enumerate(letter.recipient[:6]):
        w.put(x, window["first"] + i * 4.5, line)


def first_page_head(c: Canvas, w: _Words, letter: Letter) -> None:
    """The house letter's first-page head: letterhead, address window, date line, subject (shared
    with the module letters, e.g. the fee assessment)."""
    _letterhead(w, letter)
    _window(c, w, letter)
    w.put(LEFT, DATE_LINE, texts.date_line(letter.country, letter.language, letter.place, letter.date))
    y = DATE_LINE + 2 * BODY_LEADING / mm
    for line in wrap(letter.subject, LETTER_BOLD, BODY_SIZE, TEXT_WIDTH * mm)[:2]:
        w.put(LEFT, y, line, LETTER_BOLD)
        y += BODY_LEADING / mm
    if letter.country == "DE":
        c.setLineWidth(0.3)
        for mark in (*FOLD_MARKS_DE, PAGE_HEIGHT / 2):
            c.line(4 * mm, y_from_top(mark), (8 if mark in FOLD_MARKS_DE else 10) * mm, y_from_top(mark))


def draw_letter(c: Canvas, letter: Letter) -> int:
    """Draw all pages of one letter (ending each with showPage); returns the page count."""
    register_fonts()
    pages = layout(letter)
    language = texts.language_of(letter.language)
    for number, page in enumerate(pages, start=1):
        w = _Words(c)
        if number == 1:
            first_page_head(c, w, letter)
        else:
            w.put(LEFT, 13, f"{letter.sender.name} – {letter.subject}"[:120], size=8)
        for y, text, bold in page.lines:
            if text:
                w.put(LEFT, y, text, LETTER_BOLD if bold else LETTER_REGULAR)
        if page.bill and not page.lines and number > 1:
            w.put(LEFT, BODY_TOP_NEXT + 10, texts.BILL_PAGE[language], LETTER_BOLD)
        footer = PAGE_HEIGHT - SLIP_HEIGHT - 4 if page.bill else FOOTER
        w.put(PAGE_WIDTH - RIGHT, footer, texts.PAGE[language].format(page=number, pages=len(pages)), size=8,
              right=True)
        w.draw()
        if page.bill:
            draw_bill(c, letter.bill)
        c.showPage()
    return len(pages)


def new_canvas(buffer: io.BytesIO, title: str) -> Canvas:
    """A deterministic A4 canvas (`invariant=1`: no timestamps or random ids in the file)."""
    register_fonts()
    c = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(title)
    c.setAuthor("Sollhaben")
    c.setCreator("Sollhaben")
    return c


def render_letters(letters: Iterable[Letter] | Sequence[Letter], total: int | None = None,
                   progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
                   title: str = "") -> bytes:
    """Many letters in one PDF. `progress(done, total)` after each letter; when `cancelled()`
    turns true, stops with `concurrent.futures.CancelledError` (nothing is returned)."""
    if total is None and isinstance(letters, Sequence):
        total = len(letters)
    buffer = io.BytesIO()
    c: Canvas | None = None
    done = 0
    for letter in letters:
        if cancelled is not None and cancelled():
            raise CancelledError("Druck abgebrochen")
        if c is None:
            c = new_canvas(buffer, title or letter.title or letter.subject)
        draw_letter(c, letter)
        done += 1
        if progress is not None:
            progress(done, total or done)
    if c is None:
        raise ValueError("no letters to render")
    c.save()
    return buffer.getvalue()


def render_letter(letter: Letter) -> bytes:
    """One letter as PDF bytes."""
    return render_letters([letter])
