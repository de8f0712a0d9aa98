"""A small bar chart drawn with QPainter: the ageing of the open items (per bucket) and the
collections per month. QtCharts would do it too, but the packaged app leaves QtCharts out
(packaging/sollhaben.spec) and a dozen bars do not need it.

Values are minor units (int); the labels above the bars are formatted by the caller's function,
so the chart shows exactly the amounts of the table beside it. Negative values (a month with more
reversals than receipts) hang below the zero line."""
from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR_COLORS = (QColor("#6b8fb8"), QColor("#4f9d69"), QColor("#e0a33a"), QColor("#d9722e"), QColor("#c0392b"))


class BarChart(QWidget):
    def __init__(self, title: str, formatter: Callable[[int], str], parent: QWidget | None = None,
                 colors: Sequence[QColor] | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.formatter = formatter
        self.colors = tuple(colors) if colors else (QColor("#4f7db3"),)
        self.labels: tuple[str, ...] = ()
        self.values: tuple[int, ...] = ()
        self.setMinimumSize(260, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(420, 240)

    def set_bars(self, labels: Sequence[str], values: Sequence[int]) -> None:
        if len(labels) != len(values):
            raise ValueError("one label per value")
        self.labels, self.values = tuple(labels), tuple(int(v) for v in values)
        self.update()

    def bar_rects(self) -> list[QRectF]:
        """Where the bars are drawn (also for tests): one rectangle per value."""
        metrics = self.fontMetrics()
        line = metrics.height()
        top, bottom = 12 + 2 * line, self.height() - 8 - 2 * line
        left, right = 12, self.width() - 12
        if not self.values or bottom <= top:
            return []
        high, low = max(max(self.values), 0), min(min(self.values), 0)
        span = (high - low) or 1
        zero = top + (bottom - top) * high / span
        slot = (right - left) / len(self.values)
        width = max(4.0, slot * 0.62)
        rects = []
        for i, value in enumerate(self.values):
            x = left + i * slot + (slot - width) / 2
            height = (bottom - top) * abs(value) / span
            y = zero - height if value >= 0 else zero
            rects.append(QRectF(x, y, width, height))
        return rects

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        metrics = self.fontMetrics()
        line = metrics.height()
        title_font = painter.font()
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(self.palette().text().color())
        painter.drawText(QRectF(12, 6, self.width() - 24, line + 2), Qt.AlignmentFlag.AlignLeft, self.title)
        painter.setFont(self.font())
        rects = self.bar_rects()
        if not rects:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Keine Daten")
            painter.end()
            return
        high, low = max(max(self.values), 0), min(min(self.values), 0)
        top, bottom = 12 + 2 * line, self.height() - 8 - 2 * line
        zero = top + (bottom - top) * high / ((high - low) or 1)
        painter.setPen(QPen(QColor("#888888"), 1))
        painter.drawLine(8, round(zero), self.width() - 8, round(zero))
        slot = (self.width() - 24) / len(self.values)
        small = self.font()
        if slot < 70:
            small.setPointSizeF(max(6.5, small.pointSizeF() * 0.85))
        for i, (rect, value, label) in enumerate(zip(rects, self.values, self.labels)):
            painter.fillRect(rect, self.colors[i % len(self.colors)])
            painter.setFont(small)
            painter.setPen(self.palette().text().color())
            center = rect.center().x()
            text_rect = QRectF(center - slot / 2, 0, slot, line)
            if value:
                y = rect.top() - line - 1 if value >= 0 else rect.bottom() + 1
                painter.drawText(text_rect.translated(0, y), Qt.AlignmentFlag.AlignHCenter, self.formatter(value))
            painter.drawText(text_rect.translated(0, self.height() - 6 - line),
                             Qt.AlignmentFlag.AlignHCenter, label)
        painter.end()
