"""A `TableReport` as PDF: header with organization, title and date, column heads repeated on
every page, zebra rows, bold totals, "Seite x von y". Drawn on the canvas (no platypus): a list of
thousands of rows renders in well under a second."""
from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from sollhaben.reports.fonts import LETTER_BOLD, LETTER_REGULAR, register_fonts, text_width
from sollhaben.reports.table_model import ReportSection, TableReport, cell_text

MARGIN = 15 * mm
ROW = 5.2 * mm
SIZE = 8.5
HEAD_SIZE = 8.5
ZEBRA = (0.95, 0.95, 0.95)


class _Writer:
    def __init__(self, report: TableReport) -> None:
        register_fonts()
        self.report = report
        self.buffer = io.BytesIO()
        self.size = landscape(A4) if report.landscape else A4
        self.canvas = _NumberedCanvas(self.buffer, pagesize=self.size, invariant=1)
        self.canvas.setTitle(report.title)
        self.canvas.setAuthor(report.organization)
        self.width = self.size[0] - 2 * MARGIN
        self.page = 0
        self.y = 0.0

    # page frame ------------------------------------------------------------------------------
    def new_page(self) -> None:
        if self.page:
            self.canvas.showPage()
        self.page += 1
        c, top = self.canvas, self.size[1] - MARGIN
        c.setFont(LETTER_BOLD, 12)
        c.drawString(MARGIN, top - 4 * mm, self.report.title)
        c.setFont(LETTER_REGULAR, 8)
        c.drawRightString(MARGIN + self.width, top - 4 * mm, self.report.organization)
        info = self.report.subtitle
        stamp = self.report.created.strftime("erstellt am %d.%m.%Y %H:%M")
        c.drawString(MARGIN, top - 9 * mm, info)
        c.drawRightString(MARGIN + self.width, top - 9 * mm, stamp)
        c.setLineWidth(0.5)
        c.line(MARGIN, top - 11 * mm, MARGIN + self.width, top - 11 * mm)
        self.y = top - 17 * mm

    # tables ----------------------------------------------------------------------------------
    def widths(self, section: ReportSection) -> list[float]:
        total = sum(c.width for c in section.columns)
        return [self.width * c.width / total for c in section.columns]

    def column_heads(self, section: ReportSection, widths: list[float]) -> None:
        c = self.canvas
        c.setFont(LETTER_BOLD, HEAD_SIZE)
        x = MARGIN
        for column, w in zip(section.columns, widths):
            self.draw_cell(column.title, x, w, column.numeric, LETTER_BOLD, HEAD_SIZE)
            x += w
        c.setLineWidth(0.4)
        c.line(MARGIN, self.y - 1.6 * mm, MARGIN + self.width, self.y - 1.6 * mm)
        self.y -= ROW

    def draw_cell(self, text: str, x: float, w: float, right: bool, font: str, size: float) -> None:
        pad = 1.2 * mm
        while text and text_width(text, font, size) > w - 2 * pad:  # cut what does not fit
            text = text[:-2] + "…" if len(text) > 2 else ""
        if right:
            self.canvas.drawRightString(x + w - pad, self.y, text)
        else:
            self.canvas.drawString(x + pad, self.y, text)

    def room(self, rows: int) -> bool:
        return self.y - rows * ROW > MARGIN + 8 * mm

    def section(self, section: ReportSection) -> None:
        widths = self.widths(section)
        if not self.room(4):
            self.new_page()
        self.canvas.setFont(LETTER_BOLD, 10)
        self.canvas.drawString(MARGIN, self.y, section.heading)
        self.y -= ROW * 1.2
        self.column_heads(section, widths)
        country = self.report.country
        for index, row in enumerate(section.rows):
            if not self.room(1):
                self.new_page()
                self.column_heads(section, widths)
            self.row(row, widths, section, country, bold=False, zebra=index % 2 == 1)
        if section.totals:
            self.canvas.setLineWidth(0.4)
            self.canvas.line(MARGIN, self.y + ROW - 1.6 * mm, MARGIN + self.width, self.y + ROW - 1.6 * mm)
            for row in section.totals:
                if not self.room(1):
                    self.new_page()
                    self.column_heads(section, widths)
                self.row(row, widths, section, country, bold=True, zebra=False)
        self.y -= ROW * 0.8

    def row(self, row, widths, section: ReportSection, country: str, bold: bool, zebra: bool) -> None:
        c = self.canvas
        if zebra:
            c.setFillColorRGB(*ZEBRA)
            c.rect(MARGIN, self.y - 1.5 * mm, self.width, ROW, stroke=0, fill=1)
            c.setFillColorRGB(0, 0, 0)
        font = LETTER_BOLD if bold else LETTER_REGULAR
        c.setFont(font, SIZE)
        x = MARGIN
        for value, column, w in zip(row, section.columns, widths):
            self.draw_cell(cell_text(value, country), x, w, column.numeric, font, SIZE)
            x += w
        self.y -= ROW

    def notes(self) -> None:
        for line in self.report.notes:
            if not self.room(1):
                self.new_page()
            self.canvas.setFont(LETTER_REGULAR, SIZE)
            self.canvas.drawString(MARGIN, self.y, line)
            self.y -= ROW

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()  # writes "Seite x von y" on every page
        return self.buffer.getvalue()


class _NumberedCanvas(canvas.Canvas):
    """Defers page output to write "Seite x von y" once the count is known."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._saved: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        count = len(self._saved)
        for number, state in enumerate(self._saved, start=1):
            self.__dict__.update(state)
            width = self._pagesize[0]
            self.setFont(LETTER_REGULAR, 7.5)
            self.drawRightString(width - MARGIN, MARGIN - 6 * mm, f"Seite {number} von {count}")
            super().showPage()
        super().save()


def render_table_pdf(report: TableReport) -> bytes:
    """The report as PDF bytes (deterministic: invariant output)."""
    writer = _Writer(report)
    writer.new_page()
    for section in report.sections:
        writer.section(section)
    writer.notes()
    return writer.finish()
