"""Print preview: QtPdf view of reportlab bytes, page navigation, zoom, save as PDF, print."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from sollhaben.ui.print_preview import PrintPreviewDialog

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for page in (1, 2):
        pdf.setFont("Helvetica", 14)
        pdf.drawString(72, 760, f"Seite {page}: Beitragsverfügung für Müller")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.fixture
def preview(qtbot, pdf_bytes):
    dialog = PrintPreviewDialog(pdf_bytes, "Beitragsverfügung", "verfuegung-mueller", None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_preview_shows_the_pages_with_navigation_and_zoom(qtbot, preview):
    assert preview.windowTitle() == "Druckvorschau – Beitragsverfügung"
    assert preview.page_count() == 2
    assert preview.ui.pageCountLabel.text() == "von 2"
    assert preview.ui.pageSpin.maximum() == 2 and preview.ui.pageSpin.value() == 1
    assert not preview.ui.previousButton.isEnabled() and preview.ui.nextButton.isEnabled()
    preview.ui.nextButton.click()
    qtbot.waitUntil(lambda: preview.current_page() == 1, timeout=2000)
    assert preview.ui.pageSpin.value() == 2 and not preview.ui.nextButton.isEnabled()
    preview.ui.pageSpin.setValue(1)
    qtbot.waitUntil(lambda: preview.current_page() == 0, timeout=2000)

    assert preview.ui.zoomCombo.currentText() == "Seitenbreite"
    preview.ui.zoomCombo.setCurrentIndex(preview.ui.zoomCombo.findData(1.0))
    assert preview.view.zoomFactor() == 1.0
    preview.ui.zoomInButton.click()
    assert preview.view.zoomFactor() == 1.25 and preview.ui.zoomCombo.currentText() == "125 %"
    preview.ui.zoomOutButton.click()
    preview.ui.zoomOutButton.click()
    assert preview.view.zoomFactor() == 0.75


def test_save_as_pdf_writes_the_bytes(qtbot, preview, pdf_bytes, tmp_path, monkeypatch):
    asked: list = []

    def fake_dialog(parent, caption, directory, file_filter):
        asked.append((caption, directory, file_filter))
        return str(tmp_path / "kopie"), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_dialog)
    with qtbot.waitSignal(preview.saved, timeout=1000) as blocker:
        preview.ui.saveButton.click()
    target = tmp_path / "kopie.pdf"
    assert blocker.args == [str(target)]
    assert target.read_bytes() == pdf_bytes
    assert asked[0][0] == "Als PDF speichern" and asked[0][1].endswith("verfuegung-mueller.pdf")


def test_save_as_cancelled_writes_nothing(preview, tmp_path, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: ("", ""))
    assert preview.save_as() is None
    assert list(tmp_path.iterdir()) == []


def test_print_renders_every_page_to_the_printer(qtbot, preview, tmp_path):
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "gedruckt.pdf"))
    with qtbot.waitSignal(preview.printed, timeout=5000) as blocker:
        assert preview.print_to(printer) == 2
    assert blocker.args == [2]
    assert len(PdfReader(tmp_path / "gedruckt.pdf").pages) == 2

    printer.setOutputFileName(str(tmp_path / "seite2.pdf"))
    printer.setFromTo(2, 2)  # the page range chosen in the print dialog
    assert preview.print_to(printer) == 1
    assert len(PdfReader(tmp_path / "seite2.pdf").pages) == 1


def test_print_dialog_cancelled_prints_nothing(preview, monkeypatch):
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert preview.print_dialog() == 0
