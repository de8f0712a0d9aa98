"""The native QR-bill on the page: style-guide positions and type sizes, the four languages, the
QR code decoded from the rendered page and compared with the payload."""
from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import replace

import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from sollhaben.domain.money import Money
from sollhaben.reports.letter import new_canvas
from sollhaben.reports.qr_bill import LABELS, draw_bill
from sollhaben.reports.qr_bill_data import BillAddress, BillData, prepare_bill

CREDITOR = BillAddress("Sozialdienst Aaretal", "Bahnhofstrasse", "12", "3000", "Bern", "CH")
DEBTOR = BillAddress("Zoë Łukasiewicz-Müller", "Marktgasse", "28", "9400", "Rorschach", "CH")
DPI = 300
PX = DPI / 25.4  # pixels per mm


def bill_pdf(data: BillData) -> bytes:
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, "QR-Rechnung")
    draw_bill(canvas, prepare_bill(data))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def sample(language: str = "de", amount: Money | None = Money.of("1234.50", "CHF"), debtor=DEBTOR) -> BillData:
    return BillData("CH44 3199 9123 0008 8901 2", CREDITOR, amount, "CHF", debtor,
                    "210000000003139471430009017", "Rechnung 2026-17 für Zoë", language)


def texts_with_sizes(pdf: bytes) -> dict[str, set[float]]:
    found: dict[str, set[float]] = defaultdict(set)

    def visit(text, _cm, _tm, _font, size):
        if text.strip():
            found[text.strip()].add(round(size, 1))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize("language", ["de", "fr", "it", "en"])
def test_each_language_prints_its_headings_and_decodes_to_the_payload(language):
    data = sample(language)
    pdf = bill_pdf(data)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for key in ("receipt", "payment_part", "account", "reference", "additional", "payable_by", "currency",
                "amount", "acceptance"):
        assert LABELS[key][language] in text, key
    image = pdfium.PdfDocument(pdf)[0].render(scale=DPI / 72).to_pil()
    [code] = zxingcpp.read_barcodes(image)
    assert code.text == prepare_bill(data).payload
    assert code.ec_level == "M"


def test_type_sizes_follow_the_style_guide():
    sizes = texts_with_sizes(bill_pdf(sample()))
    assert sizes["Empfangsschein"] == {11.0} and sizes["Zahlteil"] == {11.0}
    assert sizes["Konto / Zahlbar an"] == {6.0, 8.0}  # receipt heading 6 pt, payment part 8 pt
    assert sizes["Annahmestelle"] == {6.0}
    assert sizes["CH44 3199 9123 0008 8901 2"] == {8.0, 10.0}  # values 8 pt and 10 pt
    assert sizes["CHF 1 234.50"] == {8.0, 10.0}
    assert sizes["Zusätzliche Informationen"] == {8.0}  # payment part only


def dark_box(image, left_mm: float, top_mm: float, right_mm: float, bottom_mm: float) -> tuple[float, ...]:
    """Bounding box (mm) of the dark pixels inside a window of the page."""
    crop = image.convert("L").crop((round(left_mm * PX), round(top_mm * PX), round(right_mm * PX),
                                    round(bottom_mm * PX)))
    box = crop.point(lambda v: 255 if v < 128 else 0).getbbox()
    assert box is not None
    return (left_mm + box[0] / PX, top_mm + box[1] / PX, left_mm + box[2] / PX, top_mm + box[3] / PX)


def test_qr_code_is_46_mm_at_the_style_guide_position():
    image = pdfium.PdfDocument(bill_pdf(sample()))[0].render(scale=DPI / 72).to_pil()
    slip_top = 297 - 105
    left, top, right, bottom = dark_box(image, 63, slip_top + 14, 116, slip_top + 66)
    assert left == pytest.approx(67, abs=0.2) and top == pytest.approx(slip_top + 17, abs=0.2)
    assert right - left == pytest.approx(46, abs=0.2) and bottom - top == pytest.approx(46, abs=0.2)


def test_separation_lines_run_above_the_slip_and_between_receipt_and_payment_part():
    image = pdfium.PdfDocument(bill_pdf(sample())).get_page(0).render(scale=DPI / 72).to_pil().convert("L")
    line_y = round((297 - 105) * PX)
    assert min(image.getpixel((round(x * PX), line_y)) for x in (30, 100, 200)) < 128
    assert min(image.getpixel((round(62 * PX), round(y * PX))) for y in (220, 260, 290)) < 128


def test_open_amount_and_unknown_debtor_get_corner_marks():
    pdf = bill_pdf(replace(sample(amount=None, debtor=None), additional_information=""))
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Zahlbar durch (Name/Adresse)" in text and "1 234.50" not in text
    image = pdfium.PdfDocument(pdf)[0].render(scale=DPI / 72).to_pil()
    slip_top = 297 - 105
    # payment part amount field 40 x 15 mm, right edge at the information section (118 mm)
    left, top, right, bottom = dark_box(image, 76, slip_top + 72.5, 119, slip_top + 89)
    assert left == pytest.approx(78, abs=0.3) and right - left == pytest.approx(40, abs=0.4)
    assert bottom - top == pytest.approx(15, abs=0.4)
    # debtor field 65 x 25 mm in the information section (x 118 mm)
    _left, top, right, bottom = dark_box(image, 178, slip_top + 36, 200, slip_top + 75)  # right corners
    assert right - 118 == pytest.approx(65, abs=0.4) and bottom - top == pytest.approx(25, abs=0.4)
    # receipt amount field 30 x 10 mm, right-aligned in the receipt
    left, top, right, bottom = dark_box(image, 25, slip_top + 70.5, 57.5, slip_top + 81.5)
    assert right - left == pytest.approx(30, abs=0.4) and bottom - top == pytest.approx(10, abs=0.4)


def test_the_slip_is_the_bottom_105_mm_of_an_a4_page():
    assert A4 == pytest.approx((210 * mm, 297 * mm))
    image = pdfium.PdfDocument(bill_pdf(sample()))[0].render(scale=DPI / 72).to_pil()
    _left, top, _right, _bottom = dark_box(image, 25, 150, 210, 297)  # right of the scissors
    assert top == pytest.approx(297 - 105, abs=0.3)  # nothing above the separation line
