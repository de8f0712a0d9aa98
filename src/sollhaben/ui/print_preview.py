"""Print preview for every printed document: QtPdf view, zoom, pages, print, save as PDF."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRect, QSize, QStandardPaths, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.ui.forms.ui_print_preview import Ui_PrintPreviewDialog

FIT_WIDTH, FIT_PAGE = "width", "page"
ZOOM_CHOICES = (("Seitenbreite", FIT_WIDTH), ("Ganze Seite", FIT_PAGE), ("50 %", 0.5), ("75 %", 0.75),
                ("100 %", 1.0), ("125 %", 1.25), ("150 %", 1.5), ("200 %", 2.0), ("300 %", 3.0))
_STEPS = [z for _t, z in ZOOM_CHOICES if isinstance(z, float)]


class PrintPreviewDialog(QDialog):
    """Shows PDF bytes; `saved(path)` after "Als PDF speichern", `printed(pages)` after printing."""

    saved = Signal(str)
    printed = Signal(int)

    def __init__(self, pdf_bytes: bytes, title: str, suggested_filename: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pdf_bytes = bytes(pdf_bytes)
        self.suggested_filename = suggested_filename if suggested_filename.lower().endswith(".pdf") \
            else f"{suggested_filename}.pdf"
        self.ui = Ui_PrintPreviewDialog()
        self.ui.setupUi(self)
        self.setWindowTitle(f"Druckvorschau – {title}")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)

        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(self.pdf_bytes))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)

        self.view = QPdfView(self.ui.viewHost)
        self.view.setObjectName("pdfView")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setPageSpacing(12)
        self.ui.viewLayout.addWidget(self.view)
        self.view.setFocus()

        for text, value in ZOOM_CHOICES:
            self.ui.zoomCombo.addItem(text, value)
        self.ui.zoomCombo.currentIndexChanged.connect(self._zoom_selected)
        self.ui.zoomInButton.clicked.connect(lambda: self.zoom_step(+1))
        self.ui.zoomOutButton.clicked.connect(lambda: self.zoom_step(-1))
        self.ui.previousButton.clicked.connect(lambda: self.go_to_page(self.current_page() - 1))
        self.ui.nextButton.clicked.connect(lambda: self.go_to_page(self.current_page() + 1))
        self.ui.pageSpin.valueChanged.connect(lambda value: self.go_to_page(value - 1))
        self.view.pageNavigator().currentPageChanged.connect(self._page_changed)
        self.ui.printButton.clicked.connect(lambda: self.print_dialog())
        self.ui.saveButton.clicked.connect(lambda: self.save_as())
        self.ui.closeButton.clicked.connect(self.reject)
        for keys, slot in ((QKeySequence.StandardKey.ZoomIn, lambda: self.zoom_step(+1)),
                           (QKeySequence.StandardKey.ZoomOut, lambda: self.zoom_step(-1)),
                           (QKeySequence.StandardKey.Print, self.print_dialog),
                           (QKeySequence.StandardKey.Save, self.save_as),
                           (Qt.Key.Key_PageDown, lambda: self.go_to_page(self.current_page() + 1)),
                           (Qt.Key.Key_PageUp, lambda: self.go_to_page(self.current_page() - 1))):
            QShortcut(QKeySequence(keys), self, activated=slot)

        self.ui.zoomCombo.setCurrentIndex(0)
        self._zoom_selected(0)
        self._update_pages()
        if self.document.status() == QPdfDocument.Status.Error:
            self.ui.printButton.setEnabled(False)
            QMessageBox.warning(self, "Druckvorschau", "Das Dokument kann nicht angezeigt werden.")
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            space = screen.availableGeometry()
            self.resize(min(self.width(), int(space.width() * 0.9)), min(self.height(), int(space.height() * 0.9)))

    # pages and zoom ------------------------------------------------------------------------
    def page_count(self) -> int:
        return self.document.pageCount()

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def go_to_page(self, page: int) -> None:
        if 0 <= page < self.page_count() and page != self.current_page():
            self.view.pageNavigator().jump(page, QPointF(), self.view.zoomFactor())

    def _page_changed(self, page: int) -> None:
        self.ui.pageSpin.blockSignals(True)
        self.ui.pageSpin.setValue(page + 1)
        self.ui.pageSpin.blockSignals(False)
        self.ui.previousButton.setEnabled(page > 0)
        self.ui.nextButton.setEnabled(page + 1 < self.page_count())

    def _update_pages(self) -> None:
        count = max(1, self.page_count())
        self.ui.pageSpin.setMaximum(count)
        self.ui.pageCountLabel.setText(f"von {count}")
        self._page_changed(max(0, self.current_page()))

    def _zoom_selected(self, index: int) -> None:
        value = self.ui.zoomCombo.itemData(index)
        if value == FIT_WIDTH:
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        elif value == FIT_PAGE:
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(float(value))

    def zoom_step(self, direction: int) -> None:
        current = self.view.zoomFactor()
        if direction > 0:
            target = next((z for z in _STEPS if z > current + 1e-6), _STEPS[-1])
        else:
            target = next((z for z in reversed(_STEPS) if z < current - 1e-6), _STEPS[0])
        self.ui.zoomCombo.setCurrentIndex(self.ui.zoomCombo.findData(target))

    # output --------------------------------------------------------------------------------
    def save_as(self) -> str | None:
        """Ask for a file name and write the PDF bytes unchanged; returns the path."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _filter = QFileDialog.getSaveFileName(self, "Als PDF speichern", str(Path(folder) / self.suggested_filename),
                                                    "PDF-Dokumente (*.pdf)")
        if not path:
            return None
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        try:
            Path(path).write_bytes(self.pdf_bytes)
        except OSError as exc:
            QMessageBox.warning(self, "Als PDF speichern", f"Die Datei konnte nicht gespeichert werden:\n{exc}")
            return None
        self.saved.emit(path)
        return path

    def print_dialog(self) -> int:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.windowTitle())
        dialog = QPrintDialog(printer, self)
        dialog.setMinMax(1, max(1, self.page_count()))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return 0
        return self.print_to(printer)

    def print_to(self, printer: QPrinter) -> int:
        """Render each page at the printer's resolution and paint it; returns pages printed."""
        first = max(1, printer.fromPage()) - 1 if printer.fromPage() else 0
        last = (printer.toPage() or self.page_count()) - 1
        pages = list(range(first, min(last, self.page_count() - 1) + 1))
        if not pages:
            return 0
        painter = QPainter()
        if not painter.begin(printer):
            QMessageBox.warning(self, "Drucken", "Der Drucker kann nicht angesprochen werden.")
            return 0
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            dpi = printer.resolution()
            for n, page in enumerate(pages):
                if n:
                    printer.newPage()
                target = painter.viewport()
                size = self.document.pagePointSize(page)
                pixels = QSize(round(size.width() * dpi / 72), round(size.height() * dpi / 72))
                pixels = pixels.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                image = self.document.render(page, pixels)
                painter.drawImage(QRect(target.topLeft(), pixels), image)
        finally:
            painter.end()
            QGuiApplication.restoreOverrideCursor()
        self.printed.emit(len(pages))
        return len(pages)
